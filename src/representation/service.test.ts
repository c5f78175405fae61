import { sql } from 'kysely';
import { beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { createAuditService } from '../audit/service.ts';
import { createIdentityService, type Account } from '../identity/service.ts';
import { createNotifyService } from '../notify/service.ts';
import type { Clock } from '../platform/clock.ts';
import { Problem } from '../platform/errors.ts';
import { DEMO_PERSONS } from '../registries/demo.ts';
import { seedSandbox } from '../registries/seed.ts';
import { createRegistries } from '../registries/service.ts';
import { createRepresentationService } from './service.ts';

/**
 * Representation against the sandbox registries (the only fakes): the demo family (Nguyễn Văn An,
 * Trần Thị Bình and their son Nguyễn Minh Khôi, born 2016-03-12), the adult ward Bùi Văn Tùng and
 * his court-appointed guardian Đặng Thị Mai, and a foreign family from the generated sandbox.
 */
const t = useTestDatabase();
const system = { kind: 'system', id: 'test' };
const MARCH_2026 = '2026-03-02T03:00:00Z';

beforeAll(async () => {
  await seedSandbox(t.database.pool, { citizens: 300, foreigners: 60, seed: 'representation' });
});

function kit(clock: Clock = fixedClock(MARCH_2026)) {
  const platform = testPlatform(t.db, { clock });
  const audit = createAuditService(platform);
  const registries = createRegistries(platform);
  const identity = createIdentityService(platform, { registries, audit });
  const notify = createNotifyService(platform);
  const representation = createRepresentationService(platform, { registries, audit, notify, identity });
  return { clock, platform, audit, registries, identity, notify, representation };
}

/** The live account of a demo citizen, created on first use (no phone: dependants use their representative's). */
async function accountOf(pin: string): Promise<Account> {
  const { registries, identity } = kit();
  const person = await registries.identity.findByPin(pin);
  if (!person) throw new Error(`no citizen ${pin} in the sandbox`);
  const existing = await identity.findBySubject('citizen', person.registryId);
  if (existing) return existing;
  return identity.createAccount(t.db, {
    subjectKind: 'citizen',
    registryId: person.registryId,
    pin: person.pin,
    fullName: person.fullName,
    level: 1,
    status: 'active',
  });
}

async function registryId(pin: string): Promise<string> {
  return (await kit().registries.identity.findByPin(pin))!.registryId;
}

const citizen = async (pin: string) => ({ kind: 'citizen' as const, registryId: await registryId(pin) });

async function problemOf(promise: Promise<unknown>): Promise<Problem> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Problem);
  return error as Problem;
}

/** Inbox messages queued for an account: template and parameters. */
async function inboxOf(accountId: string) {
  const rows = await t.db
    .selectFrom('notify.outbox')
    .select(['template', 'params', 'key'])
    .where('channel', '=', 'inbox')
    .where('recipient', '=', accountId)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({ template: r.template, params: r.params as Record<string, unknown> }));
}

const P = DEMO_PERSONS;

describe('basisFor: who may represent whom, read from the registries', () => {
  test('a parent of a child under 14: until the 14th birthday', async () => {
    const { representation } = kit();
    const result = await representation.basisFor(
      await citizen(P.citizen.pin),
      await citizen(P.child.pin),
      '2026-03-02',
    );
    expect(result).toEqual({
      basis: 'parent',
      validFrom: '2026-03-02',
      validUntil: '2030-03-12',
      evidence: { registry: 'identity', relation: 'father' },
    });
    expect(
      await representation.basisFor(await citizen(P.spouse.pin), await citizen(P.child.pin), '2026-03-02'),
    ).toMatchObject({ basis: 'parent', evidence: { relation: 'mother' } });
  });

  test('a parent of a 14-year-old is refused (dependant_too_old)', async () => {
    const { representation } = kit();
    const an = await citizen(P.citizen.pin);
    const khoi = await citizen(P.child.pin);
    expect(await representation.basisFor(an, khoi, '2030-03-11')).toMatchObject({ basis: 'parent' });
    expect(await representation.basisFor(an, khoi, '2030-03-12')).toEqual({ refused: 'dependant_too_old' });
  });

  test('the court-appointed guardian of an adult ward, with the court and decision as evidence', async () => {
    const { representation } = kit();
    const result = await representation.basisFor(
      await citizen(P.guardian.pin),
      await citizen(P.ward.pin),
      '2026-03-02',
    );
    expect(result).toEqual({
      basis: 'guardian',
      validFrom: '2026-03-02',
      validUntil: null,
      evidence: {
        registry: 'identity',
        guardianship: 'court_appointed',
        court: 'Tòa án nhân dân quận Cầu Giấy, thành phố Hà Nội',
        decisionNumber: '15/2023/QĐST-DS',
        since: '2023-06-20',
        until: null,
      },
    });
  });

  test('an ended guardianship is refused (guardianship_ended); the day before it still held', async () => {
    const { representation } = kit();
    // The registry records a guardianship of Lê Thị Hoa by Nguyễn Văn An that ended on 2025-06-30.
    await t.db
      .insertInto('sandbox.guardianships')
      .values({
        id: 900_001,
        ward_id: Number(await registryId(P.expiredCard.pin)),
        guardian_id: Number(await registryId(P.citizen.pin)),
        basis: 'court_appointed',
        court: 'Tòa án nhân dân khu vực 3, Thanh Hóa',
        decision_number: '21/2020/QĐST-DS',
        since: '2020-01-15',
        until: '2025-06-30',
      })
      .execute();
    const an = await citizen(P.citizen.pin);
    const hoa = await citizen(P.expiredCard.pin);
    expect(await representation.basisFor(an, hoa, '2026-03-02')).toEqual({ refused: 'guardianship_ended' });
    expect(await representation.basisFor(an, hoa, '2025-06-29')).toMatchObject({
      basis: 'guardian',
      validUntil: '2025-06-30',
      evidence: { decisionNumber: '21/2020/QĐST-DS' },
    });
  });

  test('a non-relative is refused (not_related), and so is a deceased representative', async () => {
    const { representation } = kit();
    expect(
      await representation.basisFor(await citizen(P.citizen.pin), await citizen(P.ward.pin), '2026-03-02'),
    ).toEqual({ refused: 'not_related' });
    expect(
      await representation.basisFor(await citizen(P.deceased.pin), await citizen(P.child.pin), '2026-03-02'),
    ).toEqual({ refused: 'representative_deceased' });
  });

  test('a foreign parent of a foreign child under 14, from the Immigration DB', async () => {
    const { representation } = kit();
    const { rows } = await sql<{ child: number; parent: number; dob: string }>`
      select k.foreigner_id as child, k.relative_id as parent, f.date_of_birth as dob
      from sandbox.foreigner_kinships k join sandbox.foreigners f on f.id = k.foreigner_id
      where k.relation in ('father', 'mother') and f.date_of_birth > '2013-03-02' and f.date_of_death is null
      order by k.foreigner_id limit 1`.execute(t.db);
    const family = rows[0];
    expect(family, 'the generated sandbox has a foreign child under 14').toBeDefined();
    const parent = { kind: 'foreigner' as const, registryId: String(family!.parent) };
    const child = { kind: 'foreigner' as const, registryId: String(family!.child) };
    const result = await representation.basisFor(parent, child, '2026-03-02');
    expect(result).toMatchObject({ basis: 'parent', evidence: { registry: 'immigration' } });
    expect('validUntil' in result && result.validUntil! > '2026-03-02').toBe(true);
  });

  test('the legal representative of an organisation, from the Business Registration DB', async () => {
    const { representation, registries } = kit();
    const org = await registries.business.findByEnterpriseCode(P.organisation.enterpriseCode);
    const dissolved = await registries.business.findByEnterpriseCode(P.dissolvedOrganisation.enterpriseCode);
    expect(
      await representation.basisFor(
        await citizen(P.spouse.pin),
        { kind: 'organisation', registryId: org!.registryId },
        '2026-03-02',
      ),
    ).toMatchObject({ basis: 'legal_representative', evidence: { title: 'Chủ tịch Hội đồng quản trị' } });
    expect(
      await representation.basisFor(
        await citizen(P.phoneOfSomeoneElse.pin),
        { kind: 'organisation', registryId: dissolved!.registryId },
        '2026-03-02',
      ),
    ).toEqual({ refused: 'organisation_dissolved' });
  });
});

describe('links and confirmations', () => {
  let an: Account;
  let binh: Account;
  let khoi: Account;

  beforeAll(async () => {
    an = await accountOf(P.citizen.pin);
    binh = await accountOf(P.spouse.pin);
    khoi = await accountOf(P.child.pin);
    await kit().representation.link(t.db, {
      representativeAccountId: an.id,
      dependantAccountId: khoi.id,
      actor: system,
    });
  });

  test('link records the basis from the registries; one live link per pair; audited', async () => {
    const { representation, audit } = kit();
    const [link] = await representation.representativesOf(khoi.id);
    expect(link).toMatchObject({
      representativeAccountId: an.id,
      dependantAccountId: khoi.id,
      basis: 'parent',
      validFrom: '2026-03-02',
      validUntil: '2030-03-12',
      endedAt: null,
      evidence: { relation: 'father' },
    });
    expect((await representation.dependantsOf(an.id)).map((l) => l.dependantAccountId)).toEqual([khoi.id]);

    const again = await problemOf(
      representation.link(t.db, { representativeAccountId: an.id, dependantAccountId: khoi.id, actor: system }),
    );
    expect(again).toMatchObject({ code: 'REPRESENTATION_EXISTS', status: 409 });

    const history = await audit.historyOf({ kind: 'account', id: khoi.id });
    expect(history.map((e) => e.action)).toContain('representation.link.create');
  });

  test('link refuses what the registries do not support, with the reason', async () => {
    const { representation } = kit();
    const tung = await accountOf(P.ward.pin);
    const refused = await problemOf(
      representation.link(t.db, { representativeAccountId: an.id, dependantAccountId: tung.id, actor: system }),
    );
    expect(refused).toMatchObject({
      code: 'REPRESENTATION_NOT_ESTABLISHED',
      status: 409,
      extensions: { reason: 'not_related' },
    });
    expect(refused.messageIn('vi')).toContain('không ghi nhận quan hệ');
    expect(await representation.representativesOf(tung.id)).toEqual([]);
  });

  test('link works inside the transaction that creates the dependant account (issuance)', async () => {
    const { representation, identity, registries } = kit();
    const han = (await registries.identity.findByPin(P.youngChild.pin))!;
    const account = await t.db.transaction().execute(async (trx) => {
      const created = await identity.createAccount(trx, {
        subjectKind: 'citizen',
        registryId: han.registryId,
        pin: han.pin,
        fullName: han.fullName,
        level: 1,
        status: 'active',
      });
      // The identity service cannot see the new account yet: the caller names its subject.
      await representation.link(trx, {
        representativeAccountId: binh.id,
        dependantAccountId: created.id,
        dependant: { kind: 'citizen', registryId: han.registryId },
        actor: system,
      });
      return created;
    });
    const [link] = await representation.representativesOf(account.id);
    expect(link).toMatchObject({ representativeAccountId: binh.id, basis: 'parent', validUntil: '2035-09-01' });

    // Without the subject, an account that is not visible is not found; a wrong subject is refused.
    const hidden = await problemOf(
      representation.link(t.db, {
        representativeAccountId: an.id,
        dependantAccountId: '00000000-0000-4000-8000-000000000001',
        actor: system,
      }),
    );
    expect(hidden.code).toBe('NOT_FOUND');
    const wrong = await problemOf(
      representation.link(t.db, {
        representativeAccountId: an.id,
        dependantAccountId: account.id,
        dependant: { kind: 'citizen', registryId: await registryId(P.child.pin) },
        actor: system,
      }),
    );
    expect(wrong).toMatchObject({ code: 'REPRESENTATION_INVALID', field: 'dependant' });
  });

  test('the court-appointed guardian is linked to the adult ward', async () => {
    const { representation } = kit();
    const mai = await accountOf(P.guardian.pin);
    const tung = await accountOf(P.ward.pin);
    await representation.link(t.db, { representativeAccountId: mai.id, dependantAccountId: tung.id, actor: system });
    const [link] = await representation.representativesOf(tung.id);
    expect(link).toMatchObject({
      representativeAccountId: mai.id,
      basis: 'guardian',
      validUntil: null,
      evidence: { decisionNumber: '15/2023/QĐST-DS' },
    });
  });

  test('an organisation: its legal representative from the registry, and a person authorised in writing', async () => {
    const { representation, registries, identity } = kit();
    const org = (await registries.business.findByEnterpriseCode(P.organisation.enterpriseCode))!;
    const company = await identity.createAccount(t.db, {
      subjectKind: 'organisation',
      registryId: org.registryId,
      enterpriseCode: org.enterpriseCode,
      fullName: org.name,
      level: null,
      status: 'active',
    });
    const director = await representation.link(t.db, {
      representativeAccountId: an.id,
      dependantAccountId: company.id,
      actor: system,
    });
    expect(director).toMatchObject({
      basis: 'legal_representative',
      validUntil: null,
      evidence: { title: 'Tổng giám đốc' },
    });
    // Civil Code Art 138: an authorisation the registries do not hold, checked by an officer; one
    // year when it names no term (Art 140.2(b)).
    const thu = await accountOf(P.phoneOfSomeoneElse.pin);
    const authorised = await representation.link(t.db, {
      representativeAccountId: thu.id,
      dependantAccountId: company.id,
      authorisation: { document: 'Giấy ủy quyền số 05/2026/UQ-SM', issuedOn: '2026-02-20', grantedBy: an.id },
      actor: { kind: 'officer', id: 'approver' },
    });
    expect(authorised).toMatchObject({
      basis: 'authorised',
      validFrom: '2026-03-02',
      validUntil: '2027-02-20',
      evidence: { document: 'Giấy ủy quyền số 05/2026/UQ-SM', issuedOn: '2026-02-20' },
    });
    expect((await representation.representativesOf(company.id)).map((l) => l.basis).sort()).toEqual([
      'authorised',
      'legal_representative',
    ]);
    // Without an authorisation, the registries do not relate her to the company.
    const mai = await accountOf(P.guardian.pin);
    const refused = await problemOf(
      representation.link(t.db, { representativeAccountId: mai.id, dependantAccountId: company.id, actor: system }),
    );
    expect(refused).toMatchObject({ code: 'REPRESENTATION_NOT_ESTABLISHED', extensions: { reason: 'not_related' } });
  });

  test('a request notifies the representative; confirming it answers with the new version', async () => {
    const { representation, clock } = kit();
    const request = await representation.requestConfirmation(t.db, {
      dependantAccountId: khoi.id,
      action: 'sign_in',
      detail: { relyingParty: 'Cổng Dịch vụ công quốc gia' },
    });
    expect(request).toMatchObject({
      representativeAccountId: an.id,
      status: 'pending',
      version: 1,
      detail: { relyingParty: 'Cổng Dịch vụ công quốc gia' },
    });
    expect(request.expiresAt.getTime() - clock.now().getTime()).toBe(10 * 60_000);
    const notices = await inboxOf(an.id);
    expect(notices).toContainEqual({
      template: 'confirmation_requested',
      params: { dependantName: 'Nguyễn Minh Khôi', action: 'sign_in', expiresAt: request.expiresAt.toISOString() },
    });
    expect((await representation.pendingFor(an.id)).map((c) => c.id)).toContain(request.id);

    const confirmed = await representation.decide(request.id, an.id, 'confirm', 1);
    expect(confirmed).toMatchObject({ status: 'confirmed', version: 2 });
    expect(confirmed.decidedAt).toEqual(clock.now());
    expect(await representation.confirmationOf(request.id)).toMatchObject({ status: 'confirmed' });
    expect((await representation.pendingFor(an.id)).map((c) => c.id)).not.toContain(request.id);

    // A replay with the old version, or with the new one, changes nothing.
    expect((await problemOf(representation.decide(request.id, an.id, 'refuse', 1))).code).toBe('CONFLICT');
    expect(await problemOf(representation.decide(request.id, an.id, 'refuse', 2))).toMatchObject({
      code: 'CONFIRMATION_ALREADY_DECIDED',
      status: 409,
    });
  });

  test('refusing a request', async () => {
    const { representation, audit } = kit();
    const request = await representation.requestConfirmation(t.db, {
      dependantAccountId: khoi.id,
      action: 'share_data',
    });
    expect(await representation.decide(request.id, an.id, 'refuse', request.version)).toMatchObject({
      status: 'refused',
    });
    const actions = (await audit.historyOf({ kind: 'account', id: khoi.id })).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'representation.confirmation.request',
        'representation.confirmation.confirm',
        'representation.confirmation.refuse',
      ]),
    );
  });

  test('only the addressee may answer: anyone else is told the request does not exist', async () => {
    const { representation } = kit();
    const request = await representation.requestConfirmation(t.db, { dependantAccountId: khoi.id, action: 'lock' });
    const other = await problemOf(representation.decide(request.id, binh.id, 'confirm', 1));
    const missing = await problemOf(
      representation.decide('00000000-0000-4000-8000-000000000000', binh.id, 'confirm', 1),
    );
    expect(other).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(other.messageIn('en')).toBe(missing.messageIn('en'));
    expect((await problemOf(representation.decide('not-a-uuid', an.id, 'confirm', 1))).code).toBe('NOT_FOUND');
    expect(await representation.confirmationOf(request.id)).toMatchObject({ status: 'pending', version: 1 });
  });

  test('two answers at once: exactly one wins, the other gets CONFLICT (409)', async () => {
    const { representation } = kit();
    for (let round = 0; round < 5; round++) {
      const request = await representation.requestConfirmation(t.db, {
        dependantAccountId: khoi.id,
        action: 'sign_in',
      });
      const results = await Promise.allSettled([
        representation.decide(request.id, an.id, 'confirm', 1),
        representation.decide(request.id, an.id, 'refuse', 1),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.reason).toBeInstanceOf(Problem);
      expect(lost[0]!.reason).toMatchObject({ code: 'CONFLICT', status: 409 });
      const stored = await representation.confirmationOf(request.id);
      expect(stored).toMatchObject({ version: 2, status: won[0]!.value.status });
    }
  });

  test('an expired request cannot be confirmed; a day-long one still can after 10 minutes', async () => {
    const clock = fixedClock(MARCH_2026);
    const { representation } = kit(clock);
    const signIn = await representation.requestConfirmation(t.db, { dependantAccountId: khoi.id, action: 'sign_in' });
    const lock = await representation.requestConfirmation(t.db, { dependantAccountId: khoi.id, action: 'lock' });
    clock.advance(10 * 60_000);
    expect(await representation.confirmationOf(signIn.id)).toMatchObject({ status: 'expired' });
    expect((await representation.pendingFor(an.id)).map((c) => c.id)).not.toContain(signIn.id);
    const late = await problemOf(representation.decide(signIn.id, an.id, 'confirm', 1));
    expect(late).toMatchObject({ code: 'CONFIRMATION_EXPIRED', status: 409 });
    // The expiry was stored (and audited) although the answer failed.
    const stored = await t.db
      .selectFrom('representation.confirmations')
      .select(['status', 'version', 'decided_at'])
      .where('id', '=', signIn.id)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ status: 'expired', version: 2, decided_at: null });
    expect(await representation.decide(lock.id, an.id, 'confirm', 1)).toMatchObject({ status: 'confirmed' });
  });

  test('the expiry job stores expired on overdue requests', async () => {
    const clock = fixedClock(MARCH_2026);
    const { representation } = kit(clock);
    const request = await representation.requestConfirmation(t.db, {
      dependantAccountId: khoi.id,
      action: 'share_data',
    });
    clock.advance(16 * 60_000);
    expect(await representation.expireConfirmations()).toBeGreaterThanOrEqual(1);
    expect(await representation.confirmationOf(request.id)).toMatchObject({ status: 'expired', version: 2 });
    expect(await representation.expireConfirmations()).toBe(0);
  });

  test('an account without a live representative: REPRESENTATION_NONE (409)', async () => {
    const { representation } = kit();
    const none = await problemOf(
      representation.requestConfirmation(t.db, { dependantAccountId: an.id, action: 'sign_in' }),
    );
    expect(none).toMatchObject({ code: 'REPRESENTATION_NONE', status: 409 });
    // Named representative who is not one.
    const notHim = await problemOf(
      representation.requestConfirmation(t.db, {
        dependantAccountId: khoi.id,
        action: 'sign_in',
        representativeAccountId: binh.id,
      }),
    );
    expect(notHim.code).toBe('REPRESENTATION_NONE');
    const bad = await problemOf(
      representation.requestConfirmation(t.db, { dependantAccountId: khoi.id, action: 'dance' as never }),
    );
    expect(bad).toMatchObject({ code: 'REPRESENTATION_INVALID', field: 'action' });
  });

  test('a request made in a transaction that rolls back leaves nothing, not even the notice', async () => {
    const { representation } = kit();
    const before = (await inboxOf(an.id)).length;
    let id = '';
    await t.db
      .transaction()
      .execute(async (trx) => {
        id = (await representation.requestConfirmation(trx, { dependantAccountId: khoi.id, action: 'other' })).id;
        throw new Error('rollback');
      })
      .catch(() => undefined);
    expect(await representation.confirmationOf(id)).toBeUndefined();
    expect(await inboxOf(an.id)).toHaveLength(before);
  });
});
