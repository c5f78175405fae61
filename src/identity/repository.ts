import type { Executor } from '../platform/database.ts';
import type { Account, AccountStatus } from './model.ts';
import type { AccountRow } from './tables.ts';

type Row = Omit<AccountRow, 'lock_reasons' | 'version'> & { lock_reasons: string[]; version: number };

export function accountFrom(r: Row): Account {
  return {
    id: r.id,
    subjectKind: r.subject_kind,
    registryId: r.registry_id,
    pin: r.pin,
    passport:
      r.passport_number !== null && r.passport_country !== null
        ? { country: r.passport_country, number: r.passport_number }
        : null,
    enterpriseCode: r.enterprise_code,
    fullName: r.full_name,
    level: r.level === 1 || r.level === 2 ? r.level : null,
    status: r.status,
    lockReasons: r.lock_reasons ?? [],
    phone: r.phone,
    email: r.email,
    createdAt: r.created_at,
    activatedAt: r.activated_at,
    version: Number(r.version),
    activationDueAt: r.activation_due_at,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => UUID.test(value);

export async function findById(db: Executor, id: string): Promise<Account | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db.selectFrom('identity.accounts').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? accountFrom(row) : undefined;
}

/** Live (not closed) accounts matching one column. */
export async function findLiveBy(
  db: Executor,
  column: 'pin' | 'passport_number' | 'enterprise_code' | 'phone',
  value: string,
): Promise<Account[]> {
  const rows = await db
    .selectFrom('identity.accounts')
    .selectAll()
    .where(column, '=', value)
    .where('status', '<>', 'closed')
    .limit(10)
    .execute();
  return rows.map(accountFrom);
}

export async function findLiveBySubject(
  db: Executor,
  subjectKind: Account['subjectKind'],
  registryId: string,
): Promise<Account | undefined> {
  const row = await db
    .selectFrom('identity.accounts')
    .selectAll()
    .where('subject_kind', '=', subjectKind)
    .where('registry_id', '=', registryId)
    .where('status', '<>', 'closed')
    .executeTakeFirst();
  return row ? accountFrom(row) : undefined;
}

/** Inserts unless a unique index refuses it (returns undefined then; the transaction stays usable). */
export async function insertAccount(
  db: Executor,
  row: Omit<AccountRow, 'version' | 'lock_reasons'>,
): Promise<Account | undefined> {
  const inserted = await db
    .insertInto('identity.accounts')
    .values({ ...row, lock_reasons: [], version: 1 })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  return inserted ? accountFrom(inserted) : undefined;
}

/**
 * The conditional update every state change goes through: it applies only if the row is still at
 * the version (and status) the caller read. Undefined when another change got there first.
 */
export async function updateIfUnchanged(
  db: Executor,
  id: string,
  expected: { version: number; status: AccountStatus },
  patch: Partial<
    Pick<AccountRow, 'status' | 'pin' | 'phone' | 'email' | 'level' | 'activated_at' | 'activation_due_at'>
  > & {
    lock_reasons?: string[];
  },
): Promise<Account | undefined> {
  const row = await db
    .updateTable('identity.accounts')
    .set((eb) => ({ ...patch, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('version', '=', expected.version)
    .where('status', '=', expected.status)
    .returningAll()
    .executeTakeFirst();
  return row ? accountFrom(row) : undefined;
}

/** Pending accounts whose activation period ended before `now` (oldest first). */
export async function dueForExpiry(db: Executor, now: Date, limit: number): Promise<Account[]> {
  const rows = await db
    .selectFrom('identity.accounts')
    .selectAll()
    .where('status', '=', 'pending_activation')
    .where('activation_due_at', '<', now)
    .orderBy('activation_due_at')
    .limit(limit)
    .execute();
  return rows.map(accountFrom);
}
