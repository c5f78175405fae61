import { localeOf } from '../http/problem.ts';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type Provider from 'oidc-provider';
import type { BackofficeService } from '../backoffice/service.ts';
import type { Platform } from '../platform/context.ts';
import { maskPhone } from '../identity/model.ts';
import type { Client } from './clients.ts';
import { adminOrBootstrap, bearerGuard } from './guard.ts';
import { interactionRoutes } from './interactions.ts';
import { noticeRoutes, type NoticesPort } from './notices.ts';
import { ALL_SCOPES, oidcProblem } from './model.ts';
import type { AuditPort, AuthPort, BackofficePort, ContactPhoneOf, IdentityPort, RepresentationPort } from './ports.ts';
import type { Oidc } from './service.ts';

/**
 * HTTP of the OpenID context:
 * - the provider's endpoints (`/.well-known/openid-configuration`, `/oidc/*`), handed to
 *   oidc-provider untouched (bodies unparsed, reply hijacked);
 * - the login interaction pages (`/interaction/:uid…`, interactions.ts);
 * - `/api/v1/app/*` for subjects and `/api/v1/officer/*` for officers, with the provider's tokens
 *   (guard.ts); `/api/v1/app/notices` also for a locked identity's locked view (notices.ts);
 *   `/api/v1/admin/relying-parties` and `/api/v1/admin/oidc/keys` for administrators (the admin
 *   token for now).
 */
export interface OidcRouteDeps {
  oidc: Oidc;
  /** Behind a TLS-terminating proxy: keep X-Forwarded-For (the client address) for the provider. */
  trustProxy?: boolean;
  identity: IdentityPort;
  auth: AuthPort;
  backoffice: BackofficePort & Partial<Pick<BackofficeService, 'unit'>>;
  audit: AuditPort;
  /** A dependant's sign-in waits for the representative's confirmation (Decree 69 Art 10.1(b)). */
  representation: RepresentationPort;
  /** The phone a dependant's login code goes to: the representative's (DOMAIN.md §4). */
  contactPhoneOf: ContactPhoneOf;
  /** The subject's notices (the locked view reads them too: DOMAIN.md §6). */
  notify: NoticesPort;
}

const callbacks = new WeakMap<Provider, ReturnType<Provider['callback']>>();

/** The OpenAPI security scheme of the provider's access tokens (declare it in `components.securitySchemes`). */
export const OIDC_SECURITY_SCHEME = 'oidcBearer';
export const oidcSecuritySchemes = {
  [OIDC_SECURITY_SCHEME]: {
    type: 'http',
    scheme: 'bearer',
    description:
      "An access token of this platform's OpenID provider (/oidc/token) with the scope api:app (the citizen app) " +
      'or api:officer (the officer console).',
  },
} as const;

/**
 * oidc-provider's own endpoints, mounted without @fastify/middie: each request goes to
 * `provider.callback()` untouched. oidc-provider builds its endpoint URLs from the request's Host,
 * so the request is pinned to the configured public base URL (the issuer): a forged Host header
 * cannot make discovery advertise someone else's endpoints. Behind a TLS proxy the scheme comes
 * from the base URL too; X-Forwarded-For is kept only with `trustProxy`.
 */
export function providerEndpoints(
  oidc: Oidc,
  options: { config: { baseUrl: string }; trustProxy?: boolean | undefined },
): FastifyPluginAsync {
  return async (app) => {
    // Leave request bodies to oidc-provider, which parses them itself.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      await oidc.ready();
      const provider = oidc.provider();
      let callback = callbacks.get(provider);
      if (!callback) {
        callback = provider.callback();
        callbacks.set(provider, callback);
      }
      const base = new URL(options.config.baseUrl);
      const headers = request.raw.headers;
      headers.host = base.host;
      delete headers['x-forwarded-host'];
      headers['x-forwarded-proto'] = base.protocol.slice(0, -1);
      if (!options.trustProxy) delete headers['x-forwarded-for'];
      reply.hijack();
      const done = new Promise<void>((resolve) => {
        reply.raw.once('finish', resolve);
        reply.raw.once('close', resolve);
      });
      await callback(request.raw, reply.raw);
      await done;
    };
    const methods = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'] as const;
    app.route({ method: [...methods], url: '/oidc/*', schema: { hide: true }, handler });
    app.route({
      method: ['GET', 'OPTIONS'],
      url: '/.well-known/openid-configuration',
      schema: { hide: true },
      handler,
    });
  };
}

const Problem = { $ref: 'Problem' };
const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, Problem]));

const RelyingParty = Type.Object({
  client_id: Type.String(),
  kind: Type.Union([Type.Literal('state'), Type.Literal('private')]),
  name_vi: Type.String(),
  name_en: Type.String(),
  redirect_uris: Type.Array(Type.String()),
  post_logout_redirect_uris: Type.Array(Type.String()),
  backchannel_logout_uri: Type.Union([Type.String(), Type.Null()]),
  min_level: Type.Integer(),
  scopes: Type.Array(Type.String()),
  sector_identifier: Type.Union([Type.String(), Type.Null()]),
  token_endpoint_auth_method: Type.String(),
  officer_console: Type.Boolean(),
  first_party: Type.Boolean(),
  status: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  client_secret: Type.Optional(
    Type.String({ description: 'Shown once, at registration or rotation: store it now, it cannot be read again' }),
  ),
});

const RelyingPartyBody = Type.Object(
  {
    client_id: Type.Optional(Type.String({ minLength: 3, maxLength: 64 })),
    kind: Type.Union([Type.Literal('state'), Type.Literal('private')], {
      description:
        "'state': a state agency or public service, connects directly, consent remembered per scope; " +
        "'private': through a licensed provider, consent at each authentication (Decree 69 Art 19.3)",
    }),
    name_vi: Type.String({ minLength: 1, maxLength: 200 }),
    name_en: Type.String({ minLength: 1, maxLength: 200 }),
    redirect_uris: Type.Array(Type.String({ maxLength: 2000 }), { minItems: 1, maxItems: 20 }),
    post_logout_redirect_uris: Type.Optional(Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 20 })),
    backchannel_logout_uri: Type.Optional(Type.String({ maxLength: 2000 })),
    min_level: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2)])),
    scopes: Type.Array(Type.String({ enum: ALL_SCOPES.filter((s) => s !== 'offline_access') }), {
      maxItems: 20,
      description: 'Scopes it may ask for: profile, pin (state only), phone, email, address, level',
    }),
    sector_identifier: Type.Optional(
      Type.String({
        maxLength: 253,
        description: "Private relying parties: the sector (host name) of their pairwise 'sub'",
      }),
    ),
    token_endpoint_auth_method: Type.Optional(
      Type.Union([
        Type.Literal('client_secret_basic'),
        Type.Literal('client_secret_post'),
        Type.Literal('private_key_jwt'),
        Type.Literal('none'),
      ]),
    ),
    jwks: Type.Optional(
      Type.Object({ keys: Type.Array(Type.Object({}, { additionalProperties: true }), { minItems: 1 }) }),
    ),
    officer_console: Type.Optional(Type.Boolean()),
    first_party: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

function present(client: Client, secret?: string) {
  return {
    client_id: client.client_id,
    kind: client.kind,
    name_vi: client.name_vi,
    name_en: client.name_en,
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris,
    backchannel_logout_uri: client.backchannel_logout_uri,
    min_level: client.min_level,
    scopes: client.allowed_scopes,
    sector_identifier: client.sector_identifier,
    token_endpoint_auth_method: client.token_endpoint_auth_method,
    officer_console: client.officer_console,
    first_party: client.first_party,
    status: client.status,
    created_at: client.created_at.toISOString(),
    ...(secret ? { client_secret: secret } : {}),
  };
}

const Consent = Type.Object({
  client_id: Type.String(),
  client_name: Type.String(),
  client_name_en: Type.String(),
  kind: Type.String(),
  scopes: Type.Array(Type.String()),
  claims: Type.Array(Type.String()),
  granted_at: Type.String({ format: 'date-time' }),
  grants: Type.Integer(),
});

const HistoryEntry = Type.Object({
  at: Type.String({ format: 'date-time' }),
  action: Type.String(),
  outcome: Type.String(),
  relying_party: Type.Union([Type.Object({ client_id: Type.String(), name: Type.String() }), Type.Null()]),
  level: Type.Union([Type.Integer(), Type.Null()]),
  acr: Type.Union([Type.String(), Type.Null()]),
  amr: Type.Array(Type.String()),
  claims: Type.Array(Type.String()),
  actor: Type.Object(
    {
      kind: Type.String({ description: 'account (the subject), officer, relying party, authority, system…' }),
      unit: Type.Union([Type.String(), Type.Null()], {
        description:
          'For an officer: the unit they acted for (DOMAIN.md §9: the subject sees which official read the data)',
      }),
    },
    { additionalProperties: false },
  ),
  purpose: Type.Union([Type.String(), Type.Null()]),
});

/**
 * The unit an officer acts for, by name in the reader's language: the subject learns which office
 * read their record, not the officer's name (their identity stays in the ledger for inspectors).
 */
function officerUnits(backoffice: BackofficePort, acceptLanguage: string | undefined) {
  const english = (acceptLanguage ?? '').toLowerCase().startsWith('en');
  return async (officerId: string): Promise<string | null> => {
    const [first] = await backoffice.assignmentsOf(officerId);
    if (!first) return null;
    return english ? first.unit.nameEn : first.unit.nameVi;
  };
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

export function oidcApiRoutes(platform: Platform, deps: OidcRouteDeps): FastifyPluginAsync {
  const { oidc, identity, backoffice, audit } = deps;
  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    const requireAdmin = adminOrBootstrap({ oidc, identity, backoffice }, platform.config.adminToken);
    const subject = bearerGuard({ oidc, identity, backoffice }, { audience: 'app' });
    const officer = bearerGuard({ oidc, identity, backoffice }, { audience: 'officer' });
    const appSecurity = [{ [OIDC_SECURITY_SCHEME]: [] }];

    // --- subjects ------------------------------------------------------------------------------

    app.get(
      '/api/v1/app/me',
      {
        onRequest: subject,
        schema: {
          tags: ['app'],
          summary: "The signed-in subject's account",
          security: appSecurity,
          response: {
            200: Type.Object({
              id: Type.String(),
              subject_kind: Type.String(),
              full_name: Type.String(),
              level: Type.Union([Type.Integer(), Type.Null()]),
              status: Type.String(),
              phone: Type.Union([Type.String({ description: 'Masked' }), Type.Null()]),
              email: Type.Union([Type.String(), Type.Null()]),
              activated_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
              card_available: Type.Boolean({
                description: 'A level-2 citizen: the electronic identity card opens with the passcode (Law Art 31)',
              }),
            }),
            ...problems(401, 403),
          },
        },
      },
      async (request) => {
        const account = (await identity.get(request.bearer!.accountId))!;
        return {
          id: account.id,
          subject_kind: account.subjectKind,
          full_name: account.fullName,
          level: account.level,
          status: account.status,
          phone: account.phone ? maskPhone(account.phone) : null,
          email: account.email,
          activated_at: account.activatedAt ? account.activatedAt.toISOString() : null,
          card_available: account.subjectKind === 'citizen' && account.level === 2,
        };
      },
    );

    app.get(
      '/api/v1/app/history',
      {
        onRequest: subject,
        schema: {
          tags: ['app'],
          summary: 'Authentication history: which relying party, when, at what level, which claims released',
          description:
            'Decree 69 Art 9 and Law 91/2025: the subject sees every authentication, consent and data release.',
          security: appSecurity,
          querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }),
          response: { 200: Type.Object({ entries: Type.Array(HistoryEntry) }), ...problems(401, 403) },
        },
      },
      async (request) => {
        const entries = await audit.historyOf(
          { kind: 'account', id: request.bearer!.accountId },
          request.query.limit ?? 100,
        );
        const unitOf = officerUnits(backoffice, request.headers['accept-language']);
        const units = new Map(
          await Promise.all(
            [...new Set(entries.filter((e) => e.actor_kind === 'officer').map((e) => e.actor_id))].map(
              async (id) => [id, await unitOf(id)] as const,
            ),
          ),
        );
        return {
          entries: entries.map((e) => {
            const d = (e.detail ?? {}) as Record<string, unknown>;
            const clientId = str(d.client_id);
            return {
              actor: { kind: e.actor_kind, unit: units.get(e.actor_id) ?? null },
              purpose: e.purpose ?? str(d.purpose),
              at: e.at.toISOString(),
              action: e.action,
              outcome: e.outcome,
              relying_party: clientId ? { client_id: clientId, name: str(d.client_name) ?? clientId } : null,
              level: typeof d.level === 'number' ? d.level : null,
              acr: str(d.acr),
              amr: Array.isArray(d.amr) ? d.amr.map(String) : [],
              claims: Array.isArray(d.claims) ? d.claims.map(String) : [],
            };
          }),
        };
      },
    );

    app.get(
      '/api/v1/app/consents',
      {
        onRequest: subject,
        schema: {
          tags: ['app'],
          summary: 'Consents given to relying parties',
          security: appSecurity,
          response: { 200: Type.Object({ consents: Type.Array(Consent) }), ...problems(401, 403) },
        },
      },
      async (request) => ({
        consents: (await oidc.consentsOf(request.bearer!.accountId)).map((c) => ({
          ...c,
          granted_at: c.granted_at.toISOString(),
        })),
      }),
    );

    app.delete(
      '/api/v1/app/consents/:clientId',
      {
        onRequest: subject,
        schema: {
          tags: ['app'],
          summary: "Withdraw a consent: the relying party's tokens are revoked at once",
          security: appSecurity,
          params: Type.Object({ clientId: Type.String({ maxLength: 128 }) }),
          response: { 204: Type.Null(), ...problems(401, 403, 404) },
        },
      },
      async (request, reply) => {
        const accountId = request.bearer!.accountId;
        await oidc.revokeConsent(accountId, request.params.clientId, { kind: 'account', id: accountId });
        return reply.code(204).send(null);
      },
    );

    // --- officers ------------------------------------------------------------------------------

    app.get(
      '/api/v1/officer/me',
      {
        onRequest: officer,
        schema: {
          tags: ['officer'],
          summary: 'The signed-in officer: name and each unit they act for with the role held there',
          description:
            'What the officer console shows and offers (unit picker, menus by role). Roles reach the units below ' +
            'the one assigned too; every action re-checks them.',
          security: appSecurity,
          response: {
            200: Type.Object({
              account_id: Type.String(),
              name: Type.String(),
              assignments: Type.Array(
                Type.Object({
                  unit: Type.Object({
                    id: Type.String(),
                    code: Type.String(),
                    kind: Type.String(),
                    name: Type.String(),
                    province_code: Type.Union([Type.String(), Type.Null()]),
                  }),
                  role: Type.String(),
                }),
              ),
            }),
            ...problems(401, 403),
          },
        },
      },
      async (request) => {
        const accountId = request.bearer!.accountId;
        const english = localeOf(request) === 'en';
        const [account, assignments] = await Promise.all([
          identity.get(accountId),
          backoffice.assignmentsOf(accountId),
        ]);
        return {
          account_id: accountId,
          name: account?.fullName ?? '',
          assignments: assignments.map((a) => ({
            unit: {
              id: a.unit.id,
              code: a.unit.code,
              kind: a.unit.kind,
              name: english ? a.unit.nameEn : a.unit.nameVi,
              province_code: a.unit.provinceCode,
            },
            role: a.role,
          })),
        };
      },
    );

    app.get(
      '/api/v1/officer/units/:unitId/summary',
      {
        onRequest: officer,
        schema: {
          tags: ['officer'],
          summary: 'A unit the officer may read (own units and those below them)',
          description: 'Role and unit scope are checked on every call: an officer of one province cannot read another.',
          security: appSecurity,
          params: Type.Object({ unitId: Type.String({ maxLength: 64 }) }),
          response: {
            200: Type.Object({
              unit_id: Type.String(),
              code: Type.Union([Type.String(), Type.Null()]),
              name_vi: Type.Union([Type.String(), Type.Null()]),
              name_en: Type.Union([Type.String(), Type.Null()]),
              roles: Type.Array(Type.String(), { description: "The officer's roles that reach this unit" }),
            }),
            ...problems(401, 403),
          },
        },
      },
      async (request) => {
        const accountId = request.bearer!.accountId;
        const { unitId } = request.params;
        const scope = await backoffice.scopeOf(accountId);
        if (!scope.includes(unitId)) {
          await audit.append(platform.db, {
            actor: { kind: 'officer', id: accountId },
            action: 'officer.unit.read',
            subject: { kind: 'unit', id: unitId },
            outcome: 'denied',
          });
          throw oidcProblem('OFFICER_UNIT_FORBIDDEN', { unitId });
        }
        const roles = [];
        for (const role of ['RECEIVER', 'APPROVER', 'CALL_CENTER', 'ADMIN'] as const) {
          if (await backoffice.mayAct(accountId, role, unitId)) roles.push(role);
        }
        const unit = await backoffice.unit?.(unitId);
        return {
          unit_id: unitId,
          code: unit?.code ?? null,
          name_vi: unit?.nameVi ?? null,
          name_en: unit?.nameEn ?? null,
          roles,
        };
      },
    );

    // --- administrators ------------------------------------------------------------------------

    const adminSecurity: { [scheme: string]: string[] }[] = [{ adminToken: [] }, { [OIDC_SECURITY_SCHEME]: [] }];
    const actorOf = (request: FastifyRequest) => request.actor ?? { kind: 'admin', id: 'unknown' };

    app.post(
      '/api/v1/admin/relying-parties',
      {
        onRequest: requireAdmin,
        schema: {
          tags: ['admin'],
          summary: 'Register a relying party (its secret is in the answer, once)',
          security: adminSecurity,
          body: RelyingPartyBody,
          response: { 201: RelyingParty, ...problems(400, 401, 403, 409) },
        },
      },
      async (request, reply) => {
        const { client, client_secret } = await oidc.clients.register(actorOf(request), request.body);
        return reply.code(201).send(present(client, client_secret));
      },
    );

    app.get(
      '/api/v1/admin/relying-parties',
      {
        onRequest: requireAdmin,
        schema: {
          tags: ['admin'],
          summary: 'Registered relying parties',
          security: adminSecurity,
          response: { 200: Type.Object({ relying_parties: Type.Array(RelyingParty) }), ...problems(401, 403) },
        },
      },
      async () => ({ relying_parties: (await oidc.clients.list()).map((c) => present(c)) }),
    );

    app.get(
      '/api/v1/admin/relying-parties/:clientId',
      {
        onRequest: requireAdmin,
        schema: {
          tags: ['admin'],
          summary: 'A relying party',
          security: adminSecurity,
          params: Type.Object({ clientId: Type.String({ maxLength: 128 }) }),
          response: { 200: RelyingParty, ...problems(401, 403, 404) },
        },
      },
      async (request) => {
        const client = await oidc.clients.get(request.params.clientId);
        if (!client) throw oidcProblem('RP_NOT_FOUND', { clientId: request.params.clientId });
        return present(client);
      },
    );

    app.put(
      '/api/v1/admin/relying-parties/:clientId/status',
      {
        onRequest: requireAdmin,
        schema: {
          tags: ['admin'],
          summary: 'Disable (its tokens stop working at once) or re-enable a relying party',
          security: adminSecurity,
          params: Type.Object({ clientId: Type.String({ maxLength: 128 }) }),
          body: Type.Object(
            { status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]) },
            { additionalProperties: false },
          ),
          response: { 200: RelyingParty, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) =>
        present(await oidc.clients.setStatus(actorOf(request), request.params.clientId, request.body.status)),
    );

    app.post(
      '/api/v1/admin/relying-parties/:clientId/secret',
      {
        onRequest: requireAdmin,
        schema: {
          tags: ['admin'],
          summary: 'Issue a new client secret (the old one stops working)',
          security: adminSecurity,
          params: Type.Object({ clientId: Type.String({ maxLength: 128 }) }),
          response: { 200: RelyingParty, ...problems(401, 403, 404) },
        },
      },
      async (request) => {
        const { client, client_secret } = await oidc.clients.rotateSecret(actorOf(request), request.params.clientId);
        return present(client, client_secret);
      },
    );

    const KeyInfo = Type.Object({
      kid: Type.String(),
      alg: Type.String(),
      state: Type.String(),
      created_at: Type.String({ format: 'date-time' }),
      activate_after: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      remove_after: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    });
    const iso = (d: Date | null) => (d ? d.toISOString() : null);

    app.get(
      '/api/v1/admin/oidc/keys',
      {
        onRequest: requireAdmin,
        schema: {
          tags: ['admin'],
          summary: 'Signing keys and their states (next, current, retired)',
          security: adminSecurity,
          response: { 200: Type.Object({ keys: Type.Array(KeyInfo) }), ...problems(401, 403) },
        },
      },
      async () => ({
        keys: (await oidc.listKeys()).map((k) => ({
          kid: k.kid,
          alg: k.alg,
          state: k.state,
          created_at: k.created_at.toISOString(),
          activate_after: iso(k.activate_after),
          remove_after: iso(k.remove_after),
        })),
      }),
    );

    app.post(
      '/api/v1/admin/oidc/keys/rotate',
      {
        onRequest: requireAdmin,
        schema: {
          tags: ['admin'],
          summary: 'Stage a signing-key rotation',
          description:
            'New keys are published in the JWKS now and start signing after the publish delay; the keys they replace ' +
            'stay published until every token they signed has expired.',
          security: adminSecurity,
          response: {
            202: Type.Object({
              staged: Type.Array(
                Type.Object({
                  kid: Type.String(),
                  alg: Type.String(),
                  activate_after: Type.String({ format: 'date-time' }),
                }),
              ),
            }),
            ...problems(401, 403),
          },
        },
      },
      async (request, reply) => {
        const staged = await oidc.rotateKeys(actorOf(request));
        return reply.code(202).send({
          staged: staged.map((k) => ({ kid: k.kid, alg: k.alg, activate_after: k.activateAfter.toISOString() })),
        });
      },
    );
  };
}

/**
 * Everything the OpenID context serves, in one plugin (register it on the root instance, after
 * the Problem schema and swagger): provider endpoints, login pages, and the API. The provider is
 * built on first use (`oidc.ready()`; call it at start-up to fail early).
 */
export function oidcRoutes(platform: Platform, deps: OidcRouteDeps): FastifyPluginAsync {
  return async (app) => {
    await app.register(providerEndpoints(deps.oidc, { config: platform.config, trustProxy: deps.trustProxy }));
    await app.register(interactionRoutes({ platform, ...deps }));
    await app.register(oidcApiRoutes(platform, deps));
    await app.register(noticeRoutes(deps, [{ [OIDC_SECURITY_SCHEME]: [] }]));
  };
}
