import { describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { maskPhone, type Account } from '../identity/model.ts';
import { Problem } from '../platform/errors.ts';
import { reissueActivation } from './activation.ts';
import { authKit, ctx, lastOtp, makeAccount } from './testing.ts';

/**
 * Activation of an account (Decree 69/2024 Art 14): in the app within 7 calendar days of the
 * notice, with an SMS code, a password, a passcode and the device; after that only through the
 * hotline, which reopens activation for a new period.
 */
const t = useTestDatabase();
const MINUTE = 60_000;
const PASSWORD = 'Kich@hoat2026';
const PASSCODE = '246810';

function setup(start = '2026-03-02T03:00:00Z') {
  const clock = fixedClock(start);
  return { clock, ...authKit(testPlatform(t.db, { clock })) };
}

async function attempt(promise: Promise<unknown>): Promise<Problem | 'ok'> {
  return promise.then(
    () => 'ok' as const,
    (e: unknown) => {
      if (e instanceof Problem) return e;
      throw e;
    },
  );
}

async function outboxCount(template: string, accountId: string): Promise<number> {
  const row = await t.db
    .selectFrom('notify.outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('template', '=', template)
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function actionsOf(kit: ReturnType<typeof setup>, accountId: string): Promise<string[]> {
  return (await kit.audit.historyOf({ kind: 'account', id: accountId }, 100)).map((e) => e.action);
}

const form = (account: Account, challengeId: string, code: string) => ({
  identifier: account.pin!,
  challengeId,
  code,
  password: PASSWORD,
  passcode: PASSCODE,
  deviceName: 'iPhone của Mai',
});

describe('activation in the app (Decree 69 Art 14.1)', () => {
  test('code by SMS, then password, passcode and device in one step: the account is active', async () => {
    const kit = setup();
    const account = await makeAccount(kit.identity, t.db, { status: 'pending_activation' });
    const started = await kit.auth.startActivation(account.pin!, ctx());
    expect(started.maskedPhone).toBe(maskPhone(account.phone!));
    expect(started.expiresAt.toISOString()).toBe('2026-03-02T03:05:00.000Z');
    const sms = await lastOtp(t.db, account.id);
    expect(sms.recipient).toBe(account.phone);

    const activated = await kit.auth.completeActivation(form(account, started.challengeId, sms.code), ctx());
    expect(activated).toMatchObject({ id: account.id, status: 'active', activationDueAt: null });
    expect(activated.activatedAt?.toISOString()).toBe('2026-03-02T03:00:00.000Z');

    // The credentials set during activation are the account's from now on.
    expect((await kit.auth.checkPassword(account.pin!, PASSWORD, ctx())).id).toBe(account.id);
    await kit.auth.verifyPasscode(account.id, PASSCODE, ctx());
    expect(await kit.auth.devicesOf(account.id)).toEqual([
      expect.objectContaining({ name: 'iPhone của Mai', revokedAt: null }),
    ]);
    const history = await kit.audit.historyOf({ kind: 'account', id: account.id }, 100);
    expect(history.find((e) => e.action === 'identity.account.activate')).toMatchObject({
      actor_id: account.id,
      detail: { from: 'pending_activation', to: 'active', via: 'app' },
    });
    expect(history.find((e) => e.action === 'auth.otp.success')).toMatchObject({ detail: { purpose: 'activation' } });
    expect(history.map((e) => e.action)).toEqual(
      expect.arrayContaining(['auth.otp.sent', 'auth.password.set', 'auth.passcode.set', 'auth.device.registered']),
    );
    expect(JSON.stringify(history)).not.toContain(PASSWORD);
  });

  test('a password against the policy is refused with every rule broken; nothing is spent, the code still works', async () => {
    const kit = setup();
    const account = await makeAccount(kit.identity, t.db, { status: 'pending_activation' });
    const started = await kit.auth.startActivation(account.pin!, ctx('203.0.113.7', 'en'));
    const { code } = await lastOtp(t.db, account.id);

    const weak = await attempt(
      kit.auth.completeActivation({ ...form(account, started.challengeId, code), password: 'abc' }, ctx()),
    );
    expect(weak).toMatchObject({ code: 'AUTH_PASSWORD_POLICY', status: 400, field: 'password' });
    const violations = ((weak as Problem).extensions as { violations: { code: string }[] }).violations;
    expect(violations.map((v) => v.code)).toEqual(['too_short', 'no_upper', 'no_digit', 'no_symbol']);
    expect((weak as Problem).messageIn('vi')).toBe(
      'Mật khẩu chưa đạt yêu cầu: có ít nhất 8 ký tự; có ít nhất một chữ in hoa; có ít nhất một chữ số; có ít nhất một ký tự đặc biệt (ví dụ @ # $ !).',
    );
    const passcode = await attempt(
      kit.auth.completeActivation({ ...form(account, started.challengeId, code), passcode: '12345' }, ctx()),
    );
    expect(passcode).toMatchObject({ code: 'AUTH_PASSCODE_FORMAT', field: 'passcode' });
    const device = await attempt(
      kit.auth.completeActivation({ ...form(account, started.challengeId, code), deviceName: ' ' }, ctx()),
    );
    expect(device).toMatchObject({ code: 'AUTH_DEVICE_INVALID' });

    expect((await kit.identity.get(account.id))?.status).toBe('pending_activation');
    const row = await t.db
      .selectFrom('auth.otp_challenges')
      .select(['attempts', 'consumed_at'])
      .where('id', '=', started.challengeId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ attempts: 0, consumed_at: null });
    expect(await actionsOf(kit, account.id)).not.toContain('auth.password.set');

    const activated = await kit.auth.completeActivation(form(account, started.challengeId, code), ctx());
    expect(activated.status).toBe('active');
  });

  test('after the 7 days the app refuses and names the hotline (Art 14.2); the job then expires the account', async () => {
    const kit = setup('2026-03-02T03:00:00Z');
    const account = await makeAccount(kit.identity, t.db, { status: 'pending_activation' });
    // Due at 24:00 on 9 March in Vietnam (16:59:59.999Z); the code is asked for just before.
    kit.clock.set('2026-03-09T16:58:00Z');
    const started = await kit.auth.startActivation(account.pin!, ctx());
    const { code } = await lastOtp(t.db, account.id);
    kit.clock.set('2026-03-09T17:00:30Z');
    const late = await attempt(kit.auth.completeActivation(form(account, started.challengeId, code), ctx()));
    expect(late).toMatchObject({ code: 'AUTH_ACTIVATION_PERIOD_OVER', status: 403 });
    expect((late as Problem).messageIn('vi')).toContain('Vui lòng gọi tổng đài hỗ trợ');
    expect((late as Problem).messageIn('en')).toContain('Call the support hotline');
    expect((await kit.identity.get(account.id))?.status).toBe('pending_activation');
    expect(await actionsOf(kit, account.id)).toContain('auth.activation.refused');
    expect(await actionsOf(kit, account.id)).not.toContain('auth.password.set');

    expect(await kit.identity.expireDueActivations()).toBeGreaterThanOrEqual(1);
    expect((await kit.identity.get(account.id))?.status).toBe('activation_expired');
  });

  test('the hotline reopens activation: SMS and inbox in the same transaction, then the app activates again', async () => {
    const kit = setup('2026-03-02T03:00:00Z');
    const account = await makeAccount(kit.identity, t.db, { status: 'pending_activation' });
    kit.clock.set('2026-03-10T02:00:00Z');
    await kit.identity.expireDueActivations();
    const expired = (await kit.identity.get(account.id))!;
    expect(expired.status).toBe('activation_expired');

    // Expired: the app gets a decoy, no code is sent.
    const smsBefore = await outboxCount('otp', account.id);
    await kit.auth.startActivation(account.pin!, ctx());
    expect(await outboxCount('otp', account.id)).toBe(smsBefore);

    // A failing transaction leaves neither the reissue nor its messages.
    await expect(
      t.db.transaction().execute(async (trx) => {
        await reissueActivation({ identity: kit.identity, notify: kit.notify }, trx, account.id, {
          expectedVersion: expired.version,
          actor: { kind: 'officer', id: 'hotline-1' },
          reason: 'Gọi tổng đài',
          verification: { method: 'knowledge_questions', note: 'Trả lời đúng 3 câu hỏi' },
        });
        throw new Error('the officer console went away');
      }),
    ).rejects.toThrow('went away');
    expect((await kit.identity.get(account.id))?.status).toBe('activation_expired');
    expect(await outboxCount('activation_reissued', account.id)).toBe(0);

    kit.clock.advance(MINUTE);
    const reissued = await reissueActivation({ identity: kit.identity, notify: kit.notify }, t.db, account.id, {
      expectedVersion: expired.version,
      actor: { kind: 'officer', id: 'hotline-1' },
      reason: 'Gọi tổng đài',
      verification: { method: 'knowledge_questions', note: 'Trả lời đúng 3 câu hỏi' },
    });
    expect(reissued).toMatchObject({ status: 'pending_activation' });
    expect(reissued.activationDueAt?.toISOString()).toBe('2026-03-17T16:59:59.999Z');
    const sms = await t.db
      .selectFrom('notify.outbox')
      .select(['channel', 'recipient', 'params', 'locale'])
      .where('template', '=', 'activation_reissued')
      .where('channel', '=', 'sms')
      .where('account_id', '=', account.id)
      .executeTakeFirstOrThrow();
    expect(sms).toEqual({
      channel: 'sms',
      recipient: account.phone,
      params: { expiresOn: '2026-03-17' },
      locale: 'vi',
    });
    const inbox = await kit.notify.inbox(account.id);
    expect(inbox.items[0]).toMatchObject({ template: 'activation_reissued' });
    expect(inbox.items[0]!.body).toContain('chậm nhất ngày 17/03/2026');

    const started = await kit.auth.startActivation(account.pin!, ctx());
    const { code } = await lastOtp(t.db, account.id);
    const activated = await kit.auth.completeActivation(form(account, started.challengeId, code), ctx());
    expect(activated.status).toBe('active');
  });

  test("a dependant without a phone gets the code on the representative's phone (the resolver's)", async () => {
    const kit = setup();
    const representative = await makeAccount(kit.identity, t.db);
    const child = await makeAccount(kit.identity, t.db, { status: 'pending_activation', phone: null, level: 1 });
    const contactPhoneOf = async (a: Account) => (a.id === child.id ? representative.phone : a.phone);

    // Without the resolver there is no phone to send to: the same answer as anyone, nothing sent.
    const blind = await kit.auth.startActivation(child.pin!, ctx());
    expect(blind.maskedPhone).toMatch(/^0\d{3}\*{3}\d{3}$/);
    expect(await outboxCount('otp', child.id)).toBe(0);

    kit.clock.advance(MINUTE);
    const started = await kit.auth.startActivation(child.pin!, ctx(), { contactPhoneOf });
    expect(started.maskedPhone).toBe(maskPhone(representative.phone!));
    const sms = await lastOtp(t.db, child.id);
    expect(sms.recipient).toBe(representative.phone);
    const activated = await kit.auth.completeActivation(form(child, started.challengeId, sms.code), ctx());
    expect(activated).toMatchObject({ id: child.id, status: 'active', phone: null });
  });

  test('the activation purpose exists for pending accounts only; other purposes still need an active account', async () => {
    const kit = setup();
    const pending = await makeAccount(kit.identity, t.db, { status: 'pending_activation' });
    const active = await makeAccount(kit.identity, t.db);
    expect(await attempt(kit.auth.startOtp(pending.id, 'login', ctx()))).toMatchObject({ code: 'ACCOUNT_NOT_ACTIVE' });
    expect(await attempt(kit.auth.startOtp(active.id, 'activation', ctx()))).toMatchObject({
      code: 'ACCOUNT_TRANSITION_NOT_ALLOWED',
      status: 409,
    });
    const started = await kit.auth.startOtp(pending.id, 'activation', ctx());
    const { code } = await lastOtp(t.db, pending.id);
    expect(await attempt(kit.auth.verifyOtp(started.challengeId, pending.id, code, ctx()))).toMatchObject({
      code: 'ACCOUNT_NOT_ACTIVE',
    });
    await kit.auth.verifyOtp(started.challengeId, pending.id, code, ctx(), { purpose: 'activation' });
  });
});
