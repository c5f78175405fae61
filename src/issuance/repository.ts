import { FLOW_EVENT_FIELDS, flowEventColumns, nextVersion, type FlowEventInput } from '../platform/flow-events.ts';
import { sql } from 'kysely';
import type { Executor } from '../platform/database.ts';
import {
  OPEN_STATES,
  type Application,
  type ApplicationState,
  type Checks,
  type Dossier,
  type FlowEvent,
  type Reason,
} from './model.ts';
import type { ApplicationRow, ConsentRow } from './tables.ts';

type Stored = Omit<ApplicationRow, 'version' | 'dossier' | 'checks' | 'reasons'> & {
  version: number;
  dossier: Dossier;
  checks: Checks;
  reasons: Reason[];
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => UUID.test(value);

export function applicationFrom(r: Stored): Application {
  return {
    id: r.id,
    number: r.number,
    procedure: r.procedure,
    state: r.state,
    subjectKind: r.subject_kind,
    registryId: r.registry_id,
    subjectName: r.subject_name,
    dossier: r.dossier,
    checks: r.checks,
    reasons: r.reasons,
    unitId: r.unit_id,
    submittedBy: r.submitted_by,
    receivedBy: r.received_by,
    representativeAccountId: r.representative_account_id,
    receivedAt: r.received_at,
    dueAt: r.due_at,
    deadline: r.deadline_days !== null && r.deadline_unit ? { days: r.deadline_days, unit: r.deadline_unit } : null,
    consentDueAt: r.consent_due_at,
    decidedAt: r.decided_at,
    decidedBy: r.decided_by,
    accountId: r.account_id,
    flag: r.flag,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: Number(r.version),
  };
}

/** A new number 'DD-<year>-<6 digits>' from the sequence (gaps are fine; reuse is not). */
export async function nextNumber(db: Executor, year: number): Promise<string> {
  const { rows } = await sql<{ n: string }>`select nextval('issuance.application_numbers')::text as n`.execute(db);
  return `DD-${year}-${rows[0]!.n.padStart(6, '0')}`;
}

export type NewApplicationRow = Omit<ApplicationRow, 'version' | 'dossier' | 'checks' | 'reasons'> & {
  dossier: unknown;
  checks: unknown;
  reasons: unknown;
};

/** Inserts, or returns undefined when the idempotency key is already taken (the caller reads that one). */
export async function insertApplication(db: Executor, row: NewApplicationRow): Promise<Application | undefined> {
  const stored = await db
    .insertInto('issuance.applications')
    .values({
      ...row,
      dossier: JSON.stringify(row.dossier),
      checks: JSON.stringify(row.checks),
      reasons: JSON.stringify(row.reasons),
    })
    .onConflict((oc) =>
      oc.columns(['idempotency_scope', 'idempotency_key']).where('idempotency_key', 'is not', null).doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
  return stored ? applicationFrom(stored) : undefined;
}

export async function findApplication(db: Executor, id: string): Promise<Application | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db.selectFrom('issuance.applications').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? applicationFrom(row) : undefined;
}

export async function findByNumber(db: Executor, number: string): Promise<Application | undefined> {
  const row = await db.selectFrom('issuance.applications').selectAll().where('number', '=', number).executeTakeFirst();
  return row ? applicationFrom(row) : undefined;
}

export async function findByIdempotencyKey(
  db: Executor,
  scope: string,
  key: string,
): Promise<(Application & { requestHash: string | null }) | undefined> {
  const row = await db
    .selectFrom('issuance.applications')
    .selectAll()
    .where('idempotency_scope', '=', scope)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  return row ? { ...applicationFrom(row), requestHash: row.request_hash } : undefined;
}

export type ApplicationPatch = Partial<{
  state: ApplicationState;
  reasons: unknown;
  checks: unknown;
  unit_id: string;
  received_at: Date | null;
  due_at: Date | null;
  deadline_days: number | null;
  deadline_unit: 'working' | 'calendar' | null;
  decided_at: Date;
  decided_by: string;
  account_id: string;
  flag: 'near' | 'overdue' | null;
}>;

/**
 * The conditional update every transition goes through: it applies only if the row is still in
 * the state and version the caller read. Two officers deciding at once: one row changes, the other
 * update matches nothing and its caller answers CONFLICT.
 */
export async function updateIfUnchanged(
  db: Executor,
  current: Pick<Application, 'id' | 'state' | 'version'>,
  patch: ApplicationPatch,
  at: Date,
): Promise<Application | undefined> {
  const { reasons, checks, ...plain } = patch;
  const row = await db
    .updateTable('issuance.applications')
    .set({
      ...plain,
      ...(reasons !== undefined ? { reasons: JSON.stringify(reasons) } : {}),
      ...(checks !== undefined ? { checks: JSON.stringify(checks) } : {}),
      updated_at: at,
      version: nextVersion(),
    })
    .where('id', '=', current.id)
    .where('state', '=', current.state)
    .where('version', '=', current.version)
    .returningAll()
    .executeTakeFirst();
  return row ? applicationFrom(row) : undefined;
}

export async function appendEvent(
  db: Executor,
  event: FlowEventInput<ApplicationState, FlowEvent> & { applicationId: string },
): Promise<void> {
  await db
    .insertInto('issuance.events')
    .values({ application_id: event.applicationId, ...flowEventColumns(event) })
    .execute();
}

export async function eventsOf(db: Executor, applicationId: string) {
  return db
    .selectFrom('issuance.events')
    .select(FLOW_EVENT_FIELDS)
    .where('application_id', '=', applicationId)
    .orderBy('id')
    .execute();
}

/** Open applications of the given units, soonest deadline first (no deadline yet: last). */
export async function queueOf(
  db: Executor,
  unitIds: string[],
  options: { states?: ApplicationState[]; limit: number },
): Promise<Application[]> {
  if (unitIds.length === 0) return [];
  const rows = await db
    .selectFrom('issuance.applications')
    .selectAll()
    .where('unit_id', 'in', unitIds)
    .where('state', 'in', options.states ?? [...OPEN_STATES])
    .orderBy(sql`due_at asc nulls last`)
    .orderBy('created_at')
    .limit(options.limit)
    .execute();
  return rows.map(applicationFrom);
}

export async function applicationsBy(
  db: Executor,
  filter: { submittedBy?: string; accountId?: string; registryId?: string },
  limit = 50,
): Promise<Application[]> {
  let query = db.selectFrom('issuance.applications').selectAll();
  if (filter.submittedBy) query = query.where('submitted_by', '=', filter.submittedBy);
  if (filter.accountId) query = query.where('account_id', '=', filter.accountId);
  if (filter.registryId) query = query.where('registry_id', '=', filter.registryId);
  const rows = await query.orderBy('created_at', 'desc').limit(limit).execute();
  return rows.map(applicationFrom);
}

/** Open applications whose flag should change: due within `nearUntil`, or past due at `now`. */
export async function dueForFlag(db: Executor, now: Date, nearUntil: Date, limit: number): Promise<Application[]> {
  const rows = await db
    .selectFrom('issuance.applications')
    .selectAll()
    .where('state', 'in', [...OPEN_STATES])
    .where('due_at', 'is not', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('due_at', '<', now), eb.or([eb('flag', 'is', null), eb('flag', '=', 'near')])]),
        eb.and([eb('due_at', '>=', now), eb('due_at', '<=', nearUntil), eb('flag', 'is', null)]),
      ]),
    )
    .orderBy('due_at')
    .limit(limit)
    .execute();
  return rows.map(applicationFrom);
}

/** Applications waiting for consents whose window has closed. */
export async function consentsLapsed(db: Executor, now: Date, limit: number): Promise<Application[]> {
  const rows = await db
    .selectFrom('issuance.applications')
    .selectAll()
    .where('state', '=', 'awaiting_consent')
    .where('consent_due_at', '<', now)
    .limit(limit)
    .execute();
  return rows.map(applicationFrom);
}

export async function insertConsents(db: Executor, rows: ConsentRow[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('issuance.consents').values(rows).execute();
}

export async function consentsOf(db: Executor, applicationId: string): Promise<ConsentRow[]> {
  return db
    .selectFrom('issuance.consents')
    .selectAll()
    .where('application_id', '=', applicationId)
    .orderBy('full_name')
    .execute();
}

/** Records one co-representative's answer, only while it is still pending. */
export async function decideConsent(
  db: Executor,
  applicationId: string,
  registryId: string,
  decision: { status: 'consented' | 'refused'; accountId: string; at: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('issuance.consents')
    .set({ status: decision.status, account_id: decision.accountId, decided_at: decision.at })
    .where('application_id', '=', applicationId)
    .where('registry_id', '=', registryId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function pendingConsentsFor(db: Executor, registryId: string) {
  return db
    .selectFrom('issuance.consents')
    .innerJoin('issuance.applications as a', 'a.id', 'issuance.consents.application_id')
    .select([
      'a.id as application_id',
      'a.number',
      'a.subject_name',
      'a.consent_due_at',
      'a.dossier',
      'issuance.consents.status',
    ])
    .where('issuance.consents.registry_id', '=', registryId)
    .where('issuance.consents.status', '=', 'pending')
    .where('a.state', '=', 'awaiting_consent')
    .execute();
}

/** Per unit: decided applications, how many on time, and open ones past due. */
export async function onTimeByUnit(db: Executor, from: Date, to: Date, now: Date) {
  return db
    .selectFrom('issuance.applications')
    .select((eb) => [
      'unit_id',
      eb.fn.count<string>('id').filterWhere('decided_at', 'is not', null).as('decided'),
      eb.fn
        .count<string>('id')
        .filterWhere((w) => w.and([w('decided_at', 'is not', null), w('decided_at', '<=', w.ref('due_at'))]))
        .as('on_time'),
      eb.fn
        .count<string>('id')
        .filterWhere((w) => w.and([w('state', 'in', [...OPEN_STATES]), w('due_at', '<', now)]))
        .as('open_overdue'),
      eb.fn
        .count<string>('id')
        .filterWhere('state', 'in', [...OPEN_STATES])
        .as('open'),
    ])
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .where('due_at', 'is not', null)
    .groupBy('unit_id')
    .execute();
}
