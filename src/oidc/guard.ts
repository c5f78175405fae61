import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OfficerRole } from '../backoffice/model.ts';
import { Problem, platformProblem } from '../platform/errors.ts';
import { adminGuard } from '../http/guards.ts';
import { lockedViewOpen } from '../auth/model.ts';
import type { Account } from '../identity/model.ts';
import { API_SCOPES, isLockedViewToken, oidcProblem, type ApiAudience } from './model.ts';
import type { BackofficePort, IdentityPort } from './ports.ts';
import type { Oidc } from './service.ts';

/**
 * Protects the platform's API with the provider's own access tokens.
 *
 * Tokens are opaque (oidc-provider's default for userinfo-audience tokens) and looked up in the
 * provider's storage on every call (`AccessToken.find`): a revoked token, a withdrawn consent, an
 * ended session (session-bound tokens) or a disabled client stop working at once, in every process,
 * which a self-contained JWT could not do without a revocation list. The audience is a scope:
 * `api:app` (the citizen app), `api:officer` and `api:admin` (the officer console); only the
 * platform's own front ends may be allowed them (clients.ts), so a relying party's token for the
 * same person never opens this API. The account must still be active, and officer/admin calls
 * re-read the officer's roles on every request.
 *
 * The locked view (DOMAIN.md §6, policy: locking must never make unlocking impossible): a route
 * guarded with `allowLocked` (the citizen app's notices, unlock requests) accepts an active account
 * with `api:app`, or a locked account (any ground but death) with a locked view's token
 * (`api:app:locked` and no other API scope). Every other route refuses both a locked account and a
 * locked view's token; a locked view's token stops working once the account is unlocked (the app
 * signs in again for the full view).
 */
export interface Bearer {
  accountId: string;
  clientId: string;
  scopes: Set<string>;
  grantId: string | undefined;
  /** A locked view's token (DOMAIN.md §6): only routes guarded with `allowLocked` let it through. */
  lockedView: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    bearer?: Bearer;
  }
}

export interface BearerGuardOptions {
  audience: ApiAudience;
  /** Officer role required somewhere (the route still checks the unit). */
  role?: OfficerRole;
  /**
   * The citizen app's routes a locked identity still reaches (audience `app` only): its notices and
   * its unlock requests. An active account with `api:app`, or a locked one with a locked view's token.
   */
  allowLocked?: boolean;
}

function challenge(reply: FastifyReply, error?: string): void {
  reply.header('www-authenticate', error ? `Bearer realm="dinhdanh", error="${error}"` : 'Bearer realm="dinhdanh"');
}

/**
 * Whether a locked view's token may act on this route for this account, or the Problem to answer:
 * only on `allowLocked` routes, and only while the account is locked on a ground other than death.
 */
function lockedViewRefusal(account: Account | undefined, options: BearerGuardOptions) {
  if (!options.allowLocked || options.audience !== 'app') return oidcProblem('OIDC_LOCKED_VIEW');
  if (account && lockedViewOpen(account)) return undefined;
  // Unlocked since: the locked view is over, the app signs in again for the full view.
  if (account?.status === 'active') return oidcProblem('OIDC_TOKEN_INVALID');
  return oidcProblem('OIDC_ACCOUNT_INACTIVE', { status: account?.status ?? 'closed' });
}

export function bearerGuard(
  deps: { oidc: Oidc; identity: IdentityPort; backoffice: BackofficePort },
  options: BearerGuardOptions,
) {
  const scope = API_SCOPES[options.audience];
  return async function requireBearer(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
    if (!match) {
      challenge(reply);
      throw platformProblem('UNAUTHENTICATED');
    }
    await deps.oidc.ready();
    const provider = deps.oidc.provider();
    const token = await provider.AccessToken.find(match[1]!);
    if (!token || !token.isValid || !token.accountId) {
      challenge(reply, 'invalid_token');
      throw oidcProblem('OIDC_TOKEN_INVALID');
    }
    // A disabled relying party's tokens stop working with it.
    if (!(await provider.Client.find(token.clientId!))) {
      challenge(reply, 'invalid_token');
      throw oidcProblem('OIDC_TOKEN_INVALID');
    }
    const lockedView = isLockedViewToken(token.scopes);
    if (!lockedView && !token.scopes.has(scope)) {
      challenge(reply, 'insufficient_scope');
      throw oidcProblem('OIDC_TOKEN_SCOPE', { audience: options.audience });
    }
    const account = await deps.identity.get(token.accountId);
    if (lockedView) {
      const refusal = lockedViewRefusal(account, options);
      if (refusal) {
        challenge(reply, refusal.status === 401 ? 'invalid_token' : 'insufficient_scope');
        throw refusal;
      }
    } else if (!account || account.status !== 'active') {
      // DOMAIN.md §6: a lock takes effect everywhere at once, whatever the route.
      throw oidcProblem('OIDC_ACCOUNT_INACTIVE', { status: account?.status ?? 'closed' });
    }
    if (!account) throw oidcProblem('OIDC_ACCOUNT_INACTIVE', { status: 'closed' });
    if (options.audience !== 'app') {
      const assignments = await deps.backoffice.assignmentsOf(account.id);
      const wanted: OfficerRole | undefined = options.audience === 'admin' ? 'ADMIN' : options.role;
      if (assignments.length === 0 || (wanted && !assignments.some((a) => a.role === wanted))) {
        throw platformProblem('FORBIDDEN');
      }
    }
    request.bearer = {
      accountId: account.id,
      clientId: token.clientId!,
      scopes: token.scopes,
      grantId: token.grantId,
      lockedView,
    };
    request.actor = {
      kind: options.audience === 'app' ? 'citizen' : options.audience === 'admin' ? 'admin' : 'officer',
      id: account.id,
    };
  };
}

/**
 * Admin endpoints take an ADMIN officer's access token (scope api:admin, checked against the back
 * office on every call), or the bootstrap ADMIN_TOKEN that registers the first clients before any
 * officer can sign in. Anything else is refused.
 */
export function adminOrBootstrap(
  deps: { oidc: Oidc; identity: IdentityPort; backoffice: BackofficePort },
  adminToken: string | undefined,
) {
  const bootstrap = adminGuard(adminToken);
  const officerAdmin = bearerGuard(deps, { audience: 'admin' });
  return async function requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    try {
      await bootstrap(request);
    } catch (error) {
      // Not the bootstrap token: it may be a provider token.
      if (error instanceof Problem && error.code === 'FORBIDDEN') return officerAdmin(request, reply);
      throw error;
    }
  };
}
