import { describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import type { Account } from '../identity/model.ts';
import { Problem } from '../platform/errors.ts';
import { authKit, ctx, lastOtp, makeAccount } from './testing.ts';

/**
 * Threat: replaying an activation code, or using it for something else. The code is consumed in
 * the transaction that activates the account, so one code activates once: a repeated or parallel
 * request gets the OTP error, never a second activation that would overwrite the credentials. An
 * activation code is good for nothing but activation, and no other code activates.
 */
const t = useTestDatabase();
const MINUTE = 60_000;

function setup() {
  const clock = fixedClock('2026-03-02T03:00:00Z');
  return { clock, ...authKit(testPlatform(t.db, { clock })) };
}

async function outcome(promise: Promise<unknown>): Promise<Problem | 'ok'> {
  return promise.then(
    () => 'ok' as const,
    (e: unknown) => {
      if (e instanceof Problem) return e;
      throw e;
    },
  );
}

const form = (account: Account, challengeId: string, code: string, password = 'Kich@hoat2026') => ({
  identifier: account.pin!,
  challengeId,
  code,
  password,
  passcode: '246810',
  deviceName: 'Điện thoại',
});

async function activations(kit: ReturnType<typeof setup>, accountId: string) {
  const history = await kit.audit.historyOf({ kind: 'account', id: accountId }, 100);
  return history.filter((e) => e.action === 'identity.account.activate').length;
}

describe('threat: replaying an activation code', () => {
  test('the same code again gets the OTP error, not a second activation', async () => {
    const kit = setup();
    const account = await makeAccount(kit.identity, t.db, { status: 'pending_activation' });
    const { challengeId } = await kit.auth.startActivation(account.pin!, ctx());
    const { code } = await lastOtp(t.db, account.id);
    const first = await kit.auth.completeActivation(form(account, challengeId, code), ctx());
    const again = await outcome(kit.auth.completeActivation(form(account, challengeId, code, 'Khac@2026x'), ctx()));
    expect(again).toMatchObject({ code: 'AUTH_OTP_EXPIRED', status: 401 });
    expect(await kit.identity.get(account.id)).toMatchObject({ status: 'active', version: first.version });
    expect(await activations(kit, account.id)).toBe(1);
    expect((await kit.auth.checkPassword(account.pin!, 'Kich@hoat2026', ctx())).id).toBe(account.id);
  });

  test('two requests at once with the same code: exactly one activates', async () => {
    const kit = setup();
    const account = await makeAccount(kit.identity, t.db, { status: 'pending_activation' });
    const { challengeId } = await kit.auth.startActivation(account.pin!, ctx());
    const { code } = await lastOtp(t.db, account.id);
    const results = await Promise.all(
      ['Mot@2026aa', 'Hai@2026bb'].map((password) =>
        outcome(kit.auth.completeActivation(form(account, challengeId, code, password), ctx())),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.find((r) => r !== 'ok')).toMatchObject({ code: 'AUTH_OTP_EXPIRED' });
    expect(await activations(kit, account.id)).toBe(1);
    expect((await kit.auth.devicesOf(account.id)).filter((d) => d.revokedAt === null)).toHaveLength(1);
  });

  test('a second code of the same account cannot activate again nor overwrite the credentials', async () => {
    const kit = setup();
    const account = await makeAccount(kit.identity, t.db, { status: 'pending_activation' });
    const first = await kit.auth.startActivation(account.pin!, ctx());
    const firstCode = (await lastOtp(t.db, account.id)).code;
    kit.clock.advance(MINUTE);
    const second = await kit.auth.startActivation(account.pin!, ctx());
    const secondCode = (await lastOtp(t.db, account.id)).code;
    await kit.auth.completeActivation(form(account, first.challengeId, firstCode), ctx());

    const overwrite = await outcome(
      kit.auth.completeActivation(form(account, second.challengeId, secondCode, 'Khac@2026x'), ctx()),
    );
    expect(overwrite).toMatchObject({ code: 'ACCOUNT_TRANSITION_NOT_ALLOWED', status: 409 });
    expect((await kit.auth.checkPassword(account.pin!, 'Kich@hoat2026', ctx())).id).toBe(account.id);
    expect(await kit.auth.devicesOf(account.id)).toHaveLength(1);

    // Nor is it a sign-in code, now that the account is active.
    expect(await outcome(kit.auth.verifyOtp(second.challengeId, account.id, secondCode, ctx()))).toMatchObject({
      code: 'AUTH_OTP_EXPIRED',
    });
    expect(
      await outcome(kit.auth.verifyOtp(second.challengeId, account.id, secondCode, ctx(), { purpose: 'login' })),
    ).toMatchObject({ code: 'AUTH_OTP_EXPIRED' });
  });

  test('no other code activates: a sign-in or device code of the same account is refused', async () => {
    const kit = setup();
    const account = await makeAccount(kit.identity, t.db);
    const login = await kit.auth.startOtp(account.id, 'login', ctx());
    const { code } = await lastOtp(t.db, account.id);
    expect(await outcome(kit.auth.completeActivation(form(account, login.challengeId, code), ctx()))).toMatchObject({
      code: 'AUTH_OTP_EXPIRED',
    });
    // The sign-in code is still good for signing in.
    await kit.auth.verifyOtp(login.challengeId, account.id, code, ctx(), { purpose: 'login' });
  });
});
