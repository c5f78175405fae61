import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AuditService } from '../audit/service.ts';
import { localeOf } from '../http/problem.ts';
import { ACTIVATION_VERIFICATION_METHODS, maskPhone, type Account } from '../identity/model.ts';
import type { IdentityService } from '../identity/service.ts';
import type { NotifyService } from '../notify/service.ts';
import { bearerGuard } from '../oidc/guard.ts';
import type { BackofficePort } from '../oidc/ports.ts';
import { OIDC_SECURITY_SCHEME } from '../oidc/routes.ts';
import type { Oidc } from '../oidc/service.ts';
import type { Platform } from '../platform/context.ts';
import { platformProblem } from '../platform/errors.ts';
import { reissueActivation, vnCivilDate, type ContactPhoneOf } from './activation.ts';
import { maskIdentifier, type LoginContext } from './model.ts';
import type { AuthService } from './service.ts';

/**
 * HTTP of account activation (Decree 69/2024 Art 14; activation.ts):
 * - `POST /api/v1/public/activation/start` and `/complete`: in the app, no token (the account has
 *   no credentials yet); the same answer for every identifier (no account enumeration).
 * - `GET /api/v1/officer/accounts/lookup` and `POST /api/v1/officer/accounts/:accountId/activation`:
 *   the agency's hotline (role CALL_CENTER, officer console token) finds the caller's account and,
 *   after verifying the caller, reopens activation for 7 more days (Art 14.2). Every lookup is
 *   recorded (DOMAIN.md §9: the subject can see which official read their data).
 */
export interface ActivationRouteDeps {
  oidc: Oidc;
  identity: Pick<IdentityService, 'get' | 'profileOf' | 'findByIdentifier' | 'reissueActivation'>;
  backoffice: BackofficePort;
  auth: Pick<AuthService, 'startActivation' | 'completeActivation'>;
  notify: Pick<NotifyService, 'enqueue'>;
  audit: Pick<AuditService, 'append'>;
  /** The representation context's resolver of a dependant's contact phone (default: the account's own). */
  contactPhoneOf?: ContactPhoneOf;
}

const Problem = { $ref: 'Problem' };
const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, Problem]));

const Identifier = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'Login identifier: a 12-digit PIN, a passport number (optionally `KOR:M12345678`), an enterprise code',
});

const Challenge = Type.Object({
  challenge_id: Type.String({ description: 'Pass it back to /complete with the code' }),
  masked_phone: Type.String({ description: 'Where the code went, masked (0912***678)' }),
  expires_at: Type.String({ format: 'date-time' }),
});

const StartBody = Type.Object({ identifier: Identifier }, { additionalProperties: false });

const CompleteBody = Type.Object(
  {
    identifier: Identifier,
    challenge_id: Type.String({ minLength: 1, maxLength: 64 }),
    code: Type.String({ minLength: 1, maxLength: 16, description: 'The 6-digit code received by SMS' }),
    // Bounded generously: the policy (8–20 characters…) answers AUTH_PASSWORD_POLICY with every rule broken.
    password: Type.String({
      maxLength: 256,
      description: '8–20 characters with upper case, lower case, digit, symbol',
    }),
    passcode: Type.String({ maxLength: 64, description: '6 digits, for sensitive actions' }),
    device_name: Type.String({ maxLength: 200, description: 'The device the app runs on (1–100 characters)' }),
  },
  { additionalProperties: false },
);

const Activated = Type.Object({ account_id: Type.String(), status: Type.Literal('active') });

const AccountForHotline = Type.Object({
  account_id: Type.String(),
  subject_kind: Type.String(),
  status: Type.String(),
  level: Type.Union([Type.Integer(), Type.Null()]),
  masked_phone: Type.Union([Type.String(), Type.Null()], { description: "The account's own phone, masked" }),
  activation_due_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'End of the in-app activation period (24:00 Vietnam time of its last day)',
  }),
  activation_due_on: Type.Union([Type.String({ format: 'date' }), Type.Null()], {
    description: 'Last day of the period, in Vietnam',
  }),
  version: Type.Integer({ description: 'Send it back with a change: a change made meanwhile gets 409' }),
});

const ReissueBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 500 }),
    verification: Type.Object(
      {
        method: Type.Union(
          ACTIVATION_VERIFICATION_METHODS.map((m) => Type.Literal(m)),
          { description: 'How the caller was verified' },
        ),
        note: Type.String({
          minLength: 1,
          maxLength: 2000,
          description: 'What was checked. Not stored: the ledger keeps its SHA-256 digest only',
        }),
      },
      { additionalProperties: false },
    ),
    version: Type.Integer({ minimum: 1, description: 'The version read with the lookup' }),
  },
  { additionalProperties: false },
);

function loginContext(request: FastifyRequest): LoginContext {
  const ua = request.headers['user-agent'];
  return { ip: request.ip, locale: localeOf(request), ...(typeof ua === 'string' ? { userAgent: ua } : {}) };
}

function forHotline(account: Account) {
  const due = account.activationDueAt ?? null;
  return {
    account_id: account.id,
    subject_kind: account.subjectKind,
    status: account.status,
    level: account.level,
    masked_phone: account.phone ? maskPhone(account.phone) : null,
    activation_due_at: due ? due.toISOString() : null,
    activation_due_on: due ? vnCivilDate(due) : null,
    version: account.version,
  };
}

export function activationRoutes(platform: Platform, deps: ActivationRouteDeps): FastifyPluginAsync {
  const { oidc, identity, backoffice, auth, notify, audit, contactPhoneOf } = deps;
  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    const callCentre = bearerGuard({ oidc, identity, backoffice }, { audience: 'officer', role: 'CALL_CENTER' });
    const officerSecurity = [{ [OIDC_SECURITY_SCHEME]: [] }];

    // --- in the app (Art 14.1) -----------------------------------------------------------------

    app.post(
      '/api/v1/public/activation/start',
      {
        schema: {
          tags: ['activation'],
          summary: 'Start activating an account in the app: a code goes by SMS',
          description:
            'Decree 69 Art 14.1. The code goes to the phone of the account (a dependant: the representative). ' +
            'The answer has the same shape and status for every identifier, whether or not it has an account to ' +
            'activate. One code a minute and five an hour per identifier.',
          body: StartBody,
          response: { 202: Challenge, ...problems(400, 429) },
        },
      },
      async (request, reply) => {
        const challenge = await auth.startActivation(request.body.identifier, loginContext(request), {
          ...(contactPhoneOf ? { contactPhoneOf } : {}),
        });
        return reply.code(202).send({
          challenge_id: challenge.challengeId,
          masked_phone: challenge.maskedPhone,
          expires_at: challenge.expiresAt.toISOString(),
        });
      },
    );

    app.post(
      '/api/v1/public/activation/complete',
      {
        schema: {
          tags: ['activation'],
          summary: 'Activate with the code: set the password and passcode, bind this device',
          description:
            'The password policy and the passcode are checked before the code (AUTH_PASSWORD_POLICY lists every rule ' +
            'broken; the code stays usable). After the 7-day period: AUTH_ACTIVATION_PERIOD_OVER (403), call the ' +
            'hotline (Decree 69 Art 14.2). A code serves once: a repeated request gets AUTH_OTP_EXPIRED.',
          body: CompleteBody,
          response: { 200: Activated, ...problems(400, 401, 403, 409, 429) },
        },
      },
      async (request) => {
        const body = request.body;
        const account = await auth.completeActivation(
          {
            identifier: body.identifier,
            challengeId: body.challenge_id,
            code: body.code,
            password: body.password,
            passcode: body.passcode,
            deviceName: body.device_name,
          },
          loginContext(request),
        );
        return { account_id: account.id, status: 'active' as const };
      },
    );

    // --- the hotline (Art 14.2) ----------------------------------------------------------------

    app.get(
      '/api/v1/officer/accounts/lookup',
      {
        onRequest: callCentre,
        schema: {
          tags: ['officer'],
          summary: "Call centre: the caller's account, to support the call",
          description: 'Role CALL_CENTER. Every lookup is recorded in the ledger (DOMAIN.md §9).',
          security: officerSecurity,
          querystring: Type.Object({ identifier: Identifier }),
          response: { 200: AccountForHotline, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const officer = { kind: 'officer', id: request.bearer!.accountId };
        const identifier = request.query.identifier;
        const account = await identity.findByIdentifier(identifier);
        await audit.append(platform.db, {
          actor: officer,
          action: 'officer.account.lookup',
          subject: account
            ? { kind: 'account', id: account.id }
            : { kind: 'login_identifier', id: maskIdentifier(identifier) },
          outcome: account ? 'success' : 'failure',
          detail: { purpose: 'call_centre', identifier: maskIdentifier(identifier) },
        });
        if (!account) throw platformProblem('NOT_FOUND', { what: 'account' });
        return forHotline(account);
      },
    );

    app.post(
      '/api/v1/officer/accounts/:accountId/activation',
      {
        onRequest: callCentre,
        schema: {
          tags: ['officer'],
          summary: 'Call centre: reopen activation of an expired account for 7 days',
          description:
            'Decree 69 Art 14.2: after the in-app period only the hotline reopens activation, once it has verified the ' +
            'caller. The account goes back to pending activation with a new period; the subject is told by SMS and in ' +
            'the app. 409 when the account is not activation_expired (ACCOUNT_TRANSITION_NOT_ALLOWED) or changed ' +
            'since it was read (CONFLICT).',
          security: officerSecurity,
          params: Type.Object({ accountId: Type.String({ maxLength: 64 }) }),
          body: ReissueBody,
          response: { 200: AccountForHotline, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const { reason, verification, version } = request.body;
        const account = await reissueActivation(
          { identity, notify, ...(contactPhoneOf ? { contactPhoneOf } : {}) },
          platform.db,
          request.params.accountId,
          {
            expectedVersion: version,
            actor: { kind: 'officer', id: request.bearer!.accountId },
            reason,
            verification,
          },
        );
        return forHotline(account);
      },
    );
  };
}
