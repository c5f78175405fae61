import type { Generated } from 'kysely';

/** Row types of the tables this context owns (schema `oidc`), keyed 'schema.table' for Kysely. */
export interface OidcTables {
  'oidc.payloads': PayloadRow;
  'oidc.signing_keys': SigningKeyRow;
  'oidc.secrets': SecretRow;
  'oidc.clients': ClientRow;
  'oidc.login_flows': LoginFlowRow;
}

/**
 * One stored oidc-provider model instance (Session, Grant, AccessToken, AuthorizationCode,
 * RefreshToken, Interaction, …): the provider's payload plus the columns its look-ups need.
 */
export interface PayloadRow {
  model: string;
  id: string;
  payload: unknown;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  /** accountId / clientId of the payload, so grants and sessions of an account can be found. */
  account_id: string | null;
  client_id: string | null;
  /** Unset: kept until destroyed. A row past it is treated as absent and purged later. */
  expires_at: Date | null;
  consumed_at: Date | null;
  created_at: Date;
}

export type SigningKeyState = 'next' | 'current' | 'retired';

/** A signing key: the public JWK in clear, the private JWK sealed with the platform's secret box. */
export interface SigningKeyRow {
  kid: string;
  alg: string;
  state: SigningKeyState;
  public_jwk: unknown;
  /** SecretBox-sealed private JWK (context `oidc-key:<kid>`). */
  sealed_private: string;
  created_at: Date;
  /** A `next` key becomes `current` at this instant (once every process has published it). */
  activate_after: Date | null;
  activated_at: Date | null;
  retired_at: Date | null;
  /** A `retired` key leaves the JWKS at this instant (every token it signed has expired). */
  remove_after: Date | null;
  updated_at: Date;
}

/** Provider secrets (cookie signing keys, the pairwise subject salt), sealed. */
export interface SecretRow {
  name: string;
  sealed: string;
  created_at: Date;
}

export type RelyingPartyKind = 'state' | 'private';

/** A registered relying party (an OpenID client). */
export interface ClientRow {
  client_id: string;
  kind: RelyingPartyKind;
  name_vi: string;
  name_en: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  backchannel_logout_uri: string | null;
  /** 1 or 2: the lowest level this relying party accepts (acr urn:dinhdanh:loa:<n>). */
  min_level: number;
  /** Scopes it may ask for (besides openid). */
  allowed_scopes: string[];
  /** Sector of a private relying party's pairwise subject identifiers (a host name). */
  sector_identifier: string | null;
  token_endpoint_auth_method: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
  /** SecretBox-sealed client secret (context `oidc-client:<client_id>`); null for private_key_jwt / none. */
  secret_sealed: string | null;
  /** Public keys for private_key_jwt. */
  jwks: unknown;
  /** The officer console: TOTP instead of SMS, officers only. */
  officer_console: boolean;
  /** A platform front end (citizen app, officer console): no consent screen. */
  first_party: boolean;
  status: 'active' | 'disabled';
  created_at: Date;
  created_by: string;
  updated_at: Date;
  version: Generated<number>;
}

/** Progress of one login interaction (identifier → password → one-time code → consent). */
export interface LoginFlowRow {
  uid: string;
  /** Anti-forgery token every POST of this interaction must carry. */
  csrf: string;
  step: 'identifier' | 'password' | 'otp' | 'confirmation' | 'consent' | 'done';
  /** The identifier typed at step 1, sealed (context `oidc-flow:<uid>`). */
  identifier_sealed: string | null;
  account_id: string | null;
  challenge_id: string | null;
  masked_phone: string | null;
  second_factor: 'sms' | 'totp' | null;
  /** The SMS code went to the representative's phone (a dependant has none of its own, DOMAIN.md §4). */
  code_to_representative: Generated<boolean>;
  /**
   * A dependant's sign-in waits for this confirmation request (representation context): kept here,
   * never taken from the browser, so it is bound to this interaction and its account.
   */
  confirmation_id: string | null;
  created_at: Date;
  expires_at: Date;
}
