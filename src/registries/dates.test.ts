import { describe, expect, it } from 'vitest';
import { ageOn, birthdayAt, civilDate, dayNumber, daysFromIso, isoFromDays, vietnamDate } from './dates.ts';

describe('dates', () => {
  it('round-trips day numbers and ISO dates across centuries', () => {
    expect(dayNumber(1970, 1, 1)).toBe(0);
    expect(isoFromDays(0)).toBe('1970-01-01');
    for (const iso of [
      '1800-03-01',
      '1900-02-28',
      '1999-12-31',
      '2000-02-29',
      '2024-07-01',
      '2100-03-01',
      '2250-06-15',
    ]) {
      expect(isoFromDays(daysFromIso(iso))).toBe(iso);
    }
    for (let d = -80_000; d < 120_000; d += 997) {
      const { year, month, day } = civilDate(d);
      expect(dayNumber(year, month, day)).toBe(d);
    }
  });

  it('refuses what is not a calendar date', () => {
    for (const bad of ['2023-02-29', '2024-13-01', '2024-00-10', '24-01-01', '2024-1-1', 'today']) {
      expect(() => daysFromIso(bad), bad).toThrow(RangeError);
    }
  });

  it('counts completed years of age, birthdays included', () => {
    const dob = daysFromIso('1990-05-15');
    expect(ageOn(dob, daysFromIso('2004-05-14'))).toBe(13);
    expect(ageOn(dob, daysFromIso('2004-05-15'))).toBe(14);
    expect(ageOn(dob, daysFromIso('1990-05-15'))).toBe(0);
    expect(ageOn(dob, daysFromIso('1990-05-14'))).toBe(-1);
    expect(ageOn(daysFromIso('1850-01-01'), daysFromIso('2300-01-01'))).toBe(450);
  });

  it('puts a 29 February birthday on 28 February in common years', () => {
    const leapling = daysFromIso('2008-02-29');
    expect(isoFromDays(birthdayAt(leapling, 14))).toBe('2022-02-28');
    expect(isoFromDays(birthdayAt(leapling, 16))).toBe('2024-02-29');
    expect(ageOn(leapling, daysFromIso('2022-02-27'))).toBe(13);
    expect(ageOn(leapling, daysFromIso('2022-02-28'))).toBe(14);
    expect(ageOn(leapling, daysFromIso('2024-02-28'))).toBe(15);
    expect(ageOn(leapling, daysFromIso('2024-02-29'))).toBe(16);
  });

  it('gives the date in Việt Nam (UTC+7) whatever the process zone', () => {
    expect(vietnamDate(new Date('2026-01-01T16:59:59Z'))).toBe('2026-01-01');
    expect(vietnamDate(new Date('2026-01-01T17:00:00Z'))).toBe('2026-01-02');
  });
});
