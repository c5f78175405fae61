import { FLOW_EVENT_FIELDS, flowEventColumns, nextVersion, type FlowEventInput } from '../platform/flow-events.ts';
import { sql } from 'kysely';
import type { LockReason } from '../identity/model.ts';
import type { Executor, Trx } from '../platform/database.ts';
import {
  OPEN_REQUEST_STATES,
  type Authority,
  type Ground,
  type LockRequest,
  type RequestEvent,
  type RequestState,
} from './model.ts';
import type { AuthorityRow, DeferredNoticeRow, GroundRow, RequestRow } from './tables.ts';

/** The only code that reads and writes the `locks` schema. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => UUID.test(value);

// ---------------------------------------------------------------------------------------------
// Grounds

type StoredGround = Omit<GroundRow, 'version'> & { version: number };

export function groundFrom(r: StoredGround): Ground {
  return {
    id: r.id,
    accountId: r.account_id,
    ground: r.ground,
    legalBasis: r.legal_basis,
    detail: r.detail,
    source: r.source,
    reference: r.reference,
    setBy: r.set_by,
    setAt: r.set_at,
    notifySubjectAfter: r.notify_subject_after,
    liftedAt: r.lifted_at,
    liftedBy: r.lifted_by,
    liftReason: r.lift_reason,
    version: Number(r.version),
  };
}

/**
 * Serialises every change of one account's grounds across processes (a transaction-scoped
 * advisory lock): two grounds set or lifted at once on one account never both read "no other
 * ground left". Taken after any request or cursor row lock, never before, so locks are always
 * acquired in the same order.
 */
export async function lockAccountGrounds(trx: Trx, accountId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`locks:account:${accountId}`}, 0))`.execute(trx);
}

export async function insertGround(db: Executor, row: Omit<GroundRow, 'version'>): Promise<Ground> {
  const stored = await db.insertInto('locks.grounds').values(row).returningAll().executeTakeFirstOrThrow();
  return groundFrom(stored);
}

export async function findGround(db: Executor, id: string): Promise<Ground | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db.selectFrom('locks.grounds').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? groundFrom(row) : undefined;
}

export async function activeGrounds(db: Executor, accountId: string, ground?: LockReason): Promise<Ground[]> {
  if (!isUuid(accountId)) return [];
  let query = db
    .selectFrom('locks.grounds')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('lifted_at', 'is', null);
  if (ground) query = query.where('ground', '=', ground);
  const rows = await query.orderBy('set_at').orderBy('id').execute();
  return rows.map(groundFrom);
}

export async function groundsOf(db: Executor, accountId: string, limit = 100): Promise<Ground[]> {
  if (!isUuid(accountId)) return [];
  const rows = await db
    .selectFrom('locks.grounds')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('set_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(groundFrom);
}

/** Lifts a ground only while it is active and at the version read (death is refused by a check constraint). */
export async function liftIfActive(
  db: Executor,
  ground: Pick<Ground, 'id' | 'version'>,
  lift: { at: Date; by: string; reason: string },
): Promise<Ground | undefined> {
  const row = await db
    .updateTable('locks.grounds')
    .set((eb) => ({
      lifted_at: lift.at,
      lifted_by: lift.by,
      lift_reason: lift.reason,
      version: eb('version', '+', 1),
    }))
    .where('id', '=', ground.id)
    .where('version', '=', ground.version)
    .where('lifted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  return row ? groundFrom(row) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Requests

type StoredRequest = Omit<RequestRow, 'version' | 'requester' | 'reasons'> & {
  version: number;
  requester: unknown;
  reasons: unknown;
};

export function requestFrom(r: StoredRequest): LockRequest {
  return {
    id: r.id,
    number: r.number,
    kind: r.kind,
    action: r.action,
    state: r.state,
    channel: r.channel,
    accountId: r.account_id,
    subjectKind: r.subject_kind,
    subjectIdentifier: r.subject_identifier,
    subjectName: r.subject_name,
    requester: (r.requester ?? null) as LockRequest['requester'],
    statement: r.statement,
    targetGroundId: r.target_ground_id,
    groundId: r.ground_id,
    notifySubjectAfter: r.notify_subject_after,
    receivingUnitId: r.receiving_unit_id,
    unitId: r.unit_id,
    receivedBy: r.received_by,
    receivedAt: r.received_at,
    dueAt: r.due_at,
    forwardedAt: r.forwarded_at,
    forwardedBy: r.forwarded_by,
    decidedAt: r.decided_at,
    decidedBy: r.decided_by,
    reasons: Array.isArray(r.reasons) ? (r.reasons as string[]) : [],
    escalatedStep: r.escalated_step,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: Number(r.version),
  };
}

/** 'TK03-2026-000042': the form's name, the year, a number never reused. */
export async function nextRequestNumber(db: Executor, year: number): Promise<string> {
  const { rows } = await sql<{ n: number }>`select nextval('locks.request_numbers')::int as n`.execute(db);
  return `TK03-${year}-${String(rows[0]!.n).padStart(6, '0')}`;
}

export type NewRequestRow = Omit<RequestRow, 'version' | 'requester' | 'reasons'> & {
  requester: LockRequest['requester'];
  reasons: string[];
};

export async function insertRequest(db: Executor, row: NewRequestRow): Promise<LockRequest> {
  const stored = await db
    .insertInto('locks.requests')
    .values({ ...row, requester: JSON.stringify(row.requester), reasons: JSON.stringify(row.reasons) })
    .returningAll()
    .executeTakeFirstOrThrow();
  return requestFrom(stored);
}

export async function findRequest(db: Executor, id: string): Promise<LockRequest | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db.selectFrom('locks.requests').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? requestFrom(row) : undefined;
}

export async function findRequestByNumber(db: Executor, number: string): Promise<LockRequest | undefined> {
  const row = await db.selectFrom('locks.requests').selectAll().where('number', '=', number).executeTakeFirst();
  return row ? requestFrom(row) : undefined;
}

/** Reads the request under a row lock (SELECT … FOR UPDATE): deciders are serialised on it. */
export async function lockRequestRow(trx: Trx, id: string): Promise<LockRequest | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await trx.selectFrom('locks.requests').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  return row ? requestFrom(row) : undefined;
}

export type RequestPatch = Partial<{
  state: RequestState;
  unit_id: string;
  due_at: Date | null;
  forwarded_at: Date;
  forwarded_by: string;
  decided_at: Date;
  decided_by: string;
  reasons: string[];
  ground_id: string;
  escalated_step: RequestState | null;
}>;

/**
 * The conditional update every transition goes through: applied only if the request is still in
 * the state and at the version the caller read. `bump: false` for the escalation flag, which is no
 * decision and must not make an officer's open form stale.
 */
export async function updateRequestIfUnchanged(
  db: Executor,
  current: Pick<LockRequest, 'id' | 'state' | 'version'>,
  patch: RequestPatch,
  at: Date,
  options: { bump?: boolean } = {},
): Promise<LockRequest | undefined> {
  const { reasons, ...plain } = patch;
  const row = await db
    .updateTable('locks.requests')
    .set({
      ...plain,
      ...(reasons !== undefined ? { reasons: JSON.stringify(reasons) } : {}),
      updated_at: at,
      ...(options.bump === false ? {} : { version: nextVersion() }),
    })
    .where('id', '=', current.id)
    .where('state', '=', current.state)
    .where('version', '=', current.version)
    .returningAll()
    .executeTakeFirst();
  return row ? requestFrom(row) : undefined;
}

export async function appendRequestEvent(
  db: Executor,
  event: FlowEventInput<RequestState, RequestEvent> & { requestId: string },
): Promise<void> {
  await db
    .insertInto('locks.events')
    .values({ request_id: event.requestId, ...flowEventColumns(event) })
    .execute();
}

export async function requestEvents(db: Executor, requestId: string) {
  if (!isUuid(requestId)) return [];
  return db
    .selectFrom('locks.events')
    .select(FLOW_EVENT_FIELDS)
    .where('request_id', '=', requestId)
    .orderBy('id')
    .execute();
}

/** Open requests whose next step belongs to one of the units, soonest deadline first. */
export async function openRequestsOf(db: Executor, unitIds: string[], limit: number): Promise<LockRequest[]> {
  if (unitIds.length === 0) return [];
  const rows = await db
    .selectFrom('locks.requests')
    .selectAll()
    .where('unit_id', 'in', unitIds)
    .where('state', 'in', [...OPEN_REQUEST_STATES])
    .orderBy(sql`due_at asc nulls last`)
    .orderBy('received_at')
    .limit(limit)
    .execute();
  return rows.map(requestFrom);
}

/** Open requests past their step's deadline whose step has not been escalated yet. */
export async function overdueUnescalated(db: Executor, now: Date, limit: number): Promise<LockRequest[]> {
  const rows = await db
    .selectFrom('locks.requests')
    .selectAll()
    .where('state', 'in', [...OPEN_REQUEST_STATES])
    .where('due_at', '<', now)
    .where((eb) => eb.or([eb('escalated_step', 'is', null), eb('escalated_step', '<>', eb.ref('state'))]))
    .orderBy('due_at')
    .limit(limit)
    .execute();
  return rows.map(requestFrom);
}

export async function requestsOfAccount(db: Executor, accountId: string, limit = 50): Promise<LockRequest[]> {
  if (!isUuid(accountId)) return [];
  const rows = await db
    .selectFrom('locks.requests')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(requestFrom);
}

/** An open request of the holder about a ground (one at a time). */
export async function openUnlockRequestFor(db: Executor, groundId: string): Promise<LockRequest | undefined> {
  const row = await db
    .selectFrom('locks.requests')
    .selectAll()
    .where('target_ground_id', '=', groundId)
    .where('state', 'in', [...OPEN_REQUEST_STATES])
    .executeTakeFirst();
  return row ? requestFrom(row) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Authorities

export function authorityFrom(r: AuthorityRow): Authority {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    kind: r.kind,
    email: r.email,
    unitId: r.unit_id,
    keyHint: r.key_hint,
    createdBy: r.created_by,
    createdAt: r.created_at,
    disabledAt: r.disabled_at,
  };
}

/** Inserts unless the code is taken (undefined then). */
export async function insertAuthority(db: Executor, row: AuthorityRow): Promise<Authority | undefined> {
  const stored = await db
    .insertInto('locks.authorities')
    .values(row)
    .onConflict((oc) => oc.column('code').doNothing())
    .returningAll()
    .executeTakeFirst();
  return stored ? authorityFrom(stored) : undefined;
}

export async function authorityByKeyHash(db: Executor, keyHash: string): Promise<Authority | undefined> {
  const row = await db
    .selectFrom('locks.authorities')
    .selectAll()
    .where('key_hash', '=', keyHash)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  return row ? authorityFrom(row) : undefined;
}

export async function findAuthority(db: Executor, id: string): Promise<Authority | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db.selectFrom('locks.authorities').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? authorityFrom(row) : undefined;
}

export async function allAuthorities(db: Executor): Promise<Authority[]> {
  const rows = await db.selectFrom('locks.authorities').selectAll().orderBy('code').execute();
  return rows.map(authorityFrom);
}

export async function disableAuthority(db: Executor, id: string, at: Date): Promise<Authority | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db
    .updateTable('locks.authorities')
    .set({ disabled_at: at })
    .where('id', '=', id)
    .where('disabled_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  return row ? authorityFrom(row) : undefined;
}

// ---------------------------------------------------------------------------------------------
// The registry feed's cursor

export async function readCursor(db: Executor, feed: string): Promise<string | null> {
  const row = await db.selectFrom('locks.sync_cursor').select('cursor').where('feed', '=', feed).executeTakeFirst();
  return row?.cursor ?? null;
}

/**
 * Claims the cursor row for this transaction, or answers undefined when another process holds it
 * (FOR UPDATE SKIP LOCKED): two sync workers never apply the same change.
 */
export async function claimCursor(trx: Trx, feed: string): Promise<{ cursor: string | null } | undefined> {
  return trx
    .selectFrom('locks.sync_cursor')
    .select('cursor')
    .where('feed', '=', feed)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

export async function advanceCursor(trx: Trx, feed: string, cursor: string, at: Date): Promise<void> {
  await trx.updateTable('locks.sync_cursor').set({ cursor, updated_at: at }).where('feed', '=', feed).execute();
}

// ---------------------------------------------------------------------------------------------
// Deferred notices

export async function insertDeferredNotice(db: Executor, row: Omit<DeferredNoticeRow, 'params'> & { params: object }) {
  await db
    .insertInto('locks.deferred_notices')
    .values({ ...row, params: JSON.stringify(row.params) })
    .execute();
}

/** Due notices, claimed for this transaction (SKIP LOCKED: any number of workers). */
export async function claimDueNotices(trx: Trx, now: Date, limit: number) {
  const rows = await trx
    .selectFrom('locks.deferred_notices')
    .selectAll()
    .where('released_at', 'is', null)
    .where('not_before', '<=', now)
    .orderBy('not_before')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map((r) => ({ ...r, params: r.params as Record<string, unknown> }));
}

export async function markReleased(trx: Trx, id: string, at: Date): Promise<void> {
  await trx.updateTable('locks.deferred_notices').set({ released_at: at }).where('id', '=', id).execute();
}
