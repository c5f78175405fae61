import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { bearerGuard } from '../oidc/guard.ts';
import type { BackofficePort, IdentityPort } from '../oidc/ports.ts';
import { OIDC_SECURITY_SCHEME } from '../oidc/routes.ts';
import type { Oidc } from '../oidc/service.ts';
import type { Platform } from '../platform/context.ts';
import { BASES, CONFIRMATION_ACTIONS, type Confirmation } from './model.ts';
import type { RepresentationService } from './service.ts';

/**
 * `/api/v1/app/*` of the representation context, for the citizen app with the provider's access
 * tokens (scope api:app): the signed-in person's dependants, the requests waiting for their
 * confirmation, and their answer (Decree 69, seed 002: a dependant's account acts only with the
 * representative's confirmation in the app).
 */
export interface RepresentationRouteDeps {
  representation: RepresentationService;
  oidc: Oidc;
  identity: IdentityPort;
  backoffice: BackofficePort;
}

const Problem = { $ref: 'Problem' };
const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, Problem]));
/** A string from a fixed list (an `enum` in OpenAPI). */
const oneOf = (values: readonly string[]) => Type.String({ enum: [...values] });

const CivilDate = Type.String({ format: 'date', description: "A civil date, 'YYYY-MM-DD'" });

const Dependant = Type.Object({
  link_id: Type.String({ format: 'uuid' }),
  account_id: Type.String({ format: 'uuid' }),
  full_name: Type.Union([Type.String(), Type.Null()]),
  basis: oneOf(BASES),
  evidence: Type.Object({}, { additionalProperties: true, description: 'Registry relation, court decision, title…' }),
  valid_from: CivilDate,
  valid_until: Type.Union([CivilDate, Type.Null()], {
    description: 'The representation holds until the day before (a 14th birthday, the end of a guardianship)',
  }),
});

const ConfirmationView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  dependant_account_id: Type.String({ format: 'uuid' }),
  dependant_name: Type.Union([Type.String(), Type.Null()]),
  action: oneOf(CONFIRMATION_ACTIONS),
  detail: Type.Object({}, { additionalProperties: true }),
  status: oneOf(['pending', 'confirmed', 'refused', 'expired']),
  requested_at: Type.String({ format: 'date-time' }),
  expires_at: Type.String({ format: 'date-time' }),
  decided_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  version: Type.Integer({ description: 'Pass back with the decision' }),
});

const DecisionBody = Type.Object(
  {
    decision: Type.Union([Type.Literal('confirm'), Type.Literal('refuse')]),
    version: Type.Integer({ minimum: 1, description: 'The version read; a request changed meanwhile answers 409' }),
  },
  { additionalProperties: false },
);

function present(c: Confirmation, dependantName: string | null) {
  return {
    id: c.id,
    dependant_account_id: c.dependantAccountId,
    dependant_name: dependantName,
    action: c.action,
    detail: c.detail,
    status: c.status,
    requested_at: c.requestedAt.toISOString(),
    expires_at: c.expiresAt.toISOString(),
    decided_at: c.decidedAt ? c.decidedAt.toISOString() : null,
    version: c.version,
  };
}

export function representationRoutes(_platform: Platform, deps: RepresentationRouteDeps): FastifyPluginAsync {
  const { representation, oidc, identity, backoffice } = deps;

  /** Names come from the accounts, read on each call (a dependant has no registry data copied here). */
  async function nameOf(accountId: string): Promise<string | null> {
    return (await identity.get(accountId))?.fullName ?? null;
  }

  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    const subject = bearerGuard({ oidc, identity, backoffice }, { audience: 'app' });
    const appSecurity = [{ [OIDC_SECURITY_SCHEME]: [] }];

    app.get(
      '/api/v1/app/dependants',
      {
        onRequest: subject,
        schema: {
          tags: ['app'],
          summary: 'The persons the signed-in subject represents today (children under 14, wards, organisations)',
          security: appSecurity,
          response: { 200: Type.Object({ dependants: Type.Array(Dependant) }), ...problems(401, 403) },
        },
      },
      async (request) => {
        const links = await representation.dependantsOf(request.bearer!.accountId);
        const dependants = await Promise.all(
          links.map(async (l) => ({
            link_id: l.id,
            account_id: l.dependantAccountId,
            full_name: await nameOf(l.dependantAccountId),
            basis: l.basis,
            evidence: l.evidence,
            valid_from: l.validFrom,
            valid_until: l.validUntil,
          })),
        );
        return { dependants };
      },
    );

    app.get(
      '/api/v1/app/confirmations',
      {
        onRequest: subject,
        schema: {
          tags: ['app'],
          summary: "Requests waiting for the signed-in representative's confirmation, oldest first",
          security: appSecurity,
          response: { 200: Type.Object({ confirmations: Type.Array(ConfirmationView) }), ...problems(401, 403) },
        },
      },
      async (request) => {
        const pending = await representation.pendingFor(request.bearer!.accountId);
        const confirmations = await Promise.all(
          pending.map(async (c) => present(c, await nameOf(c.dependantAccountId))),
        );
        return { confirmations };
      },
    );

    app.post(
      '/api/v1/app/confirmations/:id/decision',
      {
        onRequest: subject,
        schema: {
          tags: ['app'],
          summary: "Confirm or refuse a dependant's request",
          description:
            'Only the representative the request is addressed to may answer; for anyone else the request does not ' +
            'exist (404). Two answers at once: one wins, the other gets 409 CONFLICT. A request past its expiry ' +
            'answers 409 CONFIRMATION_EXPIRED.',
          security: appSecurity,
          params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
          body: DecisionBody,
          response: { 200: ConfirmationView, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const { decision, version } = request.body;
        const decided = await representation.decide(request.params.id, request.bearer!.accountId, decision, version);
        return present(decided, await nameOf(decided.dependantAccountId));
      },
    );
  };
}
