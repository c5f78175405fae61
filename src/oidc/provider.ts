import Provider, {
  interactionPolicy,
  type AdapterPayload,
  type Configuration,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import type { JWK } from 'jose';
import type { AuditEvent } from '../audit/model.ts';
import type { Platform } from '../platform/context.ts';
import { adapterFactory } from './adapter.ts';
import { CLIENT_EXTRA } from './clients.ts';
import { lockedViewOpen } from '../auth/model.ts';
import {
  ACR_VALUES,
  ALL_SCOPES,
  LOCKED_VIEW_SCOPE,
  SCOPE_CLAIMS,
  claimsReleased,
  consentRule,
  firstPartyScopes,
  isLockedViewToken,
  levelOfAcr,
  pairwiseSubject,
  profileClaims,
  requiredLevel,
  type Level,
} from './model.ts';
import type { IdentityPort } from './ports.ts';
import type { RelyingPartyKind } from './tables.ts';
import { LANG_COOKIE, PAGE_HEADERS, page, parseCookies, pickLocale, t } from './views.ts';
import { escapeHtml } from '../platform/html.ts';

/**
 * The oidc-provider configuration: endpoints under /oidc, discovery at the base URL, PKCE (S256)
 * required of every client, refresh tokens rotated (a reused one revokes its grant), revocation,
 * introspection, RP-initiated and back-channel logout, the claims parameter, levels of assurance
 * as acr, pairwise subjects for private relying parties, and consent by relying-party kind.
 */

export const OIDC_ROUTES = {
  authorization: '/oidc/auth',
  token: '/oidc/token',
  jwks: '/oidc/jwks',
  userinfo: '/oidc/me',
  introspection: '/oidc/token/introspection',
  revocation: '/oidc/token/revocation',
  end_session: '/oidc/session/end',
  registration: '/oidc/reg',
  code_verification: '/oidc/device',
  device_authorization: '/oidc/device/auth',
  pushed_authorization_request: '/oidc/request',
  backchannel_authentication: '/oidc/backchannel',
  challenge: '/oidc/challenge',
  credential: '/oidc/credential',
} as const;

/** Lifetimes, in seconds. */
export const OIDC_TTL = {
  AccessToken: 10 * 60,
  AuthorizationCode: 60,
  IdToken: 10 * 60,
  RefreshToken: 30 * 24 * 3600,
  Session: 12 * 3600,
  Interaction: 10 * 60,
  /** A state relying party's remembered consent *(policy)*: a year, or until withdrawn. */
  Grant: 365 * 24 * 3600,
  /**
   * A private relying party's grant covers one authentication (Art 19.3): kept a day, long enough
   * for the tokens it issued, and listed among the subject's consents meanwhile.
   */
  PrivateGrant: 24 * 3600,
};

/** The lifetime of a grant for this client (seconds). */
export function grantTtl(client: unknown, ttl: Pick<typeof OIDC_TTL, 'Grant' | 'PrivateGrant'> = OIDC_TTL): number {
  return clientKind(client) === 'state' ? ttl.Grant : ttl.PrivateGrant;
}

export const COOKIE_NAMES = { session: 'dd_session', interaction: 'dd_interaction', resume: 'dd_resume' };

export interface ProviderOptions {
  jwks: { keys: JWK[] };
  /** Cookie signing keys, newest first. */
  cookieKeys: string[];
  pairwiseSecret: Buffer;
  /**
   * Let back-channel logout reach private and loopback addresses (tests and the sandbox). In
   * production oidc-provider refuses them (SSRF protection).
   */
  allowPrivateNetworkFetch?: boolean | undefined;
  ttl?: Partial<typeof OIDC_TTL> | undefined;
  /** The latest grant of an account with a client (consent remembered across sessions). */
  latestGrantId(accountId: string, clientId: string): Promise<string | undefined>;
  /** Metadata of an active relying party (clients.ts), for the adapter's Client model. */
  clientMetadata(clientId: string): Promise<AdapterPayload | undefined>;
  /** Writes audit entries in one transaction (fails the response when the record cannot be kept). */
  recordAudit(events: AuditEvent[]): Promise<void>;
}

type Ctx = KoaContextWithOIDC;

/** Claims about the authentication itself, not the person. */
const PROTOCOL_CLAIMS = new Set(['sub', 'acr', 'amr', 'auth_time', 'sid', 'iss', 'nonce']);

export function clientKind(client: unknown): RelyingPartyKind {
  // Anything unknown is treated as the more restricted kind.
  return (client as Record<string, unknown> | undefined)?.[CLIENT_EXTRA.kind] === 'state' ? 'state' : 'private';
}

export function clientFlag(client: unknown, flag: 'firstParty' | 'officerConsole'): boolean {
  return (client as Record<string, unknown> | undefined)?.[CLIENT_EXTRA[flag]] === true;
}

export function clientMinimum(client: unknown): Level {
  return (client as Record<string, unknown> | undefined)?.[CLIENT_EXTRA.minLevel] === 2 ? 2 : 1;
}

export function clientDisplayName(client: unknown, locale: 'vi' | 'en'): string {
  const c = client as Record<string, unknown> | undefined;
  const name = locale === 'en' ? c?.[CLIENT_EXTRA.nameEn] : c?.clientName;
  return typeof name === 'string' && name ? name : String(c?.clientId ?? '');
}

/**
 * The client that may open the locked view (DOMAIN.md §6, policy): the platform's own citizen app, a
 * first-party client registered with the locked-view scope. Never the officer console, never a
 * relying party.
 */
export function lockedViewClient(client: unknown): boolean {
  if (!clientFlag(client, 'firstParty') || clientFlag(client, 'officerConsole')) return false;
  const scope = (client as { scope?: unknown } | undefined)?.scope;
  return typeof scope === 'string' && scope.split(' ').includes(LOCKED_VIEW_SCOPE);
}

/** Whether this authorization request (its `scope` parameter) asks the citizen app's locked view. */
export function lockedViewRequested(client: unknown, params: Record<string, unknown> | undefined): boolean {
  const scope = typeof params?.scope === 'string' ? params.scope.split(' ') : [];
  return lockedViewClient(client) && scope.includes(LOCKED_VIEW_SCOPE);
}

/**
 * Whether the provider request at hand serves the locked view, so that findAccount may hand out a
 * locked account: the citizen app's authorization asking for it (a sign-in, or its return from the
 * login pages), or the exchange of a code issued to it. Never a refresh (a locked view's grant has
 * no refresh token), userinfo (no claims while locked) or any relying party.
 */
function lockedViewInUse(ctx: Ctx | undefined, token: unknown): boolean {
  const oidc = ctx?.oidc;
  if (!oidc || !lockedViewClient(oidc.client)) return false;
  if (oidc.route === 'authorization' || oidc.route === 'resume') {
    return oidc.requestParamScopes.has(LOCKED_VIEW_SCOPE);
  }
  if (oidc.route === 'token') {
    const source = token as { kind?: unknown; scopes?: Set<string> } | undefined;
    return source?.kind === 'AuthorizationCode' && source.scopes !== undefined && isLockedViewToken(source.scopes);
  }
  return false;
}

/** acr members of a `claims` request parameter (already parsed, or its JSON text). */
export function acrClaimsOf(claims: unknown): { essential?: boolean; value?: string; values?: string[] }[] {
  let parsed = claims;
  if (typeof claims === 'string') {
    try {
      parsed = JSON.parse(claims);
    } catch {
      return [];
    }
  }
  const c = parsed as
    { id_token?: { acr?: { essential?: boolean } }; userinfo?: { acr?: { essential?: boolean } } } | undefined;
  return [c?.id_token?.acr, c?.userinfo?.acr].filter((m): m is NonNullable<typeof m> => Boolean(m));
}

/** The level this authorization request must reach. */
export function levelRequiredBy(params: Record<string, unknown> | undefined, client: unknown): Level {
  return requiredLevel({
    acrValues: typeof params?.acr_values === 'string' ? params.acr_values : undefined,
    acrClaims: acrClaimsOf(params?.claims),
    clientMinimum: clientMinimum(client),
  });
}

function localeOfCtx(ctx: Ctx): 'vi' | 'en' {
  const params = (ctx.oidc?.params ?? {}) as Record<string, unknown>;
  return pickLocale(
    parseCookies(ctx.get('cookie'))[LANG_COOKIE],
    typeof params.ui_locales === 'string' ? params.ui_locales : undefined,
  );
}

function sendPage(ctx: Ctx, status: number, html: string): void {
  ctx.status = status;
  for (const [k, v] of Object.entries(PAGE_HEADERS)) ctx.set(k, v);
  ctx.body = html;
}

/** Collects the audit entries of one provider request; written before the response leaves. */
const AUDIT_QUEUE = Symbol('dinhdanh.audit');
function queue(ctx: Ctx | undefined, event: AuditEvent): void {
  const list = (ctx as unknown as Record<symbol, AuditEvent[]> | undefined)?.[AUDIT_QUEUE];
  list?.push(event);
}

function subjectOf(accountId: string | undefined) {
  return accountId ? { kind: 'account', id: accountId } : undefined;
}

export function buildProvider(platform: Platform, identity: IdentityPort, options: ProviderOptions): Provider {
  const ttl = { ...OIDC_TTL, ...options.ttl };
  const policy = interactionPolicy.base();
  const login = policy.get('login')!;
  // Levels are ordered (level 2 satisfies a request for level 1): exact-match acr checks would send
  // a level-2 subject round in circles. One check covers acr_values, the claims parameter and the
  // relying party's minimum.
  login.checks.remove('essential_acr');
  login.checks.remove('essential_acrs');
  login.checks.add(
    new interactionPolicy.Check(
      'acr_insufficient',
      'the session does not reach the requested level of assurance',
      'login_required',
      (ctx) => {
        const { oidc } = ctx;
        if (!oidc.session?.accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        const required = levelRequiredBy(oidc.params, oidc.client);
        return levelOfAcr(oidc.session.acr) >= required
          ? interactionPolicy.Check.NO_NEED_TO_PROMPT
          : interactionPolicy.Check.REQUEST_PROMPT;
      },
      (ctx) => ({ required: levelRequiredBy(ctx.oidc.params, ctx.oidc.client) }),
    ),
  );
  // The officer console needs a TOTP authentication: a session made with an SMS code does not do.
  login.checks.add(
    new interactionPolicy.Check(
      'totp_required',
      'the officer console requires an authenticator code',
      'login_required',
      (ctx) => {
        const { oidc } = ctx;
        if (!oidc.session?.accountId || !clientFlag(oidc.client, 'officerConsole')) {
          return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        }
        return (oidc.session.amr ?? []).includes('otp')
          ? interactionPolicy.Check.NO_NEED_TO_PROMPT
          : interactionPolicy.Check.REQUEST_PROMPT;
      },
    ),
  );

  // DOMAIN.md §6: a lock takes effect everywhere at once, even for a browser that signed in before
  // it (a lock made by another process, before the sessions were ended): findAccount no longer
  // hands out the session's account, so the person is asked to sign in, and the login pages refuse
  // a locked account. Without this check oidc-provider would go on with a session and no account.
  login.checks.add(
    new interactionPolicy.Check(
      'account_unavailable',
      "the session's account can no longer be used (locked or closed)",
      'login_required',
      (ctx) =>
        ctx.oidc.session?.accountId && !ctx.oidc.account
          ? interactionPolicy.Check.REQUEST_PROMPT
          : interactionPolicy.Check.NO_NEED_TO_PROMPT,
    ),
  );
  // The platform's own front ends never see a consent page: what their grant holds is fixed by
  // registration and by the account's state (loadExistingGrant), so a scope they asked for and did
  // not get (api:app while locked, the locked view while active) is left out, not asked for.
  const consent = policy.get('consent')!;
  for (const reason of ['op_scopes_missing', 'op_claims_missing']) {
    const check = consent.checks.get(reason)!;
    const asked = check.check;
    check.check = (ctx) =>
      clientFlag(ctx.oidc.client, 'firstParty') ? interactionPolicy.Check.NO_NEED_TO_PROMPT : asked(ctx);
  }

  /**
   * Whether a token's account may still use it: active, or locked with its locked view open and
   * the token a locked view's. A token without an account (client credentials) is not about a
   * person and is not affected by a lock.
   */
  async function tokenAccountUsable(token: { accountId?: string | undefined; scopes: Set<string> }): Promise<boolean> {
    if (!token.accountId) return true;
    const account = await identity.get(token.accountId);
    if (!account) return false;
    return account.status === 'active' || (lockedViewOpen(account) && isLockedViewToken(token.scopes));
  }

  const configuration: Configuration = {
    adapter: adapterFactory({
      db: platform.db,
      clock: platform.clock,
      clientMetadata: (id) => options.clientMetadata(id),
    }),
    clients: [],
    jwks: options.jwks as Configuration['jwks'],
    cookies: {
      keys: options.cookieKeys,
      names: COOKIE_NAMES,
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    routes: OIDC_ROUTES,
    scopes: ALL_SCOPES,
    claims: {
      // Every ID token says how the subject authenticated: the level reached and the factors used;
      // a locked view's also says `restricted: true` (findAccount).
      openid: ['sub', 'acr', 'amr', 'auth_time', 'restricted'],
      ...Object.fromEntries(Object.entries(SCOPE_CLAIMS).map(([scope, claims]) => [scope, [...claims]])),
      acr: null,
      amr: null,
      auth_time: null,
      sid: null,
    },
    acrValues: ACR_VALUES,
    subjectTypes: ['public', 'pairwise'],
    async pairwiseIdentifier(_ctx, accountId, client) {
      const registered = (client as unknown as Record<string, unknown>)[CLIENT_EXTRA.sector];
      const sector = typeof registered === 'string' && registered ? registered : String(client.clientId);
      return pairwiseSubject(options.pairwiseSecret, sector, accountId);
    },
    // The sector of a private relying party is vetted at registration; nothing is fetched.
    sectorIdentifierUriValidate: () => false,
    // Browsers call the token and userinfo endpoints only from the platform's own front ends (web/),
    // served at the issuer's origin: no other site's page may read the provider's answers.
    clientBasedCORS: (_ctx, origin, client) =>
      clientFlag(client, 'firstParty') && origin === new URL(platform.config.baseUrl).origin,
    extraClientMetadata: {
      properties: Object.values(CLIENT_EXTRA),
    },
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    enabledJWA: {
      idTokenSigningAlgValues: ['ES256', 'RS256'],
      userinfoSigningAlgValues: ['ES256', 'RS256'],
      introspectionSigningAlgValues: ['ES256', 'RS256'],
      clientAuthSigningAlgValues: ['ES256', 'RS256', 'PS256', 'EdDSA'],
    },
    // RFC 9700: PKCE for every client, S256 only (oidc-provider accepts nothing else).
    pkce: { required: () => true },
    // The redirect_uri is always named and compared exactly.
    allowOmittingSingleRegisteredRedirectUri: false,
    rotateRefreshToken: true,
    async issueRefreshToken(_ctx, client, code) {
      return (
        clientKind(client) === 'state' && client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access')
      );
    },
    ttl: {
      AccessToken: ttl.AccessToken,
      AuthorizationCode: ttl.AuthorizationCode,
      IdToken: ttl.IdToken,
      RefreshToken: ttl.RefreshToken,
      Session: ttl.Session,
      Interaction: ttl.Interaction,
      Grant: (ctx: KoaContextWithOIDC | undefined) => grantTtl(ctx?.oidc?.client, ttl),
    },
    // Logging out ends the tokens of the session but keeps a state relying party's consent: the
    // subject withdraws consent in the app, not by signing out.
    revokeGrantPolicy(ctx) {
      if (ctx.oidc.route === 'revocation' && ctx.oidc.entities.AccessToken) return false;
      return ctx.oidc.route !== 'end_session_confirm';
    },
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      introspection: {
        enabled: true,
        // A relying party introspects only its own tokens. DOMAIN.md §6: a token of a locked (or
        // closed) account answers `{ active: false }` from the moment of the lock, whether or not
        // its sessions were ended yet (a lock made by another process).
        async allowedPolicy(_ctx, client, token) {
          return token.clientId === client.clientId && (await tokenAccountUsable(token));
        },
      },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          const locale = localeOfCtx(ctx);
          sendPage(
            ctx,
            200,
            page({
              locale,
              title: t(locale, 'title_logout'),
              body: `${form}<p>${escapeHtml(t(locale, 'logout_question'))}</p>
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">${escapeHtml(t(locale, 'logout_yes'))}</button>
<button class="secondary" type="submit" form="op.logoutForm">${escapeHtml(t(locale, 'logout_no'))}</button>`,
            }),
          );
        },
        async postLogoutSuccessSource(ctx) {
          const locale = localeOfCtx(ctx);
          const client = ctx.oidc.client;
          sendPage(
            ctx,
            200,
            page({
              locale,
              title: t(locale, 'title_logout'),
              body: `<p role="status">${escapeHtml(
                client
                  ? t(locale, 'logged_out_from', { client: clientDisplayName(client, locale) })
                  : t(locale, 'logged_out'),
              )}</p>`,
            }),
          );
        },
      },
      resourceIndicators: { enabled: false },
    },
    interactions: {
      policy,
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    // DOMAIN.md §6 (Law on Identification Arts 31–34): a lock takes effect everywhere at once. Every
    // token, code and session goes through here, so a non-active account gets no new login (the
    // session's account is gone: account_unavailable above), no code exchanged, no token refreshed
    // (invalid_grant) and no claims at userinfo (invalid_token), even before its sessions are ended.
    // The one exception is the citizen app's locked view, which only ever carries `sub`.
    async findAccount(ctx, sub, token) {
      const account = await identity.get(sub);
      if (!account) return undefined;
      if (account.status !== 'active') {
        if (!lockedViewOpen(account) || !lockedViewInUse(ctx, token)) return undefined;
        return {
          accountId: sub,
          lockedView: true,
          claims: () => ({ sub, restricted: true }),
        };
      }
      return {
        accountId: sub,
        async claims(_use, scope, requested) {
          const claims: Record<string, unknown> = { sub };
          // Only `openid`, and no claim asked by name: nothing to read from the registries.
          const named = Object.keys(requested ?? {}).some((c) => !PROTOCOL_CLAIMS.has(c));
          if ((!scope || scope === 'openid') && !named) return claims as { sub: string };
          const profile = await identity.profileOf(sub);
          if (!profile) return claims as { sub: string };
          return { ...profileClaims(profile, clientKind(ctx?.oidc?.client)), sub };
        },
      };
    },
    // A locked view's access token says so at introspection too.
    extraTokenClaims(_ctx, token) {
      return isLockedViewToken(token.scopes) ? { restricted: true } : undefined;
    },
    async loadExistingGrant(ctx) {
      const { oidc } = ctx;
      const client = oidc.client!;
      const accountId = oidc.session!.accountId!;
      const fromInteraction = oidc.result?.consent?.grantId;
      if (fromInteraction) return oidc.provider.Grant.find(fromInteraction);
      const rule = consentRule({ kind: clientKind(client), firstParty: clientFlag(client, 'firstParty') });
      // Decree 69 Art 19.3: a private relying party asks for consent to each authentication.
      if (rule === 'every_time') return undefined;
      const grantId =
        oidc.session!.grantIdFor(client.clientId) ?? (await options.latestGrantId(accountId, client.clientId));
      let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
      if (grant && grant.accountId !== accountId) grant = undefined;
      if (rule === 'none') {
        // The platform's own front ends: what they may ask for is fixed by registration, and by the
        // account's state: a locked view's grant holds the locked view only (DOMAIN.md §6), and a
        // grant of the other kind is never reused.
        const lockedView = (oidc.account as { lockedView?: unknown } | undefined)?.lockedView === true;
        if (grant && grant.getOIDCScope().split(' ').includes(LOCKED_VIEW_SCOPE) !== lockedView) grant = undefined;
        grant ??= new oidc.provider.Grant({ accountId, clientId: client.clientId });
        const allowed = new Set((client.scope ?? '').split(' '));
        grant.addOIDCScope(firstPartyScopes(oidc.requestParamOIDCScopes, allowed, lockedView));
        if (oidc.requestParamClaims.size && !lockedView) grant.addOIDCClaims([...oidc.requestParamClaims]);
        await grant.save();
      }
      return grant;
    },
    async renderError(ctx, out, error) {
      // Shown to the person at the browser when the request cannot go back to the relying party
      // (unknown client, wrong redirect URI, expired interaction…). The technical description stays
      // in English, as the relying party's developers will look it up.
      const locale = localeOfCtx(ctx);
      const status = (error as { statusCode?: number }).statusCode ?? 400;
      const code = String(out.error ?? 'server_error');
      const summary =
        status >= 500
          ? t(locale, 'server_error', { ref: String(ctx.get('x-request-id') || code) })
          : t(locale, 'expired');
      const description = status < 500 && out.error_description ? String(out.error_description) : '';
      sendPage(
        ctx,
        status,
        page({
          locale,
          title: t(locale, 'title_error'),
          errors: [summary],
          body: `<p>${escapeHtml(t(locale, 'error_code', { code }))}</p>${
            description ? `<p lang="en">${escapeHtml(description)}</p>` : ''
          }`,
        }),
      );
    },
    ...(options.allowPrivateNetworkFetch
      ? {
          fetch: (url: string | URL, init: RequestInit & { dispatcher?: unknown }) => {
            const { dispatcher: _ssrfGuard, ...rest } = init;
            return globalThis.fetch(url, rest);
          },
        }
      : {}),
    discovery: {
      ui_locales_supported: ['vi', 'en'],
      claims_locales_supported: ['vi'],
      service_documentation: `${platform.config.baseUrl}/docs/relying-parties`,
    },
  } as Configuration;

  const provider = new Provider(platform.config.baseUrl, configuration);
  // The HTTP mount (routes.ts) pins Host and X-Forwarded-Proto to the base URL, and passes
  // X-Forwarded-For only when the proxy is trusted.
  provider.proxy = true;

  // Audit: every token issuance, consent, login, logout and back-channel outcome. Event handlers
  // queue entries on the request; the middleware writes them before the response leaves.
  provider.use(async (ctx, next) => {
    const events: AuditEvent[] = [];
    (ctx as unknown as Record<symbol, AuditEvent[]>)[AUDIT_QUEUE] = events;
    await next();
    const oidc = (ctx as Ctx).oidc;
    if (oidc?.route === 'userinfo' && ctx.status === 200 && ctx.body && typeof ctx.body === 'object') {
      const token = oidc.entities.AccessToken;
      const client = oidc.entities.Client;
      events.push({
        actor: { kind: 'client', id: String(client?.clientId ?? token?.clientId ?? 'unknown') },
        action: 'oidc.claims.released',
        subject: subjectOf(token?.accountId),
        purpose: 'userinfo',
        outcome: 'success',
        detail: {
          client_id: client?.clientId,
          client_name: client?.clientName,
          claims: Object.keys(ctx.body as object).filter((k) => k !== 'sub'),
        },
      });
    }
    if (events.length) await options.recordAudit(events);
  });

  provider.on('grant.success', (ctx: Ctx) => {
    const { entities } = ctx.oidc;
    const at = entities.AccessToken;
    const client = entities.Client;
    const source = (entities.AuthorizationCode ?? entities.RotatedRefreshToken ?? entities.RefreshToken) as
      { acr?: string; amr?: string[] } | undefined;
    const scopes = at?.scope ? at.scope.split(' ') : [];
    queue(ctx, {
      actor: { kind: 'client', id: String(client?.clientId) },
      action: 'oidc.token.issued',
      subject: subjectOf(at?.accountId),
      outcome: 'success',
      detail: {
        client_id: client?.clientId,
        client_name: client?.clientName,
        grant_type: (ctx.oidc.params as Record<string, unknown> | undefined)?.grant_type,
        scope: at?.scope,
        claims: claimsReleased(scopes, clientKind(client)),
        acr: source?.acr,
        amr: source?.amr,
        level: levelOfAcr(source?.acr) || undefined,
        refresh_token:
          Boolean(entities.RefreshToken && !entities.RotatedRefreshToken) || Boolean(entities.RotatedRefreshToken),
        grant_id: at?.grantId,
      },
    });
  });
  provider.on('grant.error', (ctx: Ctx, error: Error & { error?: string; error_description?: string }) => {
    const client = ctx.oidc.entities.Client;
    const account = (ctx.oidc.entities.RefreshToken ?? ctx.oidc.entities.AuthorizationCode)?.accountId;
    queue(ctx, {
      actor: { kind: 'client', id: String(client?.clientId ?? 'unknown') },
      action: 'oidc.token.refused',
      subject: subjectOf(account),
      outcome: 'failure',
      detail: {
        client_id: client?.clientId,
        grant_type: (ctx.oidc.params as Record<string, unknown> | undefined)?.grant_type,
        error: error.error ?? error.name,
        error_description: error.error_description,
      },
    });
  });
  provider.on('authorization.success', (ctx: Ctx) => {
    const session = ctx.oidc.session;
    const client = ctx.oidc.client;
    queue(ctx, {
      actor: { kind: 'account', id: String(session?.accountId) },
      action: 'oidc.authorization.success',
      subject: subjectOf(session?.accountId),
      outcome: 'success',
      detail: {
        client_id: client?.clientId,
        client_name: client?.clientName,
        scope: (ctx.oidc.params as Record<string, unknown> | undefined)?.scope,
        acr: session?.acr,
        amr: session?.amr,
        level: levelOfAcr(session?.acr) || undefined,
      },
    });
  });
  provider.on('authorization.error', (ctx: Ctx, error: Error & { error?: string; error_description?: string }) => {
    const accountId = ctx.oidc?.session?.accountId;
    queue(ctx, {
      actor: accountId
        ? { kind: 'account', id: accountId }
        : { kind: 'client', id: String(ctx.oidc?.client?.clientId ?? 'unknown') },
      action: 'oidc.authorization.error',
      subject: subjectOf(accountId),
      outcome: error.error === 'access_denied' ? 'denied' : 'failure',
      detail: {
        client_id: ctx.oidc?.client?.clientId,
        error: error.error ?? error.name,
        error_description: error.error_description,
      },
    });
  });
  provider.on('end_session.success', (ctx: Ctx) => {
    const accountId = ctx.oidc.session?.accountId;
    queue(ctx, {
      actor: { kind: 'account', id: String(accountId ?? 'unknown') },
      action: 'oidc.session.end',
      subject: subjectOf(accountId),
      outcome: 'success',
      detail: { client_id: ctx.oidc.client?.clientId },
    });
  });
  provider.on('backchannel.success', (ctx: Ctx, client: { clientId: string }, accountId: string, sid: string) => {
    queue(ctx, {
      actor: { kind: 'system', id: 'oidc' },
      action: 'oidc.backchannel_logout.sent',
      subject: subjectOf(accountId),
      outcome: 'success',
      detail: { client_id: client.clientId, sid },
    });
  });
  provider.on(
    'backchannel.error',
    (ctx: Ctx, error: Error, client: { clientId: string }, accountId: string, sid: string) => {
      platform.log.warn({ client: client.clientId, err: error }, 'back-channel logout failed');
      queue(ctx, {
        actor: { kind: 'system', id: 'oidc' },
        action: 'oidc.backchannel_logout.sent',
        subject: subjectOf(accountId),
        outcome: 'failure',
        detail: { client_id: client.clientId, sid, error: error.message },
      });
    },
  );
  provider.on('revocation.error', (ctx: Ctx, error: Error) => {
    platform.log.info({ client: ctx.oidc.client?.clientId, err: error.message }, 'token revocation refused');
  });
  provider.on('server_error', (ctx: Ctx, error: Error) => {
    platform.log.error({ err: error, route: ctx.oidc?.route }, 'oidc-provider server error');
  });
  return provider;
}
