import { Secret, TOTP } from 'otpauth';
import { describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { Problem } from '../platform/errors.ts';
import { demoTotpSecret } from './demo.ts';
import { totpOf } from './repository.ts';
import { authKit, ctx, makeAccount } from './testing.ts';

/** Officers' second factor: RFC 6238 (SHA-1, 30 s, 6 digits, one step of skew), each step accepted once. */
const t = useTestDatabase();

async function setup() {
  const clock = fixedClock('2026-03-02T03:00:10Z');
  const kit = authKit(testPlatform(t.db, { clock }));
  const account = await makeAccount(kit.identity, t.db);
  return { ...kit, clock, account };
}

const codeAt = (secret: string, at: Date, offsetSteps = 0) =>
  TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: at.getTime() + offsetSteps * 30_000 });

async function attempt(promise: Promise<unknown>): Promise<Problem | 'ok'> {
  return promise.then(
    () => 'ok' as const,
    (e: unknown) => {
      if (e instanceof Problem) return e;
      throw e;
    },
  );
}

describe('TOTP', () => {
  test('enrolment gives an otpauth URI; the seed is stored sealed; a first code confirms it', async () => {
    const { auth, account, clock, platform } = await setup();
    expect(await auth.hasTotp(account.id)).toBe(false);
    const { uri, secret } = await auth.enrolTotp(account.id);
    expect(uri).toMatch(/^otpauth:\/\/totp\/dinhdanh:/);
    expect(uri).toContain(`secret=${secret}`);
    expect(uri).toContain('algorithm=SHA1');
    expect(uri).toContain('digits=6');
    expect(uri).toContain('period=30');
    const row = await totpOf(t.db, account.id);
    expect(row!.sealed_seed).not.toContain(secret);
    // Bound to its account: the sealed seed does not open under another account's context.
    expect(() => platform.secrets.open(row!.sealed_seed, 'totp:00000000-0000-0000-0000-000000000000')).toThrow();

    expect(await attempt(auth.verifyTotp(account.id, codeAt(secret, clock.now()), ctx()))).toMatchObject({
      code: 'AUTH_TOTP_NOT_ENROLLED',
    });
    await auth.confirmTotp(account.id, codeAt(secret, clock.now()), ctx());
    expect(await auth.hasTotp(account.id)).toBe(true);
    // Confirmed: enrolling again needs an administrator's reset.
    expect(await attempt(auth.enrolTotp(account.id))).toMatchObject({ code: 'AUTH_TOTP_ALREADY_ENROLLED' });
  });

  test('valid, replayed, wrong, and skew of one step either way', async () => {
    const { auth, account, clock } = await setup();
    const { secret } = await auth.enrolTotp(account.id);
    const t0 = clock.now();
    await auth.confirmTotp(account.id, codeAt(secret, t0), ctx());
    // The confirming code's step was used: the same code again is a replay.
    expect(await attempt(auth.verifyTotp(account.id, codeAt(secret, t0), ctx()))).toMatchObject({
      code: 'AUTH_TOTP_INVALID',
      status: 401,
    });

    clock.advance(90_000); // three steps later
    const now = clock.now();
    expect(await attempt(auth.verifyTotp(account.id, codeAt(secret, now, -2), ctx()))).toMatchObject({
      code: 'AUTH_TOTP_INVALID', // two steps old: outside the window
    });
    expect(await attempt(auth.verifyTotp(account.id, codeAt(secret, now, -1), ctx()))).toBe('ok'); // a slow phone
    expect(await attempt(auth.verifyTotp(account.id, codeAt(secret, now, +1), ctx()))).toBe('ok'); // a fast phone
    // After a later step was accepted, an earlier one is refused (RFC 6238 §5.2).
    expect(await attempt(auth.verifyTotp(account.id, codeAt(secret, now, 0), ctx()))).toMatchObject({
      code: 'AUTH_TOTP_INVALID',
    });
    clock.advance(30_000);
    expect(await attempt(auth.verifyTotp(account.id, codeAt(secret, clock.now(), +2), ctx()))).toMatchObject({
      code: 'AUTH_TOTP_INVALID', // two steps ahead
    });
    clock.advance(30_000);
    expect(await attempt(auth.verifyTotp(account.id, codeAt(secret, clock.now()), ctx()))).toBe('ok');
    expect(await attempt(auth.verifyTotp(account.id, 'abcdef', ctx()))).toMatchObject({ code: 'AUTH_TOTP_INVALID' });
  });

  test('five wrong codes lock TOTP for 15 minutes', async () => {
    const { auth, account, clock } = await setup();
    const { secret } = await auth.enrolTotp(account.id);
    await auth.confirmTotp(account.id, codeAt(secret, clock.now()), ctx());
    clock.advance(30_000);
    const right = codeAt(secret, clock.now());
    const bad = String((Number(right) + 7) % 1_000_000).padStart(6, '0');
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await attempt(auth.verifyTotp(account.id, bad, ctx())));
    expect(answers.slice(0, 4).map((a) => (a as Problem).code)).toEqual(Array(4).fill('AUTH_TOTP_INVALID'));
    expect(answers[4]).toMatchObject({
      code: 'AUTH_TEMPORARILY_LOCKED',
      params: { until: '2026-03-02T03:15:40.000Z' },
    });
    expect(await attempt(auth.verifyTotp(account.id, right, ctx()))).toMatchObject({ code: 'AUTH_TEMPORARILY_LOCKED' });
  });

  test('demo officers’ seeds are derived from a fixed string, so anyone can compute their codes', () => {
    const a = demoTotpSecret('officer-admin-c06');
    expect(a).toBe(demoTotpSecret('officer-admin-c06'));
    expect(a).not.toBe(demoTotpSecret('officer-approver-c06'));
    expect(Secret.fromBase32(a).bytes).toHaveLength(20);
  });
});
