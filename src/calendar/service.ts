import type { Platform } from '../platform/context.ts';
import { defineProblems, platformProblem } from '../platform/errors.ts';
import type { AuditService } from '../audit/service.ts';
import { isIsoDate, isWeekend, type IsoDate } from './civil-date.ts';
import {
  holidayRowProblems,
  holidaySchedule,
  lookupFromRows,
  RULE_MAX_YEAR,
  RULE_MIN_YEAR,
  type HolidayKind,
  type HolidayLookup,
  type HolidayRow,
  type SourcedHolidayRow,
} from './model.ts';
import {
  bumpRevision,
  deleteHoliday,
  findForUpdate,
  insertHoliday,
  readAll,
  readRange,
  readRevision,
  updateHoliday,
  type StoredHoliday,
} from './repository.ts';
import {
  addCalendarDays,
  addWorkingDays,
  calendarDaysLastDay,
  isWorkingDay,
  nextWorkingDay,
  vnDate,
  workingDaysLastDay,
} from './working-days.ts';

export const calendarProblem = defineProblems({
  CALENDAR_DAY_NOT_FOUND: {
    status: 404,
    vi: 'Lịch không có mục nào cho ngày {date}.',
    en: 'The calendar has no entry for {date}.',
  },
  CALENDAR_MAKEUP_NOT_WEEKEND: {
    status: 400,
    vi: 'Ngày làm bù phải là thứ Bảy hoặc Chủ nhật; {date} không phải.',
    en: 'A make-up working day must be a Saturday or a Sunday; {date} is not.',
  },
});

/**
 * The working calendar at one revision of `calendar.holidays`: a pure snapshot that other
 * contexts can use for many computations (see working-days.ts for the counting rules).
 */
export interface WorkingCalendar {
  readonly revision: number;
  readonly lookup: HolidayLookup;
  isWorkingDay(date: IsoDate): boolean;
  nextWorkingDay(date: IsoDate): IsoDate;
  /** End (23:59:59.999+07:00) of the n-th working day after the day of `instant`. */
  addWorkingDays(instant: Date, n: number): Date;
  /** End of the n-th calendar day after the day of `instant`, rolled to a working day. */
  addCalendarDays(instant: Date, n: number): Date;
}

export interface HolidayInput {
  kind: HolidayKind;
  name_vi: string;
  name_en: string;
  legal_source: string;
}

export interface CalendarActor {
  kind: string;
  id: string;
}

export interface CalendarService {
  /** The calendar now. Cached per process; one cheap query checks that the table has not changed. */
  current(): Promise<WorkingCalendar>;
  isWorkingDay(date: IsoDate): Promise<boolean>;
  addWorkingDays(instant: Date, n: number): Promise<Date>;
  addCalendarDays(instant: Date, n: number): Promise<Date>;
  /**
   * The rows of a year. `from: 'rules'` when the table holds nothing for that year (beyond the
   * seeded years): the rule defaults the calendar then uses.
   */
  holidaysOfYear(year: number): Promise<{ year: number; from: 'table' | 'rules'; holidays: CalendarEntry[] }>;
  /** Creates or replaces the entry of a date (a government decision). Audited. */
  setHoliday(
    actor: CalendarActor,
    date: IsoDate,
    input: HolidayInput,
    options?: { expectedVersion?: number | undefined },
  ): Promise<{ holiday: StoredHoliday; created: boolean }>;
  /** Removes the entry of a date (the day becomes an ordinary day). Audited. */
  removeHoliday(
    actor: CalendarActor,
    date: IsoDate,
    options?: { expectedVersion?: number | undefined },
  ): Promise<StoredHoliday>;
}

/** A stored row, or a rule default for a year the table does not cover. */
export type CalendarEntry = StoredHoliday | (SourcedHolidayRow & { updated_by?: undefined; version?: undefined });

const ruleYearCache = new Map<number, HolidayLookup>();

/** Rule defaults (with known decisions) for a year that has no row in the table. */
function ruleLookup(year: number): HolidayLookup {
  let lookup = ruleYearCache.get(year);
  if (!lookup) {
    lookup = year >= RULE_MIN_YEAR && year <= RULE_MAX_YEAR ? lookupFromRows(holidaySchedule(year)) : () => undefined;
    ruleYearCache.set(year, lookup);
  }
  return lookup;
}

/**
 * Builds a snapshot. A date in a year that has rows in the table is decided by the table alone;
 * a year with no row at all (not seeded yet: after 2035) falls back to the rule defaults, so a
 * deadline far ahead still skips Tết. Years outside the rules count weekends only.
 */
export function workingCalendar(revision: number, rows: readonly Pick<HolidayRow, 'date' | 'kind'>[]): WorkingCalendar {
  const table = lookupFromRows(rows);
  const yearsInTable = new Set(rows.map((r) => Number(r.date.slice(0, 4))));
  const lookup: HolidayLookup = (date) => {
    const year = Number(date.slice(0, 4));
    return yearsInTable.has(year) ? table(date) : ruleLookup(year)(date);
  };
  return {
    revision,
    lookup,
    isWorkingDay: (date) => isWorkingDay(date, lookup),
    nextWorkingDay: (date) => nextWorkingDay(date, lookup),
    addWorkingDays: (instant, n) => addWorkingDays(instant, n, lookup),
    addCalendarDays: (instant, n) => addCalendarDays(instant, n, lookup),
  };
}

function checkInput(date: IsoDate, input: HolidayInput): HolidayRow {
  if (!isIsoDate(date)) {
    throw platformProblem('VALIDATION_FAILED', { reason: `date ${date} is not YYYY-MM-DD` }, { field: 'date' });
  }
  const row: HolidayRow = {
    date,
    kind: input.kind,
    name_vi: input.name_vi?.trim(),
    name_en: input.name_en?.trim(),
    legal_source: input.legal_source?.trim(),
  };
  if (row.kind === 'makeup_workday' && !isWeekend(date)) {
    throw calendarProblem('CALENDAR_MAKEUP_NOT_WEEKEND', { date }, { field: 'kind' });
  }
  const [first] = holidayRowProblems(row);
  if (first) {
    const field = first.slice(0, first.indexOf(':'));
    throw platformProblem('VALIDATION_FAILED', { reason: first }, { field });
  }
  return row;
}

function forAudit(h: StoredHoliday | undefined) {
  return h
    ? {
        kind: h.kind,
        name_vi: h.name_vi,
        name_en: h.name_en,
        legal_source: h.legal_source,
        source: h.source,
        version: h.version,
      }
    : null;
}

export function createCalendarService(
  platform: Pick<Platform, 'db' | 'clock'>,
  deps: { audit?: AuditService | undefined } = {},
): CalendarService {
  const { db, clock } = platform;
  let cached: WorkingCalendar | undefined;
  let loading: Promise<WorkingCalendar> | undefined;

  async function load(): Promise<WorkingCalendar> {
    // Rows and revision from one snapshot, so the cache is never newer or older than its rows.
    const { revision, rows } = await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => ({ revision: await readRevision(trx), rows: await readAll(trx) }));
    return workingCalendar(revision, rows);
  }

  async function current(): Promise<WorkingCalendar> {
    const revision = await readRevision(db);
    if (cached && cached.revision === revision) return cached;
    loading ??= load().finally(() => {
      loading = undefined;
    });
    const fresh = await loading;
    if (!cached || fresh.revision >= cached.revision) cached = fresh;
    return fresh;
  }

  function checkExpected(before: StoredHoliday | undefined, expectedVersion: number | undefined): void {
    // expectedVersion 0 means "there must be no entry yet"; undefined means "whatever is there".
    if (expectedVersion !== undefined && (before?.version ?? 0) !== expectedVersion) {
      throw platformProblem('CONFLICT', {}, { detail: { currentVersion: before?.version ?? 0 } });
    }
  }

  return {
    current,

    async isWorkingDay(date) {
      return (await current()).isWorkingDay(date);
    },

    async addWorkingDays(instant, n) {
      return (await current()).addWorkingDays(instant, n);
    },

    async addCalendarDays(instant, n) {
      return (await current()).addCalendarDays(instant, n);
    },

    async holidaysOfYear(year) {
      const rows = await readRange(db, `${year}-01-01`, `${year}-12-31`);
      if (rows.length > 0 || year < RULE_MIN_YEAR || year > RULE_MAX_YEAR) {
        return { year, from: 'table', holidays: rows };
      }
      return { year, from: 'rules', holidays: holidaySchedule(year) };
    },

    async setHoliday(actor, date, input, options = {}) {
      const row = checkInput(date, input);
      return db.transaction().execute(async (trx) => {
        await bumpRevision(trx); // also serialises concurrent edits until this one commits
        const before = await findForUpdate(trx, date);
        checkExpected(before, options.expectedVersion);
        const values = {
          ...row,
          source: 'decision' as const,
          updated_by: `${actor.kind}:${actor.id}`,
          updated_at: clock.now(),
        };
        const after = before ? await updateHoliday(trx, values, before.version) : await insertHoliday(trx, values);
        if (!after) throw platformProblem('CONFLICT');
        await deps.audit?.append(trx, {
          actor,
          action: before ? 'calendar.holiday.update' : 'calendar.holiday.create',
          subject: { kind: 'calendar_day', id: date },
          outcome: 'success',
          detail: { before: forAudit(before), after: forAudit(after) },
        });
        return { holiday: after, created: !before };
      });
    },

    async removeHoliday(actor, date, options = {}) {
      if (!isIsoDate(date)) {
        throw platformProblem('VALIDATION_FAILED', { reason: `date ${date} is not YYYY-MM-DD` }, { field: 'date' });
      }
      return db.transaction().execute(async (trx) => {
        await bumpRevision(trx);
        const before = await findForUpdate(trx, date);
        if (!before) throw calendarProblem('CALENDAR_DAY_NOT_FOUND', { date });
        checkExpected(before, options.expectedVersion);
        if (!(await deleteHoliday(trx, date, before.version))) throw platformProblem('CONFLICT');
        await deps.audit?.append(trx, {
          actor,
          action: 'calendar.holiday.delete',
          subject: { kind: 'calendar_day', id: date },
          outcome: 'success',
          detail: { before: forAudit(before), after: null },
        });
        return before;
      });
    },
  };
}

/** The last day and the deadline of a period, for the API and for callers that show both. */
export function describeDeadline(
  calendar: WorkingCalendar,
  from: Date,
  days: number,
  unit: 'working' | 'calendar',
): { receivedOn: IsoDate; lastDay: IsoDate; deadline: Date } {
  const receivedOn = vnDate(from);
  const lastDay =
    unit === 'working'
      ? workingDaysLastDay(receivedOn, days, calendar.lookup)
      : calendarDaysLastDay(receivedOn, days, calendar.lookup);
  const deadline = unit === 'working' ? calendar.addWorkingDays(from, days) : calendar.addCalendarDays(from, days);
  return { receivedOn, lastDay, deadline };
}
