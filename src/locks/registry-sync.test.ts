import { sql } from 'kysely';
import { beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import type { Account } from '../identity/service.ts';
import { pickCitizens } from '../issuance/testing.ts';
import { DEMO_PERSONS } from '../registries/demo.ts';
import { seedSandbox } from '../registries/seed.ts';
import { createLockService } from './service.ts';
import { ctx, lockKit, noticesOf, PASSCODE, type LockKit } from './testing.ts';

/**
 * The registry-sync worker (DOMAIN.md §6: cases b, c, d are detected from registry updates and
 * applied automatically; unlock is automatic when the ground disappears), driven by real changes
 * made in the sandbox registries with their control: a card held then returned, a card revoked
 * then replaced, a death, a foreigner's passport and residence card expiring, an organisation
 * dissolved, a PIN re-issued. Every change is applied once, whatever runs the worker and however
 * often; changes about people without an account only move the cursor.
 */

const t = useTestDatabase();
const TODAY = '2026-03-02';
const clock = fixedClock(`${TODAY}T03:00:00Z`);
const taken = new Set<string>();
let kit: LockKit;

beforeAll(async () => {
  await seedSandbox(t.database.pool, { citizens: 300, seed: 'locks' });
  kit = await lockKit(testPlatform(t.db, { clock }));
});

/** An active account for a sandbox citizen with a valid card and a phone in their own name. */
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

const account = async (id: string) => (await kit.services.identity.get(id))!;
const cursor = async () =>
  (await sql<{ cursor: string | null }>`select cursor from locks.sync_cursor where feed = 'registry'`.execute(t.db))
    .rows[0]!.cursor;

describe('identity card revoked or held (Law Art 34 case c)', () => {
  test('held: locked and told at once; returned: unlocked and told; the cursor follows the feed', async () => {
    const holder = await cardHolder();
    const held = await kit.control.holdCard(holder.pin!, '2026-03-01');
    const first = await kit.locks.syncRegistry();
    expect(first.cursor).toBe(held.id);
    expect(await cursor()).toBe(held.id);
    expect(await account(holder.id)).toMatchObject({ status: 'locked', lockReasons: ['card_revoked_or_held'] });
    const [ground] = await kit.locks.activeGroundsOf(holder.id);
    expect(ground).toMatchObject({
      ground: 'card_revoked_or_held',
      source: 'registry_sync',
      reference: held.id,
      setBy: 'system:registry-sync',
      detail: 'card_held 2026-03-01',
    });
    const locked = await noticesOf(t.db, holder.id, 'account_locked');
    expect(locked.map((n) => [n.channel, n.recipient])).toEqual(
      expect.arrayContaining([
        ['inbox', holder.id],
        ['sms', holder.phone],
      ]),
    );
    expect(kit.ended).toContain(holder.id);

    const returned = await kit.control.returnCard(holder.pin!, '2026-03-02');
    expect((await kit.locks.syncRegistry()).cursor).toBe(returned.id);
    expect(await account(holder.id)).toMatchObject({ status: 'active', lockReasons: [] });
    expect((await noticesOf(t.db, holder.id, 'lock_ground_lifted'))[0]!.params).toMatchObject({
      ground: 'card_revoked_or_held',
      stillLocked: false,
    });
    // Nothing new: a second round does nothing.
    expect(await kit.locks.syncRegistry()).toMatchObject({ processed: 0, cursor: returned.id });
  });

  test('held then revoked is one ground; a new card ends it; an own lock outlives the card’s return', async () => {
    const holder = await cardHolder();
    await kit.locks.lockOwn(holder.id, PASSCODE, ctx);
    await kit.control.holdCard(holder.pin!, '2026-03-01');
    await kit.control.revokeCard(holder.pin!, '2026-03-02');
    const report = await kit.locks.syncRegistry();
    expect(report.processed).toBe(2);
    expect((await kit.locks.activeGroundsOf(holder.id)).map((g) => g.ground).sort()).toEqual([
      'card_revoked_or_held',
      'holder_request',
    ]);
    await kit.control.issueCard(holder.pin!, '2026-03-02');
    await kit.locks.syncRegistry();
    expect(await account(holder.id)).toMatchObject({ status: 'locked', lockReasons: ['holder_request'] });
    expect((await noticesOf(t.db, holder.id, 'lock_ground_lifted'))[0]!.params).toMatchObject({ stillLocked: true });
  });
});

describe('death (Law Art 34 case d)', () => {
  test('locked for ever, nobody told, audited; a later card return does not touch it', async () => {
    const holder = await cardHolder();
    const died = await kit.control.recordDeath(holder.pin!, '2026-03-01');
    await kit.locks.syncRegistry();
    expect(await account(holder.id)).toMatchObject({ status: 'locked', lockReasons: ['death'] });
    expect(await noticesOf(t.db, holder.id)).toEqual([]);
    const audit = await kit.services.audit.historyOf({ kind: 'account', id: holder.id });
    expect(audit.find((e) => e.action === 'locks.sync.set')).toMatchObject({
      actor_id: 'registry-sync',
      detail: { changeId: died.id, change: 'death', occurredOn: '2026-03-01' },
    });
    // The card is held and returned afterwards: that ground comes and goes, death stays.
    await kit.control.holdCard(holder.pin!, '2026-03-02');
    await kit.control.returnCard(holder.pin!, '2026-03-02');
    await kit.locks.syncRegistry();
    expect(await account(holder.id)).toMatchObject({ status: 'locked', lockReasons: ['death'] });
    expect((await kit.locks.activeGroundsOf(holder.id)).map((g) => g.ground)).toEqual(['death']);
    expect(await noticesOf(t.db, holder.id)).toEqual([]);
  });

  test('an account approved but never activated is closed: nobody can activate it afterwards', async () => {
    const [c] = await pickCitizens(t.db, { count: 1, minAge: 20, maxAge: 60, card: 'valid', on: TODAY, taken });
    const pending = await kit.holder({
      registryId: c!.registryId,
      pin: c!.pin,
      fullName: c!.fullName,
      status: 'pending_activation',
    });
    const died = await kit.control.recordDeath(c!.pin, '2026-03-01');
    await kit.locks.syncRegistry();
    expect(await account(pending.id)).toMatchObject({ status: 'closed' });
    const audit = await kit.services.audit.historyOf({ kind: 'account', id: pending.id });
    expect(audit.find((e) => e.action === 'locks.sync.closed')).toMatchObject({
      detail: { changeId: died.id, change: 'death' },
    });
    await expect(
      kit.services.identity.activate(t.db, pending.id, {
        expectedVersion: (await account(pending.id)).version,
        actor: { kind: 'account', id: pending.id },
        via: 'app',
      }),
    ).rejects.toMatchObject({ code: 'ACCOUNT_TRANSITION_NOT_ALLOWED' });
  });
});

describe("a foreigner's documents expire (Decree 69 Art 15)", () => {
  test('passport and residence card expiries lock once, told in English', async () => {
    const { rows } = await sql<{
      id: number;
      passport_number: string;
      passport_country: string;
      full_name: string;
      expires: string;
    }>`
      select f.id, f.passport_number, f.passport_country, f.full_name, f.passport_expires_on::text as expires
        from sandbox.foreigners f cross join sandbox.seed_info i
       where f.passport_expires_on > i.as_of and f.date_of_death is null
         and exists (select 1 from sandbox.residence_cards c where c.foreigner_id = f.id and c.expires_on > i.as_of)
       order by f.passport_expires_on, f.id limit 1`.execute(t.db);
    const f = rows[0]!;
    const foreigner = await kit.services.identity.createAccount(t.db, {
      subjectKind: 'foreigner',
      registryId: String(f.id),
      passport: { country: f.passport_country, number: f.passport_number },
      fullName: f.full_name,
      level: 1,
      status: 'active',
      email: 'foreigner@example.com',
    });
    const before = await cursor();
    const expiries = await kit.control.recordExpiries('2032-12-31');
    const mine = expiries.filter((c) => c.subject.registryId === String(f.id)).map((c) => c.kind);
    expect(mine.sort()).toEqual(['passport_expired', 'residence_card_expired']);
    let processed = 0;
    for (let round = 0; round < 50; round++) {
      const r = await kit.locks.syncRegistry(500);
      processed += r.processed;
      if (r.processed === 0) break;
    }
    expect(processed).toBe(expiries.length);
    expect(await cursor()).not.toBe(before);
    expect(await account(foreigner.id)).toMatchObject({ status: 'locked', lockReasons: ['document_expired'] });
    expect(await kit.locks.activeGroundsOf(foreigner.id)).toHaveLength(1);
    const outcomes = (await kit.services.audit.historyOf({ kind: 'account', id: foreigner.id }))
      .map((e) => e.action)
      .filter((a) => a.startsWith('locks.sync'));
    expect(outcomes.sort()).toEqual(['locks.sync.already', 'locks.sync.set']);
    const [email] = await sql<{ locale: string; params: Record<string, unknown> }>`
      select locale, params from notify.outbox
      where account_id = ${foreigner.id} and template = 'account_locked' and channel = 'email'`
      .execute(t.db)
      .then((r) => r.rows);
    expect(email).toEqual({ locale: 'en', params: { ground: 'document_expired', lockedOn: TODAY } });
  });
});

describe('an organisation dissolved (DOMAIN.md §6, policy)', () => {
  test('dissolution locks its account; a suspension does not', async () => {
    const org = (await kit.services.registries.business.findByEnterpriseCode(
      DEMO_PERSONS.organisation.enterpriseCode,
    ))!;
    const company = await kit.services.identity.createAccount(t.db, {
      subjectKind: 'organisation',
      registryId: org.registryId,
      enterpriseCode: org.enterpriseCode,
      fullName: org.name,
      level: null,
      status: 'active',
    });
    await kit.control.setOrganisationStatus(org.enterpriseCode, 'suspended', '2026-03-01');
    await kit.locks.syncRegistry();
    expect((await account(company.id)).status).toBe('active');
    await kit.control.setOrganisationStatus(org.enterpriseCode, 'dissolved', '2026-03-02');
    await kit.locks.syncRegistry();
    expect(await account(company.id)).toMatchObject({ status: 'locked', lockReasons: ['organisation_dissolved'] });
  });
});

describe('a PIN re-issued (Decree 70/2024 Art 11.7)', () => {
  test('the account takes the new PIN, keeps its key and status', async () => {
    const holder = await cardHolder();
    const change = await kit.control.reissuePin(holder.pin!, '2026-03-02');
    await kit.locks.syncRegistry();
    expect(await account(holder.id)).toMatchObject({ pin: change.newPin, status: 'active' });
    expect((await kit.services.identity.findByIdentifier(change.newPin))?.id).toBe(holder.id);
  });
});

describe('once, whatever runs it', () => {
  test('people without an account only move the cursor; nothing is audited for them', async () => {
    const [c] = await pickCitizens(t.db, { count: 1, minAge: 20, card: 'valid', on: TODAY, taken });
    const held = await kit.control.holdCard(c!.pin, '2026-03-02');
    const report = await kit.locks.syncRegistry();
    expect(report).toMatchObject({ processed: 1, applied: 0, cursor: held.id });
  });

  test('two workers at once: every change applied exactly once, the cursor at the end', async () => {
    const holders: Account[] = [];
    for (let i = 0; i < 6; i++) holders.push(await cardHolder());
    const changes = [];
    for (const h of holders) changes.push(await kit.control.holdCard(h.pin!, '2026-03-02'));
    const second = createLockService(kit.platform, {
      ...kit.services,
      passcode: kit.services.auth,
    });
    const [a, b] = await Promise.all([kit.locks.syncRegistry(), second.syncRegistry()]);
    // Whichever got there first; the other stopped as soon as it found the cursor taken or moved.
    let processed = a.processed + b.processed;
    processed += (await kit.locks.syncRegistry()).processed;
    expect(processed).toBe(changes.length);
    expect(await cursor()).toBe(changes.at(-1)!.id);
    for (const h of holders) {
      expect(await kit.locks.activeGroundsOf(h.id)).toHaveLength(1);
      const synced = (await kit.services.audit.historyOf({ kind: 'account', id: h.id })).filter(
        (e) => e.action === 'locks.sync.set',
      );
      expect(synced).toHaveLength(1);
    }
  });
});
