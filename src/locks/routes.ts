import { FlowHistory, flowHistoryView } from '../http/flow-history.ts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { LoginContext } from '../auth/model.ts';
import { localeOf, ProblemSchema } from '../http/problem.ts';
import { adminOrBootstrap, bearerGuard } from '../oidc/guard.ts';
import { OIDC_SECURITY_SCHEME } from '../oidc/routes.ts';
import type { Platform } from '../platform/context.ts';
import type { Services } from '../services.ts';
import { AUTHORITY_KINDS, lockProblem, type Authority } from './model.ts';
import type { LockService } from './service.ts';
import {
  AuthorityRequestView,
  authorityRequestView,
  AuthorityView,
  authorityView,
  HolderGroundView,
  holderGroundView,
  HolderRequestView,
  holderRequestView,
  OfficerGroundView,
  officerGroundView,
  OfficerRequestView,
  officerRequestView,
} from './views.ts';

/**
 * Locks over HTTP (DOMAIN.md §6): the holder's own lock and unlock in the app (passcode), their
 * unlock requests; officers' TK03 intake, queue and decisions, terms-of-use locks; an authority's
 * system sending its requests with its API key; administrators registering authorities.
 */

export const AUTHORITY_SECURITY_SCHEME = 'authorityKey';

/** To declare beside the others in src/http/server.ts (the OpenAPI document names every scheme it uses). */
export const lockSecuritySchemes = {
  [AUTHORITY_SECURITY_SCHEME]: {
    type: 'http',
    scheme: 'bearer',
    description:
      'The API key an administrator issued to a procedural or competent authority ' +
      '(POST /api/v1/admin/authorities): `Authorization: Bearer ddak_…`.',
  },
} as const;

export type LockRouteServices = Pick<Services, 'oidc' | 'identity' | 'backoffice'> & { locks: LockService };

declare module 'fastify' {
  interface FastifyRequest {
    authority?: Authority;
  }
}

const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ProblemSchema]));
const Passcode = Type.Object(
  { passcode: Type.String({ maxLength: 12, description: 'The 6-digit passcode (DOMAIN.md §7)' }) },
  { additionalProperties: false },
);
const Action = Type.Union([Type.Literal('lock'), Type.Literal('unlock')]);
const Statement = Type.String({ minLength: 1, maxLength: 2000 });
const Identifier = Type.String({ minLength: 1, maxLength: 64, description: 'PIN, passport number or enterprise code' });
const AuthorityKind = Type.Union(AUTHORITY_KINDS.map((k) => Type.Literal(k)));
const DocumentDate = Type.String({ format: 'date' });
const Deferred = Type.Optional(
  Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'The law allows a later notice to the subject: not before this instant',
  }),
);
const GroundChangeView = Type.Object({ ground: OfficerGroundView, account_status: Type.String() });

function loginContext(request: FastifyRequest): LoginContext {
  const ua = request.headers['user-agent'];
  return { ip: request.ip, locale: localeOf(request), ...(typeof ua === 'string' ? { userAgent: ua } : {}) };
}

const instant = (value: string | null | undefined) => (value ? new Date(value) : null);

export function lockRoutes(platform: Platform, services: LockRouteServices): FastifyPluginAsync {
  const { locks, oidc, identity, backoffice } = services;
  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    const subject = bearerGuard({ oidc, identity, backoffice }, { audience: 'app' });
    // DOMAIN.md §6 (policy: locking never makes unlocking impossible): the holder's grounds, own
    // unlock and unlock requests are reached from the locked view too (a locked view's token).
    const lockedHolder = bearerGuard({ oidc, identity, backoffice }, { audience: 'app', allowLocked: true });
    const officer = bearerGuard({ oidc, identity, backoffice }, { audience: 'officer' });
    const security = [{ [OIDC_SECURITY_SCHEME]: [] }];
    const adminSecurity: { [scheme: string]: string[] }[] = [{ adminToken: [] }, { [OIDC_SECURITY_SCHEME]: [] }];
    const authoritySecurity = [{ [AUTHORITY_SECURITY_SCHEME]: [] }];

    const requireAdmin = adminOrBootstrap({ oidc, identity, backoffice }, platform.config.adminToken);

    async function requireAuthority(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
      if (!match) {
        reply.header('www-authenticate', 'Bearer realm="dinhdanh-authority"');
        throw lockProblem('LOCK_AUTHORITY_KEY_INVALID');
      }
      request.authority = await locks.authenticateAuthority(match[1]!);
      request.actor = { kind: 'system', id: `authority:${request.authority.id}` };
    }

    const changeView = (request: FastifyRequest, change: Awaited<ReturnType<LockService['lockOwn']>>) => ({
      ground: officerGroundView(change.ground, localeOf(request)),
      account_status: change.account.status,
    });

    // --- the holder ----------------------------------------------------------------------------

    app.get(
      '/api/v1/app/locks',
      {
        onRequest: lockedHolder,
        schema: {
          tags: ['app'],
          summary: 'The grounds my identity is locked on, and my unlock requests',
          security,
          response: {
            200: Type.Object({
              status: Type.String(),
              grounds: Type.Array(HolderGroundView),
              requests: Type.Array(HolderRequestView),
            }),
            ...problems(401, 403),
          },
        },
      },
      async (request) => {
        const accountId = request.bearer!.accountId;
        const account = await identity.get(accountId);
        const now = platform.clock.now();
        const locale = localeOf(request);
        return {
          status: account?.status ?? 'closed',
          grounds: (await locks.activeGroundsOf(accountId)).map((g) => holderGroundView(g, locale, now)),
          requests: (await locks.requestsOf(accountId))
            .filter((r) => r.kind === 'holder_unlock')
            .map(holderRequestView),
        };
      },
    );

    app.post(
      '/api/v1/app/locks',
      {
        onRequest: subject,
        schema: {
          tags: ['app'],
          summary: 'Lock my own electronic identity (Law on Identification Art 34 case a): at once',
          description: 'Needs the passcode. Every session ends; unlocking stays possible with the passcode.',
          security,
          body: Passcode,
          response: { 201: GroundChangeView, ...problems(400, 401, 403, 409, 429) },
        },
      },
      async (request, reply) => {
        const change = await locks.lockOwn(request.bearer!.accountId, request.body.passcode, loginContext(request));
        return reply.status(201).send(changeView(request, change));
      },
    );

    app.post(
      '/api/v1/app/locks/unlock',
      {
        onRequest: lockedHolder,
        schema: {
          tags: ['app'],
          summary: 'Lift my own lock (seed 003 (a)): at once',
          description: 'Needs the passcode. Lifts only the lock I set; other grounds need their own procedure.',
          security,
          body: Passcode,
          response: { 200: GroundChangeView, ...problems(400, 401, 403, 409, 429) },
        },
      },
      async (request) =>
        changeView(
          request,
          await locks.unlockOwn(request.bearer!.accountId, request.body.passcode, loginContext(request)),
        ),
    );

    app.post(
      '/api/v1/app/unlock-requests',
      {
        onRequest: lockedHolder,
        schema: {
          tags: ['app'],
          summary: 'Ask for another ground to be lifted (terms violation remedied, document renewed…)',
          description:
            'Goes to the C06 officers’ queue (2 working days, policy). An authority’s lock is lifted only at the ' +
            'authority’s request; a lock for death never.',
          security,
          body: Type.Object(
            { ground_id: Type.String({ maxLength: 40 }), statement: Statement },
            { additionalProperties: false },
          ),
          response: { 201: HolderRequestView, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const created = await locks.requestUnlock(request.bearer!.accountId, {
          groundId: request.body.ground_id,
          statement: request.body.statement,
        });
        return reply.status(201).send(holderRequestView(created));
      },
    );

    // --- officers ------------------------------------------------------------------------------

    app.post(
      '/api/v1/officer/units/:unitId/lock-requests',
      {
        onRequest: officer,
        schema: {
          tags: ['officer'],
          summary:
            'Receive form TK03: from the holder at the counter (at once), or an authority’s written request at PC06',
          description:
            'origin "holder": the holder is present with their card; the lock or the lift of their own lock takes ' +
            'effect at once. origin "authority": a court, prosecutor or investigator’s request received by PC06 in ' +
            'person or by post; PC06 forwards it within 1 working day and C06 decides within 2.',
          security,
          params: Type.Object({ unitId: Type.String({ maxLength: 40 }) }),
          body: Type.Union([
            Type.Object(
              {
                origin: Type.Literal('holder'),
                action: Action,
                identifier: Identifier,
                statement: Type.Optional(Statement),
              },
              { additionalProperties: false },
            ),
            Type.Object(
              {
                origin: Type.Literal('authority'),
                action: Action,
                identifier: Identifier,
                channel: Type.Union([Type.Literal('counter'), Type.Literal('post')]),
                authority: Type.Object(
                  {
                    authority_id: Type.Optional(Type.String({ maxLength: 40 })),
                    name: Type.String({ minLength: 1, maxLength: 300 }),
                    kind: AuthorityKind,
                    email: Type.Optional(Type.Union([Type.String({ maxLength: 254 }), Type.Null()])),
                    document_no: Type.String({ minLength: 1, maxLength: 100 }),
                    document_date: DocumentDate,
                  },
                  { additionalProperties: false },
                ),
                statement: Statement,
                target_request_number: Type.Optional(Type.String({ maxLength: 40 })),
                notify_subject_after: Deferred,
              },
              { additionalProperties: false },
            ),
          ]),
          response: { 201: OfficerRequestView, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const officerId = request.bearer!.accountId;
        const result =
          b.origin === 'holder'
            ? await locks.receive(officerId, request.params.unitId, {
                origin: 'holder',
                action: b.action,
                identifier: b.identifier,
                ...(b.statement ? { statement: b.statement } : {}),
              })
            : await locks.receive(officerId, request.params.unitId, {
                origin: 'authority',
                action: b.action,
                identifier: b.identifier,
                channel: b.channel,
                requester: {
                  authorityId: b.authority.authority_id ?? null,
                  name: b.authority.name,
                  kind: b.authority.kind,
                  email: b.authority.email ?? null,
                  documentNo: b.authority.document_no,
                  documentDate: b.authority.document_date,
                },
                statement: b.statement,
                targetRequestNumber: b.target_request_number ?? null,
                notifySubjectAfter: instant(b.notify_subject_after),
              });
        return reply.status(201).send(officerRequestView(result.request));
      },
    );

    app.get(
      '/api/v1/officer/lock-requests',
      {
        onRequest: officer,
        schema: {
          tags: ['officer'],
          summary: 'Open lock and unlock requests of my units, soonest legal deadline first',
          security,
          querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }),
          response: {
            200: Type.Object({
              entries: Type.Array(
                Type.Object({
                  request: OfficerRequestView,
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
        const entries = await locks.queue(request.bearer!.accountId, {
          ...(request.query.limit ? { limit: request.query.limit } : {}),
        });
        return {
          entries: entries.map((e) => ({
            request: officerRequestView(e.request),
            due_on: e.dueOn,
            working_days_left: e.workingDaysLeft,
            overdue: e.overdue,
          })),
        };
      },
    );

    app.get(
      '/api/v1/officer/lock-requests/:id',
      {
        onRequest: officer,
        schema: {
          tags: ['officer'],
          summary: 'One lock request with its history',
          security,
          params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
          response: {
            200: Type.Object({
              request: OfficerRequestView,
              history: FlowHistory,
            }),
            ...problems(401, 403, 404),
          },
        },
      },
      async (request) => {
        const found = await locks.readable(request.bearer!.accountId, request.params.id);
        const history = await locks.history(found.id);
        return {
          request: officerRequestView(found),
          history: flowHistoryView(history),
        };
      },
    );

    app.post(
      '/api/v1/officer/lock-requests/:id/decision',
      {
        onRequest: officer,
        schema: {
          tags: ['officer'],
          summary: 'Forward to C06 or return (PC06 APPROVER); approve or refuse (C06 APPROVER)',
          description:
            'A return or a refusal gives written reasons. `version` is the one read: when two officers decide at ' +
            'once, one wins and the other gets 409 CONFLICT. Whoever forwarded a request does not decide it.',
          security,
          params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
          body: Type.Object(
            {
              event: Type.Union([
                Type.Literal('forward'),
                Type.Literal('return'),
                Type.Literal('approve'),
                Type.Literal('refuse'),
              ]),
              version: Type.Integer({ minimum: 1 }),
              reasons: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { maxItems: 20 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: OfficerRequestView, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const b = request.body;
        const { request: updated } = await locks.decide(request.bearer!.accountId, request.params.id, {
          event: b.event,
          expectedVersion: b.version,
          ...(b.reasons ? { reasons: b.reasons } : {}),
        });
        return officerRequestView(updated);
      },
    );

    const Reason = Type.Object(
      {
        reason: Type.String({
          minLength: 1,
          maxLength: 1000,
          description: 'Written reason, kept and told to the holder',
        }),
      },
      { additionalProperties: false },
    );
    const AccountParams = Type.Object({ accountId: Type.String({ maxLength: 40 }) });

    app.post(
      '/api/v1/officer/accounts/:accountId/terms-violation',
      {
        onRequest: officer,
        schema: {
          tags: ['officer'],
          summary: 'Lock an identity for a breach of the terms of use (Law Art 34 case b; C06 APPROVER)',
          security,
          params: AccountParams,
          body: Reason,
          response: { 201: GroundChangeView, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const change = await locks.setTermsViolation(
          request.bearer!.accountId,
          request.params.accountId,
          request.body.reason,
        );
        return reply.status(201).send(changeView(request, change));
      },
    );

    app.delete(
      '/api/v1/officer/accounts/:accountId/terms-violation',
      {
        onRequest: officer,
        schema: {
          tags: ['officer'],
          summary: 'Lift a terms-of-use lock: the violation was remedied (C06 APPROVER, written reason)',
          security,
          params: AccountParams,
          body: Reason,
          response: { 200: GroundChangeView, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request) =>
        changeView(
          request,
          await locks.liftTermsViolation(request.bearer!.accountId, request.params.accountId, request.body.reason),
        ),
    );

    // --- authorities ---------------------------------------------------------------------------

    const AuthorityRequestBody = Type.Object(
      {
        action: Action,
        identifier: Identifier,
        document_no: Type.String({ minLength: 1, maxLength: 100 }),
        document_date: DocumentDate,
        statement: Statement,
        target_request_number: Type.Optional(Type.String({ maxLength: 40 })),
        notify_subject_after: Deferred,
      },
      { additionalProperties: false },
    );

    app.post(
      '/api/v1/authority/lock-requests',
      {
        onRequest: requireAuthority,
        schema: {
          tags: ['authority'],
          summary: 'An authority’s request (TK03) to lock or unlock an electronic identity, through the system',
          description:
            'Received by the authority’s PC06, forwarded within 1 working day to C06, decided within 2. The result ' +
            'is stored (GET the request) and e-mailed to the authority’s registered address.',
          security: authoritySecurity,
          body: AuthorityRequestBody,
          response: { 201: AuthorityRequestView, ...problems(400, 401, 404, 409) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const { request: created } = await locks.receiveFromAuthority(request.authority!, {
          action: b.action,
          identifier: b.identifier,
          documentNo: b.document_no,
          documentDate: b.document_date,
          statement: b.statement,
          targetRequestNumber: b.target_request_number ?? null,
          notifySubjectAfter: instant(b.notify_subject_after),
        });
        return reply.status(201).send(authorityRequestView(created));
      },
    );

    app.get(
      '/api/v1/authority/lock-requests/:id',
      {
        onRequest: requireAuthority,
        schema: {
          tags: ['authority'],
          summary: 'One of my requests and its result',
          security: authoritySecurity,
          params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
          response: { 200: AuthorityRequestView, ...problems(401, 404) },
        },
      },
      async (request) => authorityRequestView(await locks.requestOfAuthority(request.authority!, request.params.id)),
    );

    app.post(
      '/api/v1/admin/authorities',
      {
        onRequest: requireAdmin,
        schema: {
          tags: ['admin'],
          summary: 'Register a procedural or competent authority; its API key is in the answer, once',
          security: adminSecurity,
          body: Type.Object(
            {
              code: Type.String({ minLength: 2, maxLength: 40 }),
              name: Type.String({ minLength: 1, maxLength: 300 }),
              kind: AuthorityKind,
              email: Type.Optional(Type.Union([Type.String({ maxLength: 254 }), Type.Null()])),
              unit_code: Type.String({ maxLength: 40, description: 'The PC06 that receives its requests' }),
            },
            { additionalProperties: false },
          ),
          response: {
            201: Type.Object({ authority: AuthorityView, api_key: Type.String() }),
            ...problems(400, 401, 403, 409),
          },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const { authority, apiKey } = await locks.registerAuthority(request.actor ?? { kind: 'admin', id: 'unknown' }, {
          code: b.code,
          name: b.name,
          kind: b.kind,
          email: b.email ?? null,
          unitCode: b.unit_code,
        });
        return reply.status(201).send({ authority: authorityView(authority), api_key: apiKey });
      },
    );

    app.get(
      '/api/v1/admin/authorities',
      {
        onRequest: requireAdmin,
        schema: {
          tags: ['admin'],
          summary: 'Registered authorities',
          security: adminSecurity,
          response: { 200: Type.Object({ authorities: Type.Array(AuthorityView) }), ...problems(401, 403) },
        },
      },
      async () => ({ authorities: (await locks.authorities()).map(authorityView) }),
    );

    app.post(
      '/api/v1/admin/authorities/:id/disable',
      {
        onRequest: requireAdmin,
        schema: {
          tags: ['admin'],
          summary: 'Revoke an authority’s API key',
          security: adminSecurity,
          params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
          response: { 200: AuthorityView, ...problems(401, 403, 404) },
        },
      },
      async (request) =>
        authorityView(
          await locks.disableAuthority(request.actor ?? { kind: 'admin', id: 'unknown' }, request.params.id),
        ),
    );
  };
}
