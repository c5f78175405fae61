import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { localeOf, ProblemSchema } from '../http/problem.ts';
import { bearerGuard } from '../oidc/guard.ts';
import { OIDC_SECURITY_SCHEME } from '../oidc/routes.ts';
import type { Platform } from '../platform/context.ts';
import { platformProblem } from '../platform/errors.ts';
import type { Services } from '../services.ts';
import type { Submitted } from './engine.ts';
import { ApplicationView, applicationView, PublicStatus, publicStatus, trackingCode } from './views.ts';

/**
 * The applicant's side of issuance: level 1 in the app without an account yet (citizens, Art
 * 10.1(a); foreigners, Art 12.1), and, signed in, filing for a dependant (Art 10.1(b)) or an
 * organisation (Art 13.1), following one's applications, withdrawing, and answering a
 * co-representative's consent request. Images travel as base64 in JSON (a capture is a few
 * hundred kilobytes); they are verified and dropped, never stored.
 */

/** Captures are a few MB at most: the platform default (2 MB) is too small for a phone photo in base64. */
export const CAPTURE_BODY_LIMIT = 16 * 1024 * 1024;

export const Base64Image = (description: string) =>
  Type.String({ contentEncoding: 'base64', minLength: 1, maxLength: 12_000_000, description });

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      maxLength: 200,
      description: 'Repeat a submission safely: the same key returns the same application',
    }),
  ),
});

const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ProblemSchema]));

export const Optional = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));

export const image = (value: string | null | undefined): Buffer | null =>
  typeof value === 'string' && value.length > 0 ? Buffer.from(value, 'base64') : null;

/** 201 for a new application, 200 when the idempotency key returned an earlier one. */
export function sendSubmitted(request: FastifyRequest, reply: FastifyReply, result: Submitted, view = applicationView) {
  return reply.status(result.replayed ? 200 : 201).send(view(result.application, localeOf(request)));
}

const Sex = Type.Optional(Type.Union([Type.Literal('male'), Type.Literal('female')]));
const Locale = Type.Optional(Type.Union([Type.Literal('vi'), Type.Literal('en')]));

export function issuanceRoutes(platform: Platform, services: Services): FastifyPluginAsync {
  const { issuance, oidc, identity, backoffice } = services;
  void platform;
  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    const subject = bearerGuard({ oidc, identity, backoffice }, { audience: 'app' });
    const security = [{ [OIDC_SECURITY_SCHEME]: [] }];

    app.post(
      '/api/v1/public/applications/citizen-level1',
      {
        bodyLimit: CAPTURE_BODY_LIMIT,
        schema: {
          tags: ['issuance'],
          summary: 'A citizen registers a level-1 account in the app (Decree 69 Art 10.1(a))',
          description:
            'Checked at once against the Identity DB, the subscriber registry and the portrait on record; ' +
            'the result is notified by SMS, e-mail and, once activated, in the app. A rejection lists every reason.',
          headers: IdempotencyHeaders,
          body: Type.Object(
            {
              pin: Type.String({ maxLength: 20 }),
              full_name: Type.String({ maxLength: 200 }),
              date_of_birth: Type.String({ maxLength: 10 }),
              sex: Sex,
              phone: Type.String({ maxLength: 20 }),
              email: Optional(Type.String({ maxLength: 254 })),
              face: Base64Image('Self-captured portrait (JPEG or PNG)'),
              locale: Locale,
            },
            { additionalProperties: false },
          ),
          response: { 200: ApplicationView, 201: ApplicationView, ...problems(400, 409, 413) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const result = await issuance.applyCitizenLevel1(
          {
            pin: b.pin,
            fullName: b.full_name,
            dateOfBirth: b.date_of_birth,
            ...(b.sex ? { sex: b.sex } : {}),
            phone: b.phone,
            email: b.email ?? null,
            face: image(b.face)!,
            ...(b.locale ? { locale: b.locale } : {}),
          },
          { idempotencyKey: request.headers['idempotency-key'] },
        );
        return sendSubmitted(request, reply, result);
      },
    );

    app.post(
      '/api/v1/public/applications/foreigner-level1',
      {
        bodyLimit: CAPTURE_BODY_LIMIT,
        schema: {
          tags: ['issuance'],
          summary: 'A foreign national registers a level-1 account in the app (Decree 69 Art 12.1)',
          headers: IdempotencyHeaders,
          body: Type.Object(
            {
              passport_number: Type.String({ maxLength: 20 }),
              passport_country: Type.String({ maxLength: 3, description: 'ISO 3166-1 alpha-3' }),
              full_name: Type.String({ maxLength: 200 }),
              date_of_birth: Type.String({ maxLength: 10 }),
              sex: Sex,
              phone: Optional(Type.String({ maxLength: 20 })),
              email: Optional(Type.String({ maxLength: 254 })),
              face: Base64Image('Self-captured portrait (JPEG or PNG)'),
              locale: Locale,
            },
            { additionalProperties: false },
          ),
          response: { 200: ApplicationView, 201: ApplicationView, ...problems(400, 409, 413) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const result = await issuance.applyForeignerLevel1(
          {
            passportNumber: b.passport_number,
            passportCountry: b.passport_country,
            fullName: b.full_name,
            dateOfBirth: b.date_of_birth,
            ...(b.sex ? { sex: b.sex } : {}),
            phone: b.phone ?? null,
            email: b.email ?? null,
            face: image(b.face)!,
            ...(b.locale ? { locale: b.locale } : {}),
          },
          { idempotencyKey: request.headers['idempotency-key'] },
        );
        return sendSubmitted(request, reply, result);
      },
    );

    app.get(
      '/api/v1/public/applications/:number/status',
      {
        schema: {
          tags: ['issuance'],
          summary: "An application's state and dates, from the receipt's QR code",
          description: 'Needs the code printed in the QR link; shows no personal data.',
          params: Type.Object({ number: Type.String({ maxLength: 40 }) }),
          querystring: Type.Object({ code: Type.String({ maxLength: 40 }) }),
          response: { 200: PublicStatus, ...problems(404) },
        },
      },
      async (request) => {
        const found = await issuance.byNumber(request.params.number);
        // The same answer for an unknown number and a wrong code: numbers are sequential.
        if (!found || trackingCode(found) !== request.query.code) {
          throw platformProblem('NOT_FOUND', { what: 'application' });
        }
        return publicStatus(found, localeOf(request));
      },
    );

    // --- signed in -------------------------------------------------------------------------------

    app.post(
      '/api/v1/app/applications/dependants',
      {
        onRequest: subject,
        bodyLimit: CAPTURE_BODY_LIMIT,
        schema: {
          tags: ['issuance'],
          summary: 'A representative registers a level-1 account for a child under 14, a ward or a represented person',
          description:
            'Decree 69 Art 10.1(b): the representative needs an active level-2 account; their phone is used.',
          security,
          headers: IdempotencyHeaders,
          body: Type.Object(
            {
              pin: Type.String({ maxLength: 20 }),
              full_name: Type.String({ maxLength: 200 }),
              date_of_birth: Type.String({ maxLength: 10 }),
              sex: Sex,
              email: Optional(Type.String({ maxLength: 254 })),
              face: Optional(Base64Image("The dependant's portrait (none under 6)")),
            },
            { additionalProperties: false },
          ),
          response: { 200: ApplicationView, 201: ApplicationView, ...problems(400, 401, 403, 409, 413) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const result = await issuance.applyForDependant(
          request.bearer!.accountId,
          {
            pin: b.pin,
            fullName: b.full_name,
            dateOfBirth: b.date_of_birth,
            ...(b.sex ? { sex: b.sex } : {}),
            email: b.email ?? null,
            face: image(b.face),
          },
          { idempotencyKey: request.headers['idempotency-key'] },
        );
        return sendSubmitted(request, reply, result);
      },
    );

    app.post(
      '/api/v1/app/applications/organisations',
      {
        onRequest: subject,
        schema: {
          tags: ['issuance'],
          summary: "A legal representative registers the organisation's account (Decree 69 Art 13.1)",
          description:
            'Every other legal representative is asked to consent in their app; a refusal or a lapsed window ends it.',
          security,
          headers: IdempotencyHeaders,
          body: Type.Object(
            {
              enterprise_code: Type.String({ maxLength: 14 }),
              email: Optional(Type.String({ maxLength: 254 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: ApplicationView, 201: ApplicationView, ...problems(400, 401, 403, 409) },
        },
      },
      async (request, reply) => {
        const result = await issuance.applyOrganisation(
          request.bearer!.accountId,
          { enterpriseCode: request.body.enterprise_code, email: request.body.email ?? null },
          { idempotencyKey: request.headers['idempotency-key'] },
        );
        return sendSubmitted(request, reply, result);
      },
    );

    app.get(
      '/api/v1/app/applications',
      {
        onRequest: subject,
        schema: {
          tags: ['issuance'],
          summary: 'Applications I filed or that made my account',
          security,
          response: { 200: Type.Object({ applications: Type.Array(ApplicationView) }), ...problems(401, 403) },
        },
      },
      async (request) => {
        const accountId = request.bearer!.accountId;
        const seen = new Map<string, Awaited<ReturnType<typeof issuance.mine>>[number]>();
        for (const a of [...(await issuance.mine(accountId)), ...(await issuance.forAccount(accountId))])
          seen.set(a.id, a);
        const locale = localeOf(request);
        return { applications: [...seen.values()].map((a) => applicationView(a, locale)) };
      },
    );

    app.post(
      '/api/v1/app/applications/:id/withdraw',
      {
        onRequest: subject,
        schema: {
          tags: ['issuance'],
          summary: 'Withdraw an open application',
          security,
          params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
          body: Type.Object({ version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
          response: { 200: ApplicationView, ...problems(401, 403, 404, 409) },
        },
      },
      async (request) => {
        const updated = await issuance.withdraw(request.bearer!.accountId, request.params.id, request.body.version);
        return applicationView(updated, localeOf(request));
      },
    );

    app.get(
      '/api/v1/app/consent-requests',
      {
        onRequest: subject,
        schema: {
          tags: ['issuance'],
          summary: "Organisations' requests waiting for my consent as a co-representative",
          security,
          response: {
            200: Type.Object({
              requests: Type.Array(
                Type.Object({
                  application_id: Type.String(),
                  number: Type.String(),
                  organisation: Type.String(),
                  requested_by: Type.Union([Type.String(), Type.Null()]),
                  due_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
                }),
              ),
            }),
            ...problems(401, 403),
          },
        },
      },
      async (request) => {
        const rows = await issuance.pendingConsentsFor(request.bearer!.accountId);
        return {
          requests: rows.map((r) => ({
            application_id: r.application_id,
            number: r.number,
            organisation: r.subject_name,
            requested_by: r.dossier.representative?.fullName ?? null,
            due_at: r.consent_due_at ? r.consent_due_at.toISOString() : null,
          })),
        };
      },
    );

    app.post(
      '/api/v1/app/consent-requests/:id',
      {
        onRequest: subject,
        schema: {
          tags: ['issuance'],
          summary: "Consent to or refuse an organisation's account request (Decree 69 Art 13.1)",
          security,
          params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
          body: Type.Object(
            { decision: Type.Union([Type.Literal('consent'), Type.Literal('refuse')]) },
            { additionalProperties: false },
          ),
          response: { 200: ApplicationView, ...problems(401, 403, 409) },
        },
      },
      async (request) => {
        const updated = await issuance.answerConsent(
          request.bearer!.accountId,
          request.params.id,
          request.body.decision,
        );
        return applicationView(updated, localeOf(request));
      },
    );
  };
}
