import { sql } from 'kysely';
import type { Executor } from '../platform/database.ts';
import type { Confirmation, ConfirmationStatus, EndReason, IsoDate, Link } from './model.ts';
import type { ConfirmationRow, LinkRow } from './tables.ts';

type Stored<R> = Omit<R, 'version' | 'evidence' | 'detail'> & { version: number };

function jsonObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function linkFrom(r: Stored<LinkRow> & { evidence: unknown }): Link {
  return {
    id: r.id,
    representativeAccountId: r.representative_account_id,
    dependantAccountId: r.dependant_account_id,
    basis: r.basis,
    evidence: jsonObject(r.evidence),
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    endedAt: r.ended_at,
    endReason: r.end_reason,
    createdAt: r.created_at,
    version: Number(r.version),
  };
}

export function confirmationFrom(r: Stored<ConfirmationRow> & { detail: unknown }): Confirmation {
  return {
    id: r.id,
    linkId: r.link_id,
    dependantAccountId: r.dependant_account_id,
    representativeAccountId: r.representative_account_id,
    action: r.action,
    detail: jsonObject(r.detail),
    status: r.status,
    requestedAt: r.requested_at,
    expiresAt: r.expires_at,
    decidedAt: r.decided_at,
    version: Number(r.version),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

// ---------------------------------------------------------------------------------------------
// Links

/** Inserts a link unless the pair already has a live one (undefined then; the transaction stays usable). */
export async function insertLink(
  db: Executor,
  row: Omit<LinkRow, 'version' | 'evidence' | 'ended_at' | 'end_reason'> & { evidence: Record<string, unknown> },
): Promise<Link | undefined> {
  const inserted = await db
    .insertInto('representation.links')
    .values({ ...row, evidence: JSON.stringify(row.evidence), ended_at: null, end_reason: null, version: 1 })
    .onConflict((oc) =>
      oc.columns(['representative_account_id', 'dependant_account_id']).where('ended_at', 'is', null).doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
  return inserted ? linkFrom(inserted) : undefined;
}

export async function linkById(db: Executor, id: string): Promise<Link | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db.selectFrom('representation.links').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? linkFrom(row) : undefined;
}

/** Live links of one side that hold on `on` (oldest first: the first is the one who filed). */
export async function linksValidOn(
  db: Executor,
  side: 'dependant_account_id' | 'representative_account_id',
  accountId: string,
  on: IsoDate,
): Promise<Link[]> {
  if (!isUuid(accountId)) return [];
  const rows = await db
    .selectFrom('representation.links')
    .selectAll()
    .where(side, '=', accountId)
    .where('ended_at', 'is', null)
    .where('valid_from', '<=', on)
    .where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>', on)]))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(linkFrom);
}

/**
 * Claims live links whose end date has come (`valid_until <= today`), locking them: a second
 * process running the same job skips them (SKIP LOCKED) instead of waiting or ending them twice.
 */
export async function claimDueLinks(db: Executor, today: IsoDate, limit: number): Promise<Link[]> {
  const rows = await db
    .selectFrom('representation.links')
    .selectAll()
    .where('ended_at', 'is', null)
    .where('valid_until', '<=', today)
    .orderBy('valid_until')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map(linkFrom);
}

/** Ends a live link at the version read; undefined when it was ended or changed meanwhile. */
export async function endLink(
  db: Executor,
  expected: Pick<Link, 'id' | 'version'>,
  at: Date,
  reason: EndReason,
): Promise<Link | undefined> {
  const row = await db
    .updateTable('representation.links')
    .set((eb) => ({ ended_at: at, end_reason: reason, version: eb('version', '+', 1) }))
    .where('id', '=', expected.id)
    .where('version', '=', expected.version)
    .where('ended_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  return row ? linkFrom(row) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Confirmations

export async function insertConfirmation(
  db: Executor,
  row: Omit<ConfirmationRow, 'version' | 'detail' | 'status' | 'decided_at'> & { detail: Record<string, unknown> },
): Promise<Confirmation> {
  const inserted = await db
    .insertInto('representation.confirmations')
    .values({ ...row, detail: JSON.stringify(row.detail), status: 'pending', decided_at: null, version: 1 })
    .returningAll()
    .executeTakeFirstOrThrow();
  return confirmationFrom(inserted);
}

export async function confirmationById(db: Executor, id: string): Promise<Confirmation | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db.selectFrom('representation.confirmations').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? confirmationFrom(row) : undefined;
}

/** Pending requests addressed to a representative that have not expired, oldest first. */
export async function pendingFor(db: Executor, representativeAccountId: string, now: Date): Promise<Confirmation[]> {
  if (!isUuid(representativeAccountId)) return [];
  const rows = await db
    .selectFrom('representation.confirmations')
    .selectAll()
    .where('representative_account_id', '=', representativeAccountId)
    .where('status', '=', 'pending')
    .where('expires_at', '>', now)
    .orderBy('requested_at')
    .orderBy('id')
    .limit(200)
    .execute();
  return rows.map(confirmationFrom);
}

/**
 * The conditional update every decision goes through: it applies only while the request is
 * still pending at the version the caller read. Undefined when another decision got there first.
 */
export async function settle(
  db: Executor,
  expected: Pick<Confirmation, 'id' | 'version'>,
  status: Exclude<ConfirmationStatus, 'pending'>,
  at: Date,
): Promise<Confirmation | undefined> {
  const row = await db
    .updateTable('representation.confirmations')
    .set((eb) => ({
      status,
      decided_at: status === 'expired' ? null : at,
      version: eb('version', '+', 1),
    }))
    .where('id', '=', expected.id)
    .where('version', '=', expected.version)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
  return row ? confirmationFrom(row) : undefined;
}

/** Voids the pending requests of a link that ended (nobody may confirm them any more). */
export async function expirePendingOfLink(db: Executor, linkId: string): Promise<number> {
  const result = await db
    .updateTable('representation.confirmations')
    .set((eb) => ({ status: 'expired', version: eb('version', '+', 1) }))
    .where('link_id', '=', linkId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Marks pending requests past their expiry as expired (housekeeping; readers already see them so). */
export async function expireDue(
  db: Executor,
  now: Date,
  limit: number,
): Promise<Pick<Confirmation, 'id' | 'linkId' | 'dependantAccountId'>[]> {
  const { rows } = await sql<{ id: string; link_id: string; dependant_account_id: string }>`
    with due as (
      select id from representation.confirmations
      where status = 'pending' and expires_at <= ${now}
      order by expires_at
      limit ${limit}
      for update skip locked
    )
    update representation.confirmations c
    set status = 'expired', version = c.version + 1
    from due where c.id = due.id
    returning c.id, c.link_id, c.dependant_account_id`.execute(db);
  return rows.map((r) => ({ id: r.id, linkId: r.link_id, dependantAccountId: r.dependant_account_id }));
}
