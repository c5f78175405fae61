import { describe, expect, test } from 'vitest';
import { sql } from 'kysely';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { createAuditService } from '../audit/service.ts';
import { Problem } from '../platform/errors.ts';
import { seedHolidayRows } from './model.ts';
import { createCalendarService } from './service.ts';

const t = useTestDatabase();
const admin = { kind: 'admin', id: 'test-admin' };
const endOf = (date: string) => new Date(`${date}T23:59:59.999+07:00`);

function services(clock = fixedClock('2025-11-26T03:00:00Z')) {
  const platform = testPlatform(t.db, { clock });
  const audit = createAuditService(platform);
  return { audit, calendar: createCalendarService(platform, { audit }) };
}

async function problemOf(promise: Promise<unknown>): Promise<Problem> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Problem);
  return error as Problem;
}

describe('calendar.holidays as seeded by the migration', () => {
  test('holds the rule defaults and the official schedules for 2020–2035', async () => {
    const { n } = await t.db
      .selectFrom('calendar.holidays')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(seedHolidayRows().length);
    const { calendar } = services();
    const y2025 = await calendar.holidaysOfYear(2025);
    expect(y2025.from).toBe('table');
    const byDate = new Map(y2025.holidays.map((h) => [h.date, h]));
    expect(byDate.get('2025-04-26')).toMatchObject({ kind: 'makeup_workday', source: 'decision', version: 1 });
    expect(byDate.get('2025-01-27')).toMatchObject({ kind: 'holiday', source: 'decision' });
    expect(byDate.get('2025-01-01')).toMatchObject({ kind: 'holiday', source: 'rule', updated_by: 'system:migration' });
  });

  test('counts working days over the stored calendar', async () => {
    const { calendar } = services();
    expect(await calendar.addWorkingDays(new Date('2025-01-24T10:00:00+07:00'), 3)).toEqual(endOf('2025-02-05'));
    expect(await calendar.addWorkingDays(new Date('2025-04-24T10:00:00+07:00'), 3)).toEqual(endOf('2025-04-28'));
    expect(await calendar.addCalendarDays(new Date('2025-03-01T11:00:00+07:00'), 15)).toEqual(endOf('2025-03-17'));
    expect(await calendar.isWorkingDay('2025-09-01')).toBe(false);
  });

  test('a year beyond the seed falls back to the rule defaults', async () => {
    const { calendar } = services();
    const y2036 = await calendar.holidaysOfYear(2036);
    expect(y2036.from).toBe('rules');
    expect(y2036.holidays.map((h) => h.date)).toContain('2036-01-28'); // Tết 2036
    // Friday 25 January 2036 + 1 working day: Tết is Sunday 27 – Thursday 31 January, with
    // Friday 1 February in lieu of the Sunday → Monday 4 February.
    expect(await calendar.addWorkingDays(new Date('2036-01-25T10:00:00+07:00'), 1)).toEqual(endOf('2036-02-04'));
  });

  test('the database refuses a make-up working day on a weekday', async () => {
    await expect(
      sql`insert into calendar.holidays (date, kind, name_vi, name_en, legal_source, source, updated_by)
          values ('2027-03-03', 'makeup_workday', 'x', 'x', 'x', 'decision', 'test')`.execute(t.db),
    ).rejects.toThrow(/makeup_on_weekend/);
  });
});

describe('entering government decisions', () => {
  const decision = {
    kind: 'day_off' as const,
    name_vi: 'Nghỉ hoán đổi (quyết định giả định cho kiểm thử)',
    name_en: 'Swapped day off (hypothetical decision, for the test)',
    legal_source: 'Test decision 1/2027',
  };

  test('a new entry changes every process’s calendar and is audited', async () => {
    const a = services();
    const b = services(); // another process: its own cache
    const before = await b.calendar.current();
    expect(before.isWorkingDay('2027-01-04')).toBe(true);

    const { holiday, created } = await a.calendar.setHoliday(admin, '2027-01-04', decision, { expectedVersion: 0 });
    expect(created).toBe(true);
    expect(holiday).toMatchObject({ ...decision, date: '2027-01-04', source: 'decision', version: 1 });
    expect(holiday.updated_by).toBe('admin:test-admin');
    expect(holiday.updated_at).toEqual(new Date('2025-11-26T03:00:00Z'));

    const after = await b.calendar.current();
    expect(after.revision).toBeGreaterThan(before.revision);
    expect(after.isWorkingDay('2027-01-04')).toBe(false);
    expect(await b.calendar.current()).toBe(after); // unchanged table: the cached snapshot

    const history = await a.audit.historyOf({ kind: 'calendar_day', id: '2027-01-04' });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ action: 'calendar.holiday.create', actor_kind: 'admin', outcome: 'success' });
    expect(history[0]!.detail).toMatchObject({ before: null, after: { kind: 'day_off', version: 1 } });
    expect(await a.audit.verify()).toMatchObject({ ok: true });
  });

  test('an update needs the current version when one is given, and records before and after', async () => {
    const { calendar, audit } = services();
    const stale = await problemOf(calendar.setHoliday(admin, '2027-01-04', decision, { expectedVersion: 0 }));
    expect(stale.code).toBe('CONFLICT');

    const { holiday, created } = await calendar.setHoliday(
      admin,
      '2027-01-04',
      { ...decision, kind: 'holiday', legal_source: 'Test decision 2/2027' },
      { expectedVersion: 1 },
    );
    expect(created).toBe(false);
    expect(holiday).toMatchObject({ kind: 'holiday', version: 2, legal_source: 'Test decision 2/2027' });
    const history = await audit.historyOf({ kind: 'calendar_day', id: '2027-01-04' });
    expect(history.map((e) => e.action).sort()).toEqual(['calendar.holiday.create', 'calendar.holiday.update']);
  });

  test('two administrators deciding the same day at once: one wins, the other gets a conflict', async () => {
    const one = services();
    const two = services();
    const results = await Promise.allSettled([
      one.calendar.setHoliday(admin, '2027-01-05', decision, { expectedVersion: 0 }),
      two.calendar.setHoliday(admin, '2027-01-05', { ...decision, kind: 'holiday' }, { expectedVersion: 0 }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((rejected.reason as Problem).code).toBe('CONFLICT');
    expect(await one.audit.historyOf({ kind: 'calendar_day', id: '2027-01-05' })).toHaveLength(1);
  });

  test('bad entries are refused with the field at fault and write nothing', async () => {
    const { calendar, audit } = services();
    const weekday = await problemOf(calendar.setHoliday(admin, '2027-03-03', { ...decision, kind: 'makeup_workday' }));
    expect(weekday).toMatchObject({ code: 'CALENDAR_MAKEUP_NOT_WEEKEND', status: 400, field: 'kind' });
    const empty = await problemOf(calendar.setHoliday(admin, '2027-03-03', { ...decision, legal_source: '  ' }));
    expect(empty).toMatchObject({ code: 'VALIDATION_FAILED', field: 'legal_source' });
    const badDate = await problemOf(calendar.setHoliday(admin, '2027-02-29', decision));
    expect(badDate).toMatchObject({ code: 'VALIDATION_FAILED', field: 'date' });
    expect((await calendar.holidaysOfYear(2027)).holidays.map((h) => h.date)).not.toContain('2027-03-03');
    expect(await audit.historyOf({ kind: 'calendar_day', id: '2027-03-03' })).toHaveLength(0);
  });

  test('removing an entry makes the day ordinary again; removing nothing is a 404', async () => {
    const { calendar, audit } = services();
    await calendar.setHoliday(admin, '2027-01-06', decision);
    expect((await calendar.current()).isWorkingDay('2027-01-06')).toBe(false);
    const removed = await calendar.removeHoliday(admin, '2027-01-06', { expectedVersion: 1 });
    expect(removed.date).toBe('2027-01-06');
    expect((await calendar.current()).isWorkingDay('2027-01-06')).toBe(true);
    const again = await problemOf(calendar.removeHoliday(admin, '2027-01-06'));
    expect(again).toMatchObject({ code: 'CALENDAR_DAY_NOT_FOUND', status: 404 });
    const history = await audit.historyOf({ kind: 'calendar_day', id: '2027-01-06' });
    expect(history.map((e) => e.action).sort()).toEqual(['calendar.holiday.create', 'calendar.holiday.delete']);
  });

  test('a make-up Saturday entered by decision counts as a working day', async () => {
    const { calendar } = services();
    await calendar.setHoliday(admin, '2027-01-09', {
      ...decision,
      kind: 'makeup_workday',
      name_vi: 'Làm bù (giả định)',
      name_en: 'Make-up working day (hypothetical)',
    });
    // Received Friday 8 January 2027: Saturday 9 is now the first working day.
    expect(await calendar.addWorkingDays(new Date('2027-01-08T10:00:00+07:00'), 1)).toEqual(endOf('2027-01-09'));
  });
});
