import { beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { ctx, lockKit, noticesOf, PASSCODE, problemOf, type LockKit } from './testing.ts';

/**
 * Threat: someone holding the holder's unlocked phone (or a stolen app token) locks the holder
 * out of their own identity, or lifts the holder's own lock, without knowing the passcode. The
 * own lock and unlock in the app need the 6-digit passcode (DOMAIN.md §7), checked and throttled
 * by auth before anything changes: a wrong, missing or someone else's passcode changes nothing,
 * and guessing is cut off after five tries, even for the right code.
 */

const t = useTestDatabase();
const clock = fixedClock('2026-03-02T03:00:00Z');
let kit: LockKit;

beforeAll(async () => {
  kit = await lockKit(testPlatform(t.db, { clock }));
});

async function unchanged(accountId: string) {
  expect(await kit.services.identity.get(accountId)).toMatchObject({ status: 'active', lockReasons: [] });
  expect(await kit.locks.activeGroundsOf(accountId)).toEqual([]);
  expect(await noticesOf(t.db, accountId, 'account_locked')).toEqual([]);
  expect(kit.ended).not.toContain(accountId);
}

describe('own lock in the app without the right passcode', () => {
  test('a wrong passcode is refused and changes nothing; the attempt is in the ledger', async () => {
    const holder = await kit.holder();
    const refused = await problemOf(kit.locks.lockOwn(holder.id, '000000', ctx));
    expect(refused).toMatchObject({ code: 'AUTH_PASSCODE_INVALID', status: 401 });
    await unchanged(holder.id);
    const history = await kit.services.audit.historyOf({ kind: 'account', id: holder.id });
    expect(history.map((e) => e.action)).toContain('auth.passcode.failure');
    expect(history.map((e) => e.action)).not.toContain('locks.ground.set');
  });

  test('an empty or malformed passcode, or another holder’s, is refused the same way', async () => {
    const holder = await kit.holder();
    const other = await kit.holder();
    await kit.services.auth.setPasscode(other.id, '246802', { kind: 'test', id: 'kit' });
    // Four tries: the fifth would meet the lock-out (next test).
    for (const passcode of ['', '12345', 'abcdef', '246802']) {
      expect((await problemOf(kit.locks.lockOwn(holder.id, passcode, ctx))).code).toBe('AUTH_PASSCODE_INVALID');
    }
    await unchanged(holder.id);
  });

  test('after five wrong tries even the right passcode is refused until the lock-out ends', async () => {
    clock.set('2026-03-02T04:00:00Z');
    const holder = await kit.holder();
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push((await problemOf(kit.locks.lockOwn(holder.id, `11111${i}`, ctx))).code);
    expect(codes.slice(0, 4)).toEqual(Array(4).fill('AUTH_PASSCODE_INVALID'));
    expect(codes[4]).toBe('AUTH_TEMPORARILY_LOCKED');
    expect((await problemOf(kit.locks.lockOwn(holder.id, PASSCODE, ctx))).code).toBe('AUTH_TEMPORARILY_LOCKED');
    await unchanged(holder.id);
    // Once the 30 minutes are over the holder locks with their passcode.
    clock.advance(31 * 60_000);
    expect((await kit.locks.lockOwn(holder.id, PASSCODE, ctx)).account.status).toBe('locked');
  });
});

describe('own unlock in the app without the right passcode', () => {
  test('a wrong passcode leaves the own lock in place', async () => {
    const holder = await kit.holder();
    await kit.locks.lockOwn(holder.id, PASSCODE, ctx);
    expect((await problemOf(kit.locks.unlockOwn(holder.id, '999999', ctx))).code).toBe('AUTH_PASSCODE_INVALID');
    expect(await kit.services.identity.get(holder.id)).toMatchObject({
      status: 'locked',
      lockReasons: ['holder_request'],
    });
    expect((await kit.locks.activeGroundsOf(holder.id)).map((g) => g.ground)).toEqual(['holder_request']);
  });
});
