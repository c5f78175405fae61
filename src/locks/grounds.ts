import { randomUUID } from 'node:crypto';
import type { AuditService } from '../audit/service.ts';
import { vnDate } from '../calendar/working-days.ts';
import type { LockReason } from '../identity/model.ts';
import { ACCOUNT_SUBJECT, type Account, type IdentityService } from '../identity/service.ts';
import type { NotifyMessage } from '../notify/model.ts';
import type { NotifyService } from '../notify/service.ts';
import type { LockGround, TemplateName, TemplateParams } from '../notify/templates.ts';
import type { Clock } from '../platform/clock.ts';
import type { Trx } from '../platform/database.ts';
import { platformProblem, Problem } from '../platform/errors.ts';
import {
  appliesTo,
  GROUND_RULES,
  lockProblem,
  mayLift,
  type Ground,
  type GroundSource,
  type LiftPath,
} from './model.ts';
import {
  activeGrounds,
  findGround,
  insertDeferredNotice,
  insertGround,
  liftIfActive,
  lockAccountGrounds,
} from './repository.ts';

/**
 * Setting and lifting one ground, always inside the caller's transaction, together with the
 * identity's lock reason (`identity.lock` / `unlock`), the audit entry and the holder's notices:
 * either all of them happen or none does. The identity is unlocked only when no ground of any
 * kind remains (identity enforces it); this keeper unlocks a reason only when the last active
 * record of that reason goes (two authorities may each hold a request in force).
 */

export interface Actor {
  kind: string;
  id: string;
}

/** The phone a subject's notices go to (the representative's for a dependant: DOMAIN.md §4). */
export type ContactPhoneOf = (account: Account) => Promise<string | null>;

export interface GroundDeps {
  identity: IdentityService;
  notify: NotifyService;
  audit: AuditService;
  contactPhoneOf: ContactPhoneOf;
}

/**
 * When the holder is told: now; later (the law lets an authority ask for a deferred notice, so
 * the subject learns of it after the instant it names); or never (death: nobody to tell).
 */
export type NoticeWhen = 'now' | 'never' | Date;

export interface SetGround {
  accountId: string;
  ground: LockReason;
  source: GroundSource;
  reference: string | null;
  detail: string | null;
  actor: Actor;
  notice: NoticeWhen;
  /** A short text for the holder's notice (an officer's written reason); never an authority's file. */
  noticeDetail?: string;
}

export interface LiftGround {
  groundId: string;
  path: LiftPath;
  reason: string;
  actor: Actor;
  /** Defaults to now; a later notice is never earlier than the lock's own deferred notice. */
  notice?: 'now' | Date;
  /** The lift must concern this account (the holder's own ground, a request's subject). */
  accountId?: string;
}

export interface GroundChange {
  ground: Ground;
  account: Account;
  /** The account went from active to locked: its sessions must end (after commit). */
  newlyLocked: boolean;
}

/** Grounds the holder is told about, with their wording in the notice catalogue. Death is not one. */
function noticeGround(ground: LockReason): LockGround | null {
  return ground === 'death' ? null : ground;
}

/** Death (case d) is never lifted and nobody is there to be told: no notice about that account any more. */
const deceased = (account: Pick<Account, 'lockReasons'>) => account.lockReasons.includes('death');

/** Policy: foreigners are written to in English, everyone else in Vietnamese (accounts keep no language). */
export const localeOf = (account: Pick<Account, 'subjectKind'>) => (account.subjectKind === 'foreigner' ? 'en' : 'vi');

export const actorLabel = (actor: Actor) => `${actor.kind}:${actor.id}`;

export function createGroundKeeper(clock: Clock, deps: GroundDeps) {
  const { identity, notify, audit } = deps;

  async function account(accountId: string): Promise<Account> {
    const found = await identity.get(accountId);
    if (!found) throw platformProblem('NOT_FOUND', { what: 'account' });
    return found;
  }

  /**
   * Runs an identity change from the version committed now. The advisory lock keeps this context's
   * own writers out; another context (a phone change) may still move the version between the read
   * and the write, so a CONFLICT is retried from a fresh read, twice at most.
   */
  async function onIdentity(accountId: string, change: (current: Account) => Promise<Account>): Promise<Account> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await change(await account(accountId));
      } catch (error) {
        if (attempt < 2 && error instanceof Problem && error.code === 'CONFLICT') continue;
        throw error;
      }
    }
  }

  /** Queues one notice on every channel the holder has: inbox, SMS (contact phone), e-mail. */
  async function enqueueForHolder<T extends TemplateName>(
    trx: Trx,
    holder: Account,
    template: T,
    params: TemplateParams[T],
    key: string,
  ): Promise<void> {
    const locale = localeOf(holder);
    const send = (channel: 'inbox' | 'sms' | 'email', recipient: string) =>
      notify.enqueue(trx, {
        channel,
        recipient,
        template,
        params,
        locale,
        accountId: holder.id,
        key: `${key}:${channel}`,
      } as NotifyMessage);
    await send('inbox', holder.id);
    const phone = await deps.contactPhoneOf(holder);
    if (phone) await send('sms', phone);
    if (holder.email) await send('email', holder.email);
  }

  /** Now, or stored to be released by the deferred-notice worker once `when` has come. */
  async function tellHolder<T extends TemplateName>(
    trx: Trx,
    holder: Account,
    message: { template: T; params: TemplateParams[T]; key: string; groundId: string | null },
    when: 'now' | Date,
  ): Promise<void> {
    const now = clock.now();
    if (when instanceof Date && when > now) {
      await insertDeferredNotice(trx, {
        id: randomUUID(),
        account_id: holder.id,
        ground_id: message.groundId,
        template: message.template,
        params: message.params,
        notice_key: message.key,
        not_before: when,
        released_at: null,
        created_at: now,
      });
      return;
    }
    await enqueueForHolder(trx, holder, message.template, message.params, message.key);
  }

  async function set(trx: Trx, input: SetGround): Promise<GroundChange> {
    await lockAccountGrounds(trx, input.accountId);
    const before = await account(input.accountId);
    if (!appliesTo(input.ground, before.subjectKind)) {
      throw lockProblem('LOCK_GROUND_NOT_APPLICABLE', { ground: input.ground, subjectKind: before.subjectKind });
    }
    // One active record per ground, except authorities' requests (each its own, lifted on its own).
    if (input.ground !== 'authority_request' && (await activeGrounds(trx, input.accountId, input.ground)).length > 0) {
      throw lockProblem('LOCK_GROUND_ALREADY_SET', { ground: input.ground });
    }
    const now = clock.now();
    const ground = await insertGround(trx, {
      id: randomUUID(),
      account_id: input.accountId,
      ground: input.ground,
      legal_basis: GROUND_RULES[input.ground].legalBasis,
      detail: input.detail,
      source: input.source,
      reference: input.reference,
      set_by: actorLabel(input.actor),
      set_at: now,
      notify_subject_after: input.notice instanceof Date && input.notice > now ? input.notice : null,
      lifted_at: null,
      lifted_by: null,
      lift_reason: null,
    });
    const holder =
      before.status === 'locked' && before.lockReasons.includes(input.ground)
        ? before
        : await onIdentity(input.accountId, (current) =>
            identity.lock(trx, current.id, input.ground, { expectedVersion: current.version, actor: input.actor }),
          );
    await audit.append(trx, {
      actor: input.actor,
      action: 'locks.ground.set',
      subject: ACCOUNT_SUBJECT(input.accountId),
      outcome: 'success',
      detail: {
        groundId: ground.id,
        ground: input.ground,
        source: input.source,
        reference: input.reference,
        ...(ground.notifySubjectAfter ? { notifySubjectAfter: ground.notifySubjectAfter.toISOString() } : {}),
      },
    });
    const wording = noticeGround(input.ground);
    if (wording && input.notice !== 'never' && !deceased(holder)) {
      // DOMAIN.md §6: the holder is told of every lock at once, with its ground, unless deferred.
      await tellHolder(
        trx,
        holder,
        {
          template: 'account_locked',
          params: {
            ground: wording,
            lockedOn: vnDate(now),
            ...(input.noticeDetail ? { detail: input.noticeDetail.slice(0, 500) } : {}),
          },
          key: `locks:${ground.id}:locked`,
          groundId: ground.id,
        },
        input.notice,
      );
    }
    return { ground, account: holder, newlyLocked: before.status === 'active' && holder.status === 'locked' };
  }

  async function lift(trx: Trx, input: LiftGround): Promise<GroundChange> {
    const seen = await findGround(trx, input.groundId);
    if (!seen || (input.accountId !== undefined && seen.accountId !== input.accountId)) {
      throw platformProblem('NOT_FOUND', { what: 'lock ground' });
    }
    await lockAccountGrounds(trx, seen.accountId);
    // Re-read under the account's lock: another lift may have committed meanwhile.
    const current = (await findGround(trx, seen.id))!;
    if (current.liftedAt) throw lockProblem('LOCK_GROUND_NOT_ACTIVE');
    // Law on Identification Art 34: death has no unlock; other grounds end only their own way.
    if (!mayLift(current.ground, input.path)) throw lockProblem('LOCK_GROUND_NOT_LIFTABLE', { ground: current.ground });
    const now = clock.now();
    const lifted = await liftIfActive(trx, current, { at: now, by: actorLabel(input.actor), reason: input.reason });
    if (!lifted) throw platformProblem('CONFLICT');
    const sameGroundLeft = await activeGrounds(trx, current.accountId, current.ground);
    const before = await account(current.accountId);
    const holder =
      sameGroundLeft.length === 0 && before.lockReasons.includes(current.ground)
        ? await onIdentity(current.accountId, (fresh) =>
            identity.unlock(trx, fresh.id, current.ground, { expectedVersion: fresh.version, actor: input.actor }),
          )
        : before;
    await audit.append(trx, {
      actor: input.actor,
      action: 'locks.ground.lift',
      subject: ACCOUNT_SUBJECT(current.accountId),
      outcome: 'success',
      detail: {
        groundId: current.id,
        ground: current.ground,
        path: input.path,
        reason: input.reason,
        stillLocked: holder.status === 'locked',
      },
    });
    const wording = noticeGround(current.ground);
    if (wording && !deceased(holder)) {
      // Never before the lock itself may be disclosed: the holder learns of neither until then.
      const deferredTo = [input.notice, current.notifySubjectAfter]
        .filter((d): d is Date => d instanceof Date && d > now)
        .sort((a, b) => b.getTime() - a.getTime())[0];
      await tellHolder(
        trx,
        holder,
        {
          template: 'lock_ground_lifted',
          params: { ground: wording, liftedOn: vnDate(now), stillLocked: holder.status === 'locked' },
          key: `locks:${current.id}:lifted`,
          groundId: current.id,
        },
        deferredTo ?? 'now',
      );
    }
    return { ground: lifted, account: holder, newlyLocked: false };
  }

  return { set, lift, tellHolder, enqueueForHolder, account };
}

export type GroundKeeper = ReturnType<typeof createGroundKeeper>;
