import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../test/database.ts';
import { Problem } from '../../platform/errors.ts';
import { DEMO_PERSONS } from '../demo.ts';
import { cardExpiry } from '../model.ts';
import { validatePin } from '../pin.ts';
import { seedSandbox } from '../seed.ts';
import { createSandboxRegistries } from './index.ts';

const t = useTestDatabase();
let s: ReturnType<typeof createSandboxRegistries>;

beforeAll(async () => {
  await seedSandbox(t.database.pool, { citizens: 1500, seed: 'control' });
  s = createSandboxRegistries(t.db);
});

async function problemOf(promise: Promise<unknown>): Promise<{ code: string; status: number }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Problem);
    return { code: (error as Problem).code, status: (error as Problem).status };
  }
  throw new Error('expected a problem');
}

describe('sandbox control and the change feed', () => {
  it('starts with an empty feed after seeding', async () => {
    expect(await s.changes.changesAfter(null, 10)).toEqual([]);
  });

  it('holds, returns and revokes a card, each step in the feed', async () => {
    const pin = DEMO_PERSONS.citizen.pin;
    const held = await s.control.holdCard(pin, '2026-02-01');
    expect((await s.identity.findByPin(pin))!.idCard).toMatchObject({ status: 'held', statusSince: '2026-02-01' });
    const returned = await s.control.returnCard(pin, '2026-02-10');
    expect((await s.identity.findByPin(pin))!.idCard!.status).toBe('valid');
    const revoked = await s.control.revokeCard(pin, '2026-03-01');
    expect((await s.identity.findByPin(pin))!.idCard!.status).toBe('revoked');

    const an = (await s.identity.findByPin(pin))!;
    const feed = await s.changes.changesAfter(null, 10);
    expect(feed.map((c) => [c.kind, c.occurredOn, c.subject])).toEqual([
      ['card_held', '2026-02-01', { kind: 'citizen', registryId: an.registryId }],
      ['card_returned', '2026-02-10', { kind: 'citizen', registryId: an.registryId }],
      ['card_revoked', '2026-03-01', { kind: 'citizen', registryId: an.registryId }],
    ]);
    expect(feed.map((c) => c.id)).toEqual([held.id, returned.id, revoked.id]);
    expect(feed[0]!.detail).toEqual({ pin });
    expect(feed[0]!.recordedAt).toBeInstanceOf(Date);
    // Paging: after the first change, one at a time.
    expect((await s.changes.changesAfter(held.id, 1)).map((c) => c.id)).toEqual([returned.id]);
    expect(await s.changes.changesAfter(revoked.id, 10)).toEqual([]);
  });

  it('refuses transitions the card is not in, and unknown people, changing nothing', async () => {
    const before = await s.changes.changesAfter(null, 100);
    expect(await problemOf(s.control.holdCard(DEMO_PERSONS.revokedCard.pin, '2026-02-01'))).toEqual({
      code: 'SANDBOX_STATE_CONFLICT',
      status: 409,
    });
    expect(await problemOf(s.control.returnCard(DEMO_PERSONS.spouse.pin, '2026-02-01'))).toMatchObject({
      code: 'SANDBOX_STATE_CONFLICT',
    });
    expect(await problemOf(s.control.holdCard(DEMO_PERSONS.child.pin, '2026-02-01'))).toMatchObject({
      code: 'SANDBOX_STATE_CONFLICT',
    });
    expect(await problemOf(s.control.recordDeath('001090999999', '2026-02-01'))).toEqual({
      code: 'SANDBOX_SUBJECT_NOT_FOUND',
      status: 404,
    });
    expect(await s.changes.changesAfter(null, 100)).toEqual(before);
  });

  it('issues a new card to someone whose card expired, with biometrics', async () => {
    const pin = DEMO_PERSONS.expiredCard.pin;
    const change = await s.control.issueCard(pin, '2026-03-15');
    const hoa = (await s.identity.findByPin(pin))!;
    expect(hoa.idCard).toMatchObject({
      issuedOn: '2026-03-15',
      expiresOn: cardExpiry('1999-02-03', '2026-03-15'),
      chip: true,
      status: 'valid',
      issuingAuthority: 'Bộ Công an',
    });
    expect(hoa.idCard!.expiresOn).toBe('2039-02-03');
    expect(change).toMatchObject({ kind: 'card_issued', detail: { pin, expiresOn: '2039-02-03' } });
    expect((await s.identity.biometricsOf(hoa.registryId)).map((b) => [b.kind, b.capturedOn])).toEqual([
      ['face', '2026-03-15'],
      ['fingerprint', '2026-03-15'],
    ]);
    // A child's first card (on request, under the 2023 law): no biometrics under six.
    await s.control.issueCard(DEMO_PERSONS.youngChild.pin, '2026-04-01');
    const han = (await s.identity.findByPin(DEMO_PERSONS.youngChild.pin))!;
    expect(han.idCard!.expiresOn).toBe('2035-09-01');
    expect(await s.identity.biometricsOf(han.registryId)).toEqual([]);
    expect(await problemOf(s.control.issueCard(DEMO_PERSONS.heldCard.pin, '2026-04-01'))).toMatchObject({
      code: 'SANDBOX_STATE_CONFLICT',
    });
    expect(await problemOf(s.control.issueCard(DEMO_PERSONS.deceased.pin, '2026-04-01'))).toMatchObject({
      code: 'SANDBOX_STATE_CONFLICT',
    });
  });

  it('records a death once', async () => {
    const pin = DEMO_PERSONS.guardian.pin;
    const change = await s.control.recordDeath(pin, '2026-05-01');
    expect(change.kind).toBe('death');
    expect((await s.identity.findByPin(pin))!.dateOfDeath).toBe('2026-05-01');
    expect(await problemOf(s.control.recordDeath(pin, '2026-05-02'))).toMatchObject({ code: 'SANDBOX_STATE_CONFLICT' });
  });

  it('re-issues a PIN: the old one still finds the person, the card follows', async () => {
    const old = DEMO_PERSONS.spouse.pin;
    const change = await s.control.reissuePin(old, '2026-06-01');
    expect(change.newPin).not.toBe(old);
    expect(change.newPin.slice(0, 6)).toBe(old.slice(0, 6));
    expect(validatePin(change.newPin, { dateOfBirth: '1992-08-20', sex: 'female' }).ok).toBe(true);
    const binh = (await s.identity.findByPin(old))!;
    expect(binh.pin).toBe(change.newPin);
    expect(binh.previousPins).toEqual([old]);
    expect(binh.idCard).toMatchObject({ number: change.newPin, issuedOn: '2026-06-01', status: 'valid' });
    expect(change.detail).toEqual({ previousPin: old, pin: change.newPin });
    // Relations follow the person, not the number.
    const org = (await s.business.findByEnterpriseCode(DEMO_PERSONS.organisation.enterpriseCode))!;
    expect(org.legalRepresentatives.map((l) => l.person.pin)).toContain(change.newPin);
  });

  it('changes an organisation’s status along the allowed paths', async () => {
    const code = DEMO_PERSONS.organisation.enterpriseCode;
    expect((await s.control.setOrganisationStatus(code, 'suspended', '2026-07-01')).kind).toBe(
      'organisation_suspended',
    );
    expect((await s.control.setOrganisationStatus(code, 'active', '2026-08-01')).kind).toBe('organisation_resumed');
    const dissolved = await s.control.setOrganisationStatus(code, 'dissolved', '2026-09-01');
    expect(dissolved).toMatchObject({ kind: 'organisation_dissolved', subject: { kind: 'organisation' } });
    const org = (await s.business.findByEnterpriseCode(code))!;
    expect([org.status, org.statusSince]).toEqual(['dissolved', '2026-09-01']);
    expect(await problemOf(s.control.setOrganisationStatus(code, 'active', '2026-10-01'))).toMatchObject({
      code: 'SANDBOX_STATE_CONFLICT',
    });
    expect(await problemOf(s.control.setOrganisationStatus('0000000001', 'active', '2026-10-01'))).toMatchObject({
      code: 'SANDBOX_SUBJECT_NOT_FOUND',
    });
  });

  it('records passport and residence-card expiries after the seed date, once', async () => {
    const due = await t.db
      .selectFrom('sandbox.residence_cards')
      .select('foreigner_id')
      .where('expires_on', '>', '2026-01-01')
      .where('expires_on', '<=', '2029-01-01')
      .execute();
    const passports = await t.db
      .selectFrom('sandbox.foreigners')
      .select('id')
      .where('passport_expires_on', '>', '2026-01-01')
      .where('passport_expires_on', '<=', '2029-01-01')
      .execute();
    const changes = await s.control.recordExpiries('2029-01-01');
    expect(changes.filter((c) => c.kind === 'residence_card_expired')).toHaveLength(due.length);
    expect(changes.filter((c) => c.kind === 'passport_expired')).toHaveLength(passports.length);
    const kim = (await s.immigration.findByPassport('KOR', 'M12345678'))!;
    expect(changes).toContainEqual(
      expect.objectContaining({
        kind: 'residence_card_expired',
        occurredOn: '2028-12-31',
        subject: { kind: 'foreigner', registryId: kim.registryId },
        detail: { residenceCard: 'TT24000123', kind: 'temporary' },
      }),
    );
    // Tanaka's card expired before the seed date: initial state, not a change.
    const tanaka = (await s.immigration.findByPassport('JPN', 'TK1234567'))!;
    expect(changes.some((c) => c.subject.registryId === tanaka.registryId && c.kind === 'residence_card_expired')).toBe(
      false,
    );
    expect(changes.map((c) => c.occurredOn)).toEqual([...changes.map((c) => c.occurredOn)].sort());
    expect(await s.control.recordExpiries('2029-01-01')).toEqual([]);
    const more = await s.control.recordExpiries('2029-01-01', '2020-01-01');
    expect(more.some((c) => c.subject.registryId === tanaka.registryId && c.occurredOn === '2025-06-30')).toBe(true);
  });

  it('records every one of concurrent changes, in id order', async () => {
    const last = (await s.changes.changesAfter(null, 1000)).at(-1)!;
    const pins = await t.db
      .selectFrom('sandbox.persons as p')
      .innerJoin('sandbox.id_cards as c', 'c.person_id', 'p.id')
      .select('p.pin')
      .where('c.status', '=', 'valid')
      .where('p.date_of_death', 'is', null)
      .where('p.id', '>', 11)
      .orderBy('p.id')
      .limit(8)
      .execute();
    const made = await Promise.all(pins.map((p) => s.control.holdCard(p.pin, '2026-11-01')));
    const feed = await s.changes.changesAfter(last.id, 100);
    expect(feed.map((c) => c.id).sort()).toEqual(made.map((c) => c.id).sort());
    const ids = feed.map((c) => Number(c.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('rejects a malformed cursor', async () => {
    await expect(s.changes.changesAfter('abc', 10)).rejects.toThrow(RangeError);
    await expect(s.changes.changesAfter(null, 0)).rejects.toThrow(RangeError);
  });
});
