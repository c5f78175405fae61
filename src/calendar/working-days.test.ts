import { describe, expect, it } from 'vitest';
import { holidaySchedule, lookupFromRows, type HolidayLookup } from './model.ts';
import {
  addCalendarDays,
  addWorkingDays,
  endOfVnDay,
  isOverdue,
  isWorkingDay,
  nextWorkingDay,
  remainingWorkingTime,
  startOfVnDay,
  vnDate,
  workingDaysBetween,
} from './working-days.ts';

const lookup: HolidayLookup = lookupFromRows([...holidaySchedule(2025), ...holidaySchedule(2026)]);
const at = (s: string) => new Date(s);
/** The expected deadline: the end of that day in Vietnam. */
const endOf = (date: string) => new Date(`${date}T23:59:59.999+07:00`);

describe('vnDate and day boundaries (fixed +07:00, never the process zone)', () => {
  it('reads the civil date in Vietnam', () => {
    expect(vnDate(at('2025-03-07T16:59:59.999Z'))).toBe('2025-03-07'); // Fri 23:59:59.999 +07
    expect(vnDate(at('2025-03-07T17:00:00.000Z'))).toBe('2025-03-08'); // Sat 00:00 +07
    expect(vnDate(at('2025-03-07T23:30:00-05:00'))).toBe('2025-03-08'); // a New York Friday evening
  });

  it('gives the first and last instant of a civil day', () => {
    expect(startOfVnDay('2025-01-01').toISOString()).toBe('2024-12-31T17:00:00.000Z');
    expect(endOfVnDay('2025-01-01').toISOString()).toBe('2025-01-01T16:59:59.999Z');
  });

  it('rejects invalid input', () => {
    expect(() => vnDate(new Date(NaN))).toThrow(RangeError);
    expect(() => endOfVnDay('2025-13-01')).toThrow(RangeError);
    expect(() => addWorkingDays(at('2025-01-02T03:00:00Z'), 0, lookup)).toThrow(RangeError);
    expect(() => addWorkingDays(at('2025-01-02T03:00:00Z'), 1.5, lookup)).toThrow(RangeError);
    expect(() => addCalendarDays(at('2025-01-02T03:00:00Z'), -1, lookup)).toThrow(RangeError);
  });
});

describe('isWorkingDay', () => {
  it('Monday–Friday except holidays and days off; make-up Saturdays work', () => {
    expect(isWorkingDay('2025-03-07', lookup)).toBe(true); // Friday
    expect(isWorkingDay('2025-03-08', lookup)).toBe(false); // Saturday
    expect(isWorkingDay('2025-03-09', lookup)).toBe(false); // Sunday
    expect(isWorkingDay('2025-01-29', lookup)).toBe(false); // mùng 1 Tết
    expect(isWorkingDay('2025-04-07', lookup)).toBe(false); // Hùng Kings, Monday
    expect(isWorkingDay('2025-05-02', lookup)).toBe(false); // swapped day off
    expect(isWorkingDay('2025-04-26', lookup)).toBe(true); // make-up Saturday
  });

  it('finds the next working day across Tết 2026', () => {
    expect(nextWorkingDay('2026-02-13', lookup)).toBe('2026-02-23');
  });
});

describe('addWorkingDays (Civil Code Arts 147–148)', () => {
  it('does not count the day of receipt and ends at the end of the last day', () => {
    // Received Monday 3 March 2025 at 09:00 → 1 working day: end of Tuesday 4 March.
    expect(addWorkingDays(at('2025-03-03T09:00:00+07:00'), 1, lookup)).toEqual(endOf('2025-03-04'));
    expect(addWorkingDays(at('2025-03-03T09:00:00+07:00'), 3, lookup)).toEqual(endOf('2025-03-06'));
    expect(addWorkingDays(at('2025-03-03T09:00:00+07:00'), 7, lookup)).toEqual(endOf('2025-03-12'));
  });

  it('crosses Tết 2025: received Friday 24 January, 3 working days → Wednesday 5 February', () => {
    // 25–26/1 weekend, 27–31/1 Tết, 1–2/2 weekend; then Mon 3, Tue 4, Wed 5 February.
    expect(addWorkingDays(at('2025-01-24T10:00:00+07:00'), 3, lookup)).toEqual(endOf('2025-02-05'));
    expect(addWorkingDays(at('2025-01-24T10:00:00+07:00'), 1, lookup)).toEqual(endOf('2025-02-03'));
  });

  it('counts the make-up Saturday 26 April 2025 as a working day', () => {
    // Received Thursday 24 April: Fri 25 (1), Sat 26 make-up (2), Mon 28 (3).
    expect(addWorkingDays(at('2025-04-24T10:00:00+07:00'), 3, lookup)).toEqual(endOf('2025-04-28'));
    // Across 30/4–4/5: received Mon 28 April, 3 days: Tue 29 (1), Mon 5 May (2), Tue 6 May (3).
    expect(addWorkingDays(at('2025-04-28T10:00:00+07:00'), 3, lookup)).toEqual(endOf('2025-05-06'));
  });

  it('skips the Hùng Kings day (Monday 7 April 2025)', () => {
    // Received Friday 4 April: Mon 7 is a holiday → Tue 8 (1), Wed 9 (2), Thu 10 (3).
    expect(addWorkingDays(at('2025-04-04T15:00:00+07:00'), 1, lookup)).toEqual(endOf('2025-04-08'));
    expect(addWorkingDays(at('2025-04-04T15:00:00+07:00'), 3, lookup)).toEqual(endOf('2025-04-10'));
  });

  it('receipt on a holiday or a weekend: counting starts from the next working day', () => {
    // Received on mùng 2 Tết (Thursday 30 January 2025): day 1 is Monday 3 February.
    expect(addWorkingDays(at('2025-01-30T10:00:00+07:00'), 1, lookup)).toEqual(endOf('2025-02-03'));
    // Received Saturday 8 March: same deadline as a receipt on Friday 7 March.
    expect(addWorkingDays(at('2025-03-08T10:00:00+07:00'), 1, lookup)).toEqual(endOf('2025-03-10'));
    expect(addWorkingDays(at('2025-03-07T10:00:00+07:00'), 1, lookup)).toEqual(endOf('2025-03-10'));
  });

  it('uses the Vietnamese day of receipt, not the UTC or the server day', () => {
    // Friday 23:30 +07 (16:30 UTC): received Friday 7 March → 1 working day: Monday 10 March.
    expect(addWorkingDays(at('2025-03-07T23:30:00+07:00'), 1, lookup)).toEqual(endOf('2025-03-10'));
    // Thursday 00:30 +07 is Wednesday 17:30 UTC (Wednesday in New York too): received Thursday
    // 6 March → Friday 7 March. Reading the day in UTC would give Thursday 6 March.
    expect(addWorkingDays(at('2025-03-06T00:30:00+07:00'), 1, lookup)).toEqual(endOf('2025-03-07'));
  });

  it('returns the last millisecond of the last day; overdue strictly after it', () => {
    const deadline = addWorkingDays(at('2025-03-03T09:00:00+07:00'), 1, lookup);
    expect(deadline.toISOString()).toBe('2025-03-04T16:59:59.999Z');
    expect(vnDate(deadline)).toBe('2025-03-04');
    expect(isOverdue(deadline, at('2025-03-04T23:59:59.999+07:00'))).toBe(false);
    expect(isOverdue(deadline, at('2025-03-05T00:00:00.000+07:00'))).toBe(true);
  });

  it('is the inverse of workingDaysBetween for every receipt day of 2025', () => {
    for (let t = Date.parse('2025-01-01T02:00:00Z'); t < Date.parse('2026-01-01T00:00:00Z'); t += 86_400_000) {
      const received = new Date(t);
      for (const n of [1, 3, 7]) {
        const last = vnDate(addWorkingDays(received, n, lookup));
        expect(workingDaysBetween(vnDate(received), last, lookup)).toBe(n);
        expect(isWorkingDay(last, lookup)).toBe(true);
      }
    }
  });
});

describe('addCalendarDays (Civil Code Art 148.5)', () => {
  it('ends at the end of the n-th day when it is a working day', () => {
    // Received Monday 3 March 2025, 15 days → Tuesday 18 March.
    expect(addCalendarDays(at('2025-03-03T09:00:00+07:00'), 15, lookup)).toEqual(endOf('2025-03-18'));
  });

  it('rolls a period ending on a Sunday to the end of Monday', () => {
    // Received Saturday 1 March 2025, 15 days → Sunday 16 March → Monday 17 March.
    expect(addCalendarDays(at('2025-03-01T11:00:00+07:00'), 15, lookup)).toEqual(endOf('2025-03-17'));
  });

  it('rolls a period ending in a holiday block to the next working day', () => {
    // Received 20 January 2025, 7 days → Monday 27 January (Tết) → Monday 3 February.
    expect(addCalendarDays(at('2025-01-20T09:00:00+07:00'), 7, lookup)).toEqual(endOf('2025-02-03'));
    // 7 days from Wednesday 9 April 2026 → Thursday 16 April 2026, a working day.
    expect(addCalendarDays(at('2026-04-09T09:00:00+07:00'), 7, lookup)).toEqual(endOf('2026-04-16'));
    // 7 days from Sunday 19 April 2026 → Sunday 26 April (Hùng Kings), Monday 27 in lieu → Tue 28.
    expect(addCalendarDays(at('2026-04-19T09:00:00+07:00'), 7, lookup)).toEqual(endOf('2026-04-28'));
  });

  it('does not roll a period that ends on a make-up Saturday', () => {
    // 7 days from Saturday 19 April 2025 → Saturday 26 April, a working day.
    expect(addCalendarDays(at('2025-04-19T09:00:00+07:00'), 7, lookup)).toEqual(endOf('2025-04-26'));
  });

  it('counts from the Vietnamese day: Saturday 00:30 +07 is Friday in UTC', () => {
    // From Saturday 8 March: 14 days → Saturday 22 → Monday 24. From Friday 7 March (the UTC
    // reading) it would be Friday 21 March.
    expect(addCalendarDays(at('2025-03-08T00:30:00+07:00'), 14, lookup)).toEqual(endOf('2025-03-24'));
    expect(addCalendarDays(at('2025-03-07T23:30:00+07:00'), 14, lookup)).toEqual(endOf('2025-03-21'));
  });
});

describe('remainingWorkingTime', () => {
  it('counts the working days left after today and flags an overdue period', () => {
    const deadline = addWorkingDays(at('2025-01-24T10:00:00+07:00'), 3, lookup); // end of Wed 5/2
    expect(remainingWorkingTime(at('2025-01-28T10:00:00+07:00'), deadline, lookup)).toEqual({
      overdue: false,
      workingDaysAfterToday: 3,
      todayIsWorkingDay: false,
    });
    expect(remainingWorkingTime(at('2025-02-05T10:00:00+07:00'), deadline, lookup)).toEqual({
      overdue: false,
      workingDaysAfterToday: 0,
      todayIsWorkingDay: true,
    });
    expect(remainingWorkingTime(at('2025-02-06T00:00:00+07:00'), deadline, lookup).overdue).toBe(true);
  });
});
