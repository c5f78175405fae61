import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Platform } from '../platform/context.ts';
import { platformProblem } from '../platform/errors.ts';
import { adminOrBootstrap } from '../oidc/guard.ts';
import type { BackofficePort, IdentityPort } from '../oidc/ports.ts';
import type { Oidc } from '../oidc/service.ts';
import { OIDC_SECURITY_SCHEME } from '../oidc/routes.ts';
import { isIsoDate } from './civil-date.ts';
import { solarToLunar, MAX_LUNAR_YEAR, MIN_LUNAR_YEAR } from './lunar.ts';
import { describeDeadline, type CalendarEntry, type CalendarService } from './service.ts';
import { startOfVnDay, VN_OFFSET_MS } from './working-days.ts';

const DatePattern = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';
const IsoDateString = Type.String({ pattern: DatePattern, description: "A civil date in Vietnam, 'YYYY-MM-DD'" });
const Kind = Type.Union([Type.Literal('holiday'), Type.Literal('day_off'), Type.Literal('makeup_workday')], {
  description:
    "'holiday': public holiday; 'day_off': other non-working weekday (in lieu, swap); " +
    "'makeup_workday': a Saturday or Sunday worked instead of a day off",
});

const Holiday = Type.Object({
  date: IsoDateString,
  kind: Kind,
  name_vi: Type.String(),
  name_en: Type.String(),
  legal_source: Type.String(),
  source: Type.Union([Type.Literal('rule'), Type.Literal('decision')]),
  updated_by: Type.Optional(Type.String()),
  updated_at: Type.Optional(Type.String({ format: 'date-time' })),
  version: Type.Optional(Type.Integer({ description: 'Pass as expected_version to change this entry safely' })),
});

const HolidayBody = Type.Object(
  {
    kind: Kind,
    name_vi: Type.String({ minLength: 1, maxLength: 200 }),
    name_en: Type.String({ minLength: 1, maxLength: 200 }),
    legal_source: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'The decision or official letter, e.g. its number and date',
    }),
    expected_version: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Fail with 409 unless the entry has this version (0: no entry yet)' }),
    ),
  },
  { additionalProperties: false },
);

const DateParams = Type.Object({ date: IsoDateString });

const Deadline = Type.Object({
  from: Type.String({ format: 'date-time', description: 'The event (receipt) instant, UTC' }),
  received_on: IsoDateString,
  days: Type.Integer(),
  unit: Type.Union([Type.Literal('working'), Type.Literal('calendar')]),
  last_day: IsoDateString,
  deadline: Type.String({ format: 'date-time', description: 'End of the last day (24:00 in Vietnam), UTC' }),
  deadline_local: Type.String({ description: 'The same instant written at +07:00' }),
  calendar_revision: Type.Integer(),
});

const AddQuery = Type.Object({
  from: Type.String({
    description:
      "When the period starts (receipt): an instant with an offset ('2025-01-24T10:00:00+07:00', '...Z') " +
      "or a date in Vietnam ('2025-01-24')",
  }),
  days: Type.Integer({ minimum: 1, maximum: 3650 }),
});

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * The start of a period. An instant must carry its offset: without one, JavaScript would read it
 * in the server's time zone. A bare date means that day in Vietnam.
 */
function parseFrom(value: string): Date {
  if (isIsoDate(value)) return startOfVnDay(value);
  const t = INSTANT.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(t)) {
    throw platformProblem(
      'VALIDATION_FAILED',
      { reason: 'from must be YYYY-MM-DD or a date-time with an offset (Z or ±hh:mm)' },
      { field: 'querystring.from' },
    );
  }
  return new Date(t);
}

function checkDate(date: string): void {
  if (!isIsoDate(date)) {
    throw platformProblem('VALIDATION_FAILED', { reason: `${date} is not a date` }, { field: 'params.date' });
  }
}

function atVnOffset(instant: Date): string {
  return new Date(instant.getTime() + VN_OFFSET_MS).toISOString().replace('Z', '+07:00');
}

function present(h: CalendarEntry) {
  return {
    date: h.date,
    kind: h.kind,
    name_vi: h.name_vi,
    name_en: h.name_en,
    legal_source: h.legal_source,
    source: h.source,
    ...(h.version !== undefined
      ? { updated_by: h.updated_by, updated_at: h.updated_at.toISOString(), version: h.version }
      : {}),
  };
}

/**
 * `/api/calendar`: the holiday table (public), deadline computation (public: a citizen may check
 * the date an authority owes an answer), and the administrators' entry of government decisions.
 */
export function calendarRoutes(
  platform: Platform,
  services: { calendar: CalendarService; oidc: Oidc; identity: IdentityPort; backoffice: BackofficePort },
): FastifyPluginAsync {
  const { calendar, oidc, identity, backoffice } = services;
  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    // The holiday editor of the officer console (an ADMIN's token) or the bootstrap token.
    const requireAdmin = adminOrBootstrap({ oidc, identity, backoffice }, platform.config.adminToken);

    app.get(
      '/holidays',
      {
        schema: {
          tags: ['calendar'],
          summary: 'Holidays, days off and make-up working days of a year',
          querystring: Type.Object({ year: Type.Integer({ minimum: MIN_LUNAR_YEAR, maximum: MAX_LUNAR_YEAR - 1 }) }),
          response: {
            200: Type.Object({
              year: Type.Integer(),
              from: Type.Union([Type.Literal('table'), Type.Literal('rules')], {
                description: "'rules': the year is not in the table yet; these are the rule defaults in force",
              }),
              holidays: Type.Array(Holiday),
            }),
            400: { $ref: 'Problem' },
          },
        },
      },
      async (request) => {
        const result = await calendar.holidaysOfYear(request.query.year);
        return { year: result.year, from: result.from, holidays: result.holidays.map(present) };
      },
    );

    app.get(
      '/days/:date',
      {
        schema: {
          tags: ['calendar'],
          summary: 'Whether a date is a working day, and its lunar date',
          params: DateParams,
          response: {
            200: Type.Object({
              date: IsoDateString,
              working_day: Type.Boolean(),
              kind: Type.Union([Kind, Type.Null()]),
              lunar: Type.Object({
                year: Type.Integer(),
                month: Type.Integer(),
                day: Type.Integer(),
                leap: Type.Boolean(),
              }),
            }),
            400: { $ref: 'Problem' },
          },
        },
      },
      async (request) => {
        const { date } = request.params;
        checkDate(date);
        const year = Number(date.slice(0, 4));
        if (year < MIN_LUNAR_YEAR || year > MAX_LUNAR_YEAR) {
          throw platformProblem(
            'VALIDATION_FAILED',
            { reason: `year must be ${MIN_LUNAR_YEAR}–${MAX_LUNAR_YEAR}` },
            { field: 'params.date' },
          );
        }
        const now = await calendar.current();
        return {
          date,
          working_day: now.isWorkingDay(date),
          kind: now.lookup(date) ?? null,
          lunar: solarToLunar(date),
        };
      },
    );

    for (const unit of ['working', 'calendar'] as const) {
      app.get(
        `/${unit}-days/add`,
        {
          schema: {
            tags: ['calendar'],
            summary:
              unit === 'working'
                ? 'Deadline of a period of working days (Civil Code Arts 147–148)'
                : 'Deadline of a period of calendar days, moved to the next working day (Civil Code Art 148.5)',
            description:
              'The day of `from` is not counted; the period ends at 24:00 (Vietnam) of its last day, returned ' +
              'as 23:59:59.999+07:00.',
            querystring: AddQuery,
            response: { 200: Deadline, 400: { $ref: 'Problem' } },
          },
        },
        async (request) => {
          const from = parseFrom(request.query.from);
          const now = await calendar.current();
          const { receivedOn, lastDay, deadline } = describeDeadline(now, from, request.query.days, unit);
          return {
            from: from.toISOString(),
            received_on: receivedOn,
            days: request.query.days,
            unit,
            last_day: lastDay,
            deadline: deadline.toISOString(),
            deadline_local: atVnOffset(deadline),
            calendar_revision: now.revision,
          };
        },
      );
    }

    app.put(
      '/holidays/:date',
      {
        onRequest: requireAdmin,
        schema: {
          tags: ['calendar'],
          summary: 'Enter a government decision for a date (holiday, day off or make-up working day)',
          security: [{ adminToken: [] }, { [OIDC_SECURITY_SCHEME]: [] }],
          params: DateParams,
          body: HolidayBody,
          response: {
            200: Holiday,
            201: Holiday,
            400: { $ref: 'Problem' },
            401: { $ref: 'Problem' },
            403: { $ref: 'Problem' },
            409: { $ref: 'Problem' },
          },
        },
      },
      async (request, reply) => {
        const { date } = request.params;
        checkDate(date);
        const { expected_version, ...input } = request.body;
        const actor = request.actor ?? { kind: 'admin', id: 'unknown' };
        const { holiday, created } = await calendar.setHoliday(actor, date, input, {
          expectedVersion: expected_version,
        });
        return reply.status(created ? 201 : 200).send(present(holiday));
      },
    );

    app.delete(
      '/holidays/:date',
      {
        onRequest: requireAdmin,
        schema: {
          tags: ['calendar'],
          summary: 'Remove the entry of a date (it becomes an ordinary day)',
          security: [{ adminToken: [] }, { [OIDC_SECURITY_SCHEME]: [] }],
          params: DateParams,
          querystring: Type.Object({ expected_version: Type.Optional(Type.Integer({ minimum: 1 })) }),
          response: {
            200: Holiday,
            400: { $ref: 'Problem' },
            401: { $ref: 'Problem' },
            403: { $ref: 'Problem' },
            404: { $ref: 'Problem' },
            409: { $ref: 'Problem' },
          },
        },
      },
      async (request) => {
        const { date } = request.params;
        checkDate(date);
        const actor = request.actor ?? { kind: 'admin', id: 'unknown' };
        const removed = await calendar.removeHoliday(actor, date, { expectedVersion: request.query.expected_version });
        return present(removed);
      },
    );
  };
}
