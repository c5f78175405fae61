import { randomBytes, randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { AdapterPayload } from 'oidc-provider';
import type { AuditService } from '../audit/service.ts';
import type { Clock } from '../platform/clock.ts';
import type { SecretBox } from '../platform/crypto.ts';
import { isUniqueViolation, type Db } from '../platform/database.ts';
import { ACR, oidcProblem, scopeAllowedFor, type Level } from './model.ts';
import type { ClientRow, RelyingPartyKind } from './tables.ts';

/**
 * Relying parties (OpenID clients), registered by an administrator and stored in `oidc.clients`.
 * The provider reads them through the `Client` model of the adapter (`clientMetadata`), so a
 * change or a disabled client takes effect on the next request, in every process.
 *
 * Client authentication: `client_secret_basic` / `client_secret_post` with a random 256-bit
 * secret shown once at registration and kept sealed at rest (AES-GCM under the master keyring,
 * bound to the client id); oidc-provider compares the plaintext in constant time, which is why it
 * cannot be stored as a hash. `private_key_jwt` (the relying party's public keys, no shared
 * secret) is preferred for anyone able to sign; `none` (PKCE only) is for the platform's own
 * public front ends.
 */
export type Client = Selectable<ClientRow>;

export type AuthMethod = ClientRow['token_endpoint_auth_method'];

export interface RelyingPartyInput {
  client_id?: string | undefined;
  kind: RelyingPartyKind;
  name_vi: string;
  name_en: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[] | undefined;
  backchannel_logout_uri?: string | undefined;
  /** The lowest level accepted (default 1). */
  min_level?: Level | undefined;
  /** Scopes it may ask for besides `openid` (profile, pin, phone, email, address, level, …). */
  scopes: string[];
  /** Private relying parties: the sector (a host name) its pairwise subjects are computed in. */
  sector_identifier?: string | undefined;
  token_endpoint_auth_method?: AuthMethod | undefined;
  jwks?: { keys: object[] } | undefined;
  officer_console?: boolean | undefined;
  first_party?: boolean | undefined;
}

export interface RegisteredClient {
  client: Client;
  /** The secret, in clear: returned once, at registration or rotation, never again. */
  client_secret?: string | undefined;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function checkUri(value: string, field: string, allowCustomScheme = false): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw oidcProblem('RP_INVALID', { reason: `${field}: ${value} is not a URL` }, { field });
  }
  if (url.hash) throw oidcProblem('RP_INVALID', { reason: `${field}: no fragment allowed` }, { field });
  if (url.username || url.password) throw oidcProblem('RP_INVALID', { reason: `${field}: no credentials` }, { field });
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  if (!secure && !(allowCustomScheme && /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol))) {
    throw oidcProblem('RP_INVALID', { reason: `${field}: ${value} must use https (http only on loopback)` }, { field });
  }
}

const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const CLIENT_ID = /^[a-z0-9][a-z0-9._-]{2,63}$/;

/** Validates a registration; returns the normalised values to store. */
export function validateRelyingParty(input: RelyingPartyInput) {
  const firstParty = input.first_party ?? false;
  const officerConsole = input.officer_console ?? false;
  const kind = input.kind;
  if (kind === 'private' && (firstParty || officerConsole)) {
    throw oidcProblem('RP_INVALID', { reason: 'a private relying party is never a platform front end' });
  }
  if (officerConsole && !firstParty) {
    throw oidcProblem('RP_INVALID', { reason: 'the officer console is a first-party front end' });
  }
  if (input.client_id !== undefined && !CLIENT_ID.test(input.client_id)) {
    throw oidcProblem('RP_INVALID', { reason: 'client_id: 3–64 of a-z 0-9 . _ -' }, { field: 'client_id' });
  }
  if (input.redirect_uris.length === 0) {
    throw oidcProblem('RP_INVALID', { reason: 'at least one redirect URI' }, { field: 'redirect_uris' });
  }
  // Native apps of the platform may use a private-use scheme (RFC 8252 §7.1, reverse domain name).
  for (const uri of input.redirect_uris) checkUri(uri, 'redirect_uris', firstParty);
  for (const uri of input.post_logout_redirect_uris ?? []) checkUri(uri, 'post_logout_redirect_uris', firstParty);
  if (input.backchannel_logout_uri) checkUri(input.backchannel_logout_uri, 'backchannel_logout_uri');
  const scopes = [...new Set(input.scopes.filter((s) => s !== 'openid'))];
  for (const scope of scopes) {
    if (!scopeAllowedFor(scope, { kind, firstParty, officerConsole })) {
      throw oidcProblem('RP_SCOPE_NOT_ALLOWED', { kind, scope }, { field: 'scopes' });
    }
  }
  let sector: string | null = null;
  if (kind === 'private') {
    sector = input.sector_identifier?.toLowerCase() ?? null;
    if (!sector || !HOST.test(sector)) {
      throw oidcProblem(
        'RP_INVALID',
        { reason: 'a private relying party needs sector_identifier, a host name such as bank.example.vn' },
        { field: 'sector_identifier' },
      );
    }
  } else if (input.sector_identifier) {
    throw oidcProblem('RP_INVALID', { reason: 'state relying parties get a public sub: no sector' });
  }
  const method: AuthMethod = input.token_endpoint_auth_method ?? 'client_secret_basic';
  if (method === 'none' && !firstParty) {
    throw oidcProblem('RP_INVALID', { reason: 'only the platform front ends may be public clients (none)' });
  }
  if (method === 'private_key_jwt' && !input.jwks?.keys?.length) {
    throw oidcProblem('RP_INVALID', { reason: 'private_key_jwt needs jwks' }, { field: 'jwks' });
  }
  return {
    kind,
    firstParty,
    officerConsole,
    scopes,
    sector,
    method,
    minLevel: (input.min_level ?? 1) as Level,
  };
}

function secretContext(clientId: string): string {
  return `oidc-client:${clientId}`;
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export interface ClientRegistry {
  register(actor: { kind: string; id: string }, input: RelyingPartyInput): Promise<RegisteredClient>;
  list(): Promise<Client[]>;
  get(clientId: string): Promise<Client | undefined>;
  setStatus(actor: { kind: string; id: string }, clientId: string, status: 'active' | 'disabled'): Promise<Client>;
  rotateSecret(actor: { kind: string; id: string }, clientId: string): Promise<RegisteredClient>;
  /** What oidc-provider needs to know of an active client (the secret opened), or undefined. */
  metadata(clientId: string): Promise<AdapterPayload | undefined>;
}

export function createClientRegistry(deps: {
  db: Db;
  clock: Clock;
  secrets: SecretBox;
  audit: Pick<AuditService, 'append'>;
}): ClientRegistry {
  const { db, clock, secrets, audit } = deps;

  async function get(clientId: string): Promise<Client | undefined> {
    return db.selectFrom('oidc.clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  }

  return {
    async register(actor, input) {
      const v = validateRelyingParty(input);
      const clientId = input.client_id ?? `rp-${randomUUID()}`;
      const secret = v.method === 'client_secret_basic' || v.method === 'client_secret_post' ? newSecret() : undefined;
      const now = clock.now();
      try {
        const client = await db.transaction().execute(async (trx) => {
          const row = await trx
            .insertInto('oidc.clients')
            .values({
              client_id: clientId,
              kind: v.kind,
              name_vi: input.name_vi,
              name_en: input.name_en,
              redirect_uris: input.redirect_uris,
              post_logout_redirect_uris: input.post_logout_redirect_uris ?? [],
              backchannel_logout_uri: input.backchannel_logout_uri ?? null,
              min_level: v.minLevel,
              allowed_scopes: v.scopes,
              sector_identifier: v.sector,
              token_endpoint_auth_method: v.method,
              secret_sealed: secret ? secrets.seal(secret, secretContext(clientId)) : null,
              jwks: input.jwks ? JSON.stringify(input.jwks) : null,
              officer_console: v.officerConsole,
              first_party: v.firstParty,
              status: 'active',
              created_at: now,
              created_by: `${actor.kind}:${actor.id}`,
              updated_at: now,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          await audit.append(trx, {
            actor,
            action: 'oidc.client.register',
            subject: { kind: 'client', id: clientId },
            outcome: 'success',
            detail: {
              kind: v.kind,
              scopes: v.scopes,
              min_level: v.minLevel,
              redirect_uris: input.redirect_uris,
              first_party: v.firstParty,
              officer_console: v.officerConsole,
            },
          });
          return row;
        });
        return { client, client_secret: secret };
      } catch (error) {
        if (isUniqueViolation(error)) throw oidcProblem('RP_EXISTS', { clientId });
        throw error;
      }
    },

    list() {
      return db.selectFrom('oidc.clients').selectAll().orderBy('created_at').execute();
    },

    get,

    async setStatus(actor, clientId, status) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('oidc.clients')
          .set((eb) => ({ status, updated_at: clock.now(), version: eb('version', '+', 1) }))
          .where('client_id', '=', clientId)
          .returningAll()
          .executeTakeFirst();
        if (!row) throw oidcProblem('RP_NOT_FOUND', { clientId });
        await audit.append(trx, {
          actor,
          action: status === 'disabled' ? 'oidc.client.disable' : 'oidc.client.enable',
          subject: { kind: 'client', id: clientId },
          outcome: 'success',
        });
        return row;
      });
    },

    async rotateSecret(actor, clientId) {
      const secret = newSecret();
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('oidc.clients')
          .set((eb) => ({
            secret_sealed: secrets.seal(secret, secretContext(clientId)),
            updated_at: clock.now(),
            version: eb('version', '+', 1),
          }))
          .where('client_id', '=', clientId)
          .where('token_endpoint_auth_method', 'in', ['client_secret_basic', 'client_secret_post'])
          .returningAll()
          .executeTakeFirst();
        if (!row) throw oidcProblem('RP_NOT_FOUND', { clientId });
        await audit.append(trx, {
          actor,
          action: 'oidc.client.rotate_secret',
          subject: { kind: 'client', id: clientId },
          outcome: 'success',
        });
        return { client: row, client_secret: secret };
      });
    },

    async metadata(clientId) {
      const row = await get(clientId);
      if (!row || row.status !== 'active') return undefined;
      return toProviderMetadata(
        row,
        row.secret_sealed ? secrets.open(row.secret_sealed, secretContext(clientId)) : null,
      );
    },
  };
}

/** Custom client metadata (extraClientMetadata) the provider carries on each Client. */
export const CLIENT_EXTRA = {
  kind: 'dinhdanh_kind',
  minLevel: 'dinhdanh_min_level',
  firstParty: 'dinhdanh_first_party',
  officerConsole: 'dinhdanh_officer_console',
  sector: 'dinhdanh_sector',
  nameEn: 'dinhdanh_name_en',
} as const;

export function toProviderMetadata(row: Client, secret: Buffer | null): AdapterPayload {
  // Private relying parties get no refresh tokens: each authentication needs the subject's
  // consent (Decree 69 Art 19.3), which a refresh token would bypass.
  const refresh = row.kind === 'state';
  const scope = ['openid', ...row.allowed_scopes, ...(refresh ? ['offline_access'] : [])];
  return {
    client_id: row.client_id,
    client_name: row.name_vi,
    redirect_uris: row.redirect_uris,
    post_logout_redirect_uris: row.post_logout_redirect_uris,
    ...(row.backchannel_logout_uri
      ? { backchannel_logout_uri: row.backchannel_logout_uri, backchannel_logout_session_required: true }
      : {}),
    response_types: ['code'],
    grant_types: refresh ? ['authorization_code', 'refresh_token'] : ['authorization_code'],
    token_endpoint_auth_method: row.token_endpoint_auth_method,
    ...(secret ? { client_secret: secret.toString('utf8') } : {}),
    ...(row.jwks ? { jwks: row.jwks as AdapterPayload['jwks'] } : {}),
    scope: [...new Set(scope)].join(' '),
    default_acr_values: [ACR[row.min_level as Level]],
    application_type: row.redirect_uris.some((u) => !/^https?:/.test(u)) ? 'native' : 'web',
    ...(row.kind === 'private'
      ? {
          subject_type: 'pairwise',
          // The sector is vetted by the administrator at registration: nothing is fetched from it
          // (sectorIdentifierUriValidate is off); it only names the sector of the pairwise subject.
          sector_identifier_uri: `https://${row.sector_identifier}/`,
        }
      : { subject_type: 'public' }),
    [CLIENT_EXTRA.kind]: row.kind,
    [CLIENT_EXTRA.minLevel]: row.min_level,
    [CLIENT_EXTRA.firstParty]: row.first_party,
    [CLIENT_EXTRA.officerConsole]: row.officer_console,
    [CLIENT_EXTRA.sector]: row.sector_identifier ?? undefined,
    [CLIENT_EXTRA.nameEn]: row.name_en,
  };
}
