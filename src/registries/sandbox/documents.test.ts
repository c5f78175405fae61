import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock, useTestDatabase } from '../../../test/database.ts';
import { birthdayAt, daysFromIso, isoFromDays } from '../dates.ts';
import { DEMO_PERSONS } from '../demo.ts';
import type { Citizen } from '../model.ts';
import type { NationalRegistries } from '../ports.ts';
import { seedSandbox } from '../seed.ts';
import { createRegistries } from '../service.ts';
import { SANDBOX_LICENCE_SHARE, sandboxInsuranceOf, sandboxLicenceOf } from './documents.ts';

/**
 * The sandbox driving-licence and health-insurance databases: documents derived from the person
 * (no tables), the same every time, consistent with the law's ages and validity periods.
 */
const TODAY = '2026-11-26';
const today = daysFromIso(TODAY);

function person(registryId: string, dateOfBirth: string, extra: Partial<Citizen> = {}): Citizen {
  return {
    registryId,
    pin: '001090048213',
    previousPins: [],
    fullName: 'Nguyễn Văn An',
    familyName: 'Nguyễn',
    middleName: 'Văn',
    givenName: 'An',
    sex: 'male',
    dateOfBirth,
    nationality: 'VNM',
    birthRegistration: { code: '001', name: 'Hà Nội' },
    residence: {
      line: 'Số 1',
      ward: 'Phường Hoàn Kiếm',
      province: 'Thành phố Hà Nội',
      full: 'Số 1, Phường Hoàn Kiếm, Thành phố Hà Nội',
    },
    idCard: {
      number: '001090048213',
      issuedOn: '2021-05-15',
      expiresOn: '2030-05-15',
      chip: true,
      status: 'valid',
      statusSince: '2021-05-15',
      issuingAuthority: 'Bộ Công an',
    },
    dateOfDeath: null,
    ...extra,
  };
}

const adults = Array.from({ length: 2000 }, (_, i) =>
  person(String(i + 1), `19${60 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}`),
);

describe('driving licences (Law 36/2024/QH15 Arts 57, 59)', () => {
  const licences = adults.map((c) => sandboxLicenceOf(c, today));

  it('are held by about the configured share of adults, and derived the same way every time', () => {
    const share = (100 * licences.filter(Boolean).length) / adults.length;
    expect(share).toBeGreaterThan(SANDBOX_LICENCE_SHARE - 5);
    expect(share).toBeLessThan(SANDBOX_LICENCE_SHARE + 5);
    expect(adults.map((c) => sandboxLicenceOf(c, today))).toEqual(licences);
  });

  it('respect the minimum ages and validity of each class, renewed up to today', () => {
    for (const [i, licence] of licences.entries()) {
      if (!licence) continue;
      const dob = daysFromIso(adults[i]!.dateOfBirth);
      expect(licence.number).toMatch(/^01\d{10}$/);
      expect(licence.categories[0]).toMatchObject({ class: 'A1', expiresOn: null });
      for (const c of licence.categories) {
        const issued = daysFromIso(c.issuedOn);
        expect(issued).toBeLessThanOrEqual(today);
        expect(issued).toBeGreaterThanOrEqual(birthdayAt(dob, c.class === 'C' ? 21 : 18));
        if (c.class === 'B') expect(c.expiresOn).toBe(isoFromDays(birthdayAt(issued, 10)));
        if (c.class === 'C') expect(c.expiresOn).toBe(isoFromDays(birthdayAt(issued, 5)));
        if (c.expiresOn) expect(c.expiresOn > TODAY).toBe(true);
      }
    }
    expect(licences.some((l) => l?.categories.some((c) => c.class === 'B'))).toBe(true);
    expect(licences.some((l) => l?.categories.some((c) => c.class === 'C'))).toBe(true);
  });

  it('none for minors or the dead', () => {
    expect(adults.map((c) => sandboxLicenceOf({ ...c, dateOfBirth: '2009-01-01' }, today)).filter(Boolean)).toEqual([]);
    expect(adults.map((c) => sandboxLicenceOf({ ...c, dateOfDeath: '2025-01-01' }, today)).filter(Boolean)).toEqual([]);
  });
});

describe('health-insurance cards (Law on Health Insurance Arts 12, 22)', () => {
  it('every living card holder has one for the calendar year, with its group and level', () => {
    const card = sandboxInsuranceOf(person('9', '1990-01-01'), today)!;
    expect(card).toMatchObject({
      holderPin: '001090048213',
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      primaryCareFacility: 'Trạm Y tế Phường Hoàn Kiếm',
    });
    expect(card.number).toMatch(/^01\d{8}$/);
    expect(card.cardCode).toBe(`${card.group}${card.benefitLevel}01${card.number}`);
    expect(['DN', 'HC', 'GD']).toContain(card.group);
    expect(sandboxInsuranceOf(person('9', '1950-01-01'), today)).toMatchObject({ group: 'HT', benefitLevel: 3 });
  });

  it("a child's card runs from birth to the day before the 6th birthday", () => {
    expect(sandboxInsuranceOf(person('9', '2022-03-01'), today)).toMatchObject({
      group: 'TE',
      benefitLevel: 1,
      validFrom: '2022-03-01',
      validTo: '2028-02-29',
    });
  });

  it('none without an ID card, none for the dead', () => {
    expect(sandboxInsuranceOf(person('9', '1990-01-01', { idCard: null }), today)).toBeNull();
    expect(sandboxInsuranceOf(person('9', '1990-01-01', { dateOfDeath: '2025-01-01' }), today)).toBeNull();
  });
});

describe('the ports over the sandbox', () => {
  const t = useTestDatabase();
  let r: NationalRegistries;

  beforeAll(async () => {
    await seedSandbox(t.database.pool, { citizens: 100, seed: 'documents' });
    r = createRegistries({ db: t.db, clock: fixedClock(`${TODAY}T03:00:00Z`) });
  });

  it('find the documents by PIN; an unknown PIN finds nothing', async () => {
    const an = DEMO_PERSONS.citizen.pin;
    const insurance = await r.healthInsurance.findByPin(an);
    expect(insurance).toMatchObject({ holderPin: an, fullName: 'Nguyễn Văn An', validTo: '2026-12-31' });
    const citizen = (await r.identity.findByPin(an))!;
    expect(await r.drivingLicences.findByPin(an)).toEqual(sandboxLicenceOf(citizen, today));
    expect(await r.healthInsurance.findByPin('001099999999')).toBeNull();
    expect(await r.drivingLicences.findByPin('nonsense')).toBeNull();
  });

  it('the dead have neither', async () => {
    expect(await r.healthInsurance.findByPin(DEMO_PERSONS.deceased.pin)).toBeNull();
    expect(await r.drivingLicences.findByPin(DEMO_PERSONS.deceased.pin)).toBeNull();
  });
});
