import { FlowHistory, flowHistoryView } from '../http/flow-history.ts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { vnDate } from '../calendar/working-days.ts';
import { localeOf, ProblemSchema } from '../http/problem.ts';
import { maskPhone, toE164 } from '../identity/model.ts';
import { deadlineRule, PROCEDURE_INFO, REJECTION_CODES } from '../issuance/model.ts';
import { renderReceipt } from '../issuance/receipt.ts';
import {
  Base64Image,
  CAPTURE_BODY_LIMIT,
  IdempotencyHeaders,
  image,
  Optional,
  sendSubmitted,
} from '../issuance/routes.ts';
import { OfficerApplicationView, officerApplicationView, trackUrl } from '../issuance/views.ts';
import { bearerGuard } from '../oidc/guard.ts';
import { OIDC_SECURITY_SCHEME } from '../oidc/routes.ts';
import type { Platform } from '../platform/context.ts';
import { platformProblem } from '../platform/errors.ts';
import type { Services } from '../services.ts';
import type { Citizen } from '../registries/model.ts';

/**
 * The officers' side of issuance (`/api/v1/officer/*`): counter intake (TK01 for citizens, TK01 at
 * immigration for foreigners, TK02 for organisations), the unit's queue sorted by legal deadline,
 * decisions (maker–checker, one winner when two decide at once), the printable receipt and the
 * on-time report. Every call re-reads the officer's roles and unit scope.
 */

const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ProblemSchema]));
const UnitParams = Type.Object({ unitId: Type.String({ maxLength: 40 }) });
const Fingerprints = Type.Array(Base64Image('500 dpi grayscale fingerprint image'), { minItems: 1, maxItems: 10 });
const Documents = Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 30 }));
const Note = Type.Optional(Type.String({ maxLength: 1000 }));

const CounterCitizen = Type.Object({
  pin: Type.String(),
  full_name: Type.String(),
  sex: Type.String(),
  date_of_birth: Type.String({ format: 'date' }),
  residence: Type.String(),
  deceased: Type.Boolean(),
  id_card: Type.Union([
    Type.Object({
      number: Type.String(),
      issued_on: Type.String({ format: 'date' }),
      expires_on: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
      status: Type.String(),
    }),
    Type.Null(),
  ]),
  biometrics_on_record: Type.Array(Type.String(), {
    description: "'face', 'fingerprint': what the matchers compare with",
  }),
  account: Type.Union([
    Type.Object({ level: Type.Union([Type.Integer(), Type.Null()]), status: Type.String() }),
    Type.Null(),
  ]),
});

function counterCitizenView(
  citizen: Citizen,
  onRecord: readonly { kind: string }[],
  account: { level: number | null; status: string } | undefined,
) {
  return {
    pin: citizen.pin,
    full_name: citizen.fullName,
    sex: citizen.sex,
    date_of_birth: citizen.dateOfBirth,
    residence: citizen.residence.full,
    deceased: citizen.dateOfDeath !== null,
    id_card: citizen.idCard
      ? {
          number: citizen.idCard.number,
          issued_on: citizen.idCard.issuedOn,
          expires_on: citizen.idCard.expiresOn,
          status: citizen.idCard.status,
        }
      : null,
    biometrics_on_record: [...new Set(onRecord.map((r) => r.kind))].sort(),
    account: account ? { level: account.level, status: account.status } : null,
  };
}

export function applicationOfficerRoutes(platform: Platform, services: Services): FastifyPluginAsync {
  const { issuance, oidc, identity, backoffice } = services;
  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    const officer = bearerGuard({ oidc, identity, backoffice }, { audience: 'officer' });
    const security = [{ [OIDC_SECURITY_SCHEME]: [] }];
    const officerView = OfficerApplicationView;

    /** The officer may read the application when its unit is in their scope. */
    async function readable(officerId: string, applicationId: string) {
      const found = await issuance.get(applicationId);
      if (!found || !(await backoffice.scopeOf(officerId)).includes(found.unitId)) {
        throw platformProblem('NOT_FOUND', { what: 'application' });
      }
      return found;
    }

    app.get(
      '/api/v1/officer/units/:unitId/registry/citizens/:pin',
      {
        onRequest: officer,
        schema: {
          tags: ['officer'],
          summary: 'The citizen on record, for the counter before a TK01 is taken (Decree 69 Art 11)',
          description:
            'Role RECEIVER in the unit. What the officer checks against the person and their card: name, birth, card, ' +
            'whether a portrait and fingerprints are on record, and an existing account. Never the references ' +
            'themselves. Every read is recorded (DOMAIN.md §9: the subject sees which office read the record).',
          security,
          params: Type.Object({ unitId: Type.String({ maxLength: 40 }), pin: Type.String({ maxLength: 20 }) }),
          response: { 200: CounterCitizen, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const officerId = request.bearer!.accountId;
        const { unitId, pin } = request.params;
        if (!(await backoffice.mayAct(officerId, 'RECEIVER', unitId))) throw platformProblem('FORBIDDEN');
        if (!/^\d{12}$/.test(pin)) {
          throw platformProblem('VALIDATION_FAILED', { reason: 'the PIN has 12 digits' }, { field: 'pin' });
        }
        const citizen = await services.registries.identity.findByPin(pin);
        const account = citizen ? await identity.findBySubject('citizen', citizen.registryId) : undefined;
        await services.audit.append(platform.db, {
          actor: { kind: 'officer', id: officerId },
          action: 'officer.registry.read',
          subject: account
            ? { kind: 'account', id: account.id }
            : { kind: 'citizen', id: citizen?.registryId ?? `pin:${pin.slice(0, 3)}…${pin.slice(-3)}` },
          purpose: 'counter_intake',
          outcome: citizen ? 'success' : 'failure',
          detail: { unitId },
        });
        if (!citizen) throw platformProblem('NOT_FOUND', { what: 'citizen' });
        const onRecord = await services.registries.identity.biometricsOf(citizen.registryId);
        return counterCitizenView(citizen, onRecord, account);
      },
    );

    app.post(
      '/api/v1/officer/units/:unitId/applications/citizen',
      {
        onRequest: officer,
        bodyLimit: CAPTURE_BODY_LIMIT,
        schema: {
          tags: ['officer'],
          summary: 'Receive a citizen’s level-2 application at the counter (form TK01, Decree 69 Art 11)',
          description:
            'The procedure follows from the registries: a live level-1 account is upgraded, a citizen without a valid ' +
            'card applies together with the card (7 working days). Face and fingerprints are verified and dropped.',
          security,
          params: UnitParams,
          headers: IdempotencyHeaders,
          body: Type.Object(
            {
              pin: Type.String({ maxLength: 20 }),
              full_name: Type.Optional(Type.String({ maxLength: 200 })),
              date_of_birth: Type.Optional(Type.String({ maxLength: 10 })),
              phone: Optional(Type.String({ maxLength: 20 })),
              email: Optional(Type.String({ maxLength: 254 })),
              documents: Documents,
              face: Base64Image('Portrait captured at the counter'),
              fingerprints: Fingerprints,
              representative_pin: Optional(Type.String({ maxLength: 20 })),
              note: Note,
            },
            { additionalProperties: false },
          ),
          response: { 200: officerView, 201: officerView, ...problems(400, 401, 403, 404, 409, 413) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const result = await issuance.receiveCitizen(
          request.bearer!.accountId,
          request.params.unitId,
          {
            pin: b.pin,
            ...(b.full_name ? { fullName: b.full_name } : {}),
            ...(b.date_of_birth ? { dateOfBirth: b.date_of_birth } : {}),
            phone: b.phone ?? null,
            email: b.email ?? null,
            documents: b.documents ?? [],
            face: image(b.face)!,
            fingerprints: b.fingerprints.map((f) => image(f)!),
            representativePin: b.representative_pin ?? null,
            ...(b.note ? { note: b.note } : {}),
          },
          { idempotencyKey: request.headers['idempotency-key'] },
        );
        return sendSubmitted(request, reply, result, officerApplicationView);
      },
    );

    app.post(
      '/api/v1/officer/units/:unitId/applications/foreigner',
      {
        onRequest: officer,
        bodyLimit: CAPTURE_BODY_LIMIT,
        schema: {
          tags: ['officer'],
          summary: 'Receive a foreign national’s level-2 application at an immigration office (Decree 69 Art 12.2)',
          security,
          params: UnitParams,
          headers: IdempotencyHeaders,
          body: Type.Object(
            {
              passport_number: Type.String({ maxLength: 20 }),
              passport_country: Type.String({ maxLength: 3 }),
              phone: Optional(Type.String({ maxLength: 20 })),
              email: Optional(Type.String({ maxLength: 254 })),
              documents: Documents,
              face: Base64Image('Portrait captured at the counter'),
              fingerprints: Fingerprints,
              representative: Optional(
                Type.Object({
                  passport_number: Type.String({ maxLength: 20 }),
                  passport_country: Type.String({ maxLength: 3 }),
                }),
              ),
              locale: Type.Optional(Type.Union([Type.Literal('vi'), Type.Literal('en')])),
              note: Note,
            },
            { additionalProperties: false },
          ),
          response: { 200: officerView, 201: officerView, ...problems(400, 401, 403, 404, 409, 413) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const result = await issuance.receiveForeigner(
          request.bearer!.accountId,
          request.params.unitId,
          {
            passportNumber: b.passport_number,
            passportCountry: b.passport_country,
            phone: b.phone ?? null,
            email: b.email ?? null,
            documents: b.documents ?? [],
            face: image(b.face)!,
            fingerprints: b.fingerprints.map((f) => image(f)!),
            representative: b.representative
              ? { passportNumber: b.representative.passport_number, passportCountry: b.representative.passport_country }
              : null,
            ...(b.locale ? { locale: b.locale } : {}),
            ...(b.note ? { note: b.note } : {}),
          },
          { idempotencyKey: request.headers['idempotency-key'] },
        );
        return sendSubmitted(request, reply, result, officerApplicationView);
      },
    );

    app.post(
      '/api/v1/officer/units/:unitId/applications/organisation',
      {
        onRequest: officer,
        schema: {
          tags: ['officer'],
          summary: 'Receive an organisation’s application on form TK02 (Decree 69 Art 13.2)',
          description:
            'Checked against the Business Registration DB; an organisation in no registry is verified by hand (15 calendar days).',
          security,
          params: UnitParams,
          headers: IdempotencyHeaders,
          body: Type.Object(
            {
              enterprise_code: Type.String({ maxLength: 14 }),
              organisation_name: Type.String({ maxLength: 300 }),
              filer_pin: Type.String({ maxLength: 20 }),
              email: Optional(Type.String({ maxLength: 254 })),
              documents: Documents,
              note: Note,
            },
            { additionalProperties: false },
          ),
          response: { 200: officerView, 201: officerView, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const result = await issuance.receiveOrganisation(
          request.bearer!.accountId,
          request.params.unitId,
          {
            enterpriseCode: b.enterprise_code,
            organisationName: b.organisation_name,
            filerPin: b.filer_pin,
            email: b.email ?? null,
            documents: b.documents ?? [],
            ...(b.note ? { note: b.note } : {}),
          },
          { idempotencyKey: request.headers['idempotency-key'] },
        );
        return sendSubmitted(request, reply, result, officerApplicationView);
      },
    );

    app.get(
      '/api/v1/officer/queue',
      {
        onRequest: officer,
        schema: {
          tags: ['officer'],
          summary: "Open applications of the officer's units, soonest legal deadline first",
          security,
          querystring: Type.Object({
            unit_id: Type.Optional(Type.String({ maxLength: 40 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          }),
          response: {
            200: Type.Object({
              entries: Type.Array(
                Type.Object({
                  application: officerView,
                  due_on: Type.Union([Type.String(), Type.Null()]),
                  working_days_left: Type.Union([Type.Integer(), Type.Null()]),
                  overdue: Type.Boolean(),
                }),
              ),
            }),
            ...problems(401, 403),
          },
        },
      },
      async (request) => {
        const locale = localeOf(request);
        const entries = await issuance.queue(request.bearer!.accountId, {
          ...(request.query.unit_id ? { unitId: request.query.unit_id } : {}),
          ...(request.query.limit ? { limit: request.query.limit } : {}),
        });
        return {
          entries: entries.map((e) => ({
            application: officerApplicationView(e.application, locale),
            due_on: e.dueOn,
            working_days_left: e.workingDaysLeft,
            overdue: e.overdue,
          })),
        };
      },
    );

    app.get(
      '/api/v1/officer/applications/:id',
      {
        onRequest: officer,
        schema: {
          tags: ['officer'],
          summary: 'One application with its checks, history and the actions its state allows',
          security,
          params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
          response: {
            200: Type.Object({
              application: officerView,
              due_on: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
              working_days_left: Type.Union([Type.Integer(), Type.Null()]),
              overdue: Type.Boolean(),
              history: FlowHistory,
            }),
            ...problems(401, 403, 404),
          },
        },
      },
      async (request) => {
        const found = await readable(request.bearer!.accountId, request.params.id);
        const [history, deadline] = await Promise.all([issuance.history(found.id), issuance.withDeadline(found)]);
        return {
          application: officerApplicationView(found, localeOf(request)),
          due_on: deadline.dueOn,
          working_days_left: deadline.workingDaysLeft,
          overdue: deadline.overdue,
          history: flowHistoryView(history),
        };
      },
    );

    app.post(
      '/api/v1/officer/applications/:id/decision',
      {
        onRequest: officer,
        schema: {
          tags: ['officer'],
          summary: 'Approve, reject (with reasons), refer to manual review, or forward to C06',
          description:
            'Maker–checker: the officer who received the application cannot approve or reject it. `version` is the ' +
            'one read: when two officers decide at once, one wins and the other gets 409 CONFLICT.',
          security,
          params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
          body: Type.Object(
            {
              event: Type.Union([
                Type.Literal('approve'),
                Type.Literal('reject'),
                Type.Literal('refer_manual'),
                Type.Literal('forward'),
              ]),
              version: Type.Integer({ minimum: 1 }),
              reasons: Type.Optional(
                Type.Array(
                  Type.Object(
                    {
                      code: Type.Union(REJECTION_CODES.map((c) => Type.Literal(c))),
                      field: Type.Optional(Type.String({ maxLength: 60 })),
                      note: Type.Optional(Type.String({ maxLength: 500 })),
                    },
                    { additionalProperties: false },
                  ),
                  { maxItems: 20 },
                ),
              ),
              note: Note,
            },
            { additionalProperties: false },
          ),
          response: { 200: officerView, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const officerId = request.bearer!.accountId;
        await readable(officerId, request.params.id);
        const b = request.body;
        const updated = await issuance.decide(officerId, request.params.id, {
          event: b.event,
          expectedVersion: b.version,
          ...(b.reasons ? { reasons: b.reasons } : {}),
          ...(b.note ? { note: b.note } : {}),
        });
        return officerApplicationView(updated, localeOf(request));
      },
    );

    app.get(
      '/api/v1/officer/applications/:id/receipt.pdf',
      {
        onRequest: officer,
        schema: {
          tags: ['officer'],
          summary: 'The printable receipt with the appointment date (phiếu tiếp nhận hồ sơ và hẹn trả kết quả)',
          security,
          params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
          response: { 200: Type.Any({ description: 'application/pdf' }), ...problems(401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const found = await readable(request.bearer!.accountId, request.params.id);
        if (!found.receivedAt || !found.dueAt) {
          throw platformProblem('CONFLICT');
        }
        const unit = await backoffice.unit(found.unitId);
        const parent = unit?.parentId ? await backoffice.unit(unit.parentId) : undefined;
        const receiver = found.receivedBy ? await identity.get(found.receivedBy) : undefined;
        const rule = found.deadline ?? deadlineRule(found.procedure);
        const d = found.dossier;
        const phone = d.phone ? toE164(d.phone) : null;
        const pdf = await renderReceipt({
          applicationNo: found.number,
          procedureVi: PROCEDURE_INFO[found.procedure].vi,
          applicant: {
            fullName: found.subjectName,
            idLabel: d.pin ? 'Số định danh cá nhân' : d.passport ? 'Số hộ chiếu' : 'Mã số doanh nghiệp',
            idValue: d.pin ?? (d.passport ? `${d.passport.number} (${d.passport.country})` : (d.enterpriseCode ?? '')),
            phoneMasked: phone ? maskPhone(phone) : null,
            email: d.email ?? null,
          },
          representative: d.representative
            ? { fullName: d.representative.fullName, idValue: '', relationVi: relationVi(d.representative.basis) }
            : null,
          unit: { nameVi: unit?.nameVi ?? '', parentNameVi: parent?.nameVi ?? null },
          officerName: receiver?.fullName ?? '',
          receivedAt: found.receivedAt,
          appointmentOn: vnDate(found.dueAt),
          deadlineText: `${rule.days} ${rule.unit === 'working' ? 'ngày làm việc' : 'ngày'}`,
          documents: d.documents ?? [],
          trackUrl: trackUrl(platform.config.baseUrl, found),
        });
        return reply
          .type('application/pdf')
          .header('content-disposition', `inline; filename="${found.number}.pdf"`)
          .send(pdf);
      },
    );

    app.get(
      '/api/v1/officer/reports/on-time',
      {
        onRequest: officer,
        schema: {
          tags: ['officer'],
          summary: 'Applications decided and decided on time, per unit (applications created in the range)',
          security,
          querystring: Type.Object({
            from: Type.String({ format: 'date-time' }),
            to: Type.String({ format: 'date-time' }),
          }),
          response: {
            200: Type.Object({
              units: Type.Array(
                Type.Object({
                  unit_id: Type.String(),
                  unit_code: Type.Union([Type.String(), Type.Null()]),
                  unit_name: Type.Union([Type.String(), Type.Null()]),
                  decided: Type.Integer(),
                  on_time: Type.Integer(),
                  on_time_rate: Type.Union([Type.Number(), Type.Null()]),
                  open: Type.Integer(),
                  open_overdue: Type.Integer(),
                }),
              ),
            }),
            ...problems(400, 401, 403),
          },
        },
      },
      async (request) => {
        const scope = new Set(await backoffice.scopeOf(request.bearer!.accountId));
        const rows = await issuance.report({ from: new Date(request.query.from), to: new Date(request.query.to) });
        return {
          units: rows
            .filter((r) => scope.has(r.unitId))
            .map((r) => ({
              unit_id: r.unitId,
              unit_code: r.unitCode,
              unit_name: r.unitName,
              decided: r.decided,
              on_time: r.onTime,
              on_time_rate: r.onTimeRate,
              open: r.open,
              open_overdue: r.openOverdue,
            })),
        };
      },
    );
  };
}

function relationVi(basis: string): string {
  switch (basis) {
    case 'parent':
      return 'Cha/mẹ';
    case 'guardian':
      return 'Người giám hộ';
    case 'legal_representative':
      return 'Người đại diện theo pháp luật';
    default:
      return 'Người đại diện';
  }
}
