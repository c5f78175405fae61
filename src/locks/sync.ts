import type { AuditService } from '../audit/service.ts';
import { ACCOUNT_SUBJECT, type Account, type IdentityService } from '../identity/service.ts';
import type { Platform } from '../platform/context.ts';
import type { Trx } from '../platform/database.ts';
import type { RegistryChange } from '../registries/model.ts';
import type { RegistryChangeFeed } from '../registries/ports.ts';
import type { GroundChange, GroundKeeper } from './grounds.ts';
import { effectOf, type SyncEffect } from './model.ts';
import { activeGrounds, advanceCursor, claimCursor, readCursor } from './repository.ts';

/**
 * The registry-sync worker (DOMAIN.md §6: cases b, c, d are detected from registry updates and
 * applied automatically; unlock is automatic when the ground disappears). It reads the national
 * registries' change feed from a stored cursor and applies each change in its own transaction,
 * **together with the cursor's move**: a crash before the commit leaves both undone (the change
 * is read again), a crash after it leaves both done (it is not read again). Nothing is skipped or
 * applied twice. Two processes never work at once: the cursor row is claimed with FOR UPDATE SKIP
 * LOCKED, and a process that finds it taken, or moved since it read the feed, stops its round.
 */

export const REGISTRY_FEED = 'registry';

const SYSTEM = { kind: 'system', id: 'registry-sync' } as const;

export interface SyncDeps {
  changes: RegistryChangeFeed;
  identity: IdentityService;
  audit: AuditService;
  grounds: GroundKeeper;
}

export interface SyncReport {
  /** Changes whose effects (possibly none) were committed with the cursor. */
  processed: number;
  /** Of those, the ones that changed an account. */
  applied: number;
  cursor: string | null;
  /** Accounts that became locked in this round (their sessions are to be ended). */
  locked: string[];
}

type Outcome =
  'set' | 'lifted' | 'pin_updated' | 'closed' | 'already' | 'nothing_to_lift' | 'account_not_active' | 'ignored';

/** Statuses of an account that was never activated (Decree 69 Art 14): death closes it. */
const NEVER_ACTIVATED: readonly Account['status'][] = ['pending_activation', 'activation_expired'];

export function createRegistrySync(platform: Platform, deps: SyncDeps) {
  const { db, clock } = platform;
  const { identity, audit, grounds } = deps;

  async function accountOf(change: RegistryChange): Promise<Account | undefined> {
    return identity.findBySubject(change.subject.kind, change.subject.registryId);
  }

  async function apply(
    trx: Trx,
    change: RegistryChange,
    account: Account,
    effect: Exclude<SyncEffect, { kind: 'ignore' }>,
  ): Promise<{ outcome: Outcome; groundChange?: GroundChange }> {
    const reference = change.id;
    switch (effect.kind) {
      case 'set': {
        // Death of someone whose account was approved but never activated: nobody may activate it
        // now (Law on Identification Art 34), so it is closed rather than left waiting.
        if (effect.ground === 'death' && NEVER_ACTIVATED.includes(account.status)) {
          await identity.close(trx, account.id, { expectedVersion: account.version, actor: SYSTEM });
          return { outcome: 'closed' };
        }
        // identity.lock refuses an account that is not active (pending, expired, closed): record
        // why nothing happened rather than leave a ground without its lock.
        if (account.status !== 'active' && account.status !== 'locked') return { outcome: 'account_not_active' };
        if ((await activeGrounds(trx, account.id, effect.ground)).length > 0) return { outcome: 'already' };
        const groundChange = await grounds.set(trx, {
          accountId: account.id,
          ground: effect.ground,
          source: 'registry_sync',
          reference,
          detail: `${change.kind} ${change.occurredOn}`,
          actor: SYSTEM,
          notice: effect.notify ? 'now' : 'never',
        });
        return { outcome: 'set', groundChange };
      }
      case 'lift': {
        const active = await activeGrounds(trx, account.id, effect.ground);
        if (active.length === 0) return { outcome: 'nothing_to_lift' };
        let last: GroundChange | undefined;
        for (const ground of active) {
          last = await grounds.lift(trx, {
            groundId: ground.id,
            path: 'registry',
            reason: `${change.kind} ${change.occurredOn} (registry change ${change.id})`,
            actor: SYSTEM,
          });
        }
        return { outcome: 'lifted', ...(last ? { groundChange: last } : {}) };
      }
      case 'set_pin':
        if (account.status === 'closed' || account.pin === effect.pin) return { outcome: 'already' };
        await identity.setPin(trx, account.id, effect.pin, { expectedVersion: account.version, actor: SYSTEM });
        return { outcome: 'pin_updated' };
    }
  }

  /** One change and the cursor's move, in one transaction; false when another process holds the cursor. */
  async function step(
    change: RegistryChange,
    expected: string | null,
  ): Promise<{ moved: boolean; report?: Outcome; locked?: string }> {
    const effect = effectOf(change);
    // Read before the transaction (it reads committed data through the identity service).
    const account = effect.kind === 'ignore' ? undefined : await accountOf(change);
    return db.transaction().execute(async (trx) => {
      const claimed = await claimCursor(trx, REGISTRY_FEED);
      if (!claimed || claimed.cursor !== expected) return { moved: false };
      let outcome: Outcome = 'ignored';
      let locked: string | undefined;
      if (effect.kind !== 'ignore' && account) {
        const result = await apply(trx, change, account, effect);
        outcome = result.outcome;
        if (result.groundChange?.newlyLocked) locked = account.id;
        await audit.append(trx, {
          actor: SYSTEM,
          action: `locks.sync.${outcome}`,
          subject: ACCOUNT_SUBJECT(account.id),
          outcome: 'success',
          detail: { changeId: change.id, change: change.kind, occurredOn: change.occurredOn },
        });
      }
      await advanceCursor(trx, REGISTRY_FEED, change.id, clock.now());
      return { moved: true, report: outcome, ...(locked ? { locked } : {}) };
    });
  }

  /**
   * One round: up to `limit` changes after the stored cursor, in order. An unexpected failure of a
   * change's effects rolls that change back with its cursor move and ends the round (the error is
   * thrown to the loop, which logs it); the next round starts again from that change.
   */
  async function runOnce(limit = 100): Promise<SyncReport> {
    let cursor = await readCursor(db, REGISTRY_FEED);
    const report: SyncReport = { processed: 0, applied: 0, cursor, locked: [] };
    const changes = await deps.changes.changesAfter(cursor, limit);
    for (const change of changes) {
      const result = await step(change, cursor);
      if (!result.moved) break;
      cursor = change.id;
      report.processed++;
      report.cursor = cursor;
      if (result.report && result.report !== 'ignored' && result.report !== 'already') report.applied++;
      if (result.locked) report.locked.push(result.locked);
    }
    return report;
  }

  return { runOnce };
}

export type RegistrySync = ReturnType<typeof createRegistrySync>;
