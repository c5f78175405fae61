import type { ColumnType } from 'kysely';
import type { HolidayKind, HolidaySource } from './model.ts';

/** Row types of the tables this context owns (schema `calendar`), keyed 'schema.table' for Kysely. */
export interface CalendarTables {
  'calendar.holidays': HolidayTableRow;
  'calendar.revision': RevisionTableRow;
}

/** One exception to "Monday–Friday are working days" (see model.ts). */
export interface HolidayTableRow {
  /** `date` column, read as 'YYYY-MM-DD' (never a JS Date: a legal date has no time zone). */
  date: string;
  kind: HolidayKind;
  name_vi: string;
  name_en: string;
  legal_source: string;
  source: HolidaySource;
  /** Who wrote the row: 'system:migration' for the seed, else '<actor kind>:<actor id>'. */
  updated_by: string;
  updated_at: ColumnType<Date, Date | string, Date | string>;
  /** Starts at 1 and grows by one on every change: optimistic concurrency for the admin API. */
  version: number;
}

/** A single row whose counter grows with every change to `calendar.holidays` (cache invalidation). */
export interface RevisionTableRow {
  id: ColumnType<boolean, boolean | undefined, never>;
  revision: number;
}
