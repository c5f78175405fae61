import { Type, type TSchema } from 'typebox';
import type { LockReason } from '../identity/model.ts';
import { LOCK_GROUNDS } from '../notify/templates.ts';
import type { Locale } from '../platform/errors.ts';
import { mayLift, officerEventsFrom, type Authority, type Ground, type LockRequest } from './model.ts';

/**
 * What the API shows of grounds and requests, per audience: the holder sees their grounds and
 * their own requests (never an authority's file, and not even the ground of a lock whose notice
 * the authority asked to defer); officers see everything; an authority sees its own requests and
 * their results.
 */

const DEATH = { vi: 'chủ thể đã chết', en: 'the subject has died' } as const;

export function groundText(ground: LockReason, locale: Locale): string {
  return ground === 'death' ? DEATH[locale] : LOCK_GROUNDS[ground][locale];
}

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Instant = Type.String({ format: 'date-time' });
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const HolderGroundView = Type.Object({
  id: Type.String(),
  ground: Type.String({ description: "A lock reason, or 'undisclosed' while the law lets the notice wait" }),
  ground_text: Type.String(),
  legal_basis: Nullable(Type.String()),
  source: Nullable(Type.String()),
  set_at: Nullable(Instant),
  /** Own lock: lifted at once with the passcode. */
  can_unlock_self: Type.Boolean(),
  /** Another ground the holder may ask a C06 officer to lift. */
  can_request_unlock: Type.Boolean(),
});

export function holderGroundView(ground: Ground, locale: Locale, now: Date) {
  if (ground.notifySubjectAfter && ground.notifySubjectAfter > now) {
    // The authority asked for a later notice (Law allows it): the holder sees a lock, not its ground.
    return {
      id: ground.id,
      ground: 'undisclosed',
      ground_text: locale === 'vi' ? 'tài khoản đang bị khóa' : 'the account is locked',
      legal_basis: null,
      source: null,
      set_at: null,
      can_unlock_self: false,
      can_request_unlock: false,
    };
  }
  return {
    id: ground.id,
    ground: ground.ground,
    ground_text: groundText(ground.ground, locale),
    legal_basis: ground.legalBasis,
    source: ground.source,
    set_at: ground.setAt.toISOString(),
    can_unlock_self: ground.ground === 'holder_request',
    can_request_unlock: mayLift(ground.ground, 'review'),
  };
}

export const OfficerGroundView = Type.Object({
  id: Type.String(),
  account_id: Type.String(),
  ground: Type.String(),
  ground_text: Type.String(),
  legal_basis: Type.String(),
  detail: Nullable(Type.String()),
  source: Type.String(),
  reference: Nullable(Type.String()),
  set_by: Type.String(),
  set_at: Instant,
  notify_subject_after: Nullable(Instant),
  lifted_at: Nullable(Instant),
  lifted_by: Nullable(Type.String()),
  lift_reason: Nullable(Type.String()),
  version: Type.Integer(),
});

export function officerGroundView(ground: Ground, locale: Locale) {
  return {
    id: ground.id,
    account_id: ground.accountId,
    ground: ground.ground,
    ground_text: groundText(ground.ground, locale),
    legal_basis: ground.legalBasis,
    detail: ground.detail,
    source: ground.source,
    reference: ground.reference,
    set_by: ground.setBy,
    set_at: ground.setAt.toISOString(),
    notify_subject_after: iso(ground.notifySubjectAfter),
    lifted_at: iso(ground.liftedAt),
    lifted_by: ground.liftedBy,
    lift_reason: ground.liftReason,
    version: ground.version,
  };
}

const RequesterView = Type.Object({
  authority_id: Nullable(Type.String()),
  name: Type.String(),
  kind: Type.String(),
  email: Nullable(Type.String()),
  document_no: Type.String(),
  document_date: Type.String({ format: 'date' }),
});

export const OfficerRequestView = Type.Object({
  id: Type.String(),
  number: Type.String(),
  kind: Type.String(),
  action: Type.String(),
  state: Type.String(),
  channel: Type.String(),
  account_id: Type.String(),
  subject_kind: Type.String(),
  subject_identifier: Type.String(),
  subject_name: Type.String(),
  requester: Nullable(RequesterView),
  statement: Type.String(),
  target_ground_id: Nullable(Type.String()),
  ground_id: Nullable(Type.String()),
  notify_subject_after: Nullable(Instant),
  receiving_unit_id: Type.String(),
  unit_id: Type.String(),
  received_by: Nullable(Type.String()),
  received_at: Instant,
  due_at: Nullable(Instant),
  forwarded_at: Nullable(Instant),
  forwarded_by: Nullable(Type.String()),
  decided_at: Nullable(Instant),
  decided_by: Nullable(Type.String()),
  reasons: Type.Array(Type.String()),
  escalated: Type.Boolean(),
  version: Type.Integer(),
  /** The events an officer may fire now (the console's buttons), from the flow table. */
  actions: Type.Array(Type.Object({ event: Type.String(), by: Type.String(), note: Type.String() })),
});

function requesterView(request: LockRequest) {
  const r = request.requester;
  return r
    ? {
        authority_id: r.authorityId,
        name: r.name,
        kind: r.kind,
        email: r.email,
        document_no: r.documentNo,
        document_date: r.documentDate,
      }
    : null;
}

export function officerRequestView(request: LockRequest) {
  return {
    id: request.id,
    number: request.number,
    kind: request.kind,
    action: request.action,
    state: request.state,
    channel: request.channel,
    account_id: request.accountId,
    subject_kind: request.subjectKind,
    subject_identifier: request.subjectIdentifier,
    subject_name: request.subjectName,
    requester: requesterView(request),
    statement: request.statement,
    target_ground_id: request.targetGroundId,
    ground_id: request.groundId,
    notify_subject_after: iso(request.notifySubjectAfter),
    receiving_unit_id: request.receivingUnitId,
    unit_id: request.unitId,
    received_by: request.receivedBy,
    received_at: request.receivedAt.toISOString(),
    due_at: iso(request.dueAt),
    forwarded_at: iso(request.forwardedAt),
    forwarded_by: request.forwardedBy,
    decided_at: iso(request.decidedAt),
    decided_by: request.decidedBy,
    reasons: request.reasons,
    escalated: request.escalatedStep !== null,
    version: request.version,
    actions: officerEventsFrom(request.kind, request.state).map((t) => ({ event: t.event, by: t.by, note: t.note })),
  };
}

/** The holder's own unlock requests: what they asked, where it stands, the reasons of a refusal. */
export const HolderRequestView = Type.Object({
  id: Type.String(),
  number: Type.String(),
  action: Type.String(),
  state: Type.String(),
  target_ground_id: Nullable(Type.String()),
  received_at: Instant,
  due_at: Nullable(Instant),
  decided_at: Nullable(Instant),
  reasons: Type.Array(Type.String()),
});

export function holderRequestView(request: LockRequest) {
  return {
    id: request.id,
    number: request.number,
    action: request.action,
    state: request.state,
    target_ground_id: request.targetGroundId,
    received_at: request.receivedAt.toISOString(),
    due_at: iso(request.dueAt),
    decided_at: iso(request.decidedAt),
    reasons: request.reasons,
  };
}

/** What the requesting authority reads back: the result of its request (seed 003 step 3). */
export const AuthorityRequestView = Type.Object({
  id: Type.String(),
  number: Type.String(),
  action: Type.String(),
  state: Type.String(),
  document_no: Type.String(),
  received_at: Instant,
  due_at: Nullable(Instant),
  decided_at: Nullable(Instant),
  reasons: Type.Array(Type.String()),
});

export function authorityRequestView(request: LockRequest) {
  return {
    id: request.id,
    number: request.number,
    action: request.action,
    state: request.state,
    document_no: request.requester?.documentNo ?? '',
    received_at: request.receivedAt.toISOString(),
    due_at: iso(request.dueAt),
    decided_at: iso(request.decidedAt),
    reasons: request.reasons,
  };
}

export const AuthorityView = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  email: Nullable(Type.String()),
  unit_id: Type.String(),
  key_hint: Type.String(),
  created_at: Instant,
  disabled_at: Nullable(Instant),
});

export function authorityView(a: Authority) {
  return {
    id: a.id,
    code: a.code,
    name: a.name,
    kind: a.kind,
    email: a.email,
    unit_id: a.unitId,
    key_hint: a.keyHint,
    created_at: a.createdAt.toISOString(),
    disabled_at: iso(a.disabledAt),
  };
}
