import { beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { endOfVnDay } from '../calendar/working-days.ts';
import { DEMO_PERSONS } from '../registries/demo.ts';
import { seedSandbox } from '../registries/seed.ts';
import { sandboxControl } from '../registries/sandbox/control.ts';
import { reasonText } from './model.ts';
import type { CounterCitizenInput } from './service.ts';
import {
  accountFor,
  issuanceKit,
  noticesAbout,
  pickCitizens,
  problemOf,
  type IssuanceKit,
  type SandboxCitizen,
} from './testing.ts';

/**
 * Citizen, level 2, at a counter with form TK01 (Decree 69/2024 Art 11; DOMAIN.md §§4–5): the
 * receiving officer records the dossier and the captures; another officer of the unit (or of a
 * unit above it) decides (maker–checker). The procedure follows from the registry: a valid card
 * gives citizen_l2_counter (3 working days), no valid card citizen_l2_with_card (7 working days,
 * waits for the card), a live level-1 account citizen_upgrade (same account).
 */

const t = useTestDatabase();
const TODAY = '2026-11-26';
const clock = fixedClock(`${TODAY}T03:00:00Z`); // Thursday 26 November 2026, 10:00 in Hà Nội
const taken = new Set<string>();
let kit: IssuanceKit;
let unit: string;
let receiver: string;
let approver: string;

beforeAll(async () => {
  await seedSandbox(t.database.pool, { citizens: 300, seed: 'issuance' });
  kit = await issuanceKit(testPlatform(t.db, { clock }), clock);
  unit = kit.units['CAP-HNI-HOANKIEM']!;
  receiver = await kit.officer('CAP-HNI-HOANKIEM', 'RECEIVER');
  approver = await kit.officer('CAP-HNI-HOANKIEM', 'APPROVER');
});

async function citizen(card: 'valid' | 'none' = 'valid'): Promise<SandboxCitizen> {
  const [c] = await pickCitizens(t.db, { count: 1, minAge: 18, card, ownPhone: true, on: TODAY, taken });
  return c!;
}

function tk01(c: SandboxCitizen, overrides: Partial<CounterCitizenInput> = {}): CounterCitizenInput {
  return {
    pin: c.pin,
    fullName: c.fullName,
    dateOfBirth: c.dateOfBirth,
    phone: c.phone,
    documents: ['Tờ khai TK01'],
    face: kit.face(c.registryId),
    fingerprints: kit.fingerprints(c.registryId),
    ...overrides,
  };
}

const e164 = (national: string) => `+84${national.slice(1)}`;

describe('TK01 at a commune police counter', () => {
  test('received by a receiver, approved by another officer: level 2 account pending activation', async () => {
    const c = await citizen();
    const { application: received } = await kit.services.issuance.receiveCitizen(receiver, unit, tk01(c));
    expect(received).toMatchObject({
      procedure: 'citizen_l2_counter',
      state: 'received',
      unitId: unit,
      receivedBy: receiver,
      registryId: c.registryId,
      accountId: null,
      deadline: { days: 3, unit: 'working' },
    });
    expect(received.receivedAt).toEqual(clock.now());
    // Received Thursday 26/11: Friday 27 (1), Monday 30 (2), Tuesday 1/12 (3).
    expect(received.dueAt).toEqual(endOfVnDay('2026-12-01'));
    expect(received.checks.biometrics.map((b) => [b.kind, b.decision])).toEqual([
      ['face', 'match'],
      ['fingerprint', 'match'],
    ]);
    expect(await noticesAbout(t.db, received.number)).toEqual([
      {
        channel: 'sms',
        recipient: e164(c.phone!),
        template: 'application_received',
        locale: 'vi',
        params: { applicationNo: received.number, procedure: 'eid_level2', receivedOn: TODAY, dueOn: '2026-12-01' },
      },
    ]);

    const approved = await kit.services.issuance.decide(approver, received.id, {
      event: 'approve',
      expectedVersion: received.version,
    });
    expect(approved).toMatchObject({
      state: 'approved',
      decidedBy: `officer:${approver}`,
      version: received.version + 1,
    });
    const account = await kit.services.identity.get(approved.accountId!);
    expect(account).toMatchObject({
      status: 'pending_activation',
      level: 2,
      registryId: c.registryId,
      pin: c.pin,
      phone: e164(c.phone!),
    });
    const notices = await noticesAbout(t.db, received.number);
    expect(notices.filter((n) => n.template === 'application_approved').map((n) => [n.channel, n.recipient])).toEqual(
      expect.arrayContaining([
        ['inbox', account!.id],
        ['sms', e164(c.phone!)],
      ]),
    );
    const history = await kit.services.issuance.history(received.id);
    expect(history.map((e) => [e.event, e.from_state, e.to_state, e.actor_kind, e.actor_id])).toEqual([
      ['submit', null, 'received', 'officer', receiver],
      ['approve', 'received', 'approved', 'officer', approver],
    ]);
    const audit = await t.db
      .selectFrom('audit.entries')
      .select(['action', 'actor_id'])
      .where('subject_kind', '=', 'application')
      .where('subject_id', '=', received.id)
      .orderBy('seq')
      .execute();
    expect(audit).toEqual([
      { action: 'issuance.application.submit', actor_id: receiver },
      { action: 'issuance.application.approve', actor_id: approver },
    ]);
  });

  test('maker–checker: the officer who received the dossier cannot decide on it (MAKER_CHECKER 403)', async () => {
    const both = await kit.officer('CAP-HNI-HOANKIEM', 'RECEIVER');
    await kit.services.backoffice.assign(
      t.db,
      { accountId: both, unitId: unit, role: 'APPROVER' },
      { kind: 'test', id: 'kit' },
    );
    const c = await citizen();
    const { application } = await kit.services.issuance.receiveCitizen(both, unit, tk01(c));
    for (const event of ['approve', 'reject'] as const) {
      const problem = await problemOf(
        kit.services.issuance.decide(both, application.id, {
          event,
          expectedVersion: application.version,
          reasons: [{ code: 'officer_decision' }],
        }),
      );
      expect(problem).toMatchObject({ code: 'MAKER_CHECKER', status: 403 });
    }
    expect(await kit.services.issuance.get(application.id)).toMatchObject({
      state: 'received',
      version: application.version,
    });
    const approved = await kit.services.issuance.decide(approver, application.id, {
      event: 'approve',
      expectedVersion: application.version,
    });
    expect(approved.state).toBe('approved');
  });

  test('officers act only in the unit handling the application or a unit above it (OFFICER_ROLE_REQUIRED 403)', async () => {
    const c = await citizen();
    const { application } = await kit.services.issuance.receiveCitizen(receiver, unit, tk01(c));
    const elsewhere = await kit.officer('PC06-HCM', 'APPROVER');
    const neighbour = await kit.officer('CAP-HNI-YENHOA', 'APPROVER');
    for (const officer of [elsewhere, neighbour, receiver]) {
      const problem = await problemOf(
        kit.services.issuance.decide(officer, application.id, {
          event: 'approve',
          expectedVersion: application.version,
        }),
      );
      expect(problem).toMatchObject({ code: 'OFFICER_ROLE_REQUIRED', status: 403, params: { role: 'APPROVER' } });
    }
    // The province's PC06 is above the ward police: its approver may decide.
    const province = await kit.officer('PC06-HNI', 'APPROVER');
    const approved = await kit.services.issuance.decide(province, application.id, {
      event: 'approve',
      expectedVersion: application.version,
    });
    expect(approved.state).toBe('approved');
  });

  test('receiving needs the RECEIVER role in that unit, and a unit that handles citizens', async () => {
    const c = await citizen();
    const other = await kit.officer('CAP-HCM-BENTHANH', 'RECEIVER');
    expect(await problemOf(kit.services.issuance.receiveCitizen(other, unit, tk01(c)))).toMatchObject({
      code: 'OFFICER_ROLE_REQUIRED',
      status: 403,
    });
    const immigration = await kit.officer('XNC-HNI', 'RECEIVER');
    expect(
      await problemOf(kit.services.issuance.receiveCitizen(immigration, kit.units['XNC-HNI']!, tk01(c))),
    ).toMatchObject({ code: 'APPLICATION_INVALID', status: 400 });
    expect(await kit.services.issuance.forAccount(receiver)).toEqual([]);
  });

  test('a stale version: CONFLICT (409)', async () => {
    const c = await citizen();
    const { application } = await kit.services.issuance.receiveCitizen(receiver, unit, tk01(c));
    const problem = await problemOf(
      kit.services.issuance.decide(approver, application.id, {
        event: 'approve',
        expectedVersion: application.version - 1,
      }),
    );
    expect(problem).toMatchObject({ code: 'CONFLICT', status: 409 });
  });

  test('malformed TK01: every field at fault, nothing stored', async () => {
    const problem = await problemOf(
      kit.services.issuance.receiveCitizen(receiver, unit, {
        pin: '0010',
        phone: '123',
        email: '@',
        face: Buffer.alloc(0),
        fingerprints: [Buffer.from('x')],
      }),
    );
    expect(problem).toMatchObject({ code: 'APPLICATION_INVALID', status: 400 });
    expect((problem.extensions as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
      'pin',
      'phone',
      'email',
      'face',
      'fingerprints.0',
    ]);
  });
});

describe('biometrics that do not match: manual review', () => {
  test('an impostor’s fingerprints: manual_review, then an approver approves after checking', async () => {
    const c = await citizen();
    const { application } = await kit.services.issuance.receiveCitizen(
      receiver,
      unit,
      tk01(c, { fingerprints: kit.fingerprints(c.registryId, true) }),
    );
    expect(application).toMatchObject({ procedure: 'citizen_l2_counter', state: 'manual_review', reasons: [] });
    expect(application.checks.biometrics.map((b) => [b.kind, b.decision])).toEqual([
      ['face', 'match'],
      ['fingerprint', 'no_match'],
    ]);
    expect(application.dueAt).toEqual(endOfVnDay('2026-12-01'));
    const approved = await kit.services.issuance.decide(approver, application.id, {
      event: 'approve',
      expectedVersion: application.version,
      note: 'fingerprints re-captured and checked by hand',
    });
    expect(approved.state).toBe('approved');
    expect(await kit.services.identity.get(approved.accountId!)).toMatchObject({
      level: 2,
      status: 'pending_activation',
    });
    const history = await kit.services.issuance.history(application.id);
    expect(history.at(-1)).toMatchObject({
      event: 'approve',
      from_state: 'manual_review',
      detail: { note: 'fingerprints re-captured and checked by hand' },
    });
  });

  test('then refused: reasons are required, checked, stored and sent', async () => {
    const c = await citizen();
    const { application } = await kit.services.issuance.receiveCitizen(
      receiver,
      unit,
      tk01(c, { fingerprints: kit.fingerprints(c.registryId, true) }),
    );
    expect(application.state).toBe('manual_review');
    for (const reasons of [undefined, []]) {
      const problem = await problemOf(
        kit.services.issuance.decide(approver, application.id, {
          event: 'reject',
          expectedVersion: application.version,
          ...(reasons ? { reasons } : {}),
        }),
      );
      expect(problem).toMatchObject({ code: 'REASONS_REQUIRED', status: 400 });
    }
    const unknown = await problemOf(
      kit.services.issuance.decide(approver, application.id, {
        event: 'reject',
        expectedVersion: application.version,
        reasons: [{ code: 'not_a_code' as never }],
      }),
    );
    expect(unknown).toMatchObject({ code: 'APPLICATION_INVALID', status: 400, field: 'reasons' });
    expect(await kit.services.issuance.get(application.id)).toMatchObject({
      state: 'manual_review',
      version: application.version,
    });

    const reasons = [{ code: 'fingerprint_mismatch' as const, field: 'fingerprints', note: 'khác người trên thẻ' }];
    const rejected = await kit.services.issuance.decide(approver, application.id, {
      event: 'reject',
      expectedVersion: application.version,
      reasons,
    });
    expect(rejected).toMatchObject({ state: 'rejected', reasons, accountId: null, decidedBy: `officer:${approver}` });
    expect(await kit.services.identity.findBySubject('citizen', c.registryId)).toBeUndefined();
    const notice = (await noticesAbout(t.db, application.number)).find((n) => n.template === 'application_rejected');
    expect(notice).toMatchObject({
      channel: 'sms',
      recipient: e164(c.phone!),
      params: { reasons: [reasonText(reasons[0]!, 'vi')] },
    });
    expect(reasonText(reasons[0]!, 'vi')).toBe(
      'Vân tay không khớp với dữ liệu trong Cơ sở dữ liệu (khác người trên thẻ)',
    );
    // Decided: nothing more can happen to it.
    const again = await problemOf(
      kit.services.issuance.decide(approver, application.id, { event: 'approve', expectedVersion: rejected.version }),
    );
    expect(again).toMatchObject({ code: 'APPLICATION_TRANSITION_NOT_ALLOWED', status: 409 });
  });
});

describe('without a valid card: with the card application (Art 11.2)', () => {
  test('awaiting_card until the card is issued, then received and approved', async () => {
    const c = await citizen('none');
    const { application } = await kit.services.issuance.receiveCitizen(receiver, unit, tk01(c));
    expect(application).toMatchObject({
      procedure: 'citizen_l2_with_card',
      state: 'awaiting_card',
      reasons: [],
      deadline: { days: 7, unit: 'working' },
    });
    // Thursday 26/11 + 7 working days: 27, 30/11, 1, 2, 3, 4, 7/12.
    expect(application.dueAt).toEqual(endOfVnDay('2026-12-07'));
    const early = await problemOf(
      kit.services.issuance.decide(approver, application.id, {
        event: 'approve',
        expectedVersion: application.version,
      }),
    );
    expect(early).toMatchObject({ code: 'APPLICATION_TRANSITION_NOT_ALLOWED', status: 409 });
    expect(await kit.services.issuance.followCards()).toBe(0);
    // The card's issue is the registry's to report, not an officer's.
    expect(
      await problemOf(
        kit.services.issuance.decide(approver, application.id, {
          event: 'card_issued' as 'approve',
          expectedVersion: application.version,
        }),
      ),
    ).toMatchObject({ code: 'APPLICATION_TRANSITION_NOT_ALLOWED' });

    await sandboxControl(t.db).issueCard(c.pin, TODAY);
    expect(await kit.services.issuance.followCards()).toBe(1);
    const received = (await kit.services.issuance.get(application.id))!;
    expect(received).toMatchObject({ state: 'received', version: application.version + 1 });
    expect(received.dueAt).toEqual(application.dueAt);
    const history = await kit.services.issuance.history(application.id);
    expect(history.at(-1)).toMatchObject({ event: 'card_issued', actor_kind: 'system', to_state: 'received' });

    const approved = await kit.services.issuance.decide(approver, application.id, {
      event: 'approve',
      expectedVersion: received.version,
    });
    expect(approved.state).toBe('approved');
    expect(await kit.services.identity.get(approved.accountId!)).toMatchObject({
      level: 2,
      status: 'pending_activation',
      phone: e164(c.phone!),
    });
    expect(await kit.services.issuance.followCards()).toBe(0);
  });
});

describe('upgrade of a level-1 account (DOMAIN.md §4: same account)', () => {
  test('citizen_upgrade: approved, the same account is now level 2', async () => {
    const c = await citizen();
    const level1 = await accountFor(kit, c, { level: 1 });
    const { application } = await kit.services.issuance.receiveCitizen(receiver, unit, tk01(c));
    expect(application).toMatchObject({
      procedure: 'citizen_upgrade',
      state: 'received',
      accountId: level1.id,
      reasons: [],
    });
    const approved = await kit.services.issuance.decide(approver, application.id, {
      event: 'approve',
      expectedVersion: application.version,
    });
    expect(approved.accountId).toBe(level1.id);
    const account = await kit.services.identity.get(level1.id);
    expect(account).toMatchObject({ level: 2, status: 'active', version: level1.version + 1 });
    expect(await kit.services.identity.findBySubject('citizen', c.registryId)).toMatchObject({ id: level1.id });
    expect(
      (await noticesAbout(t.db, application.number)).filter((n) => n.template === 'application_approved'),
    ).toContainEqual(expect.objectContaining({ channel: 'inbox', recipient: level1.id }));
  });

  test('the holder may withdraw the upgrade request before it is decided', async () => {
    const c = await citizen();
    const level1 = await accountFor(kit, c, { level: 1 });
    const { application } = await kit.services.issuance.receiveCitizen(receiver, unit, tk01(c));
    const withdrawn = await kit.services.issuance.withdraw(level1.id, application.id, application.version);
    expect(withdrawn.state).toBe('withdrawn');
    expect(await kit.services.identity.get(level1.id)).toMatchObject({ level: 1 });
    const stranger = await kit.officer('C06', 'APPROVER');
    expect(await problemOf(kit.services.issuance.withdraw(stranger, application.id, withdrawn.version))).toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  test('a level-2 account already: account_exists', async () => {
    const c = await citizen();
    await accountFor(kit, c, { level: 2 });
    const { application } = await kit.services.issuance.receiveCitizen(receiver, unit, tk01(c));
    expect(application).toMatchObject({ procedure: 'citizen_l2_counter', state: 'rejected' });
    expect(application.reasons).toContainEqual({ code: 'account_exists' });
  });
});

describe('eligibility at the counter', () => {
  test('an expired card: with the card application', async () => {
    const p = DEMO_PERSONS.expiredCard;
    const registryId = (await kit.services.registries.identity.findByPin(p.pin))!.registryId;
    const { application } = await kit.services.issuance.receiveCitizen(receiver, unit, {
      pin: p.pin,
      phone: p.phone,
      face: kit.face(registryId),
      fingerprints: kit.fingerprints(registryId),
    });
    expect(application).toMatchObject({ state: 'awaiting_card', procedure: 'citizen_l2_with_card', reasons: [] });
  });

  test('under 6: under_minimum_age (no biometrics are captured under 6)', async () => {
    const child = DEMO_PERSONS.youngChild;
    const registryId = (await kit.services.registries.identity.findByPin(child.pin))!.registryId;
    const father = DEMO_PERSONS.citizen;
    const fatherRecord = (await kit.services.registries.identity.findByPin(father.pin))!;
    await accountFor(kit, { ...fatherRecord, phone: father.phone }, { level: 2 });
    const { application } = await kit.services.issuance.receiveCitizen(receiver, unit, {
      pin: child.pin,
      representativePin: father.pin,
      face: kit.face(registryId),
      fingerprints: kit.fingerprints(registryId),
    });
    expect(application.state).toBe('rejected');
    expect(application.reasons).toContainEqual({ code: 'under_minimum_age' });
    expect(application.accountId).toBeNull();
    expect(
      (await noticesAbout(t.db, application.number)).find((n) => n.template === 'application_rejected')?.params.reasons,
    ).toContain(reasonText({ code: 'under_minimum_age' }, 'vi'));
  });

  test('a card held by the police: id_card_invalid (no card application while it is held)', async () => {
    const p = DEMO_PERSONS.heldCard;
    const registryId = (await kit.services.registries.identity.findByPin(p.pin))!.registryId;
    const { application } = await kit.services.issuance.receiveCitizen(receiver, unit, {
      pin: p.pin,
      phone: p.phone,
      face: kit.face(registryId),
      fingerprints: kit.fingerprints(registryId),
    });
    expect(application).toMatchObject({ state: 'rejected', procedure: 'citizen_l2_counter' });
    expect(application.reasons).toEqual([{ code: 'id_card_invalid' }]);
  });
});
