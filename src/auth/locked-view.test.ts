import { describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import type { LockReason } from '../identity/model.ts';
import { Problem } from '../platform/errors.ts';
import { lockedViewOpen } from './model.ts';
import { authKit, ctx, lastOtp, makeAccount } from './testing.ts';

/**
 * Threat: a lock that makes unlocking impossible, or a locked-view exception that lets a lock leak.
 * DOMAIN.md §6: no OTP, no login step while locked; and yet (policy) locking must never make
 * unlocking impossible, so the holder proves who they are for the locked view (password, login
 * code) and for their own unlock (passcode). Only when the caller asks (`allowLocked`), only for a
 * locked account, never after death (Law on Identification Art 34: no unlock), and never for a
 * code of another purpose.
 */
const t = useTestDatabase();
const PASSWORD = 'Kh0a@Moi!';

async function setup(reasons: LockReason[] = ['authority_request']) {
  const kit = authKit(testPlatform(t.db, { clock: fixedClock('2026-03-02T03:00:00Z') }));
  let account = await makeAccount(kit.identity, t.db);
  await kit.auth.setPassword(account.id, PASSWORD, { kind: 'test', id: 'setup' });
  await kit.auth.setPasscode(account.id, '246810', { kind: 'test', id: 'setup' });
  for (const reason of reasons) {
    account = await kit.identity.lock(t.db, account.id, reason, {
      expectedVersion: account.version,
      actor: { kind: 'test', id: 'setup' },
    });
  }
  return { ...kit, account };
}

async function problemOf(promise: Promise<unknown>): Promise<Problem> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Problem) return error;
    throw error;
  }
  throw new Error('expected a Problem');
}

async function outboxCount(db: typeof t.db, accountId: string): Promise<number> {
  const rows = await db
    .selectFrom('notify.outbox')
    .select('id')
    .where('account_id', '=', accountId)
    .where('template', '=', 'otp')
    .execute();
  return rows.length;
}

describe('lockedViewOpen', () => {
  test('a locked account on any ground but death; never an active, pending or closed one', () => {
    expect(lockedViewOpen({ status: 'locked', lockReasons: ['authority_request', 'holder_request'] })).toBe(true);
    expect(lockedViewOpen({ status: 'locked', lockReasons: ['card_revoked_or_held', 'death'] })).toBe(false);
    expect(lockedViewOpen({ status: 'active', lockReasons: [] })).toBe(false);
    expect(lockedViewOpen({ status: 'pending_activation', lockReasons: [] })).toBe(false);
    expect(lockedViewOpen({ status: 'closed', lockReasons: [] })).toBe(false);
  });
});

describe('the locked view through auth', () => {
  test('without allowLocked nothing changes: the password says locked, no code is sent', async () => {
    const { auth, account } = await setup();
    const refused = await problemOf(auth.checkPassword(account.pin!, PASSWORD, ctx()));
    expect(refused).toMatchObject({ code: 'ACCOUNT_NOT_ACTIVE', status: 403 });
    expect(await problemOf(auth.startOtp(account.id, 'login', ctx()))).toMatchObject({ code: 'ACCOUNT_NOT_ACTIVE' });
    expect(await problemOf(auth.verifyPasscode(account.id, '246810', ctx()))).toMatchObject({
      code: 'ACCOUNT_NOT_ACTIVE',
    });
    expect(await outboxCount(t.db, account.id)).toBe(0);
  });

  test('with allowLocked: password, login code and passcode serve the locked holder; audited as such', async () => {
    const { auth, audit, account } = await setup(['authority_request', 'holder_request']);
    const proven = await auth.checkPassword(account.pin!, PASSWORD, ctx(), { allowLocked: true });
    expect(proven).toMatchObject({ id: account.id, status: 'locked' });
    const started = await auth.startOtp(account.id, 'login', ctx(), { allowLocked: true });
    const sms = await lastOtp(t.db, account.id);
    expect(sms.recipient).toBe(account.phone);
    // The code is checked with the same allowance, and only once.
    expect(
      await problemOf(auth.verifyOtp(started.challengeId, account.id, sms.code, ctx(), { purpose: 'login' })),
    ).toMatchObject({ code: 'ACCOUNT_NOT_ACTIVE' });
    await auth.verifyOtp(started.challengeId, account.id, sms.code, ctx(), { purpose: 'login', allowLocked: true });
    await expect(auth.verifyPasscode(account.id, '246810', ctx(), { allowLocked: true })).resolves.toBeUndefined();
    const entries = await audit.historyOf({ kind: 'account', id: account.id }, 20);
    const success = entries.find((e) => e.action === 'auth.password.success');
    expect(success?.detail).toMatchObject({ lockedView: true });
  });

  test('only a login code: a device or sensitive-action code is still refused to a locked account', async () => {
    const { auth, account } = await setup();
    for (const purpose of ['device', 'sensitive'] as const) {
      expect(await problemOf(auth.startOtp(account.id, purpose, ctx(), { allowLocked: true }))).toMatchObject({
        code: 'ACCOUNT_NOT_ACTIVE',
      });
    }
    expect(await outboxCount(t.db, account.id)).toBe(0);
  });

  test('death: no locked view, whatever the caller asks', async () => {
    const { auth, account } = await setup(['holder_request', 'death']);
    const refused = await problemOf(auth.checkPassword(account.pin!, PASSWORD, ctx(), { allowLocked: true }));
    expect(refused).toMatchObject({ code: 'ACCOUNT_NOT_ACTIVE' });
    expect(await problemOf(auth.startOtp(account.id, 'login', ctx(), { allowLocked: true }))).toMatchObject({
      code: 'ACCOUNT_NOT_ACTIVE',
    });
    expect(await problemOf(auth.verifyPasscode(account.id, '246810', ctx(), { allowLocked: true }))).toMatchObject({
      code: 'ACCOUNT_NOT_ACTIVE',
    });
    expect(await outboxCount(t.db, account.id)).toBe(0);
  });

  test('allowLocked never opens an account that is not locked (pending activation, closed)', async () => {
    const kit = authKit(testPlatform(t.db, { clock: fixedClock('2026-03-02T03:00:00Z') }));
    const pending = await makeAccount(kit.identity, t.db, { status: 'pending_activation' });
    expect(await problemOf(kit.auth.startOtp(pending.id, 'login', ctx(), { allowLocked: true }))).toMatchObject({
      code: 'ACCOUNT_NOT_ACTIVE',
    });
  });
});
