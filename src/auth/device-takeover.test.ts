import { describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { Problem } from '../platform/errors.ts';
import { activeDevice } from './repository.ts';
import { authKit, ctx, lastOtp, makeAccount } from './testing.ts';

/**
 * Threat: taking over an account by registering the app on the attacker's device. A new device
 * needs an OTP sent to the account's own phone for that purpose (DOMAIN.md §7); the account keeps
 * one active device; a new one revokes the old and ends every session of the account.
 */
const t = useTestDatabase();
const MINUTE = 60_000;

async function setup(endAll?: (accountId: string, reason: string) => Promise<void>) {
  const clock = fixedClock('2026-03-02T03:00:00Z');
  const kit = authKit(testPlatform(t.db, { clock }), endAll ? { endAll } : {});
  const account = await makeAccount(kit.identity, t.db);
  return { ...kit, clock, account };
}

async function attempt(promise: Promise<unknown>): Promise<Problem | Error | 'ok'> {
  return promise.then(
    () => 'ok' as const,
    (e: unknown) => e as Error,
  );
}

async function deviceOtp(
  kit: Awaited<ReturnType<typeof setup>>,
  accountId: string,
  purpose: 'device' | 'login' = 'device',
) {
  const { challengeId } = await kit.auth.startOtp(accountId, purpose, ctx());
  return { challengeId, code: (await lastOtp(t.db, accountId)).code };
}

describe('registering a device', () => {
  test('without a valid OTP for that purpose, nothing is registered', async () => {
    const kit = await setup();
    const { auth, account } = kit;
    const none = await attempt(
      auth.registerDevice(
        account.id,
        { name: 'Attacker phone', challengeId: crypto.randomUUID(), code: '000000' },
        ctx(),
      ),
    );
    expect(none).toMatchObject({ code: 'AUTH_OTP_EXPIRED' });

    const login = await deviceOtp(kit, account.id, 'login');
    expect(await attempt(auth.registerDevice(account.id, { name: 'Attacker phone', ...login }, ctx()))).toMatchObject({
      code: 'AUTH_OTP_EXPIRED',
    });

    kit.clock.advance(MINUTE);
    const device = await deviceOtp(kit, account.id);
    const wrongCode = String((Number(device.code) + 1) % 1_000_000).padStart(6, '0');
    expect(
      await attempt(
        auth.registerDevice(
          account.id,
          { name: 'Attacker phone', challengeId: device.challengeId, code: wrongCode },
          ctx(),
        ),
      ),
    ).toMatchObject({ code: 'AUTH_OTP_INVALID' });

    expect(await auth.devicesOf(account.id)).toEqual([]);
    expect(kit.ended).toEqual([]);
    const actions = (await kit.audit.historyOf({ kind: 'account', id: account.id }, 50)).map((e) => e.action);
    expect(actions.filter((a) => a === 'auth.device.failure')).toHaveLength(3);
    expect(actions).not.toContain('auth.device.registered');
  });

  test('an OTP of another account (the attacker’s own) does not register a device on the victim’s', async () => {
    const kit = await setup();
    const attacker = await makeAccount(kit.identity, t.db);
    const own = await deviceOtp(kit, attacker.id);
    expect(
      await attempt(kit.auth.registerDevice(kit.account.id, { name: 'Attacker phone', ...own }, ctx())),
    ).toMatchObject({
      code: 'AUTH_OTP_EXPIRED',
    });
    expect(await kit.auth.devicesOf(kit.account.id)).toEqual([]);
  });

  test('a new device revokes the old one and ends the account’s sessions after commit', async () => {
    const seenAtEnd: (string | undefined)[] = [];
    const kit = await setup(async (accountId) => {
      // Called after commit: another connection already sees the new device as the active one.
      seenAtEnd.push((await activeDevice(t.db, accountId))?.id);
    });
    const { auth, account } = kit;
    const first = await auth.registerDevice(
      account.id,
      { name: 'Điện thoại cũ', ...(await deviceOtp(kit, account.id)) },
      ctx(),
    );
    expect(kit.ended).toEqual([]); // the first device replaces nothing

    kit.clock.advance(MINUTE);
    const second = await auth.registerDevice(
      account.id,
      { name: 'Điện thoại mới', ...(await deviceOtp(kit, account.id)) },
      ctx(),
    );
    expect(kit.ended).toEqual([{ accountId: account.id, reason: 'device_replaced' }]);
    expect(seenAtEnd).toEqual([second.id]);

    expect(await auth.activeDevice(account.id)).toMatchObject({
      id: second.id,
      name: 'Điện thoại mới',
      revokedAt: null,
    });
    const all = await auth.devicesOf(account.id);
    expect(all.find((d) => d.id === first.id)).toMatchObject({ revokedReason: 'replaced' });
    expect(all.filter((d) => d.revokedAt === null)).toHaveLength(1);
    const registered = (await kit.audit.historyOf({ kind: 'account', id: account.id }, 50)).filter(
      (e) => e.action === 'auth.device.registered',
    );
    expect(registered.map((e) => (e.detail as { replaced: string[] }).replaced).sort()).toEqual([[], [first.id]]);
  });

  test('the database keeps one active device per account', async () => {
    const kit = await setup();
    await kit.auth.registerDevice(kit.account.id, { name: 'A', ...(await deviceOtp(kit, kit.account.id)) }, ctx());
    await expect(
      t.db
        .insertInto('auth.devices')
        .values({
          id: crypto.randomUUID(),
          account_id: kit.account.id,
          name: 'B',
          registered_at: new Date(),
          revoked_at: null,
          revoked_reason: null,
        })
        .execute(),
    ).rejects.toThrow(/devices_one_active/);
  });

  test('if ending the sessions fails, the caller hears about it and the failure is audited', async () => {
    const kit = await setup(async () => {
      throw new Error('session store unreachable');
    });
    await kit.auth.registerDevice(kit.account.id, { name: 'A', ...(await deviceOtp(kit, kit.account.id)) }, ctx());
    kit.clock.advance(MINUTE);
    const failed = await attempt(
      kit.auth.registerDevice(kit.account.id, { name: 'B', ...(await deviceOtp(kit, kit.account.id)) }, ctx()),
    );
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toBe('session store unreachable');
    const actions = (await kit.audit.historyOf({ kind: 'account', id: kit.account.id }, 50)).map((e) => e.action);
    expect(actions).toContain('auth.device.sessions_end');
  });

  test('a locked account cannot register a device', async () => {
    const kit = await setup();
    const otp = await deviceOtp(kit, kit.account.id);
    await kit.identity.lock(t.db, kit.account.id, 'suspected_misuse', {
      expectedVersion: kit.account.version,
      actor: { kind: 'system', id: 'test' },
    });
    expect(await attempt(kit.auth.registerDevice(kit.account.id, { name: 'A', ...otp }, ctx()))).toMatchObject({
      code: 'ACCOUNT_NOT_ACTIVE',
    });
    expect(await kit.auth.devicesOf(kit.account.id)).toEqual([]);
  });
});
