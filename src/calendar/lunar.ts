/**
 * The Vietnamese lunisolar calendar (âm lịch), computed astronomically for the meridian of
 * UTC+7 (DOMAIN.md §8). Legal dates that depend on it: Tết (1/1 lunar) and the Hùng Kings'
 * Commemoration (10/3 lunar), Labour Code 2019 Art 112.1(b),(e).
 *
 * The rules (the same as China's since the 1929 reform, applied at a different meridian):
 *
 * 1. A month starts on the civil day (at UTC+7) that contains the astronomical new moon.
 * 2. Month 11 is the month that contains the December solstice (Sun at 270°).
 * 3. Between two consecutive months 11 there are 12 or 13 months. With 13, one is a leap month:
 *    the first month after month 11 that contains no major solar term (zhōngqì / trung khí: the
 *    Sun's longitude reaching a multiple of 30°). It takes the number of the month before it.
 * 4. Month 1 follows month 12 (or a leap 12); its first day is Tết Nguyên đán.
 *
 * Why UTC+7 matters: every rule above asks on which civil day an instant falls. Vietnam's calendar
 * is computed for UTC+7 (the North since 1968, the whole country since 1975), China's for UTC+8.
 * An instant between 16:00 and 17:00 UTC is on one day in Hà Nội and on the next in Beijing:
 * - Tết 2007: new moon 17 Feb 16:14 UTC = 23:14 in Hà Nội → Tết 17 Feb (China: 18 Feb);
 * - Tết 2030: new moon 2 Feb 16:07 UTC → Tết 2 Feb (China: 3 Feb);
 * - Tết 2053: new moon 18 Feb 16:31 UTC → Tết 18 Feb (China: 19 Feb);
 * - Tết 1985: the December 1984 solstice came at 16:23 UTC, i.e. 21 Dec in Hà Nội but 22 Dec in
 *   Beijing, which is the day a month began there (new moon 22 Dec 11:47 UTC). So month 11 is the
 *   month from 23 Nov in Vietnam but from 22 Dec in China; the leap month falls elsewhere
 *   (Vietnam: leap month 2 of 1985; China: leap month 10 of 1984) and Tết was 21 Jan 1985 in
 *   Vietnam, 20 Feb 1985 in China;
 * - Hùng Kings (10/3): month 3 began on 26 Mar 2009 (new moon 16:06 UTC), 15 Apr 2037 (16:08 UTC)
 *   and 4 Apr 2038 (16:43 UTC) in Vietnam, a day later in China: 10/3 is 4 Apr 2009, 24 Apr 2037
 *   and 13 Apr 2038 in Vietnam (5 Apr, 25 Apr, 14 Apr in China).
 * The tests pin these dates.
 *
 * History: before 1968 (in the South until 1975) the calendar in use followed UTC+8; this module
 * computes the UTC+7 calendar for every year, which is what the platform needs (holidays from 2020).
 *
 * Precision: a civil day is decided by an instant, so a new moon or a major term within about a
 * minute of midnight at UTC+7 cannot be placed with certainty by an abridged theory. Between 1900
 * and 2100, five new moons fall within 30 s of midnight (1944, 1967, 2054, 2077, 2085: listed in
 * docs/calendar.md); none is near a date the holiday rules use.
 *
 * Astronomy is in `astro.ts` (Meeus). This file only turns instants into civil days at UTC+7 and
 * applies the rules; all dates are civil dates or integer Julian Day Numbers, so the result never
 * depends on the process time zone.
 *
 * Supported: lunar years 1801–2199 (outside that, ΔT and the truncated theories drift).
 */

import { newMoonUt, solarLongitudeInstant, sunApparentLongitude, utToTt, ttToUt } from './astro.ts';
import { fromJdn, toCivilDate, toJdn, type CivilDate, type IsoDate } from './civil-date.ts';

/** Vietnam's legal time offset: UTC+7, no daylight saving time. */
export const VIETNAM_UTC_OFFSET_HOURS = 7;

export const MIN_LUNAR_YEAR = 1801;
export const MAX_LUNAR_YEAR = 2199;

export interface LunarDate {
  /** The lunar year, named by the Gregorian year in which its month 1 (Tết) begins. */
  year: number;
  month: number; // 1..12
  day: number; // 1..30
  /** True for the leap (intercalary, "nhuận") month that repeats `month`. */
  leap: boolean;
}

/** One lunar month: its first civil day (JDN), its length and its place in the lunar year. */
export interface LunarMonth {
  startJdn: number;
  length: 29 | 30;
  year: number;
  month: number;
  leap: boolean;
}

const TZ_DAYS = VIETNAM_UTC_OFFSET_HOURS / 24;

/** The civil day (JDN) at UTC+7 that contains the instant `jdUt`. */
function localDay(jdUt: number): number {
  return Math.floor(jdUt + 0.5 + TZ_DAYS);
}

/** The instant (JD, UT) at which civil day `jdn` starts at UTC+7 (local midnight). */
function localMidnightUt(jdn: number): number {
  return jdn - 0.5 - TZ_DAYS;
}

const newMoonDayCache = new Map<number, number>();

/** Civil day (JDN, UTC+7) of the new moon of lunation k (k = 0: 6 January 2000). */
function newMoonDay(k: number): number {
  let day = newMoonDayCache.get(k);
  if (day === undefined) {
    day = localDay(newMoonUt(k));
    newMoonDayCache.set(k, day);
  }
  return day;
}

const SYNODIC_MONTH = 29.530588861;
const K0_JD = 2451550.09766;

/** The lunation whose month contains civil day `jdn` (its new-moon day is ≤ jdn < the next). */
function lunationContaining(jdn: number): number {
  let k = Math.floor((jdn - K0_JD) / SYNODIC_MONTH);
  while (newMoonDay(k) > jdn) k--;
  while (newMoonDay(k + 1) <= jdn) k++;
  return k;
}

/** The major-term sector (0..11: floor(λ☉ / 30°)) at the start (local midnight) of day `jdn`. */
function sectorAtStartOf(jdn: number): number {
  return Math.floor(sunApparentLongitude(utToTt(localMidnightUt(jdn))) / 30);
}

/**
 * Whether the month of lunation k contains a major term: the Sun crosses a multiple of 30°
 * between the start of its first day and the start of the next month's first day (UTC+7).
 */
function hasMajorTerm(k: number): boolean {
  return sectorAtStartOf(newMoonDay(k)) !== sectorAtStartOf(newMoonDay(k + 1));
}

const month11Cache = new Map<number, number>();

/** The lunation of month 11 that contains the December solstice of Gregorian year `y`. */
function month11Lunation(y: number): number {
  let k = month11Cache.get(y);
  if (k === undefined) {
    const approx = toJdn({ year: y, month: 12, day: 21 }); // the solstice is 20–23 December
    const solsticeUt = ttToUt(solarLongitudeInstant(270, approx));
    k = lunationContaining(localDay(solsticeUt));
    month11Cache.set(y, k);
  }
  return k;
}

const periodCache = new Map<number, LunarMonth[]>();

/**
 * The months from month 11 of lunar year y−1 (inclusive) to month 11 of lunar year y (exclusive):
 * 12 or 13 months. Months 11 and 12 belong to lunar year y−1, months 1–10 to lunar year y.
 */
function monthsBetweenSolstices(y: number): LunarMonth[] {
  const cached = periodCache.get(y);
  if (cached) return cached;

  const kStart = month11Lunation(y - 1);
  const kEnd = month11Lunation(y);
  const count = kEnd - kStart;
  if (count !== 12 && count !== 13) throw new Error(`lunar year ${y}: ${count} months between solstices`);

  let leapOffset = -1;
  if (count === 13) {
    // Rule 3: the first month (after month 11 itself) without a major term is the leap month.
    for (let i = 1; i < count; i++) {
      if (!hasMajorTerm(kStart + i)) {
        leapOffset = i;
        break;
      }
    }
    if (leapOffset < 0) throw new Error(`lunar year ${y}: 13 months but no month without a major term`);
  }

  const months: LunarMonth[] = [];
  for (let i = 0; i < count; i++) {
    const start = newMoonDay(kStart + i);
    const length = newMoonDay(kStart + i + 1) - start;
    if (length !== 29 && length !== 30) throw new Error(`lunar month of ${length} days at JDN ${start}`);
    // Running number 11, 12, 13 (= month 1 of the next year), …; the leap month repeats the
    // number of the month before it.
    const n = leapOffset >= 0 && i >= leapOffset ? 11 + i - 1 : 11 + i;
    months.push({
      startJdn: start,
      length,
      month: ((n - 1) % 12) + 1,
      year: n > 12 ? y : y - 1,
      leap: i === leapOffset,
    });
  }
  periodCache.set(y, months);
  return months;
}

function checkLunarYear(year: number): void {
  if (!Number.isInteger(year) || year < MIN_LUNAR_YEAR || year > MAX_LUNAR_YEAR) {
    throw new RangeError(`lunar year ${year} outside ${MIN_LUNAR_YEAR}–${MAX_LUNAR_YEAR}`);
  }
}

/** All months of lunar year `year` in order (12 or 13 of them; Tết is the first day of the first). */
export function lunarYearMonths(year: number): LunarMonth[] {
  checkLunarYear(year);
  return [...monthsBetweenSolstices(year), ...monthsBetweenSolstices(year + 1)].filter((m) => m.year === year);
}

/** The leap month's number in lunar year `year` (e.g. 6 for "tháng 6 nhuận"), or undefined. */
export function leapMonthOf(year: number): number | undefined {
  return lunarYearMonths(year).find((m) => m.leap)?.month;
}

/** The civil date in Vietnam of a lunar date. Throws RangeError if that lunar date does not exist. */
export function lunarToSolar(lunarYear: number, lunarMonth: number, lunarDay: number, leap = false): CivilDate {
  checkLunarYear(lunarYear);
  if (!Number.isInteger(lunarMonth) || lunarMonth < 1 || lunarMonth > 12) {
    throw new RangeError(`lunar month ${lunarMonth} is not 1–12`);
  }
  // Months 11 and 12 of lunar year y lie between the solstices of y and y+1.
  const months = monthsBetweenSolstices(lunarMonth >= 11 ? lunarYear + 1 : lunarYear);
  const m = months.find((x) => x.year === lunarYear && x.month === lunarMonth && x.leap === leap);
  if (!m) throw new RangeError(`lunar year ${lunarYear} has no ${leap ? 'leap ' : ''}month ${lunarMonth}`);
  if (!Number.isInteger(lunarDay) || lunarDay < 1 || lunarDay > m.length) {
    throw new RangeError(
      `lunar ${lunarYear}/${lunarMonth}${leap ? ' leap' : ''} has ${m.length} days, not ${lunarDay}`,
    );
  }
  return fromJdn(m.startJdn + lunarDay - 1);
}

/** The lunar date of a civil date in Vietnam. */
export function solarToLunar(date: CivilDate | IsoDate): LunarDate {
  const civil = toCivilDate(date);
  const jdn = toJdn(civil);
  // Which solstice-to-solstice span holds this day: the one ending at month 11 of this year, or
  // the next one if the day is already in (or after) this year's month 11.
  if (civil.year < MIN_LUNAR_YEAR || civil.year > MAX_LUNAR_YEAR) {
    throw new RangeError(`year ${civil.year} outside ${MIN_LUNAR_YEAR}–${MAX_LUNAR_YEAR}`);
  }
  const y = jdn >= newMoonDay(month11Lunation(civil.year)) ? civil.year + 1 : civil.year;
  const months = monthsBetweenSolstices(y);
  for (let i = months.length - 1; i >= 0; i--) {
    const m = months[i]!;
    if (m.startJdn <= jdn) {
      checkLunarYear(m.year);
      return { year: m.year, month: m.month, day: jdn - m.startJdn + 1, leap: m.leap };
    }
  }
  throw new Error(`no lunar month found for JDN ${jdn}`);
}
