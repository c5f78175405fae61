import { describe, expect, test } from 'vitest';
import { sql } from 'kysely';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { maskPhone } from '../identity/model.ts';
import { Problem } from '../platform/errors.ts';
import { authKit, ctx, lastOtp, makeAccount } from './testing.ts';

/**
 * Login codes of a dependant (a child under 14, a ward): the account has no phone of its own and
 * uses the representative's (DOMAIN.md §4; Decree 69/2024 Art 10.1(b)). The caller (the login
 * interaction) resolves that phone through the representation and passes it; an account with a
 * phone of its own always gets its codes there, and the limits are those of any login code.
 */
const t = useTestDatabase();

function setup() {
  const clock = fixedClock('2026-03-02T03:00:00Z');
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

describe("a dependant's login code goes to the representative's phone", () => {
  test('sent to the phone the caller resolved, masked; verified as a login code of the dependant', async () => {
    const kit = setup();
    const representative = await makeAccount(kit.identity, t.db);
    const child = await makeAccount(kit.identity, t.db, { phone: null, level: 1 });
    // Without a resolved phone there is nowhere to send it, as before.
    expect(await attempt(kit.auth.startOtp(child.id, 'login', ctx()))).toMatchObject({ code: 'AUTH_NO_PHONE' });

    const started = await kit.auth.startOtp(child.id, 'login', ctx(), { phone: representative.phone! });
    expect(started.maskedPhone).toBe(maskPhone(representative.phone!));
    const sms = await lastOtp(t.db, child.id);
    expect(sms.recipient).toBe(representative.phone);
    // The text names the child: a parent of several children knows whose sign-in it is.
    const { rows } = await sql<{ params: { forName?: string } }>`
      select params from notify.outbox where account_id = ${child.id} and template = 'otp'`.execute(t.db);
    expect(rows[0]!.params.forName).toBe(child.fullName);
    // The code belongs to the child's account, not the representative's.
    expect(
      await attempt(kit.auth.verifyOtp(started.challengeId, representative.id, sms.code, ctx(), { purpose: 'login' })),
    ).toMatchObject({ status: 401 });
    await kit.auth.verifyOtp(started.challengeId, child.id, sms.code, ctx(), { purpose: 'login' });
  });

  test('an account with its own phone gets its codes there: an override never diverts them', async () => {
    const kit = setup();
    const adult = await makeAccount(kit.identity, t.db);
    const other = await makeAccount(kit.identity, t.db);
    const login = await kit.auth.startOtp(adult.id, 'login', ctx(), { phone: other.phone! });
    expect(login.maskedPhone).toBe(maskPhone(adult.phone!));
    expect((await lastOtp(t.db, adult.id)).recipient).toBe(adult.phone);
    kit.clock.advance(61_000);
    await kit.auth.startOtp(adult.id, 'sensitive', ctx(), { phone: other.phone! });
    expect((await lastOtp(t.db, adult.id)).recipient).toBe(adult.phone);
  });

  test('the resend throttle and the account status apply as to any login code', async () => {
    const kit = setup();
    const representative = await makeAccount(kit.identity, t.db);
    const child = await makeAccount(kit.identity, t.db, { phone: null, level: 1 });
    const phone = { phone: representative.phone! };
    await kit.auth.startOtp(child.id, 'login', ctx(), phone);
    expect(await attempt(kit.auth.startOtp(child.id, 'login', ctx(), phone))).toMatchObject({
      code: 'AUTH_OTP_THROTTLED',
      status: 429,
    });
    const pending = await makeAccount(kit.identity, t.db, { phone: null, level: 1, status: 'pending_activation' });
    expect(await attempt(kit.auth.startOtp(pending.id, 'login', ctx(), phone))).toMatchObject({
      code: 'ACCOUNT_NOT_ACTIVE',
    });
    expect((await lastOtp(t.db, child.id)).count).toBe(1);
  });
});
