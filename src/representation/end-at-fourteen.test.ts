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
 * The end of a minor's representation at 14 (DOMAIN.md §5, policy) and of a guardianship at its
 * recorded end. Nguyễn Ngọc Hân (demo) was born on 2021-09-01: she turns 14 on 2035-09-01, which
 * begins in Vietnam (UTC+7) at 2035-08-31T17:00:00Z. Its own database: the job ends every due link.
 */
const t = useTestDatabase();
const P = DEMO_PERSONS;
const system = { kind: 'system', id: 'test' };

const LAST_MOMENT_AT_13 = '2035-08-31T16:59:59.999Z'; // 23:59:59.999 on 31 August in Vietnam
const FIRST_MOMENT_AT_14 = '2035-08-31T17:00:00.000Z'; // 00:00 on 1 September in Vietnam

function kit(clock: Clock) {
  const platform = testPlatform(t.db, { clock });
  const audit = createAuditService(platform);
  const registries = createRegistries(platform);
  const identity = createIdentityService(platform, { registries, audit });
  const notify = createNotifyService(platform);
  const representation = createRepresentationService(platform, { registries, audit, notify, identity });
  return { audit, registries, identity, representation };
}

async function accountOf(pin: string): Promise<Account> {
  const { registries, identity } = kit(fixedClock('2026-03-02T03:00:00Z'));
  const person = (await registries.identity.findByPin(pin))!;
  return identity.createAccount(t.db, {
    subjectKind: 'citizen',
    registryId: person.registryId,
    pin: person.pin,
    fullName: person.fullName,
    level: 1,
    status: 'active',
  });
}

async function noticesTo(accountId: string) {
  const rows = await t.db
    .selectFrom('notify.outbox')
    .select(['template', 'params'])
    .where('channel', '=', 'inbox')
    .where('recipient', '=', accountId)
    .where('template', 'in', ['representation_ended', 'representation_handover'])
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({ template: r.template, params: r.params }));
}

let an: Account;
let binh: Account;
let han: Account;
let hoa: Account;
let pendingId: string;

beforeAll(async () => {
  await seedSandbox(t.database.pool, { citizens: 300, seed: 'representation' });
  an = await accountOf(P.citizen.pin);
  binh = await accountOf(P.spouse.pin);
  han = await accountOf(P.youngChild.pin);
  hoa = await accountOf(P.expiredCard.pin);
  // The registry records Trần Thị Bình as the court-appointed guardian of Lê Thị Hoa until 2035-09-01.
  const { registries } = kit(fixedClock('2026-03-02T03:00:00Z'));
  await t.db
    .insertInto('sandbox.guardianships')
    .values({
      id: 900_002,
      ward_id: Number((await registries.identity.findByPin(P.expiredCard.pin))!.registryId),
      guardian_id: Number((await registries.identity.findByPin(P.spouse.pin))!.registryId),
      basis: 'court_appointed',
      court: 'Tòa án nhân dân khu vực 1, Thanh Hóa',
      decision_number: '03/2024/QĐST-DS',
      since: '2024-01-10',
      until: '2035-09-01',
    })
    .execute();
  const { representation } = kit(fixedClock('2026-03-02T03:00:00Z'));
  for (const [representative, dependant] of [
    [an, han],
    [binh, han],
    [binh, hoa],
  ] as const) {
    await representation.link(t.db, {
      representativeAccountId: representative.id,
      dependantAccountId: dependant.id,
      actor: system,
    });
  }
  // A day-long request made the evening before her birthday: it must not outlive the link.
  const evening = kit(fixedClock('2035-08-31T12:00:00Z')).representation;
  pendingId = (await evening.requestConfirmation(t.db, { dependantAccountId: han.id, action: 'change_contact' })).id;
});

describe('endAtFourteen (DOMAIN.md §5: representation of a minor ends at 14; guardianships at their end)', () => {
  test('at 23:59:59 on the eve of the birthday in Vietnam nothing ends', async () => {
    const { representation } = kit(fixedClock(LAST_MOMENT_AT_13));
    expect(await representation.endAtFourteen()).toBe(0);
    expect((await representation.representativesOf(han.id)).map((l) => l.representativeAccountId).sort()).toEqual(
      [an.id, binh.id].sort(),
    );
    expect(await representation.representativesOf(hoa.id)).toHaveLength(1);
    expect(await noticesTo(han.id)).toEqual([]);
  });

  test('from 00:00 on the birthday in Vietnam (17:00Z the day before) the links end, once, in two processes at once', async () => {
    const clock = fixedClock(FIRST_MOMENT_AT_14);
    const first = kit(clock).representation;
    const second = kit(clock).representation;
    const ended = await Promise.all([first.endAtFourteen(), second.endAtFourteen()]);
    expect(ended[0] + ended[1]).toBe(3);

    expect(await first.representativesOf(han.id)).toEqual([]);
    expect(await first.representativesOf(hoa.id)).toEqual([]);
    const rows = await t.db
      .selectFrom('representation.links')
      .select(['representative_account_id', 'dependant_account_id', 'end_reason', 'ended_at', 'version'])
      .orderBy('end_reason')
      .execute();
    expect(rows).toEqual(
      expect.arrayContaining([
        {
          representative_account_id: an.id,
          dependant_account_id: han.id,
          end_reason: 'dependant_turned_14',
          ended_at: new Date(FIRST_MOMENT_AT_14),
          version: 2,
        },
        {
          representative_account_id: binh.id,
          dependant_account_id: han.id,
          end_reason: 'dependant_turned_14',
          ended_at: new Date(FIRST_MOMENT_AT_14),
          version: 2,
        },
        {
          representative_account_id: binh.id,
          dependant_account_id: hoa.id,
          end_reason: 'guardianship_ended',
          ended_at: new Date(FIRST_MOMENT_AT_14),
          version: 2,
        },
      ]),
    );
  });

  test('both parents are told; the young person is asked, once, to take the account over', async () => {
    const ended = { dependantName: 'Nguyễn Ngọc Hân', endedOn: '2035-09-01', reason: 'dependant_turned_14' };
    expect(await noticesTo(an.id)).toEqual([{ template: 'representation_ended', params: ended }]);
    expect(await noticesTo(binh.id)).toEqual(
      expect.arrayContaining([
        { template: 'representation_ended', params: ended },
        {
          template: 'representation_ended',
          params: { dependantName: 'Lê Thị Hoa', endedOn: '2035-09-01', reason: 'guardianship_ended' },
        },
      ]),
    );
    expect(await noticesTo(binh.id)).toHaveLength(2);
    expect(await noticesTo(han.id)).toEqual([
      { template: 'representation_handover', params: { fullName: 'Nguyễn Ngọc Hân', turnedOn: '2035-09-01' } },
    ]);
  });

  test('running the job again (the next day) ends nothing and sends nothing more', async () => {
    const { representation } = kit(fixedClock('2035-09-02T01:00:00Z'));
    expect(await representation.endAtFourteen()).toBe(0);
    expect(await noticesTo(an.id)).toHaveLength(1);
    expect(await noticesTo(binh.id)).toHaveLength(2);
    expect(await noticesTo(han.id)).toHaveLength(1);
  });

  test('her account no longer asks anyone: the pending request is void, new ones have no representative', async () => {
    const { representation, audit } = kit(fixedClock('2035-09-01T02:00:00Z'));
    const voided = await representation.confirmationOf(pendingId);
    expect(voided).toMatchObject({ status: 'expired', version: 2 });
    const addressee = voided!.representativeAccountId;
    expect([an.id, binh.id]).toContain(addressee);
    const late = await representation.decide(pendingId, addressee, 'confirm', 1).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(Problem);
    expect(late).toMatchObject({ code: 'CONFLICT' });
    const none = await representation
      .requestConfirmation(t.db, { dependantAccountId: han.id, action: 'sign_in' })
      .catch((e: unknown) => e);
    expect(none).toMatchObject({ code: 'REPRESENTATION_NONE', status: 409 });
    const ends = (await audit.historyOf({ kind: 'account', id: han.id })).filter(
      (e) => e.action === 'representation.link.end',
    );
    expect(ends).toHaveLength(2);
    expect(ends[0]).toMatchObject({
      outcome: 'success',
      detail: { reason: 'dependant_turned_14', endedOn: '2035-09-01' },
    });
  });

  test('a parent can no longer be linked from the birthday on', async () => {
    const { representation } = kit(fixedClock('2035-09-01T02:00:00Z'));
    const refused = await representation
      .link(t.db, { representativeAccountId: an.id, dependantAccountId: han.id, actor: system })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'REPRESENTATION_NOT_ESTABLISHED',
      extensions: { reason: 'dependant_too_old' },
    });
  });
});
