import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { localeOf } from '../http/problem.ts';
import type { AuthService } from '../auth/service.ts';
import { networkOf } from '../auth/model.ts';
import { bearerGuard } from '../oidc/guard.ts';
import type { BackofficePort, IdentityPort } from '../oidc/ports.ts';
import { OIDC_SECURITY_SCHEME } from '../oidc/routes.ts';
import type { Oidc } from '../oidc/service.ts';
import type { Platform } from '../platform/context.ts';
import { DOCUMENT_KINDS, PURPOSE_NAMES, type EidCard, type IntegratedDocument } from './model.ts';
import type { PresentationRecord } from './repository.ts';
import type { EidService, Holder } from './service.ts';

/**
 * HTTP of the electronic identity card (docs/eid.md):
 * - `/api/v1/app/eid/*` for the holder in the citizen app (provider token with api:app). The
 *   passcode opens the card (`POST /unlock`) and yields a proof, sent back as `X-Eid-Proof` on
 *   every other call: no card data without it.
 * - `POST /api/v1/public/eid/verify` for verifiers, online (no account needed);
 * - `GET /.well-known/eid-jwks.json`: the public keys for offline verification.
 */
export interface EidRouteDeps {
  eid: EidService;
  auth: Pick<AuthService, 'limitRate'>;
  oidc: Oidc;
  identity: IdentityPort;
  backoffice: BackofficePort;
}

export const EID_PROOF_HEADER = 'x-eid-proof';

/** Online verifications per address: a counter at a shop scans a few per minute, not hundreds. */
export const VERIFY_RATE = { max: 120, windowMs: 60_000, lockMs: 60_000 } as const;

const Problem = { $ref: 'Problem' };
const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, Problem]));
const oneOf = (values: readonly string[], description?: string) =>
  Type.String({ enum: [...values], ...(description ? { description } : {}) });
const CivilDate = Type.String({ format: 'date', description: "A civil date, 'YYYY-MM-DD'" });
const Instant = Type.String({ format: 'date-time' });
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

const Kind = Type.Union([Type.Literal('driving_licence'), Type.Literal('health_insurance')], {
  description: 'driving_licence (giấy phép lái xe) or health_insurance (thẻ bảo hiểm y tế)',
});

const ProofHeaders = Type.Object({
  [EID_PROOF_HEADER]: Type.Optional(
    Type.String({ maxLength: 2048, description: 'The proof returned by POST /api/v1/app/eid/unlock' }),
  ),
});

const Card = Type.Object({
  pin: Type.String({ description: 'Personal identification number (số định danh cá nhân)' }),
  full_name: Type.String(),
  family_name: Type.String(),
  middle_name: Type.String(),
  given_name: Type.String(),
  date_of_birth: CivilDate,
  sex: oneOf(['male', 'female']),
  nationality: Type.String({ description: 'ISO 3166-1 alpha-3' }),
  place_of_birth_registration: Type.Object({ code: Type.String(), name: Type.String() }),
  residence: Type.String({ description: 'Permanent residence as printed' }),
  id_card: nullable(
    Type.Object(
      { number: Type.String(), issued_on: CivilDate, expires_on: nullable(CivilDate) },
      { description: 'The physical card (thẻ căn cước)' },
    ),
  ),
  level: Type.Integer({ description: 'Account level: always 2' }),
  status: oneOf(['active', 'locked', 'revoked']),
  read_at: Type.String({ format: 'date-time', description: 'When the data were read from the Identity DB' }),
});

function cardView(card: EidCard) {
  return {
    pin: card.pin,
    full_name: card.fullName,
    family_name: card.familyName,
    middle_name: card.middleName,
    given_name: card.givenName,
    date_of_birth: card.dateOfBirth,
    sex: card.sex,
    nationality: card.nationality,
    place_of_birth_registration: card.placeOfBirthRegistration,
    residence: card.residence,
    id_card: card.idCard
      ? { number: card.idCard.number, issued_on: card.idCard.issuedOn, expires_on: card.idCard.expiresOn }
      : null,
    level: card.level,
    status: card.status,
    read_at: card.readAt.toISOString(),
  };
}

const PresentationView = Type.Object({
  jti: Type.String({ format: 'uuid' }),
  purpose: Type.String(),
  audience: nullable(Type.String()),
  claims: Type.Array(Type.String(), { description: 'Names of the claims released (never their values)' }),
  created_at: Instant,
  expires_at: Instant,
  verified_at: nullable(Instant),
  verifier: nullable(Type.String()),
  verification_status: nullable(oneOf(['active', 'locked', 'revoked', 'expired', 'invalid'])),
  verifications: Type.Integer(),
});

function presentationView(p: PresentationRecord) {
  return {
    jti: p.jti,
    purpose: p.purpose,
    audience: p.audience,
    claims: p.claims,
    created_at: p.createdAt.toISOString(),
    expires_at: p.expiresAt.toISOString(),
    verified_at: p.verifiedAt ? p.verifiedAt.toISOString() : null,
    verifier: p.verifier,
    verification_status: p.verificationStatus,
    verifications: p.verifications,
  };
}

const LicenceView = Type.Object({
  number: Type.String(),
  full_name: Type.String(),
  date_of_birth: CivilDate,
  categories: Type.Array(Type.Object({ class: Type.String(), issued_on: CivilDate, expires_on: nullable(CivilDate) })),
  issuing_authority: Type.String(),
});

const InsuranceView = Type.Object({
  number: Type.String({ description: 'Social-insurance code (mã số BHXH)' }),
  card_code: Type.String(),
  full_name: Type.String(),
  date_of_birth: CivilDate,
  group: Type.String(),
  benefit_level: Type.Integer(),
  primary_care_facility: Type.String(),
  valid_from: CivilDate,
  valid_to: CivilDate,
});

const DocumentView = Type.Object({
  kind: oneOf(DOCUMENT_KINDS),
  reference: Type.String({ description: "The document's number when it was integrated or last refreshed" }),
  snapshot_on: CivilDate,
  integrated_at: Instant,
  in_registry: Type.Boolean({ description: 'Whether the registry still has it (read at this view)' }),
  driving_licence: nullable(LicenceView),
  health_insurance: nullable(InsuranceView),
});

function documentView(d: IntegratedDocument) {
  const licence = d.current?.kind === 'driving_licence' ? d.current.licence : null;
  const insurance = d.current?.kind === 'health_insurance' ? d.current.card : null;
  return {
    kind: d.kind,
    reference: d.reference,
    snapshot_on: d.snapshotOn,
    integrated_at: d.integratedAt.toISOString(),
    in_registry: d.current !== null,
    driving_licence: licence && {
      number: licence.number,
      full_name: licence.fullName,
      date_of_birth: licence.dateOfBirth,
      categories: licence.categories.map((c) => ({ class: c.class, issued_on: c.issuedOn, expires_on: c.expiresOn })),
      issuing_authority: licence.issuingAuthority,
    },
    health_insurance: insurance && {
      number: insurance.number,
      card_code: insurance.cardCode,
      full_name: insurance.fullName,
      date_of_birth: insurance.dateOfBirth,
      group: insurance.group,
      benefit_level: insurance.benefitLevel,
      primary_care_facility: insurance.primaryCareFacility,
      valid_from: insurance.validFrom,
      valid_to: insurance.validTo,
    },
  };
}

/** The signed-in holder, and the access token's digest that binds the passcode proof to this session. */
function holderOf(request: FastifyRequest): Holder {
  const bearer = request.bearer!;
  const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
  const session = createHash('sha256').update(token).digest('base64url');
  return { accountId: bearer.accountId, clientId: bearer.clientId, session };
}

function proofOf(request: FastifyRequest): string | undefined {
  const value = request.headers[EID_PROOF_HEADER];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function eidRoutes(_platform: Platform, deps: EidRouteDeps): FastifyPluginAsync {
  const { eid, oidc, identity, backoffice, auth } = deps;

  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    const holder = bearerGuard({ oidc, identity, backoffice }, { audience: 'app' });
    const appSecurity = [{ [OIDC_SECURITY_SCHEME]: [] }];
    const tags = ['eid'];

    // A 401 of this plugin that is not the bearer's own asks for the passcode step (RFC 9470 style).
    app.addHook('onSend', async (request, reply, payload) => {
      if (
        reply.statusCode === 401 &&
        !reply.hasHeader('www-authenticate') &&
        request.url.startsWith('/api/v1/app/eid')
      ) {
        reply.header('www-authenticate', 'Bearer realm="dinhdanh", error="insufficient_user_authentication"');
      }
      return payload;
    });

    app.post(
      '/api/v1/app/eid/unlock',
      {
        onRequest: holder,
        schema: {
          tags,
          summary: 'Open the electronic identity card with the passcode',
          description:
            'Checks the 6-digit passcode (5 wrong in 15 minutes lock it for 30 minutes: 429) before any card data, ' +
            'then returns the card and a proof valid a few minutes for this session; send the proof as ' +
            '`X-Eid-Proof` to the other /api/v1/app/eid routes. Level-1 and non-citizen accounts: 403 (level 2 needed).',
          security: appSecurity,
          body: Type.Object({ passcode: Type.String({ maxLength: 32 }) }, { additionalProperties: false }),
          response: {
            200: Type.Object({ proof: Type.String(), proof_expires_at: Instant, card: Card }),
            ...problems(400, 401, 403, 404, 409, 429),
          },
        },
      },
      async (request) => {
        const ua = request.headers['user-agent'];
        const unlocked = await eid.unlock(holderOf(request), request.body.passcode, {
          ip: request.ip,
          locale: localeOf(request),
          ...(typeof ua === 'string' ? { userAgent: ua } : {}),
        });
        return {
          proof: unlocked.proof,
          proof_expires_at: unlocked.expiresAt.toISOString(),
          card: cardView(unlocked.card),
        };
      },
    );

    app.get(
      '/api/v1/app/eid',
      {
        onRequest: holder,
        schema: {
          tags,
          summary: 'The electronic identity card, read from the Identity DB now',
          security: appSecurity,
          headers: ProofHeaders,
          response: { 200: Card, ...problems(401, 403, 404) },
        },
      },
      async (request) => cardView(await eid.card(holderOf(request), proofOf(request))),
    );

    app.post(
      '/api/v1/app/eid/presentations',
      {
        onRequest: holder,
        schema: {
          tags,
          summary: 'Present the card: a signed credential valid 2 minutes, with its QR code',
          description:
            'A compact JWS (ES256, typ vn-eid+jwt) signed with the keys of /.well-known/eid-jwks.json. ' +
            '`purpose` minimises the claims: `full` (default) is the whole card, `age_over_18` only that boolean. ' +
            '`audience` names the verifier (the `aud` claim). Every presentation is kept in the usage history.',
          security: appSecurity,
          headers: ProofHeaders,
          body: Type.Object(
            {
              purpose: Type.Optional(oneOf(PURPOSE_NAMES)),
              audience: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            },
            { additionalProperties: false },
          ),
          response: {
            201: Type.Object({
              credential: Type.String({ description: 'Compact JWS' }),
              jti: Type.String({ format: 'uuid' }),
              purpose: Type.String(),
              audience: nullable(Type.String()),
              claims: Type.Array(Type.String()),
              issued_at: Instant,
              expires_at: Instant,
              qr_png: Type.String({ description: 'The credential as a QR code: data:image/png;base64,…' }),
            }),
            ...problems(400, 401, 403, 404),
          },
        },
      },
      async (request, reply) => {
        const body = request.body ?? {};
        const p = await eid.present(holderOf(request), proofOf(request), {
          purpose: body.purpose,
          audience: body.audience,
        });
        return reply.code(201).send({
          credential: p.credential,
          jti: p.jti,
          purpose: p.purpose,
          audience: p.audience,
          claims: p.claims,
          issued_at: p.issuedAt.toISOString(),
          expires_at: p.expiresAt.toISOString(),
          qr_png: p.qrPng,
        });
      },
    );

    app.get(
      '/api/v1/app/eid/presentations',
      {
        onRequest: holder,
        schema: {
          tags,
          summary: 'Usage history of the card: each presentation and its verification (kept 5 years)',
          security: appSecurity,
          headers: ProofHeaders,
          querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }),
          response: { 200: Type.Object({ presentations: Type.Array(PresentationView) }), ...problems(401, 403) },
        },
      },
      async (request) => ({
        presentations: (await eid.history(holderOf(request), proofOf(request), request.query.limit)).map(
          presentationView,
        ),
      }),
    );

    app.post(
      '/api/v1/app/eid/documents',
      {
        onRequest: holder,
        schema: {
          tags,
          summary: 'Integrate a document into the card after checking its national database',
          description:
            "Decree 69/2024 Art 15: at the holder's request. 201 when integrated, 200 when it already was (its snapshot " +
            'date is refreshed); 404 EID_DOCUMENT_NOT_IN_REGISTRY when the registry has none.',
          security: appSecurity,
          headers: ProofHeaders,
          body: Type.Object({ kind: Kind }, { additionalProperties: false }),
          response: { 200: DocumentView, 201: DocumentView, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { created, document } = await eid.integrateDocument(
          holderOf(request),
          proofOf(request),
          request.body.kind,
        );
        return reply.code(created ? 201 : 200).send(documentView(document));
      },
    );

    app.get(
      '/api/v1/app/eid/documents',
      {
        onRequest: holder,
        schema: {
          tags,
          summary: 'Documents integrated into the card, as their registries show them now',
          security: appSecurity,
          headers: ProofHeaders,
          response: { 200: Type.Object({ documents: Type.Array(DocumentView) }), ...problems(401, 403) },
        },
      },
      async (request) => ({
        documents: (await eid.documents(holderOf(request), proofOf(request))).map(documentView),
      }),
    );

    app.delete(
      '/api/v1/app/eid/documents/:kind',
      {
        onRequest: holder,
        schema: {
          tags,
          summary: 'Remove an integrated document from the card',
          security: appSecurity,
          headers: ProofHeaders,
          params: Type.Object({ kind: Kind }),
          response: { 204: Type.Null(), ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await eid.removeDocument(holderOf(request), proofOf(request), request.params.kind);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/api/v1/public/eid/verify',
      {
        schema: {
          tags,
          summary: 'Verify a presented credential online: signature and the card status now',
          description:
            'Always 200 with a verdict: `active` (valid; the claims are returned), `locked` (a lock ground holds now), ' +
            '`revoked` (the card no longer exists: death, account closed or downgraded), `expired`, `invalid` ' +
            "(forged, altered, unknown). The verification is recorded in the holder's usage history with `verifier`.",
          body: Type.Object(
            {
              credential: Type.String({ minLength: 1, maxLength: 16384 }),
              verifier: Type.Optional(
                Type.String({ minLength: 1, maxLength: 200, description: 'Who verifies (shown to the holder)' }),
              ),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              valid: Type.Boolean(),
              status: oneOf(['active', 'locked', 'revoked', 'expired', 'invalid']),
              claims: Type.Optional(Type.Object({}, { additionalProperties: true })),
              purpose: Type.Optional(Type.String()),
              issued_at: Type.Optional(Instant),
              expires_at: Type.Optional(Instant),
            }),
            ...problems(400, 429),
          },
        },
      },
      async (request) => {
        // Open to any verifier without an account, so counted per address: a scan of forged or
        // guessed credentials is slowed down and every process sees the same count.
        await auth.limitRate(`eid-verify:${networkOf(request.ip)}`, VERIFY_RATE);
        const v = await eid.verifyOnline(request.body.credential, { name: request.body.verifier, ip: request.ip });
        return {
          valid: v.valid,
          status: v.status,
          ...(v.claims ? { claims: v.claims } : {}),
          ...(v.purpose ? { purpose: v.purpose } : {}),
          ...(v.issuedAt ? { issued_at: v.issuedAt.toISOString() } : {}),
          ...(v.expiresAt ? { expires_at: v.expiresAt.toISOString() } : {}),
        };
      },
    );

    app.get(
      '/.well-known/eid-jwks.json',
      {
        schema: {
          tags,
          summary: "The card's public signing keys (current, next and still-valid previous ones)",
          description:
            'Verifiers keep a copy and refresh it at least weekly: a new key is published 7 days before it signs.',
          response: {
            200: Type.Object({ keys: Type.Array(Type.Object({}, { additionalProperties: true })) }),
          },
        },
      },
      async (_request, reply) => {
        reply.header('cache-control', 'public, max-age=3600');
        return eid.jwks();
      },
    );
  };
}
