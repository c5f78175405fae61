import { sql, type Selectable } from 'kysely';
import type { Executor, Trx } from '../platform/database.ts';
import type { AttemptOutcome, AttemptRow, InboxRow, OutboxRow } from './tables.ts';
import type { ExternalChannelName } from './model.ts';

export type Outbox = Selectable<OutboxRow>;
export type Attempt = Selectable<AttemptRow>;
export type InboxEntry = Selectable<InboxRow>;

export interface NewOutboxRow {
  id: string;
  channel: OutboxRow['channel'];
  recipient: string;
  account_id: string | null;
  template: string;
  params: unknown;
  locale: OutboxRow['locale'];
  key: string | null;
  status: 'queued' | 'sent';
  attempts: number;
  next_attempt_at: Date;
  sent_at: Date | null;
  provider_id: string | null;
  created_at: Date;
}

/** Inserts a message; with a key already used, inserts nothing and returns the existing id. */
export async function insertMessage(trx: Executor, row: NewOutboxRow): Promise<{ id: string; created: boolean }> {
  const values = { ...row, params: JSON.stringify(row.params), updated_at: row.created_at };
  if (row.key === null) {
    await trx.insertInto('notify.outbox').values(values).execute();
    return { id: row.id, created: true };
  }
  const inserted = await trx
    .insertInto('notify.outbox')
    .values(values)
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, created: true };
  const existing = await trx
    .selectFrom('notify.outbox')
    .select('id')
    .where('key', '=', row.key)
    .executeTakeFirstOrThrow();
  return { id: existing.id, created: false };
}

export async function insertInbox(trx: Executor, row: Omit<InboxRow, 'read_at'>): Promise<void> {
  await trx
    .insertInto('notify.inbox')
    .values({ ...row, read_at: null })
    .onConflict((oc) => oc.column('outbox_id').doNothing())
    .execute();
}

export async function insertAttempt(
  trx: Executor,
  row: Omit<AttemptRow, 'error' | 'provider_id' | 'handed_off_at'> & Partial<AttemptRow>,
): Promise<void> {
  await trx.insertInto('notify.attempts').values(row).execute();
}

/** Wakes listening workers when the transaction commits (nothing is sent on rollback). */
export async function signalWorkers(trx: Executor): Promise<void> {
  await sql`select pg_notify(${OUTBOX_CHANNEL}, '')`.execute(trx);
}

export const OUTBOX_CHANNEL = 'notify_outbox';

export type ClaimedRow = Outbox & { prev_status: 'queued' | 'sending' };

/**
 * Claims up to `limit` messages for one worker: due queued messages, and messages whose lease ran
 * out (their worker died or hung). The inner SELECT … FOR UPDATE SKIP LOCKED means concurrent
 * workers each take different rows without waiting for one another; the UPDATE sets the lease and
 * a fresh claim token, and counts the attempt.
 */
export async function claimBatch(
  trx: Trx,
  options: { now: Date; leaseUntil: Date; token: string; limit: number; channels: ExternalChannelName[] },
): Promise<ClaimedRow[]> {
  const { now, leaseUntil, token, limit, channels } = options;
  if (channels.length === 0) return [];
  const result = await sql<ClaimedRow>`
    with due as (
      select id, status as prev_status
      from notify.outbox
      where channel = any(${channels}::text[])
        and ((status = 'queued' and next_attempt_at <= ${now})
          or (status = 'sending' and claimed_until <= ${now}))
      order by next_attempt_at, id
      limit ${limit}
      for update skip locked
    )
    update notify.outbox o
    set status = 'sending', attempts = o.attempts + 1, claimed_until = ${leaseUntil},
        claim_token = ${token}, updated_at = ${now}
    from due
    where o.id = due.id
    returning o.*, due.prev_status`.execute(trx);
  return result.rows;
}

/**
 * Closes the attempts left open by a worker that stopped: `interrupted` when it had not handed
 * the message to the provider, `uncertain` when it had.
 */
export async function closeAbandonedAttempts(
  trx: Trx,
  ids: string[],
  now: Date,
): Promise<{ outbox_id: string; n: number; outcome: AttemptOutcome }[]> {
  if (ids.length === 0) return [];
  const result = await sql<{ outbox_id: string; n: number; outcome: AttemptOutcome }>`
    update notify.attempts
    set finished_at = ${now},
        outcome = case when handed_off_at is null then 'interrupted' else 'uncertain' end,
        error = case when handed_off_at is null
          then 'worker stopped before handing the message over'
          else 'worker stopped after handing the message over; the provider may have it' end
    where outbox_id = any(${ids}::uuid[]) and finished_at is null
    returning outbox_id, n, outcome`.execute(trx);
  return result.rows;
}

/** Ends a claim without sending: the message is abandoned (the attempt count is given back). */
export async function abandonClaimed(
  trx: Trx,
  id: string,
  token: string,
  now: Date,
  error: string,
  sensitive: readonly string[],
): Promise<void> {
  await trx
    .updateTable('notify.outbox')
    .set({
      status: 'abandoned',
      attempts: sql`attempts - 1`,
      claimed_until: null,
      claim_token: null,
      last_error: error,
      updated_at: now,
      params: eraseParams(sensitive),
    })
    .where('id', '=', id)
    .where('claim_token', '=', token)
    .execute();
}

function eraseParams(keys: readonly string[]) {
  return keys.length === 0 ? sql`params` : sql`params - ${[...keys]}::text[]`;
}

/**
 * Records that the message is about to go to the provider, if and only if this claim still holds
 * the lease for long enough to finish the send (fencing: a worker that lost its lease sends nothing).
 */
export async function markHandoff(
  db: Executor,
  options: { id: string; n: number; token: string; now: Date; holdUntil: Date },
): Promise<boolean> {
  const result = await sql`
    update notify.attempts a
    set handed_off_at = ${options.now}
    from notify.outbox o
    where a.outbox_id = ${options.id} and a.n = ${options.n} and a.finished_at is null
      and o.id = a.outbox_id and o.status = 'sending' and o.claim_token = ${options.token}
      and o.claimed_until >= ${options.holdUntil}`.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}

export type Resolution =
  | { status: 'sent'; providerId: string }
  | { status: 'queued'; nextAttemptAt: Date; error: string; outcome: AttemptOutcome }
  | { status: 'abandoned'; error: string; outcome: AttemptOutcome };

/**
 * Records an attempt's outcome and moves the message on, in one transaction. The message changes
 * only while this claim still holds it; returns false when another worker had taken it over.
 */
export async function resolveAttempt(
  db: Executor,
  claim: { id: string; n: number; token: string },
  resolution: Resolution,
  now: Date,
  sensitive: readonly string[],
): Promise<boolean> {
  const run = async (trx: Executor) => {
    const base = { claimed_until: null, claim_token: null, updated_at: now };
    const update =
      resolution.status === 'sent'
        ? {
            ...base,
            status: 'sent' as const,
            sent_at: now,
            provider_id: resolution.providerId,
            last_error: null,
            params: eraseParams(sensitive),
          }
        : resolution.status === 'queued'
          ? {
              ...base,
              status: 'queued' as const,
              next_attempt_at: resolution.nextAttemptAt,
              last_error: resolution.error,
            }
          : { ...base, status: 'abandoned' as const, last_error: resolution.error, params: eraseParams(sensitive) };
    const moved = await trx
      .updateTable('notify.outbox')
      .set(update)
      .where('id', '=', claim.id)
      .where('status', '=', 'sending')
      .where('claim_token', '=', claim.token)
      .executeTakeFirst();
    await trx
      .updateTable('notify.attempts')
      .set({
        finished_at: now,
        outcome: resolution.status === 'sent' ? 'sent' : resolution.outcome,
        error: resolution.status === 'sent' ? null : resolution.error,
        provider_id: resolution.status === 'sent' ? resolution.providerId : null,
      })
      .where('outbox_id', '=', claim.id)
      .where('n', '=', claim.n)
      .where('finished_at', 'is', null)
      .execute();
    return Number(moved.numUpdatedRows) === 1;
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

/** Closes an attempt whose claim was lost before it sent anything. */
export async function closeAttempt(
  db: Executor,
  claim: { id: string; n: number },
  outcome: AttemptOutcome,
  error: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('notify.attempts')
    .set({ finished_at: now, outcome, error })
    .where('outbox_id', '=', claim.id)
    .where('n', '=', claim.n)
    .where('finished_at', 'is', null)
    .execute();
}

export async function findMessage(db: Executor, id: string): Promise<Outbox | undefined> {
  return db.selectFrom('notify.outbox').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function attemptsOf(db: Executor, id: string): Promise<Attempt[]> {
  return db.selectFrom('notify.attempts').selectAll().where('outbox_id', '=', id).orderBy('n').execute();
}

/** Puts an abandoned message back in the queue with a fresh attempt budget (attempts keep their numbers). */
export async function requeue(db: Executor, id: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('notify.outbox')
    .set({ status: 'queued', requeue_base: sql`attempts`, next_attempt_at: now, last_error: null, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'abandoned')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function inboxOf(
  db: Executor,
  accountId: string,
  options: { limit: number; before?: { createdAt: Date; id: string }; unreadOnly: boolean },
): Promise<InboxEntry[]> {
  let query = db.selectFrom('notify.inbox').selectAll().where('account_id', '=', accountId);
  if (options.unreadOnly) query = query.where('read_at', 'is', null);
  if (options.before) {
    const { createdAt, id } = options.before;
    query = query.where((eb) =>
      eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]),
    );
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
}

export async function unreadCount(db: Executor, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('notify.inbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function markRead(db: Executor, accountId: string, ids: string[] | 'all', now: Date): Promise<number> {
  let query = db
    .updateTable('notify.inbox')
    .set({ read_at: now })
    .where('account_id', '=', accountId)
    .where('read_at', 'is', null);
  if (ids !== 'all') {
    if (ids.length === 0) return 0;
    query = query.where('id', 'in', ids);
  }
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
