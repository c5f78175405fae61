import { describe, expect, it } from 'vitest';
import { isoWeekday, isWeekend } from './civil-date.ts';
import {
  generateHolidays,
  holidayRowProblems,
  holidaySchedule,
  lookupFromRows,
  nationalDayAdjacentDate,
  officialSchedules,
  seedHolidayRows,
  type HolidayRow,
} from './model.ts';

const dates = (rows: HolidayRow[], kind?: HolidayRow['kind']) =>
  rows.filter((r) => !kind || r.kind === kind).map((r) => r.date);

describe('generateHolidays (rule defaults, Labour Code 2019 Art 112)', () => {
  it('2024: the statutory days and their compensatory days', () => {
    expect(dates(generateHolidays(2024), 'holiday')).toEqual([
      '2024-01-01',
      // Tết: last day of Quý Mão (30 tháng Chạp) + mùng 1–4 Giáp Thìn
      '2024-02-09',
      '2024-02-10',
      '2024-02-11',
      '2024-02-12',
      '2024-02-13',
      '2024-04-18', // 10/3 lunar
      '2024-04-30',
      '2024-05-01',
      '2024-09-02',
      '2024-09-03', // 2/9 on Monday: the adjacent day is Tuesday 3/9 (as decided in 2024)
    ]);
    // mùng 1 and mùng 2 fell on Saturday and Sunday: two days in lieu after the break (Art 111.3)
    expect(dates(generateHolidays(2024), 'day_off')).toEqual(['2024-02-14', '2024-02-15']);
  });

  it('a holiday on a weekend gives a day off on the next working day (2022, 2023)', () => {
    const y2022 = generateHolidays(2022);
    // 1/1/2022 Saturday → Monday 3/1; 10/3 lunar Sunday 10/4 → Monday 11/4;
    // 30/4 Saturday and 1/5 Sunday → Monday 2/5 and Tuesday 3/5 (as decided in 2022).
    expect(dates(y2022, 'day_off')).toEqual(['2022-01-03', '2022-04-11', '2022-05-02', '2022-05-03']);
    const y2023 = generateHolidays(2023);
    // 1/1 Sunday → 2/1; Tết on Sat/Sun → Thu 26/1, Fri 27/1; Hùng Kings Sat 29/4 and 30/4 Sunday,
    // 1/5 Monday → Tuesday 2/5 and Wednesday 3/5; 2/9 Saturday → Monday 4/9 (all as decided in 2023).
    expect(dates(y2023, 'day_off')).toEqual([
      '2023-01-02',
      '2023-01-26',
      '2023-01-27',
      '2023-05-02',
      '2023-05-03',
      '2023-09-04',
    ]);
  });

  it('every compensatory day is a weekday that is not already a holiday', () => {
    for (let y = 2020; y <= 2035; y++) {
      const rows = generateHolidays(y);
      const holidays = new Set(dates(rows, 'holiday'));
      const weekendHolidays = dates(rows, 'holiday').filter(isWeekend).length;
      expect(dates(rows, 'day_off')).toHaveLength(weekendHolidays);
      for (const d of dates(rows, 'day_off')) {
        expect(isWeekend(d)).toBe(false);
        expect(holidays.has(d)).toBe(false);
      }
      expect(new Set(dates(rows)).size).toBe(rows.length);
    }
  });

  it('gives 11 statutory holiday days a year from 2021 (10 in 2020 under the 2012 code)', () => {
    expect(dates(generateHolidays(2020), 'holiday')).toHaveLength(10);
    expect(generateHolidays(2020).find((r) => r.date === '2020-09-02')?.legal_source).toMatch(/2012.*Art 115/);
    for (let y = 2021; y <= 2035; y++) expect(dates(generateHolidays(y), 'holiday')).toHaveLength(11);
  });

  it('National Day: the adjacent day matches the decisions of 2021–2025', () => {
    expect(nationalDayAdjacentDate(2021)).toBe('2021-09-03'); // Thursday 2/9
    expect(nationalDayAdjacentDate(2022)).toBe('2022-09-01'); // Friday
    expect(nationalDayAdjacentDate(2023)).toBe('2023-09-01'); // Saturday
    expect(nationalDayAdjacentDate(2024)).toBe('2024-09-03'); // Monday
    expect(nationalDayAdjacentDate(2025)).toBe('2025-09-01'); // Tuesday
    expect(nationalDayAdjacentDate(2029)).toBe('2029-09-03'); // Sunday: Monday 3/9, 2/9 in lieu on 4/9
    expect(dates(generateHolidays(2029), 'day_off')).toContain('2029-09-04');
    for (let y = 2021; y <= 2035; y++) expect(isWeekend(nationalDayAdjacentDate(y))).toBe(false);
  });

  it('names Tết days by their lunar date and cites the article', () => {
    const row = generateHolidays(2025).find((r) => r.date === '2025-01-29')!;
    expect(row.name_vi).toBe('Tết Nguyên đán (mùng 1 Tết)');
    expect(row.legal_source).toMatch(/Art 112\.1\(b\).*Prime Minister/);
    expect(generateHolidays(2025).find((r) => r.date === '2025-01-28')!.name_vi).toBe('Tết Nguyên đán (29 tháng Chạp)');
  });

  it('refuses years outside the rules', () => {
    expect(() => generateHolidays(2019)).toThrow(RangeError);
    expect(() => generateHolidays(2025.5)).toThrow(RangeError);
  });
});

describe('official schedules (public agencies)', () => {
  const y2025 = holidaySchedule(2025);
  const kindOn = lookupFromRows(y2025);

  it('2025 Tết: Monday 27 – Friday 31 January (off 25/1–2/2), nothing else', () => {
    expect(y2025.filter((r) => r.name_en.startsWith('Lunar New Year')).map((r) => r.date)).toEqual([
      '2025-01-27',
      '2025-01-28',
      '2025-01-29',
      '2025-01-30',
      '2025-01-31',
    ]);
    expect(kindOn('2025-02-03')).toBeUndefined(); // the rule's day in lieu of Sat 1/2 is replaced
  });

  it('2025 Hùng Kings, 30/4–1/5 with the swap, National Day', () => {
    expect(kindOn('2025-04-07')).toBe('holiday');
    expect(kindOn('2025-04-26')).toBe('makeup_workday');
    expect(isoWeekday('2025-04-26')).toBe(6);
    expect(kindOn('2025-04-30')).toBe('holiday');
    expect(kindOn('2025-05-01')).toBe('holiday');
    expect(kindOn('2025-05-02')).toBe('day_off');
    expect(kindOn('2025-09-01')).toBe('holiday');
    expect(kindOn('2025-09-02')).toBe('holiday');
    expect(y2025.filter((r) => r.source === 'decision')).toHaveLength(12);
    expect(y2025.find((r) => r.date === '2025-01-01')?.source).toBe('rule');
  });

  it('2026 Tết: Monday 16 – Friday 20 February (off 14/2–22/2), Hùng Kings in lieu on Monday 27/4', () => {
    const y2026 = holidaySchedule(2026);
    const on = lookupFromRows(y2026);
    for (const d of ['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20']) {
      expect(on(d)).toBe('holiday');
      expect(y2026.find((r) => r.date === d)?.source).toBe('decision');
    }
    expect(on('2026-02-13')).toBeUndefined();
    expect(on('2026-02-23')).toBeUndefined();
    expect(on('2026-04-26')).toBe('holiday'); // Sunday
    expect(on('2026-04-27')).toBe('day_off');
  });

  it('every official row is valid and every decided year still has all occasions', () => {
    for (const s of officialSchedules) for (const r of s.rows) expect(holidayRowProblems(r)).toEqual([]);
    for (const y of [2025, 2026]) expect(dates(holidaySchedule(y), 'holiday')).toHaveLength(11);
  });

  it('the seed covers 2020–2035 with one row per date', () => {
    const seed = seedHolidayRows();
    expect(seed[0]!.date).toBe('2020-01-01');
    expect(seed.at(-1)!.date.startsWith('2035-')).toBe(true);
    expect(new Set(seed.map((r) => r.date)).size).toBe(seed.length);
    for (const r of seed) expect(holidayRowProblems(r)).toEqual([]);
  });
});

describe('holidayRowProblems', () => {
  const ok: HolidayRow = {
    date: '2027-01-01',
    kind: 'holiday',
    name_vi: 'Tết Dương lịch',
    name_en: "New Year's Day",
    legal_source: 'Labour Code 2019 Art 112.1(a)',
  };

  it('accepts a good row and reports each problem of a bad one', () => {
    expect(holidayRowProblems(ok)).toEqual([]);
    expect(holidayRowProblems({ ...ok, date: '2027-02-29' })).toEqual(['date: not a valid YYYY-MM-DD date']);
    expect(holidayRowProblems({ ...ok, kind: 'makeup_workday' })).toEqual([
      'kind: a make-up working day must be a Saturday or Sunday',
    ]);
    expect(holidayRowProblems({ ...ok, name_en: ' ', legal_source: '' })).toEqual([
      'name_en: required',
      'legal_source: required',
    ]);
  });
});
