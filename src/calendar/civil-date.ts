/**
 * Civil (calendar) dates without a time or a zone: 'YYYY-MM-DD' in the proleptic Gregorian
 * calendar. All arithmetic goes through the integer Julian Day Number, so nothing here ever reads
 * the process time zone (no `new Date(y, m, d)`, no `getDay()`).
 */

export interface CivilDate {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
}

/** ISO 8601 calendar date, 'YYYY-MM-DD'. */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Julian Day Number (the day that starts at noon UT of that date) of a Gregorian civil date. */
export function toJdn(date: CivilDate): number {
  // Fliegel & Van Flandern (1968), integer-only.
  const a = Math.floor((14 - date.month) / 12);
  const y = date.year + 4800 - a;
  const m = date.month + 12 * a - 3;
  return (
    date.day +
    Math.floor((153 * m + 2) / 5) +
    365 * y +
    Math.floor(y / 4) -
    Math.floor(y / 100) +
    Math.floor(y / 400) -
    32045
  );
}

/** The Gregorian civil date of a Julian Day Number. */
export function fromJdn(jdn: number): CivilDate {
  const a = jdn + 32044;
  const b = Math.floor((4 * a + 3) / 146097);
  const c = a - Math.floor((146097 * b) / 4);
  const d = Math.floor((4 * c + 3) / 1461);
  const e = c - Math.floor((1461 * d) / 4);
  const m = Math.floor((5 * e + 2) / 153);
  return {
    day: e - Math.floor((153 * m + 2) / 5) + 1,
    month: m + 3 - 12 * Math.floor(m / 10),
    year: 100 * b + d - 4800 + Math.floor(m / 10),
  };
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function isValidCivilDate(date: CivilDate): boolean {
  const { year, month, day } = date;
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    year >= 1 &&
    year <= 9999 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

/** Parses 'YYYY-MM-DD' strictly (a real date: no 2025-02-30); throws RangeError otherwise. */
export function parseIsoDate(iso: IsoDate): CivilDate {
  const m = ISO_DATE.exec(iso);
  const date = m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : undefined;
  if (!date || !isValidCivilDate(date)) throw new RangeError(`not a valid date: ${JSON.stringify(iso)}`);
  return date;
}

export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  return !!m && isValidCivilDate({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) });
}

export function formatIsoDate(date: CivilDate): IsoDate {
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

/** Accepts either form and returns the structured one (validated). */
export function toCivilDate(date: CivilDate | IsoDate): CivilDate {
  if (typeof date === 'string') return parseIsoDate(date);
  if (!isValidCivilDate(date)) throw new RangeError(`not a valid date: ${JSON.stringify(date)}`);
  return date;
}

export function isoToJdn(iso: IsoDate): number {
  return toJdn(parseIsoDate(iso));
}

export function jdnToIso(jdn: number): IsoDate {
  return formatIsoDate(fromJdn(jdn));
}

/** The date `n` days after `iso` (n may be negative). */
export function addDays(iso: IsoDate, n: number): IsoDate {
  return jdnToIso(isoToJdn(iso) + n);
}

/** ISO weekday of a civil date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(iso: IsoDate): number {
  // JDN 0 was a Monday, so JDN mod 7 is 0 for Monday.
  return (((isoToJdn(iso) % 7) + 7) % 7) + 1;
}

/** Saturday or Sunday: the weekly rest days of public agencies (40-hour week, Mon–Fri). */
export function isWeekend(iso: IsoDate): boolean {
  return isoWeekday(iso) >= 6;
}
