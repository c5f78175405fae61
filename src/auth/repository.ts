import { sql, type Selectable } from 'kysely';
import type { Executor } from '../platform/database.ts';
import type { Limit, OtpPurpose } from './model.ts';
import type { DeviceRow, OtpChallengeRow, TotpRow } from './tables.ts';

// ---------------------------------------------------------------------------------------------
// Password and passcode hashes

export type HashTable = 'auth.passwords' | 'auth.passcodes';

export async function hashOf(db: Executor, table: HashTable, accountId: string): Promise<string | undefined> {
  const row = await db.selectFrom(table).select('hash').where('account_id', '=', accountId).executeTakeFirst();
  return row?.hash;
}

export async function storeHash(db: Executor, table: HashTable, accountId: string, hash: string, now: Date) {
  await db
    .insertInto(table)
    .values({ account_id: accountId, hash, updated_at: now })
    .onConflict((oc) => oc.column('account_id').doUpdateSet({ hash, updated_at: now }))
    .execute();
}

/** Replaces a hash only if it is still the one we verified against (a concurrent change wins). */
export async function replaceHash(
  db: Executor,
  table: HashTable,
  accountId: string,
  old: string,
  next: string,
  now: Date,
) {
  const result = await db
    .updateTable(table)
    .set({ hash: next, updated_at: now })
    .where('account_id', '=', accountId)
    .where('hash', '=', old)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

// ---------------------------------------------------------------------------------------------
// Throttle counters

export type TakeResult =
  { allowed: true; count: number; lockedUntil: Date | null } | { allowed: false; lockedUntil: Date };

/**
 * Counts one attempt on `key`, atomically, unless the key is locked. A window older than
 * `windowMs` starts over; the attempt that brings the count to `max` locks the key for `lockMs`
 * (that attempt itself still runs: `lockedUntil` tells the caller it was the last). Attempts are
 * counted before the secret is checked, so parallel requests cannot slip past the limit; a
 * success gives its attempt back (refund) or clears the key (reset).
 */
export async function take(db: Executor, key: string, limit: Limit, now: Date): Promise<TakeResult> {
  const windowOver = new Date(now.getTime() - limit.windowMs);
  const lockEnd = new Date(now.getTime() + limit.lockMs);
  const { rows } = await sql<{ count: number; locked_until: Date | null }>`
    insert into auth.throttle as t (key, window_start, count, locked_until)
    values (${key}, ${now}, 1, case when 1 >= ${limit.max}::int then ${lockEnd}::timestamptz end)
    on conflict (key) do update set
      window_start = case when t.window_start <= ${windowOver} then ${now} else t.window_start end,
      count = case when t.window_start <= ${windowOver} then 1 else t.count + 1 end,
      locked_until = case
        when (case when t.window_start <= ${windowOver} then 1 else t.count + 1 end) >= ${limit.max}::int
          then ${lockEnd}::timestamptz
        end
    where t.locked_until is null or t.locked_until <= ${now}
    returning count, locked_until`.execute(db);
  const row = rows[0];
  if (row) return { allowed: true, count: Number(row.count), lockedUntil: row.locked_until };
  const locked = await db.selectFrom('auth.throttle').select('locked_until').where('key', '=', key).executeTakeFirst();
  return { allowed: false, lockedUntil: locked?.locked_until ?? now };
}

/** Gives back one attempt (a success is not a failure); lifts the lock if the count falls below the limit. */
export async function refund(db: Executor, key: string, limit: Limit) {
  await sql`
    update auth.throttle set
      count = greatest(count - 1, 0),
      locked_until = case when count - 1 < ${limit.max}::int then null else locked_until end
    where key = ${key}`.execute(db);
}

export async function reset(db: Executor, key: string) {
  await db.deleteFrom('auth.throttle').where('key', '=', key).execute();
}

/** The latest lock end among the keys, if any is locked now. */
export async function lockedUntil(db: Executor, keys: string[], now: Date): Promise<Date | undefined> {
  const row = await db
    .selectFrom('auth.throttle')
    .select((eb) => eb.fn.max('locked_until').as('until'))
    .where('key', 'in', keys)
    .where('locked_until', '>', now)
    .executeTakeFirst();
  return row?.until ? new Date(row.until as Date) : undefined;
}

/** Removes counters whose window and lock are both over (housekeeping). */
export async function pruneThrottle(db: Executor, olderThan: Date): Promise<number> {
  const result = await db
    .deleteFrom('auth.throttle')
    .where('window_start', '<', olderThan)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', olderThan)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

// ---------------------------------------------------------------------------------------------
// OTP challenges

export async function insertChallenge(db: Executor, row: Omit<OtpChallengeRow, 'attempts' | 'consumed_at'>) {
  await db.insertInto('auth.otp_challenges').values(row).execute();
}

/**
 * Spends one attempt on a live challenge, atomically: only while it is unconsumed, unexpired and
 * has attempts left. Returns the stored hash to compare against, or undefined when the challenge
 * cannot be tried any more.
 */
export async function spendAttempt(
  db: Executor,
  challengeId: string,
  accountId: string,
  now: Date,
  purpose: OtpPurpose | undefined,
): Promise<{ code_hash: string; attempts: number; max_attempts: number; purpose: OtpPurpose } | undefined> {
  let query = db
    .updateTable('auth.otp_challenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', challengeId)
    .where('account_id', '=', accountId)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .where((eb) => eb('attempts', '<', eb.ref('max_attempts')));
  // Without a purpose any code will do, except an activation code: that one serves activation only.
  query = purpose ? query.where('purpose', '=', purpose) : query.where('purpose', '<>', 'activation');
  return query.returning(['code_hash', 'attempts', 'max_attempts', 'purpose']).executeTakeFirst();
}

/** Single use: only the first caller consumes the challenge. */
export async function consumeChallenge(db: Executor, challengeId: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('auth.otp_challenges')
    .set({ consumed_at: now })
    .where('id', '=', challengeId)
    .where('consumed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function challengeState(db: Executor, challengeId: string, accountId: string) {
  return db
    .selectFrom('auth.otp_challenges')
    .select(['purpose', 'expires_at', 'consumed_at', 'attempts', 'max_attempts'])
    .where('id', '=', challengeId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
}

export async function pruneChallenges(db: Executor, expiredBefore: Date): Promise<number> {
  const result = await db.deleteFrom('auth.otp_challenges').where('expires_at', '<', expiredBefore).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// ---------------------------------------------------------------------------------------------
// TOTP

export async function totpOf(db: Executor, accountId: string): Promise<Selectable<TotpRow> | undefined> {
  const row = await db.selectFrom('auth.totp').selectAll().where('account_id', '=', accountId).executeTakeFirst();
  return row ? { ...row, last_step: row.last_step === null ? null : Number(row.last_step) } : undefined;
}

/** Stores a new seed unless a confirmed one exists (`replace` overrides: an administrator's reset). */
export async function storeTotp(
  db: Executor,
  row: { account_id: string; sealed_seed: string; created_at: Date; confirmed_at: Date | null },
  replace: boolean,
): Promise<boolean> {
  const inserted = await db
    .insertInto('auth.totp')
    .values({ ...row, last_step: null })
    .onConflict((oc) => {
      const update = oc.column('account_id').doUpdateSet({
        sealed_seed: row.sealed_seed,
        created_at: row.created_at,
        confirmed_at: row.confirmed_at,
        last_step: null,
      });
      return replace ? update : update.where('auth.totp.confirmed_at', 'is', null);
    })
    .returning('account_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Accepts a time step only if it is later than the last accepted one (RFC 6238 §5.2: a verifier
 * must not accept the second attempt of the same OTP). Confirms the enrolment on first use.
 */
export async function acceptStep(db: Executor, accountId: string, step: number, now: Date, confirm: boolean) {
  let query = db
    .updateTable('auth.totp')
    .set(confirm ? { last_step: step, confirmed_at: now } : { last_step: step })
    .where('account_id', '=', accountId)
    .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]));
  query = confirm ? query.where('confirmed_at', 'is', null) : query.where('confirmed_at', 'is not', null);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

// ---------------------------------------------------------------------------------------------
// Devices

export async function activeDevice(db: Executor, accountId: string): Promise<DeviceRow | undefined> {
  return db
    .selectFrom('auth.devices')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function devicesOf(db: Executor, accountId: string): Promise<DeviceRow[]> {
  return db
    .selectFrom('auth.devices')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('registered_at', 'desc')
    .execute();
}

export async function revokeActiveDevice(db: Executor, accountId: string, now: Date, reason: string) {
  return db
    .updateTable('auth.devices')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .returningAll()
    .execute();
}

export async function insertDevice(db: Executor, row: Omit<DeviceRow, 'revoked_at' | 'revoked_reason'>) {
  await db
    .insertInto('auth.devices')
    .values({ ...row, revoked_at: null, revoked_reason: null })
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Keys

export async function keyOf(db: Executor, name: string): Promise<string | undefined> {
  const row = await db.selectFrom('auth.keys').select('sealed').where('name', '=', name).executeTakeFirst();
  return row?.sealed;
}

/** Stores a key unless one exists (first writer wins); returns the stored one. */
export async function keepKey(db: Executor, name: string, sealed: string, now: Date): Promise<string> {
  await db
    .insertInto('auth.keys')
    .values({ name, sealed, created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  return (await keyOf(db, name))!;
}
