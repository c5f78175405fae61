import { sql, type Kysely } from 'kysely';
import type { ForwardMigration } from '../platform/migrations.ts';
import { seedHolidayRows, SEED_FIRST_YEAR, SEED_LAST_YEAR } from './model.ts';

/** The actor recorded on rows the migration writes. */
export const SEED_ACTOR = 'system:migration';

/**
 * Fills `calendar.holidays` with the rule defaults for 2020–2035 and the government schedules
 * known when the code was written (model.ts). Later decisions are entered through the admin API
 * (or a new migration); this function never overwrites an existing row.
 */
export async function seedHolidays(db: Kysely<any>, firstYear = SEED_FIRST_YEAR, lastYear = SEED_LAST_YEAR) {
  const rows = seedHolidayRows(firstYear, lastYear).map((r) => ({
    ...r,
    updated_by: SEED_ACTOR,
    updated_at: sql`now()`,
    version: 1,
  }));
  if (rows.length === 0) return;
  await db
    .insertInto('calendar.holidays')
    .values(rows)
    .onConflict((oc) => oc.column('date').doNothing())
    .execute();
  await db
    .updateTable('calendar.revision')
    .set({ revision: sql`revision + 1` })
    .execute();
}

export const calendarMigrations: ForwardMigration[] = [
  {
    name: '202611260110_calendar_holidays',
    async up(db) {
      await sql`create schema if not exists calendar`.execute(db);
      await sql`
        create table calendar.holidays (
          date date primary key,
          kind text not null check (kind in ('holiday', 'day_off', 'makeup_workday')),
          name_vi text not null check (btrim(name_vi) <> ''),
          name_en text not null check (btrim(name_en) <> ''),
          legal_source text not null check (btrim(legal_source) <> ''),
          source text not null check (source in ('rule', 'decision')),
          updated_by text not null,
          updated_at timestamptz not null default now(),
          version integer not null default 1 check (version >= 1),
          -- a make-up working day only makes sense on a weekly rest day
          constraint makeup_on_weekend check (kind <> 'makeup_workday' or extract(isodow from date) in (6, 7))
        )`.execute(db);
      await sql`
        create table calendar.revision (
          id boolean primary key default true check (id),
          revision bigint not null
        )`.execute(db);
      await sql`insert into calendar.revision (id, revision) values (true, 0)`.execute(db);
      await seedHolidays(db);
    },
  },
];
