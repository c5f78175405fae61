import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OfficerRole } from '../backoffice/model.ts';
import { platformProblem } from '../platform/errors.ts';
import { API_SCOPES, oidcProblem, type ApiAudience } from './model.ts';
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
 */
export interface Bearer {
  accountId: string;
  clientId: string;
  scopes: Set<string>;
  grantId: string | undefined;
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
}

function challenge(reply: FastifyReply, error?: string): void {
  reply.header('www-authenticate', error ? `Bearer realm="dinhdanh", error="${error}"` : 'Bearer realm="dinhdanh"');
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
    if (!token.scopes.has(scope)) {
      challenge(reply, 'insufficient_scope');
      throw oidcProblem('OIDC_TOKEN_SCOPE', { audience: options.audience });
    }
    const account = await deps.identity.get(token.accountId);
    // DOMAIN.md §6: a lock takes effect everywhere at once.
    if (!account || account.status !== 'active') {
      throw oidcProblem('OIDC_ACCOUNT_INACTIVE', { status: account?.status ?? 'closed' });
    }
    if (options.audience !== 'app') {
      const assignments = await deps.backoffice.assignmentsOf(account.id);
      const wanted: OfficerRole | undefined = options.audience === 'admin' ? 'ADMIN' : options.role;
      if (assignments.length === 0 || (wanted && !assignments.some((a) => a.role === wanted))) {
        throw platformProblem('FORBIDDEN');
      }
    }
    request.bearer = { accountId: account.id, clientId: token.clientId!, scopes: token.scopes, grantId: token.grantId };
    request.actor = {
      kind: options.audience === 'app' ? 'citizen' : options.audience === 'admin' ? 'admin' : 'officer',
      id: account.id,
    };
  };
}
