import { describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { Problem } from '../platform/errors.ts';
import { authKit, ctx, lastOtp, makeAccount, uniqueSubject } from './testing.ts';

/**
 * Threat: account enumeration through activation. Anyone may ask for an activation code with a
 * bare identifier (no password comes first), so the answer must not tell whether the identifier
 * has an account, nor in what state: an unknown identifier, an active, expired or closed account
 * and a pending account without a phone all get a decoy challenge, of the same shape, throttled
 * the same way, failing the same way, with a made-up masked phone that stays the same. Nothing is
 * sent for a decoy. And asking for activation codes never spends an active account's login-code
 * budget nor locks its codes (a denial of service on sign-in).
 */
const t = useTestDatabase();
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

async function setup() {
  const clock = fixedClock('2026-03-02T03:00:00Z');
  const kit = authKit(testPlatform(t.db, { clock }));
  const expiring = await makeAccount(kit.identity, t.db, { status: 'pending_activation' });
  clock.advance(8 * DAY);
  await kit.identity.expireDueActivations();
  const closing = await makeAccount(kit.identity, t.db);
  await kit.identity.close(t.db, closing.id, { expectedVersion: closing.version, actor: { kind: 'system', id: 't' } });
  const pending = await makeAccount(kit.identity, t.db, { status: 'pending_activation' });
  const active = await makeAccount(kit.identity, t.db);
  const noPhone = await makeAccount(kit.identity, t.db, { status: 'pending_activation', phone: null });
  const identifiers = {
    pending: pending.pin!,
    unknown: uniqueSubject().pin,
    active: active.pin!,
    expired: expiring.pin!,
    closed: closing.pin!,
    noPhone: noPhone.pin!,
    garbage: `not-an-id-${crypto.randomUUID().slice(0, 8)}`,
  };
  return { ...kit, clock, pending, active, identifiers };
}

async function refusal(promise: Promise<unknown>): Promise<Problem> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Problem);
  return error as Problem;
}

/** What a client sees of a problem: status, code, parameters and the message in both languages. */
const seen = (p: Problem) => ({
  status: p.status,
  code: p.code,
  params: p.params,
  vi: p.messageIn('vi'),
  en: p.messageIn('en'),
  extensions: p.extensions,
});

async function otpCount(): Promise<number> {
  const row = await t.db
    .selectFrom('notify.outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('template', '=', 'otp')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('threat: enumerating accounts through activation', () => {
  test('every identifier gets the same shape of answer; only the pending account gets an SMS', async () => {
    const kit = await setup();
    const before = await otpCount();
    const answers = Object.fromEntries(
      await Promise.all(
        Object.entries(kit.identifiers).map(async ([label, id]) => [label, await kit.auth.startActivation(id, ctx())]),
      ),
    ) as Record<keyof typeof kit.identifiers, Awaited<ReturnType<typeof kit.auth.startActivation>>>;
    for (const [label, answer] of Object.entries(answers)) {
      expect(Object.keys(answer).sort(), label).toEqual(['challengeId', 'expiresAt', 'maskedPhone']);
      expect(answer.challengeId, label).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(answer.maskedPhone, label).toMatch(/^0\d{3}\*{3}\d{3}$/);
      expect(answer.expiresAt.toISOString(), label).toBe(answers.pending.expiresAt.toISOString());
    }
    expect(await otpCount()).toBe(before + 1);
    expect((await lastOtp(t.db, kit.pending.id)).count).toBe(1);

    // A decoy's masked phone is the same every time (a random one would give it away).
    kit.clock.advance(MINUTE);
    const again = await kit.auth.startActivation(kit.identifiers.unknown, ctx());
    expect(again.maskedPhone).toBe(answers.unknown.maskedPhone);
    expect(again.challengeId).not.toBe(answers.unknown.challengeId);
  });

  test('completing fails alike: a wrong code, a made-up challenge, an exhausted challenge', async () => {
    const kit = await setup();
    const results: Record<string, ReturnType<typeof seen>[]> = {};
    let n = 0;
    for (const [label, identifier] of Object.entries(kit.identifiers)) {
      // One network per identifier: the per-network counters stay out of the comparison.
      const context = ctx(`198.51.100.${++n}`);
      const { challengeId } = await kit.auth.startActivation(identifier, context);
      const code = label === 'pending' ? (await lastOtp(t.db, kit.pending.id)).code : '000000';
      const form = { identifier, password: 'Kich@hoat2026', passcode: '246810', deviceName: 'Phone' };
      const outcomes: ReturnType<typeof seen>[] = [];
      outcomes.push(
        seen(await refusal(kit.auth.completeActivation({ ...form, challengeId, code: wrong(code) }, context))),
      );
      outcomes.push(
        seen(
          await refusal(
            kit.auth.completeActivation({ ...form, challengeId: crypto.randomUUID(), code: wrong(code) }, context),
          ),
        ),
      );
      // Five attempts per challenge: then it is exhausted, whatever the code.
      for (let i = 0; i < 4; i++)
        await refusal(kit.auth.completeActivation({ ...form, challengeId, code: wrong(code) }, context));
      outcomes.push(
        seen(await refusal(kit.auth.completeActivation({ ...form, challengeId, code: wrong(code) }, context))),
      );
      results[label] = outcomes;
    }
    expect(results.pending![0]).toMatchObject({ code: 'AUTH_OTP_INVALID', status: 401, params: { attemptsLeft: 4 } });
    expect(results.pending![1]).toMatchObject({ code: 'AUTH_OTP_EXPIRED' });
    expect(results.pending![2]).toMatchObject({ code: 'AUTH_OTP_EXPIRED' });
    for (const [label, outcomes] of Object.entries(results)) expect(outcomes, label).toEqual(results.pending);
  });

  test('the resend throttle and the lockout answer alike too', async () => {
    const kit = await setup();
    const throttled: Record<string, ReturnType<typeof seen>> = {};
    const locked: Record<string, ReturnType<typeof seen>> = {};
    let n = 0;
    for (const [label, identifier] of Object.entries(kit.identifiers)) {
      const context = ctx(`192.0.2.${++n}`);
      await kit.auth.startActivation(identifier, context);
      throttled[label] = seen(await refusal(kit.auth.startActivation(identifier, context)));
      // Ten wrong codes over two challenges lock the identifier's activation codes for an hour.
      const form = { identifier, password: 'Kich@hoat2026', passcode: '246810', deviceName: 'Phone', code: '999999' };
      for (let round = 0; round < 2; round++) {
        kit.clock.advance(MINUTE);
        const { challengeId } = await kit.auth.startActivation(identifier, context);
        for (let i = 0; i < 5; i++) await refusal(kit.auth.completeActivation({ ...form, challengeId }, context));
      }
      kit.clock.advance(MINUTE);
      locked[label] = seen(await refusal(kit.auth.startActivation(identifier, context)));
      kit.clock.advance(-3 * MINUTE);
    }
    for (const label of Object.keys(kit.identifiers)) {
      expect(throttled[label], label).toEqual(throttled.pending);
      expect(locked[label], label).toEqual(locked.pending);
    }
    expect(throttled.pending).toMatchObject({ code: 'AUTH_OTP_THROTTLED', status: 429, params: { retryAfter: 60 } });
    expect(locked.pending).toMatchObject({ code: 'AUTH_TEMPORARILY_LOCKED', status: 429 });
  });

  test("asking activation codes for an active account spends none of its sign-in codes' budget", async () => {
    const kit = await setup();
    const context = ctx('203.0.113.99');
    const identifier = kit.identifiers.active;
    for (let i = 0; i < 5; i++) {
      await kit.auth.startActivation(identifier, context);
      kit.clock.advance(MINUTE);
    }
    expect((await refusal(kit.auth.startActivation(identifier, context))).code).toBe('AUTH_OTP_THROTTLED');
    for (let round = 0; round < 2; round++) {
      kit.clock.advance(60 * MINUTE);
      const { challengeId } = await kit.auth.startActivation(identifier, context);
      const form = { identifier, challengeId, code: '999999', password: 'Kich@hoat2026', passcode: '246810' };
      for (let i = 0; i < 5; i++) await refusal(kit.auth.completeActivation({ ...form, deviceName: 'X' }, context));
    }
    // The owner still signs in with an SMS code.
    const login = await kit.auth.startOtp(kit.active.id, 'login', ctx());
    await kit.auth.verifyOtp(login.challengeId, kit.active.id, (await lastOtp(t.db, kit.active.id)).code, ctx(), {
      purpose: 'login',
    });
  });

  test('decoys are in the ledger, with the identifier masked', async () => {
    const kit = await setup();
    await kit.auth.startActivation(kit.identifiers.unknown, ctx());
    await kit.auth.startActivation(kit.identifiers.active, ctx());
    const masked = `${kit.identifiers.unknown.slice(0, 3)}******${kit.identifiers.unknown.slice(-3)}`;
    const unknown = await kit.audit.historyOf({ kind: 'login_identifier', id: masked }, 10);
    expect(unknown.find((e) => e.action === 'auth.otp.decoy')).toMatchObject({
      outcome: 'denied',
      detail: { purpose: 'activation', reason: 'unknown_identifier' },
    });
    expect(JSON.stringify(unknown)).not.toContain(kit.identifiers.unknown);
    const active = await kit.audit.historyOf({ kind: 'account', id: kit.active.id }, 10);
    expect(active.find((e) => e.action === 'auth.otp.decoy')).toMatchObject({ detail: { reason: 'status_active' } });
  });
});
