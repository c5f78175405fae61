import { sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { Problem } from '../platform/errors.ts';
import { authKit, ctx, lastOtp, makeAccount } from './testing.ts';

/**
 * Threat: guessing a 6-digit one-time code. A challenge takes 5 guesses, then it is dead; an
 * account takes 10 wrong codes an hour, then OTP is locked for an hour; codes expire after
 * 5 minutes, are single use, are stored only as a keyed hash, and are sent at most once a minute
 * and 5 times an hour. A locked account is sent nothing.
 */
const t = useTestDatabase();
const MINUTE = 60_000;

async function setup() {
  const clock = fixedClock('2026-03-02T03:00:00Z');
  const kit = authKit(testPlatform(t.db, { clock }));
  const account = await makeAccount(kit.identity, t.db);
  return { ...kit, clock, account };
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

/** A code that is not `code` (offset 1–999 from it). */
const wrong = (code: string, offset = 1) => String((Number(code) + offset) % 1_000_000).padStart(6, '0');

async function outboxCount(accountId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from notify.outbox where account_id = ${accountId} and template = 'otp'`.execute(t.db);
  return rows[0]!.n;
}

describe('sending', () => {
  test('the code goes by SMS through the outbox with the challenge; only its keyed hash is stored', async () => {
    const { auth, account } = await setup();
    const started = await auth.startOtp(account.id, 'login', ctx('198.51.100.1', 'en'));
    expect(started.expiresAt.toISOString()).toBe('2026-03-02T03:05:00.000Z');
    expect(started.maskedPhone).toBe(`0${account.phone!.slice(3, 6)}***${account.phone!.slice(-3)}`);
    const sms = await lastOtp(t.db, account.id);
    expect(sms.code).toMatch(/^\d{6}$/);
    expect(sms.recipient).toBe(account.phone);
    const { rows } = await sql<Record<string, unknown>>`
      select * from auth.otp_challenges where id = ${started.challengeId}`.execute(t.db);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0])).not.toContain(sms.code);
    expect(rows[0]).toMatchObject({ purpose: 'login', attempts: 0, max_attempts: 5, consumed_at: null });
    expect(rows[0]!.code_hash).toMatch(/^[0-9a-f]{64}$/);
    await expect(
      auth.verifyOtp(started.challengeId, account.id, sms.code, ctx('198.51.100.1')),
    ).resolves.toBeUndefined();
  });

  test('at most one code a minute and five an hour', async () => {
    const { auth, account, clock } = await setup();
    await auth.startOtp(account.id, 'login', ctx());
    const tooSoon = (await attempt(auth.startOtp(account.id, 'login', ctx()))) as Problem;
    expect(tooSoon).toMatchObject({ code: 'AUTH_OTP_THROTTLED', status: 429 });
    expect(tooSoon.params).toMatchObject({ retryAfter: 60, untilVn: '10:01 02/03/2026' });
    for (let i = 2; i <= 5; i++) {
      clock.advance(MINUTE);
      expect(await attempt(auth.startOtp(account.id, 'login', ctx()))).toBe('ok');
    }
    clock.advance(MINUTE);
    const sixth = (await attempt(auth.startOtp(account.id, 'login', ctx()))) as Problem;
    expect(sixth.code).toBe('AUTH_OTP_THROTTLED');
    // The fifth code went out at 03:04; the next is possible an hour later.
    expect(sixth.params.until).toBe('2026-03-02T04:04:00.000Z');
    expect(await outboxCount(account.id)).toBe(5);
  });

  test('a locked account is sent no code, and a code sent before the lock no longer works (DOMAIN.md §6)', async () => {
    const { auth, account, identity } = await setup();
    const started = await auth.startOtp(account.id, 'login', ctx());
    const { code } = await lastOtp(t.db, account.id);
    await identity.lock(t.db, account.id, 'holder_request', {
      expectedVersion: account.version,
      actor: { kind: 'account', id: account.id },
    });
    const refused = (await attempt(auth.startOtp(account.id, 'login', ctx()))) as Problem;
    expect(refused).toMatchObject({ code: 'ACCOUNT_NOT_ACTIVE', status: 403, params: { status: 'locked' } });
    expect(await outboxCount(account.id)).toBe(1);
    expect(await attempt(auth.verifyOtp(started.challengeId, account.id, code, ctx()))).toMatchObject({
      code: 'ACCOUNT_NOT_ACTIVE',
    });
  });

  test('an account pending activation is sent nothing either', async () => {
    const { auth, identity } = await setup();
    const pending = await makeAccount(identity, t.db, { status: 'pending_activation' });
    expect(await attempt(auth.startOtp(pending.id, 'login', ctx()))).toMatchObject({ code: 'ACCOUNT_NOT_ACTIVE' });
    expect(await outboxCount(pending.id)).toBe(0);
  });
});

describe('guessing', () => {
  test('five wrong guesses exhaust a challenge: the right code is refused afterwards', async () => {
    const { auth, account } = await setup();
    const { challengeId } = await auth.startOtp(account.id, 'login', ctx());
    const { code } = await lastOtp(t.db, account.id);
    const left: number[] = [];
    for (let i = 0; i < 5; i++) {
      const p = (await attempt(auth.verifyOtp(challengeId, account.id, wrong(code), ctx()))) as Problem;
      expect(p).toMatchObject({ code: 'AUTH_OTP_INVALID', status: 401 });
      left.push(Number(p.params.attemptsLeft));
    }
    expect(left).toEqual([4, 3, 2, 1, 0]);
    expect(await attempt(auth.verifyOtp(challengeId, account.id, code, ctx()))).toMatchObject({
      code: 'AUTH_OTP_EXPIRED',
    });
  });

  test('parallel guesses on one challenge spend at most its five attempts', async () => {
    const { auth, account } = await setup();
    const { challengeId } = await auth.startOtp(account.id, 'login', ctx());
    const { code } = await lastOtp(t.db, account.id);
    const answers = await Promise.all(
      Array.from({ length: 9 }, (_, i) => attempt(auth.verifyOtp(challengeId, account.id, wrong(code, i + 1), ctx()))),
    );
    const codes = answers.map((a) => (a as Problem).code);
    expect(codes.filter((c) => c === 'AUTH_OTP_INVALID')).toHaveLength(5);
    expect(codes.filter((c) => c === 'AUTH_OTP_EXPIRED')).toHaveLength(4);
  });

  test('ten wrong codes in an hour lock OTP for the account, whatever the challenge', async () => {
    const { auth, account, clock, audit } = await setup();
    const first = await auth.startOtp(account.id, 'login', ctx());
    const c1 = (await lastOtp(t.db, account.id)).code;
    for (let i = 0; i < 5; i++) await attempt(auth.verifyOtp(first.challengeId, account.id, wrong(c1), ctx()));
    clock.advance(MINUTE + 1000);
    const second = await auth.startOtp(account.id, 'login', ctx());
    const c2 = (await lastOtp(t.db, account.id)).code;
    for (let i = 0; i < 4; i++) {
      expect(await attempt(auth.verifyOtp(second.challengeId, account.id, wrong(c2), ctx()))).toMatchObject({
        code: 'AUTH_OTP_INVALID',
      });
    }
    const tenth = (await attempt(auth.verifyOtp(second.challengeId, account.id, wrong(c2), ctx()))) as Problem;
    expect(tenth).toMatchObject({ code: 'AUTH_TEMPORARILY_LOCKED', status: 429 });
    expect(tenth.params).toMatchObject({ until: '2026-03-02T04:01:01.000Z', untilVn: '11:01 02/03/2026' });

    clock.advance(2 * MINUTE);
    expect(await attempt(auth.startOtp(account.id, 'login', ctx()))).toMatchObject({ code: 'AUTH_TEMPORARILY_LOCKED' });
    expect(await outboxCount(account.id)).toBe(2);
    const actions = (await audit.historyOf({ kind: 'account', id: account.id }, 50)).map((e) => e.action);
    expect(actions.filter((a) => a === 'auth.otp.failure')).toHaveLength(10);
    expect(actions.filter((a) => a === 'auth.otp.sent')).toHaveLength(2);
    expect(actions.filter((a) => a === 'auth.otp.locked')).toHaveLength(1);
  });

  test('a code expires after 5 minutes', async () => {
    const { auth, account, clock } = await setup();
    const { challengeId } = await auth.startOtp(account.id, 'login', ctx());
    const { code } = await lastOtp(t.db, account.id);
    clock.advance(5 * MINUTE);
    expect(await attempt(auth.verifyOtp(challengeId, account.id, code, ctx()))).toMatchObject({
      code: 'AUTH_OTP_EXPIRED',
      status: 401,
    });
  });

  test('a code is single use, even when presented twice at once', async () => {
    const { auth, account } = await setup();
    const { challengeId } = await auth.startOtp(account.id, 'login', ctx());
    const { code } = await lastOtp(t.db, account.id);
    const answers = await Promise.all([
      attempt(auth.verifyOtp(challengeId, account.id, code, ctx())),
      attempt(auth.verifyOtp(challengeId, account.id, code, ctx())),
    ]);
    expect(answers.filter((a) => a === 'ok')).toHaveLength(1);
    expect(answers.find((a) => a !== 'ok')).toMatchObject({ code: 'AUTH_OTP_EXPIRED' });
    expect(await attempt(auth.verifyOtp(challengeId, account.id, code, ctx()))).toMatchObject({
      code: 'AUTH_OTP_EXPIRED',
    });
  });

  test('a challenge works only for its account and, when asked, its purpose', async () => {
    const { auth, account, identity } = await setup();
    const other = await makeAccount(identity, t.db);
    const { challengeId } = await auth.startOtp(account.id, 'login', ctx());
    const { code } = await lastOtp(t.db, account.id);
    expect(await attempt(auth.verifyOtp(challengeId, other.id, code, ctx()))).toMatchObject({
      code: 'AUTH_OTP_EXPIRED',
    });
    expect(await attempt(auth.verifyOtp(challengeId, account.id, code, ctx(), { purpose: 'device' }))).toMatchObject({
      code: 'AUTH_OTP_EXPIRED',
    });
    expect(await attempt(auth.verifyOtp('not-a-uuid', account.id, code, ctx()))).toMatchObject({
      code: 'AUTH_OTP_EXPIRED',
    });
    // None of these was a guess at the live code: it still works.
    expect(await attempt(auth.verifyOtp(challengeId, account.id, code, ctx(), { purpose: 'login' }))).toBe('ok');
  });
});
