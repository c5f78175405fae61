/**
 * The holiday calendar as data, and the pure rules that generate its defaults (DOMAIN.md §8).
 *
 * The calendar is a table of exceptions to "Monday–Friday are working days":
 * - 'holiday': a public holiday (Labour Code 2019 Art 112.1);
 * - 'day_off': any other non-working weekday: a compensatory day for a holiday that fell on a
 *   weekly rest day (Art 111.3), or a weekday the government gives off in a swap;
 * - 'makeup_workday': a Saturday or Sunday the government declares a working day, in exchange for
 *   a day off (policy: an announced make-up Saturday is a working day for every deadline).
 *
 * Rules produce the defaults (`generateHolidays`); the yearly decisions of the Prime Minister
 * and the Ministry (Tết and National Day days, swaps) are data (`officialSchedules`) that replace
 * the rule days of the occasions they cover (`holidaySchedule`). In production both are rows of
 * `calendar.holidays`, and an administrator enters each new decision there.
 *
 * The schedules are the ones for public agencies (cán bộ, công chức, viên chức): this platform's
 * deadlines are those of public agencies. Private employers may choose other days.
 */

import { addDays, formatIsoDate, isIsoDate, isoWeekday, isWeekend, type IsoDate } from './civil-date.ts';
import { lunarToSolar, solarToLunar } from './lunar.ts';

export type HolidayKind = 'holiday' | 'day_off' | 'makeup_workday';

export const HOLIDAY_KINDS: readonly HolidayKind[] = ['holiday', 'day_off', 'makeup_workday'];

export interface HolidayRow {
  date: IsoDate; // 'YYYY-MM-DD', a civil date in Vietnam
  kind: HolidayKind;
  name_vi: string;
  name_en: string;
  legal_source: string;
}

/** Where a row comes from: the rule generator, or a government decision entered as data. */
export type HolidaySource = 'rule' | 'decision';

export interface SourcedHolidayRow extends HolidayRow {
  source: HolidaySource;
}

/** The calendar as the counting functions see it: the exception for a date, if any. */
export type HolidayLookup = (date: IsoDate) => HolidayKind | undefined;

/** The occasions of Labour Code 2019 Art 112.1; an official schedule replaces whole occasions. */
export type HolidayOccasion = 'new_year' | 'tet' | 'hung_kings' | 'victory_day' | 'labour_day' | 'national_day';

/** Years the rule generator covers (the statutory basis below is checked for these). */
export const RULE_MIN_YEAR = 2020;
export const RULE_MAX_YEAR = 2199;

/** The years seeded into `calendar.holidays` by the migration. */
export const SEED_FIRST_YEAR = 2020;
export const SEED_LAST_YEAR = 2035;

const LC2019 = 'Labour Code 2019 (45/2019/QH14)';
const LC2012 = 'Labour Code 2012 (10/2012/QH13)';

/**
 * The statutory basis of a year. Labour Code 2019 is in force from 1 January 2021; in 2020 the
 * Labour Code 2012 applied, identical for our purpose except that National Day was one day.
 */
function statute(year: number): {
  code: string;
  article: string;
  compensation: string;
  nationalDayDays: 1 | 2;
} {
  return year >= 2021
    ? { code: LC2019, article: 'Art 112.1', compensation: `${LC2019} Art 111.3`, nationalDayDays: 2 }
    : { code: LC2012, article: 'Art 115.1', compensation: `${LC2012} Art 115.3`, nationalDayDays: 1 };
}

const OCCASION_NAMES: Record<HolidayOccasion, { vi: string; en: string }> = {
  new_year: { vi: 'Tết Dương lịch', en: "New Year's Day" },
  tet: { vi: 'Tết Nguyên đán', en: 'Lunar New Year (Tết)' },
  hung_kings: { vi: 'Giỗ Tổ Hùng Vương', en: "Hùng Kings' Commemoration Day" },
  victory_day: { vi: 'Ngày Chiến thắng', en: 'Victory Day' },
  labour_day: { vi: 'Ngày Quốc tế Lao động', en: 'International Labour Day' },
  national_day: { vi: 'Quốc khánh', en: 'National Day' },
};

interface OccasionDay extends HolidayRow {
  occasion: HolidayOccasion;
}

const LUNAR_MONTH_VI = ['Giêng', 'Hai', 'Ba', 'Tư', 'Năm', 'Sáu', 'Bảy', 'Tám', 'Chín', 'Mười', 'Một', 'Chạp'];

function ordinal(n: number): string {
  const suffix =
    n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

/** The names of one day of the Tết holiday, from its lunar date. */
export function tetDayNames(date: IsoDate): { name_vi: string; name_en: string } {
  const l = solarToLunar(date);
  const monthVi = `tháng ${LUNAR_MONTH_VI[l.month - 1]}`;
  const dayVi = l.month === 1 && l.day <= 10 ? `mùng ${l.day} Tết` : `${l.day} ${monthVi}`;
  return {
    name_vi: `Tết Nguyên đán (${dayVi})`,
    name_en: `Lunar New Year (Tết), ${ordinal(l.day)} day of the ${ordinal(l.month)} lunar month`,
  };
}

/**
 * The day that joins 2 September under Art 112.1(đ) ("2 September and one day immediately
 * before or after it"), which the Prime Minister fixes each year (Art 112.3). The default follows
 * the decisions made under the 2019 code:
 * - 2021 (2/9 Thursday): 3/9;  2022 (Friday): 1/9;  2023 (Saturday): 1/9 (+ Monday 4/9 in lieu);
 * - 2024 (Monday): 3/9;        2025 (Tuesday): 1/9.
 * That is: the neighbour that is a weekday, and when both are, the one that joins the break to a
 * weekend. When 2/9 is a Sunday only 3/9 (Monday) is a weekday. When 2/9 is a Wednesday neither
 * neighbour touches a weekend and there is no precedent yet (2026 is the first such year): we take
 * 1 September, the neighbour the article names first. The yearly decision overrides all of this.
 */
export function nationalDayAdjacentDate(year: number): IsoDate {
  const weekday = isoWeekday(formatIsoDate({ year, month: 9, day: 2 }));
  // 1 = Monday … 7 = Sunday
  const takeThird = weekday === 1 || weekday === 4 || weekday === 7;
  return formatIsoDate({ year, month: 9, day: takeThird ? 3 : 1 });
}

/** The statutory holidays of a year (Art 112.1), before compensatory days. */
function statutoryDays(year: number): OccasionDay[] {
  const s = statute(year);
  const src = (point: string) => `${s.code} ${s.article}(${point})`;
  const iso = (month: number, day: number) => formatIsoDate({ year, month, day });
  const days: OccasionDay[] = [];
  const add = (occasion: HolidayOccasion, date: IsoDate, name_vi: string, name_en: string, source: string) =>
    days.push({ occasion, date, kind: 'holiday', name_vi, name_en, legal_source: source });

  add('new_year', iso(1, 1), 'Tết Dương lịch', "New Year's Day", src('a'));

  // Tết: 5 days. The Prime Minister fixes the exact days every year (Art 112.3); the default here
  // is the last day of the old lunar year and the first four days of the new one.
  const tet = formatIsoDate(lunarToSolar(year, 1, 1));
  for (let i = -1; i <= 3; i++) {
    const date = addDays(tet, i);
    add(
      'tet',
      date,
      tetDayNames(date).name_vi,
      tetDayNames(date).name_en,
      `${src('b')}; days fixed yearly by the Prime Minister`,
    );
  }

  add(
    'hung_kings',
    formatIsoDate(lunarToSolar(year, 3, 10)),
    'Giỗ Tổ Hùng Vương (10/3 âm lịch)',
    "Hùng Kings' Commemoration Day (10th day of the 3rd lunar month)",
    src('e'),
  );
  add('victory_day', iso(4, 30), 'Ngày Chiến thắng (30/4)', 'Victory Day (Reunification Day, 30 April)', src('c'));
  add('labour_day', iso(5, 1), 'Ngày Quốc tế Lao động (1/5)', 'International Labour Day (1 May)', src('d'));
  add('national_day', iso(9, 2), 'Quốc khánh (2/9)', 'National Day (2 September)', src('đ'));
  if (s.nationalDayDays === 2) {
    add(
      'national_day',
      nationalDayAdjacentDate(year),
      'Quốc khánh (ngày liền kề)',
      'National Day (adjacent day)',
      `${src('đ')}; adjacent day fixed yearly by the Prime Minister`,
    );
  }
  return days;
}

/**
 * Merges days that fall on the same date (possible in principle: 10/3 lunar can fall on 30 April;
 * it does not between 2020 and 2035). The law grants no extra day for two holidays on one date,
 * so the date is one holiday carrying both names.
 */
function mergeSameDate(days: OccasionDay[]): OccasionDay[] {
  const byDate = new Map<IsoDate, OccasionDay>();
  for (const d of days) {
    const prev = byDate.get(d.date);
    if (!prev) byDate.set(d.date, { ...d });
    else {
      prev.name_vi += `; ${d.name_vi}`;
      prev.name_en += `; ${d.name_en}`;
      prev.legal_source += `; ${d.legal_source}`;
    }
  }
  return [...byDate.values()];
}

/**
 * Compensatory days (Labour Code 2019 Art 111.3; 2012: Art 115.3): a holiday that falls on a
 * weekly rest day (Saturday or Sunday for public agencies) gives a day off on the next working
 * day. Several such holidays give as many days, on consecutive working days after the break.
 * `taken` are the dates that are already days off (holidays of every occasion, decided days off).
 */
function compensatoryDays(days: OccasionDay[], taken: Set<IsoDate>, year: number): OccasionDay[] {
  const out: OccasionDay[] = [];
  const used = new Set(taken);
  for (const d of [...days].sort((a, b) => a.date.localeCompare(b.date))) {
    if (!isWeekend(d.date)) continue;
    let c = addDays(d.date, 1);
    while (isWeekend(c) || used.has(c)) c = addDays(c, 1);
    used.add(c);
    const names = OCCASION_NAMES[d.occasion];
    const weekday = isoWeekday(d.date) === 6 ? ['thứ Bảy', 'Saturday'] : ['Chủ nhật', 'Sunday'];
    out.push({
      occasion: d.occasion,
      date: c,
      kind: 'day_off',
      name_vi: `Nghỉ bù ${names.vi} (${weekday[0]} ${Number(d.date.slice(8, 10))}/${Number(d.date.slice(5, 7))})`,
      name_en: `Day off in lieu of ${names.en} (${weekday[1]} ${d.date})`,
      legal_source: statute(year).compensation,
    });
  }
  return out;
}

function checkRuleYear(year: number): void {
  if (!Number.isInteger(year) || year < RULE_MIN_YEAR || year > RULE_MAX_YEAR) {
    throw new RangeError(`holiday rules cover ${RULE_MIN_YEAR}–${RULE_MAX_YEAR}, not ${year}`);
  }
}

const byDate = (a: { date: IsoDate }, b: { date: IsoDate }) => a.date.localeCompare(b.date);

function strip(d: OccasionDay): HolidayRow {
  return { date: d.date, kind: d.kind, name_vi: d.name_vi, name_en: d.name_en, legal_source: d.legal_source };
}

/**
 * The rule defaults of a year: the statutory holidays and their compensatory days, sorted by date.
 * No government decision is applied (see `holidaySchedule`).
 */
export function generateHolidays(year: number): HolidayRow[] {
  checkRuleYear(year);
  const days = mergeSameDate(statutoryDays(year));
  const comp = compensatoryDays(days, new Set(days.map((d) => d.date)), year);
  return [...days, ...comp].sort(byDate).map(strip);
}

// ---------------------------------------------------------------------------------------------
// Government decisions
// ---------------------------------------------------------------------------------------------

export interface OfficialSchedule {
  year: number;
  /** The occasions whose rule days (and compensatory days) this schedule replaces. */
  replaces: readonly HolidayOccasion[];
  /** Every non-working weekday and make-up weekend day of those occasions. Weekends are implicit. */
  rows: readonly HolidayRow[];
}

const VERIFY = 'Government announcement (verify)';

function tetRow(date: IsoDate, legal_source: string): HolidayRow {
  return { date, kind: 'holiday', ...tetDayNames(date), legal_source };
}

/**
 * The announced schedules for public agencies that we could establish. Only what is certain is
 * here; a document number is cited only where known, otherwise the entry says "(verify)" and an
 * administrator should replace it with the decision's number through the admin API.
 */
export const officialSchedules: readonly OfficialSchedule[] = [
  {
    // Tết Ất Tỵ: off Saturday 25 January to Sunday 2 February 2025 (9 days): the five Tết days are
    // Monday 27 to Friday 31 January (28 tháng Chạp to mùng 3), plus two weekends.
    year: 2025,
    replaces: ['tet'],
    rows: ['2025-01-27', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31'].map((d) =>
      tetRow(d, `${LC2019} Art 112.1(b); ${VERIFY}: Tết 2025 for public agencies, 25/1–2/2/2025`),
    ),
  },
  {
    // Hùng Kings 2025: Monday 7 April (10/3 Ất Tỵ), three days with the weekend before it.
    year: 2025,
    replaces: ['hung_kings'],
    rows: [
      {
        date: '2025-04-07',
        kind: 'holiday',
        name_vi: 'Giỗ Tổ Hùng Vương (10/3 âm lịch)',
        name_en: "Hùng Kings' Commemoration Day (10th day of the 3rd lunar month)",
        legal_source: `${LC2019} Art 112.1(e); ${VERIFY}: 5/4–7/4/2025`,
      },
    ],
  },
  {
    // 30/4 and 1/5 2025 fall on Wednesday and Thursday. Public agencies swapped Friday 2 May
    // (off) with Saturday 26 April (worked): off 30 April–4 May 2025.
    year: 2025,
    replaces: ['victory_day', 'labour_day'],
    rows: [
      {
        date: '2025-04-26',
        kind: 'makeup_workday',
        name_vi: 'Làm bù cho ngày thứ Sáu 02/5 (hoán đổi ngày làm việc)',
        name_en: 'Make-up working day for Friday 2 May (working-day swap)',
        legal_source: `${VERIFY}: swap of 2/5/2025 with Saturday 26/4/2025 for public agencies`,
      },
      {
        date: '2025-04-30',
        kind: 'holiday',
        name_vi: 'Ngày Chiến thắng (30/4)',
        name_en: 'Victory Day (Reunification Day, 30 April)',
        legal_source: `${LC2019} Art 112.1(c)`,
      },
      {
        date: '2025-05-01',
        kind: 'holiday',
        name_vi: 'Ngày Quốc tế Lao động (1/5)',
        name_en: 'International Labour Day (1 May)',
        legal_source: `${LC2019} Art 112.1(d)`,
      },
      {
        date: '2025-05-02',
        kind: 'day_off',
        name_vi: 'Nghỉ hoán đổi (làm bù thứ Bảy 26/4)',
        name_en: 'Day off by working-day swap (made up on Saturday 26 April)',
        legal_source: `${VERIFY}: swap of 2/5/2025 with Saturday 26/4/2025 for public agencies`,
      },
    ],
  },
  {
    // National Day 2025: Monday 1 and Tuesday 2 September; off Saturday 30 August–2 September.
    year: 2025,
    replaces: ['national_day'],
    rows: [
      {
        date: '2025-09-01',
        kind: 'holiday',
        name_vi: 'Quốc khánh (ngày liền kề)',
        name_en: 'National Day (adjacent day)',
        legal_source: `${LC2019} Art 112.1(đ); ${VERIFY}: National Day 2025, 30/8–2/9/2025`,
      },
      {
        date: '2025-09-02',
        kind: 'holiday',
        name_vi: 'Quốc khánh (2/9)',
        name_en: 'National Day (2 September)',
        legal_source: `${LC2019} Art 112.1(đ)`,
      },
    ],
  },
  {
    // Tết Bính Ngọ: off Saturday 14 February (27 tháng Chạp) to Sunday 22 February 2026 (mùng 6):
    // nine days, the five Tết days Monday 16 – Friday 20 February plus two weekends; no swap.
    year: 2026,
    replaces: ['tet'],
    rows: ['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20'].map((d) =>
      tetRow(d, `${LC2019} Art 112.1(b); ${VERIFY}: Tết 2026 for public agencies, 14/2–22/2/2026`),
    ),
  },
];

/**
 * A year's calendar as seeded: the rule defaults, with every occasion that a government decision
 * covers replaced by that decision. Compensatory days of the remaining rule occasions are placed
 * around the decided days.
 */
export function holidaySchedule(
  year: number,
  schedules: readonly OfficialSchedule[] = officialSchedules,
): SourcedHolidayRow[] {
  checkRuleYear(year);
  const decided = schedules.filter((s) => s.year === year);
  const replaced = new Set(decided.flatMap((s) => s.replaces));
  const decidedRows = decided.flatMap((s) => s.rows);
  const ruleDays = mergeSameDate(statutoryDays(year).filter((d) => !replaced.has(d.occasion))).filter(
    (d) => !decidedRows.some((r) => r.date === d.date),
  );
  const taken = new Set<IsoDate>([
    ...ruleDays.map((d) => d.date),
    ...decidedRows.filter((r) => r.kind !== 'makeup_workday').map((r) => r.date),
  ]);
  const comp = compensatoryDays(ruleDays, taken, year);
  const rows: SourcedHolidayRow[] = [
    ...[...ruleDays, ...comp].map((d) => ({ ...strip(d), source: 'rule' as const })),
    ...decidedRows.map((r) => ({ ...r, source: 'decision' as const })),
  ];
  const seen = new Set<IsoDate>();
  for (const r of rows) {
    if (seen.has(r.date)) throw new Error(`two calendar rows for ${r.date}`);
    seen.add(r.date);
  }
  return rows.sort(byDate);
}

/** The seed of `calendar.holidays`: `holidaySchedule` for every year from 2020 to 2035. */
export function seedHolidayRows(firstYear = SEED_FIRST_YEAR, lastYear = SEED_LAST_YEAR): SourcedHolidayRow[] {
  const rows: SourcedHolidayRow[] = [];
  for (let y = firstYear; y <= lastYear; y++) rows.push(...holidaySchedule(y));
  return rows;
}

/** A lookup over a list of rows (the last row for a date wins). */
export function lookupFromRows(rows: readonly Pick<HolidayRow, 'date' | 'kind'>[]): HolidayLookup {
  const map = new Map<IsoDate, HolidayKind>();
  for (const r of rows) map.set(r.date, r.kind);
  return (date) => map.get(date);
}

/** Validation of a row entered by an administrator (the pure part; the route checks the shape). */
export function holidayRowProblems(row: HolidayRow): string[] {
  const problems: string[] = [];
  if (!isIsoDate(row.date)) problems.push('date: not a valid YYYY-MM-DD date');
  if (!HOLIDAY_KINDS.includes(row.kind)) problems.push(`kind: one of ${HOLIDAY_KINDS.join(', ')}`);
  if (isIsoDate(row.date) && row.kind === 'makeup_workday' && !isWeekend(row.date)) {
    problems.push('kind: a make-up working day must be a Saturday or Sunday');
  }
  for (const field of ['name_vi', 'name_en', 'legal_source'] as const) {
    if (typeof row[field] !== 'string' || row[field].trim() === '') problems.push(`${field}: required`);
  }
  return problems;
}
