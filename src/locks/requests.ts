import { randomUUID } from 'node:crypto';
import type { AuditService } from '../audit/service.ts';
import type { BackofficeService } from '../backoffice/service.ts';
import type { CalendarService } from '../calendar/service.ts';
import { vnDate } from '../calendar/working-days.ts';
import type { Account } from '../identity/service.ts';
import type { NotifyService } from '../notify/service.ts';
import type { Platform } from '../platform/context.ts';
import type { Trx } from '../platform/database.ts';
import { platformProblem } from '../platform/errors.ts';
import { actorLabel, type Actor, type GroundChange, type GroundKeeper } from './grounds.ts';
import {
  FLOWS,
  lockProblem,
  STEP_WORKING_DAYS,
  transitionFor,
  type FiredBy,
  type LockRequest,
  type RequestAction,
  type RequestEvent,
  type RequestKind,
  type RequestState,
  type Requester,
} from './model.ts';
import {
  appendRequestEvent,
  findRequest,
  insertRequest,
  lockRequestRow,
  nextRequestNumber,
  overdueUnescalated,
  updateRequestIfUnchanged,
  type RequestPatch,
} from './repository.ts';

/**
 * The engine of TK03 requests: a submission inserts a request in the first state its flow allows;
 * every later change is a transition of the flow table (model.ts), applied under a row lock
 * (SELECT … FOR UPDATE) and a version check, in one transaction with its history event, its audit
 * entry, its effect on the grounds (and through them the identity) and its notices. Nothing is
 * half-written: if any part fails, none of it happened.
 */

export interface RequestEngineDeps {
  backoffice: BackofficeService;
  calendar: CalendarService;
  notify: NotifyService;
  audit: AuditService;
  grounds: GroundKeeper;
}

export interface NewRequest {
  kind: RequestKind;
  action: RequestAction;
  channel: LockRequest['channel'];
  account: Account;
  requester: Requester | null;
  statement: string;
  targetGroundId: string | null;
  notifySubjectAfter: Date | null;
  receivingUnitId: string;
  unitId: string;
  receivedBy: string | null;
}

export interface Decision {
  event: RequestEvent;
  expectedVersion: number;
  /** Written reasons: required to return or refuse (seed 003: a refusal is in writing, with reasons). */
  reasons?: string[];
}

/** What a step produced: the request and, when the decision took effect, the ground it set or lifted. */
export interface Stepped {
  request: LockRequest;
  change: GroundChange | null;
}

export const REQUEST_SUBJECT = (id: string) => ({ kind: 'lock_request', id });

/** The subject's identifier as a request names it: PIN, passport (country:number) or enterprise code. */
export function identifierOf(account: Account): string {
  if (account.pin) return account.pin;
  if (account.passport) return `${account.passport.country}:${account.passport.number}`;
  return account.enterpriseCode ?? account.id;
}

export function createRequestEngine(platform: Platform, deps: RequestEngineDeps) {
  const { db, clock } = platform;
  const { backoffice, calendar, notify, audit, grounds } = deps;
  let c06: string | undefined;

  /** C06, the identity management agency: the single root of the unit hierarchy. */
  async function c06Id(): Promise<string> {
    c06 ??= (await backoffice.units()).find((u) => u.kind === 'c06')?.id;
    if (!c06) throw platformProblem('SERVICE_UNAVAILABLE', { reason: 'no C06 unit is configured' });
    return c06;
  }

  /** End of a step's period: working days counted as the Civil Code does (src/calendar). */
  async function dueFor(kind: RequestKind, state: RequestState, from: Date): Promise<Date | null> {
    const days = STEP_WORKING_DAYS[kind][state];
    return days ? calendar.addWorkingDays(from, days) : null;
  }

  async function record(
    trx: Trx,
    request: LockRequest,
    event: RequestEvent,
    from: RequestState | null,
    actor: Actor,
    detail: Record<string, unknown> = {},
  ): Promise<void> {
    const at = clock.now();
    await appendRequestEvent(trx, { requestId: request.id, at, event, from, to: request.state, actor, detail });
    await audit.append(trx, {
      actor,
      action: `locks.request.${event}`,
      subject: REQUEST_SUBJECT(request.id),
      outcome: 'success',
      detail: {
        number: request.number,
        kind: request.kind,
        action: request.action,
        accountId: request.accountId,
        from,
        to: request.state,
        ...(request.reasons.length > 0 ? { reasons: request.reasons } : {}),
        ...detail,
      },
    });
  }

  /** The decision's effect: the ground set or lifted, the identity locked or unlocked with it. */
  async function applyEffect(
    trx: Trx,
    request: Pick<
      LockRequest,
      'id' | 'number' | 'kind' | 'action' | 'accountId' | 'requester' | 'statement' | 'targetGroundId'
    > & { notifySubjectAfter: Date | null },
    actor: Actor,
  ): Promise<GroundChange> {
    const notice = request.notifySubjectAfter ?? 'now';
    const lift = (path: 'authority' | 'holder' | 'review') => {
      if (!request.targetGroundId) throw lockProblem('LOCK_GROUND_NOT_ACTIVE');
      return grounds.lift(trx, {
        groundId: request.targetGroundId,
        accountId: request.accountId,
        path,
        reason: `TK03 ${request.number}`,
        actor,
        notice,
      });
    };
    switch (request.kind) {
      case 'authority': {
        if (request.action === 'unlock') return lift('authority');
        const r = request.requester!;
        return grounds.set(trx, {
          accountId: request.accountId,
          ground: 'authority_request',
          source: 'authority_request',
          reference: request.id,
          detail: `${r.name}, văn bản số ${r.documentNo} ngày ${r.documentDate}`,
          actor,
          notice,
        });
      }
      case 'holder_counter':
        if (request.action === 'unlock') return lift('holder');
        return grounds.set(trx, {
          accountId: request.accountId,
          ground: 'holder_request',
          source: 'holder_counter_tk03',
          reference: request.id,
          detail: null,
          actor,
          notice: 'now',
        });
      case 'holder_unlock':
        return lift('review');
    }
  }

  async function submit(input: NewRequest, actor: Actor, by: FiredBy): Promise<Stepped> {
    const transition = FLOWS[input.kind].find((x) => x.from === 'start' && x.by === by);
    if (!transition) throw new Error(`a ${input.kind} request is not submitted by ${by}`);
    return db.transaction().execute(async (trx) => {
      const now = clock.now();
      const id = randomUUID();
      const number = await nextRequestNumber(trx, Number(vnDate(now).slice(0, 4)));
      const decided = transition.to === 'approved';
      const change = decided
        ? await applyEffect(trx, { ...input, id, number, accountId: input.account.id }, actor)
        : null;
      const request = await insertRequest(trx, {
        id,
        number,
        kind: input.kind,
        action: input.action,
        state: transition.to,
        channel: input.channel,
        account_id: input.account.id,
        subject_kind: input.account.subjectKind,
        subject_identifier: identifierOf(input.account),
        subject_name: input.account.fullName,
        requester: input.requester,
        authority_id: input.requester?.authorityId ?? null,
        statement: input.statement,
        target_ground_id: input.targetGroundId,
        ground_id: change?.ground.id ?? null,
        notify_subject_after: input.notifySubjectAfter,
        receiving_unit_id: input.receivingUnitId,
        unit_id: input.unitId,
        received_by: input.receivedBy,
        received_at: now,
        due_at: await dueFor(input.kind, transition.to, now),
        forwarded_at: null,
        forwarded_by: null,
        decided_at: decided ? now : null,
        decided_by: decided ? actorLabel(actor) : null,
        reasons: [],
        escalated_step: null,
        created_at: now,
        updated_at: now,
      });
      await record(trx, request, 'submit', null, actor, { channel: input.channel });
      return { request, change };
    });
  }

  /** Only the role the table names fires an event (re-read on every call: roles change). */
  async function checkOfficer(officerId: string, by: FiredBy, request: LockRequest): Promise<void> {
    if (by === 'PC06_APPROVER') {
      if (await backoffice.mayAct(officerId, 'APPROVER', request.receivingUnitId)) return;
      const unit = await backoffice.unit(request.receivingUnitId);
      throw lockProblem('LOCK_OFFICER_ROLE_REQUIRED', { role: 'APPROVER', unit: unit?.code ?? 'PC06' });
    }
    if (by === 'C06_APPROVER') {
      if (await backoffice.mayAct(officerId, 'APPROVER', await c06Id())) return;
      throw lockProblem('LOCK_OFFICER_ROLE_REQUIRED', { role: 'APPROVER', unit: 'C06' });
    }
    throw platformProblem('FORBIDDEN');
  }

  /** Seed 003 step 3: the result goes to the requesting authority (stored, and e-mailed where it gave an address). */
  async function tellRequester(trx: Trx, request: LockRequest): Promise<void> {
    const email = request.requester?.email;
    const outcome = request.state;
    if (!email || (outcome !== 'approved' && outcome !== 'refused' && outcome !== 'returned')) return;
    await notify.enqueue(trx, {
      channel: 'email',
      recipient: email,
      template: 'lock_request_decided',
      params: {
        requestNo: request.number,
        documentNo: request.requester!.documentNo,
        action: request.action,
        outcome,
        decidedOn: vnDate(request.decidedAt ?? clock.now()),
        ...(request.reasons.length > 0 ? { reasons: request.reasons } : {}),
      },
      locale: 'vi',
      key: `locks:${request.id}:decided`,
    });
  }

  /**
   * The subject hears of an unlock refused (seed 003: the result goes to the subject). A refused
   * lock request is not told: nothing changed for them, and telling could prejudice the
   * proceedings (policy).
   */
  async function tellSubjectOfRefusal(trx: Trx, request: LockRequest): Promise<void> {
    if (request.state !== 'refused' || request.action !== 'unlock') return;
    const holder = await grounds.account(request.accountId);
    await grounds.tellHolder(
      trx,
      holder,
      {
        template: 'unlock_request_refused',
        params: { requestNo: request.number, reasons: request.reasons },
        key: `locks:${request.id}:refused`,
        groundId: request.targetGroundId,
      },
      request.notifySubjectAfter ?? 'now',
    );
  }

  /**
   * Applies one officer's event. The row lock serialises two deciders: the second waits, then sees
   * the new version and gets CONFLICT, and the effect (the lock) never runs twice.
   */
  async function fire(requestId: string, officerId: string, decision: Decision): Promise<Stepped> {
    const actor: Actor = { kind: 'officer', id: officerId };
    return db.transaction().execute(async (trx) => {
      const current = await lockRequestRow(trx, requestId);
      if (!current) throw platformProblem('NOT_FOUND', { what: 'lock request' });
      if (current.version !== decision.expectedVersion) throw platformProblem('CONFLICT');
      const transition = transitionFor(current.kind, current.state, decision.event);
      if (!transition || transition.by === 'system' || decision.event === 'submit') {
        throw lockProblem('LOCK_REQUEST_TRANSITION_NOT_ALLOWED', { event: decision.event, state: current.state });
      }
      await checkOfficer(officerId, transition.by, current);
      // Two levels of review (seed 003 steps 2–3): who forwarded to C06 does not decide it.
      if ((decision.event === 'approve' || decision.event === 'refuse') && current.forwardedBy === officerId) {
        throw lockProblem('LOCK_SAME_OFFICER');
      }
      const reasons = (decision.reasons ?? []).map((r) => r.trim()).filter((r) => r.length > 0);
      if ((transition.to === 'returned' || transition.to === 'refused') && reasons.length === 0) {
        throw lockProblem('LOCK_REASONS_REQUIRED');
      }
      const now = clock.now();
      const patch: RequestPatch = { state: transition.to };
      let change: GroundChange | null = null;
      if (decision.event === 'forward') {
        Object.assign(patch, {
          unit_id: await c06Id(),
          forwarded_at: now,
          forwarded_by: officerId,
          due_at: await dueFor(current.kind, 'forwarded', now),
        });
      } else {
        Object.assign(patch, { decided_at: now, decided_by: actorLabel(actor), reasons });
      }
      if (transition.to === 'approved') {
        change = await applyEffect(trx, current, actor);
        patch.ground_id = change.ground.id;
      }
      const updated = await updateRequestIfUnchanged(trx, current, patch, now);
      if (!updated) throw platformProblem('CONFLICT');
      await record(trx, updated, decision.event, current.state, actor, change ? { groundId: change.ground.id } : {});
      await tellRequester(trx, updated);
      await tellSubjectOfRefusal(trx, updated);
      return { request: updated, change };
    });
  }

  /**
   * A worker: open steps past their deadline are escalated once each: an `escalate` event in the
   * history, an audit entry, and a notice to the approvers who must act (PC06's, and C06's above
   * them). The version does not change: escalation is no decision, an officer's open form stays valid.
   */
  async function escalateOverdue(limit = 200): Promise<number> {
    const now = clock.now();
    let escalated = 0;
    const c06Unit = await c06Id();
    for (const seen of await overdueUnescalated(db, now, limit)) {
      const done = await db.transaction().execute(async (trx) => {
        const current = await lockRequestRow(trx, seen.id);
        if (!current || !current.dueAt || current.dueAt >= now || current.escalatedStep === current.state) return false;
        if (!transitionFor(current.kind, current.state, 'escalate')) return false;
        const updated = await updateRequestIfUnchanged(trx, current, { escalated_step: current.state }, now, {
          bump: false,
        });
        if (!updated) return false;
        const dueOn = vnDate(current.dueAt);
        await record(trx, updated, 'escalate', current.state, { kind: 'system', id: 'lock-deadlines' }, { dueOn });
        const step = current.kind === 'authority' && current.state === 'received' ? 'forward' : 'decide';
        const units = step === 'forward' ? [current.receivingUnitId, c06Unit] : [c06Unit];
        const approvers = new Set<string>();
        for (const unitId of units) {
          for (const o of await backoffice.officersOf(unitId)) if (o.role === 'APPROVER') approvers.add(o.accountId);
        }
        for (const officer of approvers) {
          await notify.enqueue(trx, {
            channel: 'inbox',
            recipient: officer,
            template: 'lock_request_overdue',
            params: { requestNo: current.number, step, dueOn },
            key: `locks:${current.id}:overdue:${current.state}:${officer}`,
          });
        }
        return true;
      });
      if (done) escalated++;
    }
    return escalated;
  }

  return { submit, fire, escalateOverdue, c06Id, get: (id: string) => findRequest(db, id) };
}

export type RequestEngine = ReturnType<typeof createRequestEngine>;
