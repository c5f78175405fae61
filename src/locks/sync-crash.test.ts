import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import type { Account } from '../identity/service.ts';
import { pickCitizens } from '../issuance/testing.ts';
import { seedSandbox } from '../registries/seed.ts';
import { lockKit, noticesOf, type LockKit } from './testing.ts';

/**
 * Threat: the sync worker dies (or its database refuses a write) half-way through a change: the
 * identity locked but the cursor not moved would lock twice on the next round; the cursor moved
 * but the lock not written would skip a revoked card for ever. Each change's effects (ground,
 * identity, ledger, notices) and the cursor's move are one transaction. Here the database itself
 * refuses the ground of one account (a trigger, the way a constraint or a crash would): the whole
 * change rolls back, the cursor stays before it, the next round applies it exactly once.
 */

const t = useTestDatabase();
const TODAY = '2026-03-02';
const clock = fixedClock(`${TODAY}T03:00:00Z`);
const taken = new Set<string>();
let kit: LockKit;

beforeAll(async () => {
  await seedSandbox(t.database.pool, { citizens: 300, seed: 'locks-crash' });
  kit = await lockKit(testPlatform(t.db, { clock }));
});

afterAll(async () => {
  await sql`drop trigger if exists refuse_ground on locks.grounds`.execute(t.db);
});

async function cardHolder(): Promise<Account> {
  const [c] = await pickCitizens(t.db, {
    count: 1,
    minAge: 20,
    maxAge: 60,
    card: 'valid',
    ownPhone: true,
    on: TODAY,
    taken,
  });
  return kit.holder({
    registryId: c!.registryId,
    pin: c!.pin,
    fullName: c!.fullName,
    phone: `+84${c!.phone!.slice(1)}`,
  });
}

const cursor = async () =>
  (await sql<{ cursor: string | null }>`select cursor from locks.sync_cursor where feed = 'registry'`.execute(t.db))
    .rows[0]!.cursor;

/** Makes the database refuse any ground for one account, as a crash in the middle of the change would. */
async function breakGroundsOf(accountId: string) {
  await sql
    .raw(
      `create or replace function locks.refuse_ground() returns trigger language plpgsql as $$
       begin
         if new.account_id = '${accountId}'::uuid then raise exception 'injected failure for %', new.account_id; end if;
         return new;
       end $$`,
    )
    .execute(t.db);
  await sql`create trigger refuse_ground before insert on locks.grounds for each row execute function locks.refuse_ground()`.execute(
    t.db,
  );
}

describe('a change whose effects fail leaves the cursor where it was', () => {
  test('the failing change and everything after it wait; once fixed, each is applied once', async () => {
    const healthy = await cardHolder();
    const broken = await cardHolder();
    const after = await cardHolder();
    const first = await kit.control.holdCard(healthy.pin!, TODAY);
    await kit.control.holdCard(broken.pin!, TODAY);
    const last = await kit.control.holdCard(after.pin!, TODAY);
    await breakGroundsOf(broken.id);

    await expect(kit.locks.syncRegistry()).rejects.toThrow(/injected failure/);
    // The change before it is done, with the cursor on it; the failing one left no trace.
    expect(await cursor()).toBe(first.id);
    expect((await kit.services.identity.get(healthy.id))!.status).toBe('locked');
    expect(await kit.services.identity.get(broken.id)).toMatchObject({ status: 'active', version: broken.version });
    expect(await kit.locks.activeGroundsOf(broken.id)).toEqual([]);
    expect(await noticesOf(t.db, broken.id)).toEqual([]);
    const audit = await kit.services.audit.historyOf({ kind: 'account', id: broken.id });
    expect(audit.some((e) => e.action.startsWith('locks.') || e.action === 'identity.account.lock')).toBe(false);
    // Retried, it fails the same way: nothing after it is applied out of order.
    await expect(kit.locks.syncRegistry()).rejects.toThrow(/injected failure/);
    expect(await cursor()).toBe(first.id);
    expect((await kit.services.identity.get(after.id))!.status).toBe('active');

    await sql`drop trigger refuse_ground on locks.grounds`.execute(t.db);
    const report = await kit.locks.syncRegistry();
    expect(report).toMatchObject({ processed: 2, cursor: last.id });
    for (const h of [healthy, broken, after]) {
      expect(await kit.locks.activeGroundsOf(h.id)).toHaveLength(1);
      expect(await kit.services.identity.get(h.id)).toMatchObject({ status: 'locked', version: h.version + 1 });
    }
    expect((await noticesOf(t.db, broken.id, 'account_locked')).filter((n) => n.channel === 'sms')).toHaveLength(1);
  });
});
