import type { Platform } from '../platform/context.ts';
import type { AuditService } from '../audit/service.ts';
import { Problem } from '../platform/errors.ts';
import type { ClientRegistry, RelyingPartyInput } from './clients.ts';

/**
 * The platform's own front ends (web/, served by src/http/web.ts) as OpenID clients of its own
 * provider: public clients (PKCE, no secret: a browser cannot keep one), first party (no consent
 * page; their grant is fixed here and by the account's state). Registered at every start, so a
 * fresh database needs no administrator before anyone can sign in, and re-aligned when the base URL
 * changed since the last start (their redirect URIs are built from it).
 */

const SYSTEM = { kind: 'system', id: 'first-party' };

export const CITIZEN_APP_ID = 'citizen-app';
export const OFFICER_CONSOLE_ID = 'officer-console';

export function firstPartyClients(baseUrl: string): RelyingPartyInput[] {
  return [
    {
      client_id: CITIZEN_APP_ID,
      kind: 'state',
      name_vi: 'Ứng dụng định danh điện tử',
      name_en: 'Electronic identification app',
      redirect_uris: [`${baseUrl}/callback`],
      post_logout_redirect_uris: [`${baseUrl}/`],
      min_level: 1,
      // profile and phone: the name and phone the app shows; api:app its API; api:app:locked the
      // restricted view a locked identity signs in to (the provider grants one or the other).
      scopes: ['profile', 'phone', 'api:app', 'api:app:locked'],
      token_endpoint_auth_method: 'none',
      first_party: true,
    },
    {
      client_id: OFFICER_CONSOLE_ID,
      kind: 'state',
      name_vi: 'Cổng cán bộ',
      name_en: 'Officer console',
      redirect_uris: [`${baseUrl}/officer/callback`],
      post_logout_redirect_uris: [`${baseUrl}/officer/`],
      // Officers are level-2 accounts: the console reaches personal data of everyone.
      min_level: 2,
      scopes: ['profile', 'api:officer', 'api:admin'],
      token_endpoint_auth_method: 'none',
      first_party: true,
      officer_console: true,
    },
  ];
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/**
 * Registers the two front ends, or updates what a changed base URL or a newer release changed
 * (redirect URIs, scopes, minimum level). Idempotent; safe when several processes start at once.
 */
export async function ensureFirstPartyClients(
  platform: Pick<Platform, 'db' | 'clock' | 'log' | 'config'>,
  deps: { clients: ClientRegistry; audit: Pick<AuditService, 'append'> },
): Promise<void> {
  for (const wanted of firstPartyClients(platform.config.baseUrl)) {
    const clientId = wanted.client_id!;
    const existing = await deps.clients.get(clientId);
    if (!existing) {
      try {
        await deps.clients.register(SYSTEM, wanted);
        platform.log.info({ clientId }, 'first-party client registered');
      } catch (error) {
        // Another process registered it meanwhile.
        if (!(error instanceof Problem && error.code === 'RP_EXISTS')) throw error;
      }
      continue;
    }
    const scopes = wanted.scopes;
    const current =
      sameSet(existing.redirect_uris, wanted.redirect_uris) &&
      sameSet(existing.post_logout_redirect_uris, wanted.post_logout_redirect_uris ?? []) &&
      sameSet(existing.allowed_scopes, scopes) &&
      existing.min_level === wanted.min_level;
    if (current) continue;
    await platform.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('oidc.clients')
        .set((eb) => ({
          redirect_uris: wanted.redirect_uris,
          post_logout_redirect_uris: wanted.post_logout_redirect_uris ?? [],
          allowed_scopes: scopes,
          min_level: wanted.min_level ?? 1,
          updated_at: platform.clock.now(),
          version: eb('version', '+', 1),
        }))
        .where('client_id', '=', clientId)
        .execute();
      await deps.audit.append(trx, {
        actor: SYSTEM,
        action: 'oidc.client.update',
        subject: { kind: 'client', id: clientId },
        outcome: 'success',
        detail: { redirect_uris: wanted.redirect_uris, scopes, min_level: wanted.min_level },
      });
    });
    platform.log.info({ clientId }, 'first-party client updated');
  }
}
