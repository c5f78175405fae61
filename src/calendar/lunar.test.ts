import { describe, expect, it } from 'vitest';
import { newMoonJde, sunApparentLongitude } from './astro.ts';
import { formatIsoDate, fromJdn, isoToJdn } from './civil-date.ts';
import { leapMonthOf, lunarToSolar, lunarYearMonths, solarToLunar } from './lunar.ts';

const iso = (y: number, m: number, d: number, leap = false) => formatIsoDate(lunarToSolar(y, m, d, leap));

describe('astronomy (Meeus worked examples)', () => {
  it('new moon of lunation -283 (Example 49.a: 1977 Feb 18, JDE 2443192.65118)', () => {
    expect(newMoonJde(-283)).toBeCloseTo(2443192.65118, 4);
  });

  it("Sun's apparent longitude on 1992 Oct 13.0 TD (Example 25.b: 199°54′21.8″)", () => {
    expect(sunApparentLongitude(2448908.5)).toBeCloseTo(199 + 54 / 60 + 21.8 / 3600, 4);
  });
});

describe('Tết (1/1 lunar) at UTC+7', () => {
  // The required fixtures, including the years where Vietnam (UTC+7) differs from China (UTC+8).
  it.each([
    [2025, '2025-01-29'],
    [2026, '2026-02-17'],
    [2007, '2007-02-17'], // China: 2007-02-18
    [2030, '2030-02-02'], // China: 2030-02-03
    [2053, '2053-02-18'], // China: 2053-02-19
    [1985, '1985-01-21'], // China: 1985-02-20
  ])('Tết %i is %s', (year, date) => {
    expect(iso(year, 1, 1)).toBe(date);
    expect(solarToLunar(date)).toEqual({ year, month: 1, day: 1, leap: false });
  });

  it.each([
    [2000, '2000-02-05'],
    [2010, '2010-02-14'],
    [2015, '2015-02-19'],
    [2017, '2017-01-28'],
    [2018, '2018-02-16'],
    [2019, '2019-02-05'],
    [2020, '2020-01-25'],
    [2021, '2021-02-12'],
    [2022, '2022-02-01'],
    [2023, '2023-01-22'],
    [2024, '2024-02-10'],
    [2027, '2027-02-06'],
    [2028, '2028-01-26'],
  ])('Tết %i is %s', (year, date) => {
    expect(iso(year, 1, 1)).toBe(date);
  });
});

describe("Hùng Kings' Commemoration (10/3 lunar) at UTC+7", () => {
  it.each([
    [2025, '2025-04-07'],
    [2009, '2009-04-04'], // China's calendar: 2009-04-05
    [2037, '2037-04-24'], // China's calendar: 2037-04-25
    [2038, '2038-04-13'], // China's calendar: 2038-04-14
    // Dates of the announced holiday schedules:
    [2020, '2020-04-02'],
    [2021, '2021-04-21'],
    [2022, '2022-04-10'],
    [2023, '2023-04-29'],
    [2024, '2024-04-18'],
    [2026, '2026-04-26'],
  ])('10/3 of %i is %s', (year, date) => {
    expect(iso(year, 3, 10)).toBe(date);
    expect(solarToLunar(date)).toEqual({ year, month: 3, day: 10, leap: false });
  });
});

describe('leap months', () => {
  it.each([
    [2020, 4],
    [2023, 2],
    [2025, 6],
    [2028, 5],
    [2033, 11],
    [1985, 2], // China put its leap month in 1984 (month 10) instead
  ])('lunar year %i has leap month %i', (year, month) => {
    expect(leapMonthOf(year)).toBe(month);
    expect(lunarYearMonths(year)).toHaveLength(13);
  });

  it.each([2021, 2022, 2024, 2026, 2027])('lunar year %i has no leap month', (year) => {
    expect(leapMonthOf(year)).toBeUndefined();
    expect(lunarYearMonths(year)).toHaveLength(12);
  });

  it('converts dates in a leap month both ways (1/6 nhuận Ất Tỵ = 2025-07-25)', () => {
    expect(iso(2025, 6, 1, true)).toBe('2025-07-25');
    expect(iso(2025, 6, 1)).toBe('2025-06-25');
    expect(solarToLunar('2025-07-25')).toEqual({ year: 2025, month: 6, day: 1, leap: true });
    expect(solarToLunar('2025-08-22')).toEqual({ year: 2025, month: 6, day: 29, leap: true });
    expect(solarToLunar('2025-08-23')).toEqual({ year: 2025, month: 7, day: 1, leap: false });
  });

  it('knows other well-known lunar dates', () => {
    expect(iso(2025, 8, 15)).toBe('2025-10-06'); // Mid-Autumn 2025
    expect(iso(2024, 8, 15)).toBe('2024-09-17'); // Mid-Autumn 2024
    expect(solarToLunar('2026-02-14')).toEqual({ year: 2025, month: 12, day: 27, leap: false });
    expect(solarToLunar({ year: 2025, month: 1, day: 25 })).toEqual({ year: 2024, month: 12, day: 26, leap: false });
  });
});

describe('consistency', () => {
  it('round-trips every day from 1984 to 2040 and counts days continuously', () => {
    const start = isoToJdn('1984-01-01');
    const end = isoToJdn('2040-12-31');
    let prev = solarToLunar(fromJdn(start - 1));
    for (let j = start; j <= end; j++) {
      const date = fromJdn(j);
      const l = solarToLunar(date);
      expect(lunarToSolar(l.year, l.month, l.day, l.leap)).toEqual(date);
      if (l.day === 1) {
        expect([29, 30]).toContain(prev.day);
        const sameNumber = l.month === prev.month && l.leap && !prev.leap;
        const nextNumber = l.month === (prev.month % 12) + 1 && !l.leap;
        expect(sameNumber || nextNumber).toBe(true);
        expect(l.year).toBe(l.month === 1 && !l.leap ? prev.year + 1 : prev.year);
      } else {
        expect(l).toEqual({ ...prev, day: prev.day + 1 });
      }
      prev = l;
    }
  });

  it('has 12 or 13 months of 29 or 30 days in every year, 353–385 days in all', () => {
    for (let y = 1900; y <= 2150; y++) {
      const months = lunarYearMonths(y);
      expect(months[0]!.month).toBe(1);
      const days = months.reduce((sum, m) => sum + m.length, 0);
      expect(months.length === 12 ? [353, 354, 355] : [383, 384, 385]).toContain(days);
      expect(formatIsoDate(fromJdn(months[0]!.startJdn + days))).toBe(iso(y + 1, 1, 1));
    }
  });

  it('places Tết between 21 January and 20 February', () => {
    for (let y = 1900; y <= 2150; y++) {
      const tet = iso(y, 1, 1);
      expect(tet >= `${y}-01-21` && tet <= `${y}-02-20`).toBe(true);
    }
  });

  it('is the same whatever the process time zone', () => {
    const before = process.env.TZ;
    try {
      const results: string[] = [];
      for (const tz of ['UTC', 'America/New_York', 'Pacific/Kiritimati', 'Asia/Ho_Chi_Minh']) {
        process.env.TZ = tz;
        results.push(JSON.stringify([iso(2030, 1, 1), solarToLunar('2053-02-18'), iso(2038, 3, 10)]));
      }
      expect(new Set(results).size).toBe(1);
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });
});

describe('invalid input', () => {
  it('rejects lunar dates that do not exist', () => {
    expect(() => lunarToSolar(2024, 6, 1, true)).toThrow(RangeError); // 2024 has no leap month
    expect(() => lunarToSolar(2025, 12, 30)).toThrow(RangeError); // month 12 of Ất Tỵ has 29 days
    expect(() => lunarToSolar(2025, 13, 1)).toThrow(RangeError);
    expect(() => lunarToSolar(2025, 1, 0)).toThrow(RangeError);
    expect(() => lunarToSolar(1500, 1, 1)).toThrow(RangeError);
  });

  it('rejects invalid civil dates', () => {
    expect(() => solarToLunar('2025-02-30')).toThrow(RangeError);
    expect(() => solarToLunar('25-01-29')).toThrow(RangeError);
    expect(() => solarToLunar({ year: 2025, month: 13, day: 1 })).toThrow(RangeError);
  });
});
