import { sql } from 'kysely';
import type { Executor, Trx } from '../platform/database.ts';
import type { HolidayRow, HolidaySource } from './model.ts';
import type { HolidayTableRow } from './tables.ts';

/** A row as stored, with its bookkeeping. */
export interface StoredHoliday extends HolidayRow {
  source: HolidaySource;
  updated_by: string;
  updated_at: Date;
  version: number;
}

function toStored(r: Omit<HolidayTableRow, 'updated_at'> & { updated_at: Date }): StoredHoliday {
  return {
    date: r.date,
    kind: r.kind,
    name_vi: r.name_vi,
    name_en: r.name_en,
    legal_source: r.legal_source,
    source: r.source,
    updated_by: r.updated_by,
    updated_at: r.updated_at,
    version: Number(r.version),
  };
}

/** The change counter of the whole table (grows with every edit). */
export async function readRevision(db: Executor): Promise<number> {
  const row = await db.selectFrom('calendar.revision').select('revision').executeTakeFirstOrThrow();
  return Number(row.revision);
}

/** Bumps the change counter; the row lock also serialises concurrent edits until commit. */
export async function bumpRevision(trx: Trx): Promise<number> {
  const row = await trx
    .updateTable('calendar.revision')
    .set({ revision: sql`revision + 1` })
    .returning('revision')
    .executeTakeFirstOrThrow();
  return Number(row.revision);
}

/** Every row (the table is small: about fifteen rows a year). */
export async function readAll(db: Executor): Promise<StoredHoliday[]> {
  const rows = await db.selectFrom('calendar.holidays').selectAll().orderBy('date').execute();
  return rows.map(toStored);
}

/** The rows with from ≤ date ≤ to ('YYYY-MM-DD'). */
export async function readRange(db: Executor, from: string, to: string): Promise<StoredHoliday[]> {
  const rows = await db
    .selectFrom('calendar.holidays')
    .selectAll()
    .where('date', '>=', from)
    .where('date', '<=', to)
    .orderBy('date')
    .execute();
  return rows.map(toStored);
}

export async function findForUpdate(trx: Trx, date: string): Promise<StoredHoliday | undefined> {
  const row = await trx
    .selectFrom('calendar.holidays')
    .selectAll()
    .where('date', '=', date)
    .forUpdate()
    .executeTakeFirst();
  return row ? toStored(row) : undefined;
}

export async function insertHoliday(
  trx: Trx,
  row: HolidayRow & { source: HolidaySource; updated_by: string; updated_at: Date },
): Promise<StoredHoliday> {
  const inserted = await trx
    .insertInto('calendar.holidays')
    .values({ ...row, version: 1 })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toStored(inserted);
}

/** Conditional update: only the version the caller read is replaced (undefined when it changed). */
export async function updateHoliday(
  trx: Trx,
  row: HolidayRow & { source: HolidaySource; updated_by: string; updated_at: Date },
  expectedVersion: number,
): Promise<StoredHoliday | undefined> {
  const updated = await trx
    .updateTable('calendar.holidays')
    .set({
      kind: row.kind,
      name_vi: row.name_vi,
      name_en: row.name_en,
      legal_source: row.legal_source,
      source: row.source,
      updated_by: row.updated_by,
      updated_at: row.updated_at,
      version: sql`version + 1`,
    })
    .where('date', '=', row.date)
    .where('version', '=', expectedVersion)
    .returningAll()
    .executeTakeFirst();
  return updated ? toStored(updated) : undefined;
}

export async function deleteHoliday(trx: Trx, date: string, expectedVersion: number): Promise<boolean> {
  const result = await trx
    .deleteFrom('calendar.holidays')
    .where('date', '=', date)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
