import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../test/database.ts';
import { DEMO_PERSONS } from '../demo.ts';
import { SANDBOX_AS_OF } from '../generator.ts';
import { cardStateOn } from '../model.ts';
import type { NationalRegistries } from '../ports.ts';
import { validatePin } from '../pin.ts';
import { seedSandbox } from '../seed.ts';
import { createRegistries } from '../service.ts';

const t = useTestDatabase();
let r: NationalRegistries;

beforeAll(async () => {
  await seedSandbox(t.database.pool, { citizens: 4000, seed: 'adapters' });
  r = createRegistries({ db: t.db });
});

async function citizen(pin: string) {
  const found = await r.identity.findByPin(pin);
  if (!found) throw new Error(`no citizen ${pin}`);
  return found;
}

describe('IdentityRegistry', () => {
  it('finds a citizen by PIN with card, residence and birth registration', async () => {
    const an = await citizen(DEMO_PERSONS.citizen.pin);
    expect(an).toMatchObject({
      pin: DEMO_PERSONS.citizen.pin,
      previousPins: [],
      fullName: 'Nguyễn Văn An',
      familyName: 'Nguyễn',
      middleName: 'Văn',
      givenName: 'An',
      sex: 'male',
      dateOfBirth: '1990-05-15',
      nationality: 'VNM',
      birthRegistration: { code: '001', name: 'Hà Nội' },
      residence: {
        line: 'Số 18 phố Trần Duy Hưng',
        ward: 'Phường Yên Hòa',
        province: 'Thành phố Hà Nội',
        full: 'Số 18 phố Trần Duy Hưng, Phường Yên Hòa, Thành phố Hà Nội',
      },
      idCard: {
        number: DEMO_PERSONS.citizen.pin,
        issuedOn: '2021-06-10',
        expiresOn: '2030-05-15',
        chip: true,
        status: 'valid',
      },
      dateOfDeath: null,
    });
    expect(await r.identity.findById(an.registryId)).toEqual(an);
  });

  it('shows each demo case as documented', async () => {
    const child = await citizen(DEMO_PERSONS.child.pin);
    expect(child.idCard).toBeNull();
    const expired = await citizen(DEMO_PERSONS.expiredCard.pin);
    expect(cardStateOn(expired.idCard!, SANDBOX_AS_OF)).toBe('expired');
    expect(expired.idCard!.chip).toBe(false);
    expect((await citizen(DEMO_PERSONS.heldCard.pin)).idCard!.status).toBe('held');
    expect((await citizen(DEMO_PERSONS.revokedCard.pin)).idCard!.status).toBe('revoked');
    const dead = await citizen(DEMO_PERSONS.deceased.pin);
    expect(dead.dateOfDeath).toBe('2024-09-02');
    expect(dead.idCard!.expiresOn).toBeNull();
  });

  it('finds nothing for unknown or malformed PINs and ids', async () => {
    expect(await r.identity.findByPin('001090999999')).toBeNull();
    expect(await r.identity.findByPin('00109004821')).toBeNull();
    expect(await r.identity.findByPin("001090048213' or 1=1")).toBeNull();
    expect(await r.identity.findById('0')).toBeNull();
    expect(await r.identity.findById('abc')).toBeNull();
    expect(await r.identity.findById('999999999')).toBeNull();
    expect(await r.identity.familyOf('999999999')).toBeNull();
    expect(await r.identity.biometricsOf('x')).toEqual([]);
  });

  it('returns generated citizens whose PIN matches what the registry says of them', async () => {
    const sample = await t.db
      .selectFrom('sandbox.persons')
      .select('pin')
      .where('id', 'in', [12, 500, 1999, 4000])
      .execute();
    expect(sample).toHaveLength(4);
    for (const { pin } of sample) {
      const c = await citizen(pin);
      expect(validatePin(c.pin, { dateOfBirth: c.dateOfBirth, sex: c.sex }).ok).toBe(true);
      expect(c.birthRegistration.code).toBe(pin.slice(0, 3));
      expect(c.fullName.normalize('NFC')).toBe(c.fullName);
    }
  });

  it('gives the family: parents, spouse, children ordered by birth', async () => {
    const an = await citizen(DEMO_PERSONS.citizen.pin);
    const family = (await r.identity.familyOf(an.registryId))!;
    expect(family.father).toBeNull();
    expect(family.spouses.map((s) => s.fullName)).toEqual(['Trần Thị Bình']);
    expect(family.children.map((c) => [c.fullName, c.dateOfBirth])).toEqual([
      ['Nguyễn Minh Khôi', '2016-03-12'],
      ['Nguyễn Ngọc Hân', '2021-09-01'],
    ]);
    const child = await citizen(DEMO_PERSONS.child.pin);
    const childFamily = (await r.identity.familyOf(child.registryId))!;
    expect(childFamily.father?.pin).toBe(DEMO_PERSONS.citizen.pin);
    expect(childFamily.mother?.pin).toBe(DEMO_PERSONS.spouse.pin);
    expect(childFamily.guardians).toEqual([]);
  });

  it('gives court-appointed guardians and their wards', async () => {
    const ward = await citizen(DEMO_PERSONS.ward.pin);
    const guardians = await r.identity.guardiansOf(ward.registryId);
    expect(guardians).toEqual([
      {
        guardian: expect.objectContaining({ pin: DEMO_PERSONS.guardian.pin, fullName: 'Đặng Thị Mai' }),
        ward: expect.objectContaining({ pin: DEMO_PERSONS.ward.pin }),
        basis: 'court_appointed',
        court: 'Tòa án nhân dân quận Cầu Giấy, thành phố Hà Nội',
        decisionNumber: '15/2023/QĐST-DS',
        since: '2023-06-20',
        until: null,
      },
    ]);
    expect(await r.identity.guardiansOf(ward.registryId, '2023-06-19')).toEqual([]);
    expect(await r.identity.guardiansOf(ward.registryId, '2023-06-20')).toHaveLength(1);
    const mother = await citizen(DEMO_PERSONS.guardian.pin);
    const family = (await r.identity.familyOf(mother.registryId))!;
    expect(family.wards.map((w) => w.ward.pin)).toEqual([DEMO_PERSONS.ward.pin]);
    expect(family.children.map((c) => c.pin)).toEqual([DEMO_PERSONS.ward.pin]);
  });

  it('lists biometrics on record: none under six', async () => {
    const an = await citizen(DEMO_PERSONS.citizen.pin);
    expect(await r.identity.biometricsOf(an.registryId)).toEqual([
      { kind: 'face', sampleRef: null, capturedOn: '2021-06-10' },
      { kind: 'fingerprint', sampleRef: null, capturedOn: '2021-06-10' },
    ]);
    const young = await citizen(DEMO_PERSONS.youngChild.pin);
    expect(await r.identity.biometricsOf(young.registryId)).toEqual([]);
  });

  it('finds a citizen by a PIN that was re-issued', async () => {
    // This seed re-issued a few PINs (about 3 in 10,000 citizens).
    const history = await t.db.selectFrom('sandbox.pin_history').selectAll().orderBy('old_pin').execute();
    expect(history.length).toBeGreaterThan(0);
    for (const h of history) {
      const found = (await r.identity.findByPin(h.old_pin))!;
      expect(found.registryId).toBe(String(h.person_id));
      expect(found.pin).not.toBe(h.old_pin);
      expect(found.previousPins).toContain(h.old_pin);
      expect(await r.identity.findByPin(found.pin)).toEqual(found);
    }
  });
});

describe('ImmigrationRegistry', () => {
  it('finds a foreigner by passport, residence card and biometrics included', async () => {
    const kim = (await r.immigration.findByPassport('KOR', 'M12345678'))!;
    expect(kim).toMatchObject({
      passport: { number: 'M12345678', country: 'KOR', issuedOn: '2019-03-01', expiresOn: '2029-03-01' },
      familyName: 'KIM',
      givenNames: 'MIN JUN',
      fullName: 'KIM MIN JUN',
      sex: 'male',
      nationality: 'KOR',
      residenceCard: { number: 'TT24000123', kind: 'temporary', issuedOn: '2024-01-15', expiresOn: '2028-12-31' },
      biometricsOnRecord: { face: true, fingerprints: true },
      dateOfDeath: null,
    });
    expect(kim.address?.province).toBe('Thành phố Hồ Chí Minh');
    expect(await r.immigration.findByPassport('kor', ' m12345678 ')).toEqual(kim);
    expect(await r.immigration.findByPassport('JPN', 'M12345678')).toBeNull();
    expect(await r.immigration.findByPassportNumber('M12345678')).toEqual([kim]);
    expect(await r.immigration.findById(kim.registryId)).toEqual(kim);
    expect((await r.immigration.biometricsOf(kim.registryId)).map((b) => b.kind)).toEqual(['face', 'fingerprint']);
  });

  it('shows an expired residence card and no biometrics', async () => {
    const tanaka = (await r.immigration.findByPassport('JPN', 'TK1234567'))!;
    expect(tanaka.residenceCard!.expiresOn).toBe('2025-06-30');
    expect(tanaka.biometricsOnRecord).toEqual({ face: false, fingerprints: false });
    expect(await r.immigration.biometricsOf(tanaka.registryId)).toEqual([]);
  });

  it('links accompanying family members', async () => {
    const child = await t.db
      .selectFrom('sandbox.foreigner_kinships')
      .select(['foreigner_id', 'relative_id', 'relation'])
      .where('relation', '=', 'father')
      .limit(1)
      .executeTakeFirst();
    if (!child) throw new Error('the sample has no foreign child with a father');
    const family = (await r.immigration.familyOf(String(child.foreigner_id)))!;
    expect(family.father?.registryId).toBe(String(child.relative_id));
    const fatherFamily = (await r.immigration.familyOf(String(child.relative_id)))!;
    expect(fatherFamily.children.map((c) => c.registryId)).toContain(String(child.foreigner_id));
    expect(await r.immigration.familyOf('123456789')).toBeNull();
  });
});

describe('BusinessRegistry', () => {
  it('finds an organisation with its legal representatives', async () => {
    const org = (await r.business.findByEnterpriseCode(DEMO_PERSONS.organisation.enterpriseCode))!;
    expect(org).toMatchObject({
      enterpriseCode: '0101234567',
      name: 'Công ty Cổ phần Công nghệ Sao Mai',
      legalForm: 'Công ty cổ phần',
      foundedOn: '2015-09-01',
      status: 'active',
    });
    expect(org.legalRepresentatives.map((l) => [l.person.pin, l.title])).toEqual([
      [DEMO_PERSONS.citizen.pin, 'Tổng giám đốc'],
      [DEMO_PERSONS.spouse.pin, 'Chủ tịch Hội đồng quản trị'],
    ]);
    expect(await r.business.findById(org.registryId)).toEqual(org);
    const an = await citizen(DEMO_PERSONS.citizen.pin);
    expect((await r.business.representedBy(an.registryId)).map((o) => o.enterpriseCode)).toEqual(['0101234567']);
  });

  it('shows a dissolved organisation, and nothing for unknown codes', async () => {
    const gone = (await r.business.findByEnterpriseCode(DEMO_PERSONS.dissolvedOrganisation.enterpriseCode))!;
    expect(gone.status).toBe('dissolved');
    expect(gone.statusSince).toBe('2024-12-31');
    expect(await r.business.findByEnterpriseCode('0000000000')).toBeNull();
    expect(await r.business.findByEnterpriseCode('12345')).toBeNull();
  });

  it('gives every generated organisation one to three representatives', async () => {
    const orgs = await t.db
      .selectFrom('sandbox.organisations')
      .select('enterprise_code')
      .where('id', '>', 2)
      .limit(10)
      .execute();
    for (const { enterprise_code } of orgs) {
      const org = (await r.business.findByEnterpriseCode(enterprise_code))!;
      expect(org.legalRepresentatives.length).toBeGreaterThanOrEqual(1);
      expect(org.legalRepresentatives.length).toBeLessThanOrEqual(3);
    }
  });
});

describe('SubscriberRegistry', () => {
  it('says who a number is registered to, in any common notation', async () => {
    const sub = (await r.subscribers.ownerOf('+84 912 345 678'))!;
    expect(sub).toMatchObject({
      phone: '0912345678',
      operator: 'VinaPhone',
      owner: { kind: 'citizen', pin: DEMO_PERSONS.citizen.pin, fullName: 'Nguyễn Văn An' },
    });
  });

  it('names the registered owner, not the person who uses the SIM', async () => {
    const sub = (await r.subscribers.ownerOf(DEMO_PERSONS.phoneOfSomeoneElse.phone))!;
    expect(sub.owner).toMatchObject({ kind: 'citizen', pin: DEMO_PERSONS.phoneOfSomeoneElse.phoneRegisteredTo });
    const thu = await citizen(DEMO_PERSONS.phoneOfSomeoneElse.pin);
    expect(await r.subscribers.subscriptionsOf({ kind: 'citizen', registryId: thu.registryId })).toEqual([]);
    const an = await citizen(DEMO_PERSONS.citizen.pin);
    expect(
      (await r.subscribers.subscriptionsOf({ kind: 'citizen', registryId: an.registryId })).map((s) => s.phone),
    ).toEqual(['0912345678', '0909123456']);
  });

  it('knows foreigners’ numbers and nothing of unregistered or malformed ones', async () => {
    const sub = (await r.subscribers.ownerOf(DEMO_PERSONS.foreigner.phone))!;
    expect(sub.owner).toMatchObject({ kind: 'foreigner', passport: { number: 'M12345678', country: 'KOR' } });
    expect(await r.subscribers.ownerOf('0200000000')).toBeNull();
    expect(await r.subscribers.ownerOf('not a phone')).toBeNull();
    const taken = new Set(
      (await t.db.selectFrom('sandbox.subscribers').select('phone').where('phone', 'like', '0599999%').execute()).map(
        (s) => s.phone,
      ),
    );
    const free = Array.from({ length: 10 }, (_, i) => `059999999${i}`).find((p) => !taken.has(p))!;
    expect(await r.subscribers.ownerOf(free)).toBeNull();
  });
});
