/**
 * Legal dates as 'YYYY-MM-DD' strings and as day numbers (days since 1970-01-01), with integer
 * arithmetic only: nothing here reads the process time zone, and the generator can do millions
 * of date computations without allocating a Date.
 */

/** ISO 8601 calendar date, 'YYYY-MM-DD'. */
export type IsoDate = string;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The civil date of a day number (H. Hinnant's civil_from_days). */
export function civilDate(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

// The generator formats millions of dates from a few tens of thousands of distinct days: cache
// 1850–2149 (indexes are days since 1850-01-01).
const CACHE_FROM = -43829;
const CACHE_SIZE = 109573;
const isoCache: (string | undefined)[] = new Array(CACHE_SIZE);

export function isoFromDays(days: number): IsoDate {
  const slot = days - CACHE_FROM;
  if (slot >= 0 && slot < CACHE_SIZE) {
    const hit = isoCache[slot];
    if (hit !== undefined) return hit;
  }
  const { year, month, day } = civilDate(days);
  const iso = `${year}-${pad2(month)}-${pad2(day)}`;
  if (slot >= 0 && slot < CACHE_SIZE) isoCache[slot] = iso;
  return iso;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Day number of an ISO date; throws on anything that is not a real calendar date. */
export function daysFromIso(iso: IsoDate): number {
  const m = ISO.exec(iso);
  if (!m) throw new RangeError(`not an ISO date: ${iso}`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const days = dayNumber(year, month, day);
  const back = civilDate(days);
  if (back.month !== month || back.day !== day) throw new RangeError(`not a calendar date: ${iso}`);
  return days;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * The day someone born on `dob` turns `age`. A 29 February birthday falls on 28 February in
 * common years (the day before 1 March, when the person has not yet completed the year).
 * *(policy: the law does not say; 28 February keeps the birthday inside the same month.)*
 */
export function birthdayAt(dob: number, age: number): number {
  const { year, month, day } = civilDate(dob);
  const y = year + age;
  if (month === 2 && day === 29 && !isLeapYear(y)) return dayNumber(y, 2, 28);
  return dayNumber(y, month, day);
}

/** YYYYMMDD as a number, from a table for 1850–2149 (the generator's hot path). */
const ymdTable = new Int32Array(CACHE_SIZE);
for (let i = 0; i < CACHE_SIZE; i++) {
  const { year, month, day } = civilDate(i + CACHE_FROM);
  ymdTable[i] = year * 10000 + month * 100 + day;
}

function ymd(days: number): number {
  const slot = days - CACHE_FROM;
  if (slot >= 0 && slot < CACHE_SIZE) return ymdTable[slot] as number;
  const { year, month, day } = civilDate(days);
  return year * 10000 + month * 100 + day;
}

/** Completed years of age on `on` for someone born on `dob` (both day numbers). */
export function ageOn(dob: number, on: number): number {
  const b = ymd(dob);
  const d = ymd(on);
  let age = Math.floor((d - b) / 10000);
  // A 29 February birthday is reached on 28 February in a common year (see birthdayAt).
  if (b % 10000 === 229 && d % 10000 === 228 && !isLeapYear(Math.floor(d / 10000))) age += 1;
  return age;
}

/** The ISO date of an instant in Asia/Ho_Chi_Minh (UTC+7, no daylight saving). */
export function vietnamDate(instant: Date): IsoDate {
  return isoFromDays(Math.floor((instant.getTime() + 7 * 3_600_000) / 86_400_000));
}
