/**
 * Counting legal periods in days (DOMAIN.md §8; Civil Code 2015 Arts 147–148), as pure functions
 * of an instant and a holiday lookup.
 *
 * Legal days are civil days in Vietnam: Asia/Ho_Chi_Minh, which is UTC+07:00 all year (no daylight
 * saving time since 1975). Every conversion here adds the fixed offset to the UTC instant and
 * reads the UTC fields; nothing reads the process time zone (no `getDay()`, no `getDate()`).
 *
 * Our reading of the Civil Code, applied by every function below:
 * - Art 147.2/147.3: when a period runs from an event (the receipt of a complete dossier), the
 *   day of the event is not counted; counting starts with the next day. This holds whatever the
 *   hour of receipt and whatever kind of day it is: a dossier received on a Saturday or a holiday
 *   starts counting on the next day too (for working-day periods the next days that count are the
 *   next working days, so receipt on Saturday and receipt on the Friday before give the same
 *   deadline). Rules that deem a dossier received outside office hours as received on the next
 *   working day (e.g. for online public services) would push the deadline one more working day;
 *   they are not applied here.
 * - Art 148.1/148.6: a period in days ends at 24:00 of its last day. We return that moment as the
 *   last millisecond of the last day, 23:59:59.999+07:00, so that `vnDate(deadline)` is the last
 *   day itself (what people and documents call the deadline). A deadline is missed when the act
 *   happens strictly after it: `isOverdue(deadline, at)` is `at > deadline`.
 * - Art 148.5: if the last day of a period is a weekly rest day or a holiday, the period ends at
 *   the end of the next working day. Working-day periods end on a working day by construction;
 *   calendar-day periods roll forward.
 * - A working day is Monday–Friday unless the calendar marks it 'holiday' or 'day_off', plus any
 *   Saturday or Sunday the calendar marks 'makeup_workday' (policy: an announced make-up Saturday
 *   is a working day for every deadline).
 */

import { addDays, isIsoDate, isWeekend, type IsoDate } from './civil-date.ts';
import type { HolidayLookup } from './model.ts';

/** Asia/Ho_Chi_Minh is UTC+07:00 all year. */
export const VN_OFFSET_MS = 7 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A period never searches further than this for a working day (a guard against a bad calendar). */
const MAX_CONSECUTIVE_DAYS_OFF = 60;

function checkInstant(instant: Date): number {
  const t = instant instanceof Date ? instant.getTime() : NaN;
  if (!Number.isFinite(t)) throw new RangeError('not a valid instant');
  return t;
}

function checkDate(date: IsoDate): void {
  if (!isIsoDate(date)) throw new RangeError(`not a valid date: ${JSON.stringify(date)}`);
}

/** The civil date in Vietnam ('YYYY-MM-DD') at an instant. */
export function vnDate(instant: Date): IsoDate {
  return new Date(checkInstant(instant) + VN_OFFSET_MS).toISOString().slice(0, 10);
}

/** 00:00:00.000+07:00 of a civil date in Vietnam. */
export function startOfVnDay(date: IsoDate): Date {
  checkDate(date);
  return new Date(Date.parse(`${date}T00:00:00.000Z`) - VN_OFFSET_MS);
}

/** 23:59:59.999+07:00 of a civil date in Vietnam: the instant a period ending that day ends. */
export function endOfVnDay(date: IsoDate): Date {
  return new Date(startOfVnDay(date).getTime() + DAY_MS - 1);
}

/** Whether an act at `at` misses a deadline returned by this module. */
export function isOverdue(deadline: Date, at: Date): boolean {
  return checkInstant(at) > checkInstant(deadline);
}

/** Whether a civil date is a working day for public agencies. */
export function isWorkingDay(date: IsoDate, lookup: HolidayLookup): boolean {
  checkDate(date);
  const kind = lookup(date);
  if (kind === 'makeup_workday') return true;
  if (kind === 'holiday' || kind === 'day_off') return false;
  return !isWeekend(date);
}

/** The first working day strictly after `date`. */
export function nextWorkingDay(date: IsoDate, lookup: HolidayLookup): IsoDate {
  let d = date;
  for (let i = 0; i <= MAX_CONSECUTIVE_DAYS_OFF; i++) {
    d = addDays(d, 1);
    if (isWorkingDay(d, lookup)) return d;
  }
  throw new RangeError(`no working day within ${MAX_CONSECUTIVE_DAYS_OFF} days after ${date}`);
}

/** The same date if it is a working day, otherwise the next working day. */
export function onOrNextWorkingDay(date: IsoDate, lookup: HolidayLookup): IsoDate {
  return isWorkingDay(date, lookup) ? date : nextWorkingDay(date, lookup);
}

function checkDays(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`a period needs a whole number of days ≥ 1, not ${n}`);
}

/** The last day of a period of `n` working days counted from an event on civil date `from`. */
export function workingDaysLastDay(from: IsoDate, n: number, lookup: HolidayLookup): IsoDate {
  checkDate(from);
  checkDays(n);
  let d = from; // the day of the event itself is never counted (Art 147)
  for (let counted = 0; counted < n; counted++) d = nextWorkingDay(d, lookup);
  return d;
}

/**
 * The deadline of a period of `n` working days from an event (receipt) at `instant`: the end
 * (24:00, returned as 23:59:59.999+07:00) of the n-th working day after the day of the event.
 */
export function addWorkingDays(instant: Date, n: number, lookup: HolidayLookup): Date {
  return endOfVnDay(workingDaysLastDay(vnDate(instant), n, lookup));
}

/** The last day of a period of `n` calendar days from an event on `from`, rolled per Art 148.5. */
export function calendarDaysLastDay(from: IsoDate, n: number, lookup: HolidayLookup): IsoDate {
  checkDate(from);
  checkDays(n);
  return onOrNextWorkingDay(addDays(from, n), lookup);
}

/**
 * The deadline of a period of `n` calendar days from an event at `instant`: the end of the n-th
 * day after the day of the event, or, if that day is not a working day, the end of the next
 * working day (Civil Code Art 148.5).
 */
export function addCalendarDays(instant: Date, n: number, lookup: HolidayLookup): Date {
  return endOfVnDay(calendarDaysLastDay(vnDate(instant), n, lookup));
}

/** The number of working days d with from < d ≤ to (0 when to ≤ from). */
export function workingDaysBetween(from: IsoDate, to: IsoDate, lookup: HolidayLookup): number {
  checkDate(from);
  checkDate(to);
  let count = 0;
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (isWorkingDay(d, lookup)) count++;
  return count;
}

/**
 * What is left of a period at `now`: whether it is already overdue, the working days after today
 * up to and including the deadline's day (0 once overdue), and whether today is a working day
 * (the rest of which is also still available).
 */
export function remainingWorkingTime(
  now: Date,
  deadline: Date,
  lookup: HolidayLookup,
): { overdue: boolean; workingDaysAfterToday: number; todayIsWorkingDay: boolean } {
  const today = vnDate(now);
  const overdue = isOverdue(deadline, now);
  return {
    overdue,
    workingDaysAfterToday: overdue ? 0 : workingDaysBetween(today, vnDate(deadline), lookup),
    todayIsWorkingDay: isWorkingDay(today, lookup),
  };
}
