import { beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { DEMO_PERSONS } from '../registries/demo.ts';
import { makePin } from '../registries/pin.ts';
import { seedSandbox } from '../registries/seed.ts';
import { REJECTION_REASONS, reasonText, type Reason } from './model.ts';
import type { CitizenLevel1Input, Submitted } from './service.ts';
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
 * Citizen, level 1, in the app (Decree 69/2024 Art 10.1(a); DOMAIN.md §5): the system checks the
 * declared data against the Identity DB, the phone (own subscription, not bound to another
 * account) and the face against the portrait on record, and decides at once.
 */

const t = useTestDatabase();
const TODAY = '2026-11-26';
const clock = fixedClock(`${TODAY}T03:00:00Z`); // Thursday, 10:00 in Hà Nội
const taken = new Set<string>();
let kit: IssuanceKit;

beforeAll(async () => {
  await seedSandbox(t.database.pool, { citizens: 300, seed: 'issuance' });
  kit = await issuanceKit(testPlatform(t.db, { clock }), clock);
});

async function adult(): Promise<SandboxCitizen> {
  const [c] = await pickCitizens(t.db, { count: 1, minAge: 18, card: 'valid', ownPhone: true, on: TODAY, taken });
  return c!;
}

function inputFor(c: SandboxCitizen, overrides: Partial<CitizenLevel1Input> = {}): CitizenLevel1Input {
  return {
    pin: c.pin,
    fullName: c.fullName,
    dateOfBirth: c.dateOfBirth,
    phone: c.phone!,
    face: kit.face(c.registryId),
    ...overrides,
  };
}

async function registryId(pin: string): Promise<string> {
  const found = await kit.services.registries.identity.findByPin(pin);
  if (!found) throw new Error(`no citizen ${pin} in the sandbox`);
  return found.registryId;
}

async function applicationCount(): Promise<number> {
  const row = await t.db
    .selectFrom('issuance.applications')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A refusal decided by the system: the reasons with their codes, no account, the notice with each text. */
async function expectRefused({ application, replayed }: Submitted, reasons: Reason[]) {
  expect(replayed).toBe(false);
  expect(application).toMatchObject({ procedure: 'citizen_l1_app', state: 'rejected', accountId: null });
  expect(application.reasons).toEqual(reasons);
  expect(application.decidedAt).toEqual(clock.now());
  const notices = await noticesAbout(t.db, application.number);
  expect(notices.map((n) => n.template)).toEqual(notices.map(() => 'application_rejected'));
  expect(notices.map((n) => n.channel)).toContain('sms');
  for (const n of notices) {
    expect(n.params.reasons).toEqual(reasons.map((r) => reasonText(r, 'vi')));
  }
  // The message the applicant reads is the catalogue's, one per reason.
  expect(reasons.map((r) => reasonText(r, 'vi'))).toEqual(reasons.map((r) => REJECTION_REASONS[r.code].vi));
}

describe('citizen level 1 in the app (Decree 69 Art 10.1)', () => {
  test('all checks pass: approved at once, account pending activation, notices queued', async () => {
    const c = await adult();
    const { application, replayed } = await kit.services.issuance.applyCitizenLevel1(
      inputFor(c, { email: 'an.nguyen@example.vn' }),
    );
    expect(replayed).toBe(false);
    expect(application).toMatchObject({
      procedure: 'citizen_l1_app',
      state: 'approved',
      subjectKind: 'citizen',
      registryId: c.registryId,
      unitId: kit.units['C06'],
      deadline: { days: 1, unit: 'working' },
    });
    expect(application.reasons).toEqual([]);
    expect(application.number).toMatch(/^DD-2026-\d{6}$/);
    expect(application.checks).toMatchObject({ registry: 'match', phone: 'owned' });
    expect(application.checks.biometrics).toMatchObject([{ kind: 'face', decision: 'match' }]);
    const account = await kit.services.identity.get(application.accountId!);
    expect(account).toMatchObject({
      status: 'pending_activation',
      level: 1,
      subjectKind: 'citizen',
      registryId: c.registryId,
      pin: c.pin,
      phone: `+84${c.phone!.slice(1)}`,
      email: 'an.nguyen@example.vn',
    });
    const notices = await noticesAbout(t.db, application.number);
    expect(notices.map((n) => [n.channel, n.template, n.recipient]).sort()).toEqual(
      [
        ['email', 'application_approved', 'an.nguyen@example.vn'],
        ['inbox', 'application_approved', account!.id],
        ['sms', 'application_approved', `+84${c.phone!.slice(1)}`],
      ].sort(),
    );
    expect(notices[0]!.params).toEqual({ applicationNo: application.number, procedure: 'eid_level1' });
    const history = await kit.services.issuance.history(application.id);
    expect(history.map((e) => [e.event, e.from_state, e.to_state, e.actor_kind])).toEqual([
      ['submit', null, 'approved', 'public'],
    ]);
  });

  test('registry_not_found: a PIN that is in no record', async () => {
    const pin = makePin('001', '1991-01-01', 'male', 999_999);
    expect(await kit.services.registries.identity.findByPin(pin)).toBeNull();
    const c = await adult();
    const submitted = await kit.services.issuance.applyCitizenLevel1(inputFor(c, { pin }));
    await expectRefused(submitted, [{ code: 'registry_not_found', field: 'pin' }]);
    expect(submitted.application.registryId).toBeNull();
    expect(submitted.application.checks.registry).toBe('not_found');
  });

  test('declared_data_mismatch: every field that differs is listed', async () => {
    const c = await adult();
    const submitted = await kit.services.issuance.applyCitizenLevel1(
      inputFor(c, {
        fullName: 'Hoàng Văn Khác',
        dateOfBirth: c.dateOfBirth === '1980-01-01' ? '1980-01-02' : '1980-01-01',
        sex: c.sex === 'male' ? 'female' : 'male',
      }),
    );
    await expectRefused(submitted, [
      { code: 'declared_data_mismatch', field: 'fullName' },
      { code: 'declared_data_mismatch', field: 'dateOfBirth' },
      { code: 'declared_data_mismatch', field: 'sex' },
    ]);
    expect(submitted.application.checks.mismatchedFields).toEqual(['fullName', 'dateOfBirth', 'sex']);
  });

  test('names are compared as typed: case, spacing and Unicode normalisation do not matter', async () => {
    const c = await adult();
    const typed = `  ${c.fullName.toUpperCase().normalize('NFD').replace(/ /g, '  ')} `;
    const { application } = await kit.services.issuance.applyCitizenLevel1(inputFor(c, { fullName: typed }));
    expect(application.state).toBe('approved');
  });

  test('deceased: the Identity DB records a death', async () => {
    const d = DEMO_PERSONS.deceased;
    const id = await registryId(d.pin);
    const { application } = await kit.services.issuance.applyCitizenLevel1({
      pin: d.pin,
      fullName: d.fullName,
      dateOfBirth: d.dateOfBirth,
      phone: DEMO_PERSONS.citizen.phone,
      face: kit.face(id),
    });
    expect(application.state).toBe('rejected');
    expect(application.reasons).toContainEqual({ code: 'deceased' });
    expect(application.accountId).toBeNull();
  });

  test('needs_representative: a child under 14 cannot apply alone', async () => {
    const child = DEMO_PERSONS.child;
    const { application } = await kit.services.issuance.applyCitizenLevel1({
      pin: child.pin,
      fullName: child.fullName,
      dateOfBirth: child.dateOfBirth,
      phone: DEMO_PERSONS.citizen.phone,
      face: kit.face(await registryId(child.pin)),
    });
    expect(application.state).toBe('rejected');
    expect(application.reasons).toContainEqual({ code: 'needs_representative' });
    expect(application.accountId).toBeNull();
  });

  test('id_card_invalid: the card expired', async () => {
    const p = DEMO_PERSONS.expiredCard;
    const submitted = await kit.services.issuance.applyCitizenLevel1({
      pin: p.pin,
      fullName: p.fullName,
      dateOfBirth: p.dateOfBirth,
      phone: p.phone,
      face: kit.face(await registryId(p.pin)),
    });
    await expectRefused(submitted, [{ code: 'id_card_invalid' }]);
  });

  test('id_card_invalid: the card is held (tạm giữ)', async () => {
    const p = DEMO_PERSONS.heldCard;
    const submitted = await kit.services.issuance.applyCitizenLevel1({
      pin: p.pin,
      fullName: p.fullName,
      dateOfBirth: p.dateOfBirth,
      phone: p.phone,
      face: kit.face(await registryId(p.pin)),
    });
    await expectRefused(submitted, [{ code: 'id_card_invalid' }]);
  });

  test('phone_not_owned: the phone is registered to someone else (not chính chủ)', async () => {
    const p = DEMO_PERSONS.phoneOfSomeoneElse;
    const submitted = await kit.services.issuance.applyCitizenLevel1({
      pin: p.pin,
      fullName: p.fullName,
      dateOfBirth: p.dateOfBirth,
      phone: p.phone,
      face: kit.face(await registryId(p.pin)),
    });
    await expectRefused(submitted, [{ code: 'phone_not_owned', field: 'phone' }]);
    expect(submitted.application.checks.phone).toBe('not_owned');
  });

  test('phone_already_bound: the own phone is linked to another account', async () => {
    const c = await adult();
    await accountFor(
      kit,
      {
        registryId: 'other-subject-1',
        pin: makePin('001', '1970-01-01', 'male', 999_998),
        fullName: 'Người Khác',
        phone: c.phone,
      },
      { level: 2 },
    );
    const submitted = await kit.services.issuance.applyCitizenLevel1(inputFor(c));
    await expectRefused(submitted, [{ code: 'phone_already_bound', field: 'phone' }]);
    expect(submitted.application.checks.phone).toBe('bound');
  });

  test('account_exists: the citizen already has an account', async () => {
    const c = await adult();
    await accountFor(kit, { ...c, phone: null }, { level: 1, status: 'pending_activation' });
    const submitted = await kit.services.issuance.applyCitizenLevel1(inputFor(c));
    await expectRefused(submitted, [{ code: 'account_exists' }]);
  });

  test('face_mismatch: the face is somebody else’s', async () => {
    const c = await adult();
    const submitted = await kit.services.issuance.applyCitizenLevel1(
      inputFor(c, { face: kit.face(c.registryId, true) }),
    );
    await expectRefused(submitted, [{ code: 'face_mismatch', field: 'face' }]);
    expect(submitted.application.checks.biometrics).toMatchObject([{ kind: 'face', decision: 'no_match' }]);
  });

  test('malformed input: APPLICATION_INVALID (400) lists every field at fault and stores nothing', async () => {
    const before = await applicationCount();
    const problem = await problemOf(
      kit.services.issuance.applyCitizenLevel1({
        pin: '12345',
        fullName: '   ',
        dateOfBirth: '1990-13-45',
        sex: 'x' as never,
        phone: '12345',
        email: 'not-an-email',
        face: Buffer.from('tiny'),
        locale: 'fr' as never,
      }),
    );
    expect(problem).toMatchObject({ code: 'APPLICATION_INVALID', status: 400, field: 'pin' });
    const errors = (problem.extensions as { errors: { field: string; reason: string }[] }).errors;
    expect(errors.map((e) => e.field)).toEqual([
      'pin',
      'fullName',
      'dateOfBirth',
      'sex',
      'phone',
      'email',
      'face',
      'locale',
    ]);
    for (const e of errors) expect(e.reason).not.toBe('');
    expect(await applicationCount()).toBe(before);
  });

  test('missing fields are each reported as required', async () => {
    const problem = await problemOf(kit.services.issuance.applyCitizenLevel1({} as CitizenLevel1Input));
    expect(problem.code).toBe('APPLICATION_INVALID');
    const errors = (problem.extensions as { errors: { field: string; reason: string }[] }).errors;
    expect(errors).toEqual([
      { field: 'pin', reason: 'required', rule: 'required' },
      { field: 'fullName', reason: 'required', rule: 'required' },
      { field: 'dateOfBirth', reason: 'required', rule: 'required' },
      { field: 'phone', reason: 'required', rule: 'required' },
      { field: 'face', reason: 'required', rule: 'required' },
    ]);
  });

  test('a face that is not an image: 400 (retake), nothing stored', async () => {
    const c = await adult();
    const before = await applicationCount();
    const problem = await problemOf(
      kit.services.issuance.applyCitizenLevel1(
        inputFor(c, { face: Buffer.from('GIF89a, or rather a text file pretending') }),
      ),
    );
    expect(problem).toMatchObject({ code: 'APPLICATION_INVALID', status: 400, field: 'face' });
    expect((problem.extensions as { errors: unknown[] }).errors).toEqual([
      { field: 'face', reason: 'not_an_image', rule: 'capture_quality', limit: 'not_an_image' },
    ]);
    expect(await applicationCount()).toBe(before);
    expect(await kit.services.identity.findBySubject('citizen', c.registryId)).toBeUndefined();
  });
});

describe('idempotency (the Idempotency-Key header)', () => {
  test('same key, same body: one application, the second call is a replay', async () => {
    const c = await adult();
    const input = inputFor(c);
    const first = await kit.services.issuance.applyCitizenLevel1(input, { idempotencyKey: 'key-same-body' });
    const again = await kit.services.issuance.applyCitizenLevel1(
      { ...input, face: Buffer.from(input.face) },
      { idempotencyKey: 'key-same-body' },
    );
    expect(first.replayed).toBe(false);
    expect(again.replayed).toBe(true);
    expect(again.application.id).toBe(first.application.id);
    expect(again.application.state).toBe('approved');
    const rows = await t.db
      .selectFrom('issuance.applications')
      .select('id')
      .where('registry_id', '=', c.registryId)
      .execute();
    expect(rows).toHaveLength(1);
  });

  test('same key, different body: IDEMPOTENCY_KEY_REUSED (409), nothing new stored', async () => {
    const c = await adult();
    await kit.services.issuance.applyCitizenLevel1(inputFor(c), { idempotencyKey: 'key-other-body' });
    const before = await applicationCount();
    const problem = await problemOf(
      kit.services.issuance.applyCitizenLevel1(inputFor(c, { email: 'changed@example.vn' }), {
        idempotencyKey: 'key-other-body',
      }),
    );
    expect(problem).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', status: 409 });
    expect(await applicationCount()).toBe(before);
  });

  test('two concurrent submissions with the same key: one application, one account', async () => {
    const c = await adult();
    const input = inputFor(c);
    const [a, b] = await Promise.all([
      kit.services.issuance.applyCitizenLevel1(input, { idempotencyKey: 'key-concurrent' }),
      kit.services.issuance.applyCitizenLevel1(input, { idempotencyKey: 'key-concurrent' }),
    ]);
    expect(a.application.id).toBe(b.application.id);
    expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
    expect(a.application.state).toBe('approved');
    const rows = await t.db
      .selectFrom('issuance.applications')
      .select('id')
      .where('idempotency_key', '=', 'key-concurrent')
      .execute();
    expect(rows).toHaveLength(1);
    const accounts = await t.db
      .selectFrom('identity.accounts')
      .select('id')
      .where('subject_kind', '=', 'citizen')
      .where('registry_id', '=', c.registryId)
      .execute();
    expect(accounts).toEqual([{ id: a.application.accountId }]);
  });
});
