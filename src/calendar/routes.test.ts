import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildServer, type App } from '../http/server.ts';
import { createServices } from '../services.ts';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';

const t = useTestDatabase();
const TOKEN = 'calendar-admin-token';
const auth = { authorization: `Bearer ${TOKEN}` };
let app: App;
let audit: ReturnType<typeof createServices>['audit'];

beforeAll(async () => {
  const platform = testPlatform(t.db, { config: { adminToken: TOKEN }, clock: fixedClock('2025-11-26T03:00:00Z') });
  const services = createServices(platform);
  audit = services.audit;
  app = await buildServer(platform, services);
});
afterAll(async () => {
  await app.close();
});

describe('GET /api/calendar', () => {
  test('holidays of a year, from the table', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/calendar/holidays?year=2025' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ year: 2025, from: 'table' });
    expect(body.holidays.find((h: { date: string }) => h.date === '2025-04-26')).toMatchObject({
      kind: 'makeup_workday',
      source: 'decision',
      version: 1,
      updated_by: 'system:migration',
    });
  });

  test('a year without rows answers with the rule defaults', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/calendar/holidays?year=2040' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ year: 2040, from: 'rules' });
  });

  test('the year is required and checked', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/calendar/holidays' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    const bad = await app.inject({ method: 'GET', url: '/api/calendar/holidays?year=abc' });
    expect(bad.statusCode).toBe(400);
  });

  test('a day: working or not, and its lunar date', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/calendar/days/2025-04-26' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      date: '2025-04-26',
      working_day: true,
      kind: 'makeup_workday',
      lunar: { year: 2025, month: 3, day: 29, leap: false },
    });
    const tet = await app.inject({ method: 'GET', url: '/api/calendar/days/2026-02-17' });
    expect(tet.json()).toMatchObject({ working_day: false, kind: 'holiday', lunar: { month: 1, day: 1 } });
    const bad = await app.inject({ method: 'GET', url: '/api/calendar/days/2025-02-30' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'params.date' });
  });

  test('working-day deadline across Tết 2025', async () => {
    const from = encodeURIComponent('2025-01-24T10:00:00+07:00');
    const res = await app.inject({ method: 'GET', url: `/api/calendar/working-days/add?from=${from}&days=3` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      from: '2025-01-24T03:00:00.000Z',
      received_on: '2025-01-24',
      days: 3,
      unit: 'working',
      last_day: '2025-02-05',
      deadline: '2025-02-05T16:59:59.999Z',
      deadline_local: '2025-02-05T23:59:59.999+07:00',
    });
  });

  test('calendar-day deadline rolled off a Sunday; a bare date is a day in Vietnam', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/calendar/calendar-days/add?from=2025-03-01&days=15' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ received_on: '2025-03-01', last_day: '2025-03-17', unit: 'calendar' });
  });

  test('an instant without an offset is refused (it would be read in the server zone)', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/calendar/working-days/add?from=2025-01-24T10:00:00&days=3',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'querystring.from' });
    const zero = await app.inject({ method: 'GET', url: '/api/calendar/working-days/add?from=2025-01-24&days=0' });
    expect(zero.statusCode).toBe(400);
  });
});

describe('PUT and DELETE /api/calendar/holidays/:date (administrators)', () => {
  const body = {
    kind: 'day_off',
    name_vi: 'Nghỉ hoán đổi (giả định)',
    name_en: 'Swapped day off (hypothetical)',
    legal_source: 'Test decision 3/2027',
  };

  test("need the admin token or an ADMIN officer's token", async () => {
    const none = await app.inject({ method: 'PUT', url: '/api/calendar/holidays/2027-02-01', payload: body });
    expect(none.statusCode).toBe(401);
    const wrong = await app.inject({
      method: 'PUT',
      url: '/api/calendar/holidays/2027-02-01',
      payload: body,
      headers: { authorization: 'Bearer nope' },
    });
    // Neither the bootstrap token nor a provider token the platform issued.
    expect(wrong.statusCode).toBe(401);
    const del = await app.inject({ method: 'DELETE', url: '/api/calendar/holidays/2025-01-01' });
    expect(del.statusCode).toBe(401);
  });

  test('create (201), replace (200), conflict on a stale version (409), delete, then 404', async () => {
    const url = '/api/calendar/holidays/2027-02-01';
    const created = await app.inject({ method: 'PUT', url, payload: { ...body, expected_version: 0 }, headers: auth });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ date: '2027-02-01', kind: 'day_off', source: 'decision', version: 1 });

    const day = await app.inject({ method: 'GET', url: '/api/calendar/days/2027-02-01' });
    expect(day.json()).toMatchObject({ working_day: false, kind: 'day_off' });

    const replaced = await app.inject({ method: 'PUT', url, payload: { ...body, kind: 'holiday' }, headers: auth });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({ kind: 'holiday', version: 2 });

    const stale = await app.inject({ method: 'PUT', url, payload: { ...body, expected_version: 1 }, headers: auth });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });

    const removed = await app.inject({ method: 'DELETE', url: `${url}?expected_version=2`, headers: auth });
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toMatchObject({ date: '2027-02-01', version: 2 });
    const gone = await app.inject({ method: 'DELETE', url, headers: auth });
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ code: 'CALENDAR_DAY_NOT_FOUND' });

    const history = await audit.historyOf({ kind: 'calendar_day', id: '2027-02-01' });
    expect(history.map((e) => e.action).sort()).toEqual([
      'calendar.holiday.create',
      'calendar.holiday.delete',
      'calendar.holiday.update',
    ]);
    expect(history.every((e) => e.actor_kind === 'admin')).toBe(true);
  });

  test('refuses bad input with a problem in the caller’s language', async () => {
    const weekday = await app.inject({
      method: 'PUT',
      url: '/api/calendar/holidays/2027-03-03',
      payload: { ...body, kind: 'makeup_workday' },
      headers: { ...auth, 'accept-language': 'en' },
    });
    expect(weekday.statusCode).toBe(400);
    expect(weekday.json()).toMatchObject({ code: 'CALENDAR_MAKEUP_NOT_WEEKEND', field: 'kind' });
    expect(weekday.json().detail).toMatch(/Saturday or a Sunday/);

    const vi = await app.inject({
      method: 'PUT',
      url: '/api/calendar/holidays/2027-03-03',
      payload: { ...body, kind: 'makeup_workday' },
      headers: auth,
    });
    expect(vi.json().detail).toMatch(/thứ Bảy hoặc Chủ nhật/);

    const unknownKind = await app.inject({
      method: 'PUT',
      url: '/api/calendar/holidays/2027-03-03',
      payload: { ...body, kind: 'vacation' },
      headers: auth,
    });
    expect(unknownKind.statusCode).toBe(400);
    const extra = await app.inject({
      method: 'PUT',
      url: '/api/calendar/holidays/2027-03-03',
      payload: { ...body, source: 'rule' },
      headers: auth,
    });
    expect(extra.statusCode).toBe(400);
    const badDate = await app.inject({
      method: 'PUT',
      url: '/api/calendar/holidays/2027-13-01',
      payload: body,
      headers: auth,
    });
    expect(badDate.statusCode).toBe(400);
    expect(badDate.json()).toMatchObject({ field: 'params.date' });
    const check = await app.inject({ method: 'GET', url: '/api/calendar/days/2027-03-03' });
    expect(check.json()).toMatchObject({ working_day: true, kind: null });
  });

  test('the routes are in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/calendar/holidays',
        '/api/calendar/holidays/{date}',
        '/api/calendar/working-days/add',
        '/api/calendar/calendar-days/add',
        '/api/calendar/days/{date}',
      ]),
    );
  });
});
