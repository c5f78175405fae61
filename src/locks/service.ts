import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AuditService } from '../audit/service.ts';
import type { LoginContext } from '../auth/model.ts';
import type { BackofficeService } from '../backoffice/service.ts';
import type { CalendarService } from '../calendar/service.ts';
import { vnDate } from '../calendar/working-days.ts';
import { isEmail } from '../identity/model.ts';
import { ACCOUNT_SUBJECT, type Account, type IdentityService } from '../identity/service.ts';
import type { NotifyMessage } from '../notify/model.ts';
import type { NotifyService } from '../notify/service.ts';
import { isTemplateName } from '../notify/templates.ts';
import type { Platform } from '../platform/context.ts';
import { platformProblem } from '../platform/errors.ts';
import type { RegistryChangeFeed } from '../registries/ports.ts';
import {
  actorLabel,
  createGroundKeeper,
  localeOf,
  type Actor,
  type ContactPhoneOf,
  type GroundChange,
} from './grounds.ts';
import {
  AUTHORITY_KINDS,
  lockProblem,
  mayLift,
  officerEventsFrom,
  type Authority,
  type AuthorityKind,
  type Ground,
  type LockRequest,
  type RequestAction,
  type Transition,
} from './model.ts';
import {
  activeGrounds,
  allAuthorities,
  authorityByKeyHash,
  claimDueNotices,
  disableAuthority,
  findAuthority,
  findGround,
  findRequestByNumber,
  groundsOf,
  insertAuthority,
  markReleased,
  openRequestsOf,
  openUnlockRequestFor,
  requestEvents,
  requestsOfAccount,
} from './repository.ts';
import { createRequestEngine, type Decision, type Stepped } from './requests.ts';
import { createRegistrySync, type SyncReport } from './sync.ts';

export type { Authority, Decision, Ground, GroundChange, LockRequest, Stepped, SyncReport };

/** The holder proves it is them with their 6-digit passcode (DOMAIN.md §7); auth counts and throttles. */
export interface PasscodeCheck {
  /**
   * Resolves when the passcode is the account's; throws a Problem otherwise (AUTH_PASSCODE_INVALID,
   * AUTH_TEMPORARILY_LOCKED, ACCOUNT_NOT_ACTIVE…). `allowLocked`: the holder's own unlock, where a
   * locked account must pass (DOMAIN.md §6, policy: locking never makes unlocking impossible).
   */
  verifyPasscode(
    accountId: string,
    passcode: string,
    ctx: LoginContext,
    options?: { allowLocked?: boolean },
  ): Promise<void>;
}

/** Ends every session of an account (the OpenID provider's), called after a lock commits. */
export interface SessionEnder {
  endAll(accountId: string, reason: string): Promise<void>;
}

export interface LockDeps {
  identity: IdentityService;
  backoffice: BackofficeService;
  calendar: CalendarService;
  notify: NotifyService;
  audit: AuditService;
  registries: { changes: RegistryChangeFeed };
  /** auth.verifyPasscode: the own lock (active account) and the own unlock (`allowLocked`). */
  passcode: PasscodeCheck;
  /** Default: the account's own phone. The composition root passes services.contactPhoneOf. */
  contactPhoneOf?: ContactPhoneOf;
  sessions?: SessionEnder;
}

/** An authority named on a paper request (registered ones may be referred to by id). */
export interface RequesterInput {
  authorityId?: string | null;
  name: string;
  kind: AuthorityKind;
  email?: string | null;
  documentNo: string;
  /** 'YYYY-MM-DD' */
  documentDate: string;
}

/** Form TK03 received at a counter: from the holder (present), or an authority's written request at PC06. */
export type CounterInput =
  | { origin: 'holder'; action: RequestAction; identifier: string; statement?: string }
  | {
      origin: 'authority';
      action: RequestAction;
      identifier: string;
      channel: 'counter' | 'post';
      requester: RequesterInput;
      statement: string;
      /** Unlock: the number of the approved lock request whose lock is to be lifted. */
      targetRequestNumber?: string | null;
      notifySubjectAfter?: Date | null;
    };

/** What an authority's system sends through the API. */
export interface AuthorityRequestInput {
  action: RequestAction;
  identifier: string;
  documentNo: string;
  documentDate: string;
  statement: string;
  targetRequestNumber?: string | null;
  notifySubjectAfter?: Date | null;
}

export interface NewAuthority {
  code: string;
  name: string;
  kind: AuthorityKind;
  email?: string | null;
  /** The PC06 that receives its requests (a unit code such as 'PC06-HNI'). */
  unitCode: string;
}

export interface QueueEntry {
  request: LockRequest;
  dueOn: string | null;
  /** Working days from today to the deadline's day: 0 when due today, negative when past. */
  workingDaysLeft: number | null;
  overdue: boolean;
  actions: Transition[];
}

export interface LockService {
  /** The holder's active grounds (the app shows them; see views.ts for what is disclosed). */
  activeGroundsOf(accountId: string): Promise<Ground[]>;
  /** Every ground, active or lifted, newest first (officers' view of an account). */
  groundHistoryOf(accountId: string): Promise<Ground[]>;
  /** The holder locks their own identity in the app, with their passcode: at once (Law Art 34 case a). */
  lockOwn(accountId: string, passcode: string, ctx: LoginContext): Promise<GroundChange>;
  /** The holder lifts their own lock in the app, with their passcode: at once (seed 003 (a)). */
  unlockOwn(accountId: string, passcode: string, ctx: LoginContext): Promise<GroundChange>;
  /** A locked holder asks to lift another ground: a request in the C06 queue (policy). */
  requestUnlock(accountId: string, input: { groundId: string; statement: string }): Promise<LockRequest>;
  requestsOf(accountId: string): Promise<LockRequest[]>;

  /** TK03 at a counter (holder present: at once) or an authority's paper request at PC06. */
  receive(officerId: string, unitId: string, input: CounterInput): Promise<Stepped>;
  decide(officerId: string, requestId: string, decision: Decision): Promise<Stepped>;
  queue(officerId: string, options?: { limit?: number }): Promise<QueueEntry[]>;
  /** A request the officer may see (its receiving or handling unit is in their scope), else NOT_FOUND. */
  readable(officerId: string, requestId: string): Promise<LockRequest>;
  history(requestId: string): Promise<Awaited<ReturnType<typeof requestEvents>>>;
  /** Terms of use broken (Law Art 34 case b): set or lifted by a C06 APPROVER with a written reason. */
  setTermsViolation(officerId: string, accountId: string, reason: string): Promise<GroundChange>;
  liftTermsViolation(officerId: string, accountId: string, reason: string): Promise<GroundChange>;

  registerAuthority(actor: Actor, input: NewAuthority): Promise<{ authority: Authority; apiKey: string }>;
  authorities(): Promise<Authority[]>;
  disableAuthority(actor: Actor, authorityId: string): Promise<Authority>;
  /** The authority an API key belongs to; LOCK_AUTHORITY_KEY_INVALID (401) otherwise. */
  authenticateAuthority(apiKey: string): Promise<Authority>;
  receiveFromAuthority(authority: Authority, input: AuthorityRequestInput): Promise<Stepped>;
  /** One of the authority's own requests, with its result. */
  requestOfAuthority(authority: Authority, requestId: string): Promise<LockRequest>;

  /** Worker: the registries' change feed → grounds (see sync.ts). */
  syncRegistry(limit?: number): Promise<SyncReport>;
  /** Worker: overdue steps of the authority chain and of unlock requests are escalated once. */
  escalateOverdue(limit?: number): Promise<number>;
  /** Worker: deferred notices whose time has come are sent. */
  releaseDeferredNotices(limit?: number): Promise<number>;
}

const KEY_PREFIX = 'ddak_';

function text(value: string | null | undefined, field: string, max: number): string {
  const v = typeof value === 'string' ? value.trim().normalize('NFC') : '';
  if (!v || [...v].length > max) {
    throw lockProblem('LOCK_REQUEST_INVALID', { reason: `${field}: 1 to ${max} characters` }, { field });
  }
  return v;
}

function keyHash(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

export function createLockService(platform: Platform, deps: LockDeps): LockService {
  const { db, clock, log } = platform;
  const { identity, backoffice, calendar, audit } = deps;
  const contactPhoneOf: ContactPhoneOf = deps.contactPhoneOf ?? (async (account) => account.phone);
  const grounds = createGroundKeeper(clock, { identity, notify: deps.notify, audit, contactPhoneOf });
  const engine = createRequestEngine(platform, { backoffice, calendar, notify: deps.notify, audit, grounds });
  const sync = createRegistrySync(platform, { changes: deps.registries.changes, identity, audit, grounds });

  /**
   * DOMAIN.md §6: a lock takes effect everywhere at once. Every API call re-reads the status; ending
   * the sessions (the provider's) is done after the commit, as auth does for a replaced device. A
   * failure there is recorded, never undoes the lock.
   */
  async function endSessions(accountId: string): Promise<void> {
    if (!deps.sessions) return;
    try {
      await deps.sessions.endAll(accountId, 'account_locked');
    } catch (error) {
      log.error({ err: error, accountId }, 'ending the sessions of a locked account failed');
      await audit.append(db, {
        actor: { kind: 'system', id: 'locks' },
        action: 'locks.sessions_end',
        subject: ACCOUNT_SUBJECT(accountId),
        outcome: 'failure',
        detail: { error: (error as Error).message },
      });
    }
  }

  async function after<T extends Stepped | GroundChange>(result: T): Promise<T> {
    const r: Stepped | GroundChange = result;
    const change = 'newlyLocked' in r ? r : r.change;
    if (change?.newlyLocked) await endSessions(change.account.id);
    return result;
  }

  async function accountByIdentifier(identifier: string): Promise<Account> {
    const account = await identity.findByIdentifier(text(identifier, 'identifier', 64));
    if (!account) throw platformProblem('NOT_FOUND', { what: 'account' });
    return account;
  }

  /** A registered authority named on a paper request must exist (and be the one the request names). */
  async function knownAuthority(id: string | null | undefined): Promise<string | null> {
    if (!id) return null;
    if (!(await findAuthority(db, id))) {
      throw lockProblem(
        'LOCK_REQUEST_INVALID',
        { reason: 'no such registered authority' },
        { field: 'authority.authorityId' },
      );
    }
    return id;
  }

  function requester(input: RequesterInput): NonNullable<LockRequest['requester']> {
    if (!(AUTHORITY_KINDS as readonly string[]).includes(input.kind)) {
      throw lockProblem('LOCK_REQUEST_INVALID', { reason: 'unknown kind of authority' }, { field: 'authority.kind' });
    }
    const email = input.email?.trim() ? input.email.trim() : null;
    if (email && !isEmail(email)) {
      throw lockProblem('LOCK_REQUEST_INVALID', { reason: 'not an e-mail address' }, { field: 'authority.email' });
    }
    const documentDate = text(input.documentDate, 'documentDate', 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(documentDate) || documentDate > vnDate(clock.now())) {
      throw lockProblem(
        'LOCK_REQUEST_INVALID',
        { reason: 'the document date is a past or present date YYYY-MM-DD' },
        { field: 'documentDate' },
      );
    }
    return {
      authorityId: input.authorityId ?? null,
      name: text(input.name, 'authority.name', 300),
      kind: input.kind,
      email,
      documentNo: text(input.documentNo, 'documentNo', 100),
      documentDate,
    };
  }

  /** Law allows a later notice to the subject; only a future instant defers it. */
  function deferral(at: Date | null | undefined): Date | null {
    if (at === null || at === undefined) return null;
    if (!(at instanceof Date) || Number.isNaN(at.getTime()) || at <= clock.now()) {
      throw lockProblem(
        'LOCK_REQUEST_INVALID',
        { reason: 'a deferred notice names a future instant' },
        { field: 'notifySubjectAfter' },
      );
    }
    return at;
  }

  /** An authority's unlock request names the approved lock request whose ground it lifts. */
  async function authorityTarget(account: Account, number: string | null | undefined): Promise<string> {
    const original = await findRequestByNumber(db, text(number, 'targetRequestNumber', 40));
    if (!original || original.accountId !== account.id || original.kind !== 'authority' || !original.groundId) {
      throw lockProblem(
        'LOCK_REQUEST_INVALID',
        { reason: 'no approved lock request with this number for this subject' },
        { field: 'targetRequestNumber' },
      );
    }
    const ground = await findGround(db, original.groundId);
    if (!ground || ground.liftedAt || ground.ground !== 'authority_request') {
      throw lockProblem('LOCK_GROUND_NOT_ACTIVE');
    }
    return ground.id;
  }

  async function ownGround(accountId: string): Promise<Ground> {
    const [own] = await activeGrounds(db, accountId, 'holder_request');
    if (!own) throw lockProblem('LOCK_GROUND_NOT_ACTIVE');
    return own;
  }

  async function requireC06Approver(officerId: string): Promise<void> {
    if (!(await backoffice.mayAct(officerId, 'APPROVER', await engine.c06Id()))) {
      throw lockProblem('LOCK_OFFICER_ROLE_REQUIRED', { role: 'APPROVER', unit: 'C06' });
    }
  }

  async function readable(officerId: string, requestId: string): Promise<LockRequest> {
    const found = await engine.get(requestId);
    const scope = found ? await backoffice.scopeOf(officerId) : [];
    if (!found || !(scope.includes(found.unitId) || scope.includes(found.receivingUnitId))) {
      throw platformProblem('NOT_FOUND', { what: 'lock request' });
    }
    return found;
  }

  async function receiveFromHolder(
    officerId: string,
    unitId: string,
    input: Extract<CounterInput, { origin: 'holder' }>,
  ): Promise<Stepped> {
    const account = await accountByIdentifier(input.identifier);
    const target = input.action === 'unlock' ? (await ownGround(account.id)).id : null;
    return engine.submit(
      {
        kind: 'holder_counter',
        action: input.action,
        channel: 'counter',
        account,
        requester: null,
        statement: input.statement?.trim() ? text(input.statement, 'statement', 2000) : 'TK03',
        targetGroundId: target,
        notifySubjectAfter: null,
        receivingUnitId: unitId,
        unitId,
        receivedBy: officerId,
      },
      { kind: 'officer', id: officerId },
      'RECEIVER',
    );
  }

  return {
    activeGroundsOf(accountId) {
      return activeGrounds(db, accountId);
    },

    groundHistoryOf(accountId) {
      return groundsOf(db, accountId);
    },

    async lockOwn(accountId, passcode, ctx) {
      // The passcode first: it is counted and throttled whatever happens next.
      await deps.passcode.verifyPasscode(accountId, passcode, ctx);
      const change = await db.transaction().execute((trx) =>
        grounds.set(trx, {
          accountId,
          ground: 'holder_request',
          source: 'holder_app',
          reference: null,
          detail: null,
          actor: { kind: 'subject', id: accountId },
          notice: 'now',
        }),
      );
      return after(change);
    },

    async unlockOwn(accountId, passcode, ctx) {
      // The locked holder proves it is them as for any sensitive action (auth's locked view).
      await deps.passcode.verifyPasscode(accountId, passcode, ctx, { allowLocked: true });
      const own = await ownGround(accountId);
      return db.transaction().execute((trx) =>
        grounds.lift(trx, {
          groundId: own.id,
          accountId,
          path: 'holder',
          reason: 'holder_app',
          actor: { kind: 'subject', id: accountId },
        }),
      );
    },

    async requestUnlock(accountId, input) {
      const ground = await findGround(db, input.groundId);
      if (!ground || ground.accountId !== accountId) throw platformProblem('NOT_FOUND', { what: 'lock ground' });
      if (ground.liftedAt) throw lockProblem('LOCK_GROUND_NOT_ACTIVE');
      // Own locks are lifted at once with the passcode; an authority's only at its request; death never.
      if (!mayLift(ground.ground, 'review')) throw lockProblem('LOCK_GROUND_NOT_LIFTABLE', { ground: ground.ground });
      const statement = text(input.statement, 'statement', 2000);
      const open = await openUnlockRequestFor(db, ground.id);
      if (open) return open;
      const account = await grounds.account(accountId);
      const c06 = await engine.c06Id();
      const { request } = await engine.submit(
        {
          kind: 'holder_unlock',
          action: 'unlock',
          channel: 'app',
          account,
          requester: null,
          statement,
          targetGroundId: ground.id,
          notifySubjectAfter: null,
          receivingUnitId: c06,
          unitId: c06,
          receivedBy: null,
        },
        { kind: 'subject', id: accountId },
        'subject',
      );
      return request;
    },

    requestsOf(accountId) {
      return requestsOfAccount(db, accountId);
    },

    async receive(officerId, unitId, input) {
      const unit = await backoffice.unit(unitId);
      if (!unit) throw platformProblem('NOT_FOUND', { what: 'unit' });
      if (!(await backoffice.mayAct(officerId, 'RECEIVER', unitId))) {
        throw lockProblem('LOCK_OFFICER_ROLE_REQUIRED', { role: 'RECEIVER', unit: unit.code });
      }
      if (input.action !== 'lock' && input.action !== 'unlock') {
        throw lockProblem('LOCK_REQUEST_INVALID', { reason: 'action is lock or unlock' }, { field: 'action' });
      }
      if (input.origin === 'holder') return after(await receiveFromHolder(officerId, unitId, input));
      // Seed 003 (b) step 1: an authority sends its written request to the provincial police (PC06).
      if (unit.kind !== 'pc06') {
        throw lockProblem(
          'LOCK_REQUEST_INVALID',
          { reason: "an authority's request is received by a PC06 unit" },
          { field: 'unitId' },
        );
      }
      const account = await accountByIdentifier(input.identifier);
      const target = input.action === 'unlock' ? await authorityTarget(account, input.targetRequestNumber) : null;
      return engine.submit(
        {
          kind: 'authority',
          action: input.action,
          channel: input.channel === 'post' ? 'post' : 'counter',
          account,
          requester: requester({ ...input.requester, authorityId: await knownAuthority(input.requester.authorityId) }),
          statement: text(input.statement, 'statement', 2000),
          targetGroundId: target,
          notifySubjectAfter: deferral(input.notifySubjectAfter),
          receivingUnitId: unitId,
          unitId,
          receivedBy: officerId,
        },
        { kind: 'officer', id: officerId },
        'RECEIVER',
      );
    },

    async decide(officerId, requestId, decision) {
      await readable(officerId, requestId);
      return after(await engine.fire(requestId, officerId, decision));
    },

    async queue(officerId, options = {}) {
      const scope = await backoffice.scopeOf(officerId);
      const requests = await openRequestsOf(db, scope, Math.min(options.limit ?? 100, 500));
      const cal = await calendar.current();
      const now = clock.now();
      const today = vnDate(now);
      return requests.map((request) => {
        const actions = officerEventsFrom(request.kind, request.state);
        if (!request.dueAt) return { request, dueOn: null, workingDaysLeft: null, overdue: false, actions };
        const dueOn = vnDate(request.dueAt);
        return {
          request,
          dueOn,
          workingDaysLeft: workingDaysLeft(cal, today, dueOn),
          overdue: now > request.dueAt,
          actions,
        };
      });
    },

    readable,

    history(requestId) {
      return requestEvents(db, requestId);
    },

    async setTermsViolation(officerId, accountId, reason) {
      await requireC06Approver(officerId);
      const written = text(reason, 'reason', 1000);
      const change = await db.transaction().execute((trx) =>
        grounds.set(trx, {
          accountId,
          ground: 'terms_violation',
          source: 'officer',
          reference: null,
          detail: written,
          actor: { kind: 'officer', id: officerId },
          notice: 'now',
          // The holder is told which rule was broken: the officer's written reason.
          noticeDetail: written,
        }),
      );
      return after(change);
    },

    async liftTermsViolation(officerId, accountId, reason) {
      await requireC06Approver(officerId);
      const written = text(reason, 'reason', 1000);
      const [ground] = await activeGrounds(db, accountId, 'terms_violation');
      if (!ground) throw lockProblem('LOCK_GROUND_NOT_ACTIVE');
      return db.transaction().execute((trx) =>
        grounds.lift(trx, {
          groundId: ground.id,
          accountId,
          path: 'officer',
          reason: written,
          actor: { kind: 'officer', id: officerId },
        }),
      );
    },

    async registerAuthority(actor, input) {
      const code = text(input.code, 'code', 40).toUpperCase();
      if (!/^[A-Z0-9-]{2,40}$/.test(code)) {
        throw lockProblem(
          'LOCK_REQUEST_INVALID',
          { reason: 'a code of letters, digits and dashes' },
          { field: 'code' },
        );
      }
      if (!(AUTHORITY_KINDS as readonly string[]).includes(input.kind)) {
        throw lockProblem('LOCK_REQUEST_INVALID', { reason: 'unknown kind of authority' }, { field: 'kind' });
      }
      const email = input.email?.trim() ? input.email.trim() : null;
      if (email && !isEmail(email)) {
        throw lockProblem('LOCK_REQUEST_INVALID', { reason: 'not an e-mail address' }, { field: 'email' });
      }
      const unit = await backoffice.unitByCode(input.unitCode);
      if (!unit || unit.kind !== 'pc06') {
        throw lockProblem('LOCK_REQUEST_INVALID', { reason: 'the receiving unit is a PC06' }, { field: 'unitCode' });
      }
      // 32 random bytes: guessing is hopeless, so SHA-256 (not a slow password hash) stores it safely.
      const apiKey = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
      return db.transaction().execute(async (trx) => {
        const authority = await insertAuthority(trx, {
          id: randomUUID(),
          code,
          name: text(input.name, 'name', 300),
          kind: input.kind,
          email,
          unit_id: unit.id,
          key_hash: keyHash(apiKey),
          key_hint: apiKey.slice(0, KEY_PREFIX.length + 6),
          created_by: actorLabel(actor),
          created_at: clock.now(),
          disabled_at: null,
        });
        if (!authority) throw lockProblem('LOCK_AUTHORITY_CODE_TAKEN', { code }, { field: 'code' });
        await audit.append(trx, {
          actor,
          action: 'locks.authority.register',
          subject: { kind: 'authority', id: authority.id },
          outcome: 'success',
          detail: { code, kind: input.kind, unit: unit.code, keyHint: authority.keyHint },
        });
        return { authority, apiKey };
      });
    },

    authorities() {
      return allAuthorities(db);
    },

    async disableAuthority(actor, authorityId) {
      return db.transaction().execute(async (trx) => {
        const disabled = await disableAuthority(trx, authorityId, clock.now());
        if (!disabled) throw platformProblem('NOT_FOUND', { what: 'authority' });
        await audit.append(trx, {
          actor,
          action: 'locks.authority.disable',
          subject: { kind: 'authority', id: authorityId },
          outcome: 'success',
        });
        return disabled;
      });
    },

    async authenticateAuthority(apiKey) {
      const found =
        typeof apiKey === 'string' && apiKey.startsWith(KEY_PREFIX) && apiKey.length < 200
          ? await authorityByKeyHash(db, keyHash(apiKey))
          : undefined;
      if (!found) throw lockProblem('LOCK_AUTHORITY_KEY_INVALID');
      return found;
    },

    async receiveFromAuthority(authority, input) {
      if (input.action !== 'lock' && input.action !== 'unlock') {
        throw lockProblem('LOCK_REQUEST_INVALID', { reason: 'action is lock or unlock' }, { field: 'action' });
      }
      const account = await accountByIdentifier(input.identifier);
      const target = input.action === 'unlock' ? await authorityTarget(account, input.targetRequestNumber) : null;
      return engine.submit(
        {
          kind: 'authority',
          action: input.action,
          channel: 'api',
          account,
          requester: requester({
            authorityId: authority.id,
            name: authority.name,
            kind: authority.kind,
            email: authority.email,
            documentNo: input.documentNo,
            documentDate: input.documentDate,
          }),
          statement: text(input.statement, 'statement', 2000),
          targetGroundId: target,
          notifySubjectAfter: deferral(input.notifySubjectAfter),
          // Seed 003 (b): requests through the system are received by the authority's PC06 too.
          receivingUnitId: authority.unitId,
          unitId: authority.unitId,
          receivedBy: null,
        },
        { kind: 'authority', id: authority.id },
        'authority',
      );
    },

    async requestOfAuthority(authority, requestId) {
      const found = await engine.get(requestId);
      if (!found || found.requester?.authorityId !== authority.id) {
        throw platformProblem('NOT_FOUND', { what: 'lock request' });
      }
      return found;
    },

    async syncRegistry(limit) {
      const report = await sync.runOnce(limit);
      for (const accountId of report.locked) await endSessions(accountId);
      return report;
    },

    escalateOverdue(limit) {
      return engine.escalateOverdue(limit);
    },

    async releaseDeferredNotices(limit = 200) {
      let released = 0;
      // One notice per transaction: those released before a failure stay released; the failing one
      // is retried by the next round (the loop logs the error).
      for (; released < limit; released++) {
        const sent = await db.transaction().execute(async (trx) => {
          const now = clock.now();
          const [notice] = await claimDueNotices(trx, now, 1);
          if (!notice) return false;
          const holder = await identity.get(notice.account_id);
          if (holder && isTemplateName(notice.template)) {
            const locale = localeOf(holder);
            for (const [channel, recipient] of [
              ['inbox', holder.id],
              ['sms', await contactPhoneOf(holder)],
              ['email', holder.email],
            ] as const) {
              if (!recipient) continue;
              await deps.notify.enqueue(trx, {
                channel,
                recipient,
                template: notice.template,
                params: notice.params,
                locale,
                accountId: holder.id,
                key: `${notice.notice_key}:${channel}`,
              } as NotifyMessage);
            }
          }
          await markReleased(trx, notice.id, now);
          return true;
        });
        if (!sent) break;
      }
      return released;
    },
  };
}

/** Working days from `from` to the deadline's last day: 0 when due today, negative when past. */
function workingDaysLeft(calendar: { isWorkingDay(date: string): boolean }, from: string, dueOn: string): number {
  const step = from <= dueOn ? 1 : -1;
  let count = 0;
  let day = from;
  // Bounded: steps last a few working days.
  for (let i = 0; i < 400 && day !== dueOn; i++) {
    const d = new Date(`${day}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + step);
    day = d.toISOString().slice(0, 10);
    if (calendar.isWorkingDay(day)) count += step;
  }
  return count;
}
