import { createHmac } from 'node:crypto';
import { defineProblems } from '../platform/errors.ts';
import type { RelyingPartyKind } from './tables.ts';

/**
 * Pure rules of the OpenID provider: assurance levels, scopes and the claims they release,
 * pairwise subjects, consent. Decree 69/2024 Arts 9, 18, 19; DOMAIN.md §§4, 7.
 */

// ---------------------------------------------------------------------------------------------
// Assurance (acr). Level 1 ≈ eIDAS low, level 2 ≈ eIDAS substantial (docs/relying-parties.md).
// ---------------------------------------------------------------------------------------------

export type Level = 1 | 2;
export const ACR: Record<Level, string> = { 1: 'urn:dinhdanh:loa:1', 2: 'urn:dinhdanh:loa:2' };
export const ACR_VALUES = [ACR[1], ACR[2]];

/** The level an acr value stands for (0: none we know). */
export function levelOfAcr(acr: unknown): 0 | Level {
  if (acr === ACR[2]) return 2;
  if (acr === ACR[1]) return 1;
  return 0;
}

/**
 * The level an authentication of this account reaches: its enrolment level (Art 9: level 2 was
 * proofed in person with face and fingerprints). An organisation's account has no level (Art 7);
 * *(policy)* it authenticates at level 1, since the person at the keyboard is not biometrically
 * bound to it.
 */
export function levelOfAccount(account: { level: 1 | 2 | null }): Level {
  return account.level === 2 ? 2 : 1;
}

export interface LevelRequest {
  /** `acr_values` of the authorization request (space separated, in order of preference). */
  acrValues?: string | undefined;
  /** The `claims` parameter's `id_token.acr` / `userinfo.acr` member, if any. */
  acrClaims?: ({ essential?: boolean; value?: string; values?: string[] } | null | undefined)[];
  /** The relying party's registered minimum. */
  clientMinimum: Level;
}

/**
 * The level an authentication must reach. A relying party names the levels it accepts (any of
 * them will do, so the lowest counts); it can never go under its registered minimum. Unknown acr
 * values are ignored. Levels are ordered: level 2 satisfies a request for level 1.
 */
export function requiredLevel(request: LevelRequest): Level {
  let asked: Level | 0 = 0;
  const consider = (values: string[]) => {
    const known = values.map(levelOfAcr).filter((l): l is Level => l > 0);
    if (known.length > 0) asked = Math.max(asked, Math.min(...known)) as Level;
  };
  if (request.acrValues) consider(request.acrValues.split(' ').filter(Boolean));
  for (const member of request.acrClaims ?? []) {
    if (!member?.essential) continue;
    consider([...(member.values ?? []), ...(member.value ? [member.value] : [])]);
  }
  return Math.max(asked, request.clientMinimum) as Level;
}

/** Authentication methods (RFC 8176): password, then an SMS code or a TOTP code. */
export function amrOf(secondFactor: 'sms' | 'totp'): string[] {
  return secondFactor === 'sms' ? ['pwd', 'sms'] : ['pwd', 'otp'];
}

// ---------------------------------------------------------------------------------------------
// Scopes and claims.
// ---------------------------------------------------------------------------------------------

/** OpenID scopes a relying party may be allowed, and the claims each releases. */
export const SCOPE_CLAIMS = {
  profile: ['name', 'family_name', 'given_name', 'birthdate', 'gender'],
  /** The personal identification number: state relying parties only. */
  pin: ['pin'],
  phone: ['phone_number', 'phone_number_verified'],
  email: ['email', 'email_verified'],
  address: ['address'],
  /** The account's level, also carried as `acr`. */
  level: ['level'],
} as const satisfies Record<string, readonly string[]>;
export type ClaimScope = keyof typeof SCOPE_CLAIMS;
export const CLAIM_SCOPES = Object.keys(SCOPE_CLAIMS) as ClaimScope[];

/** Scopes that open the platform's own API to a first-party front end (guard.ts). */
export const API_SCOPES = { app: 'api:app', officer: 'api:officer', admin: 'api:admin' } as const;
export type ApiAudience = keyof typeof API_SCOPES;

/**
 * The citizen app's locked view (DOMAIN.md §6, policy: locking must never make unlocking
 * impossible; Law on Identification Arts 31–34): the holder of a locked identity signs in to a view
 * that only files an unlock request and reads notices. A token with this scope and no other API
 * scope opens only the routes guarded with `allowLocked`, and only while the account stays locked.
 */
export const LOCKED_VIEW_SCOPE = 'api:app:locked';

/** The scopes a locked view's grant may hold: the subject's `sub` and the locked view, nothing else. */
export const LOCKED_VIEW_SCOPES: readonly string[] = ['openid', LOCKED_VIEW_SCOPE];

export const ALL_SCOPES = [
  'openid',
  'offline_access',
  ...CLAIM_SCOPES,
  ...Object.values(API_SCOPES),
  LOCKED_VIEW_SCOPE,
];

/** Whether a token's scopes make it a locked view's token: the locked-view scope and no other API scope. */
export function isLockedViewToken(scopes: Iterable<string>): boolean {
  const set = new Set(scopes);
  return set.has(LOCKED_VIEW_SCOPE) && !Object.values(API_SCOPES).some((s) => set.has(s));
}

/**
 * Whether a relying party of this kind may ever be allowed the scope. The PIN goes only to state
 * relying parties (a private one identifies the subject by its pairwise `sub`); the platform's API
 * scopes only to its own front ends, and the officer and admin ones only to the officer console.
 */
export function scopeAllowedFor(
  scope: string,
  client: { kind: RelyingPartyKind; firstParty: boolean; officerConsole: boolean },
): boolean {
  if (scope === 'pin') return client.kind === 'state';
  if (scope === API_SCOPES.app) return client.firstParty;
  // The locked view belongs to the citizen app only: a locked officer gets no console at all.
  if (scope === LOCKED_VIEW_SCOPE) return client.firstParty && !client.officerConsole;
  if (scope === API_SCOPES.officer || scope === API_SCOPES.admin) return client.firstParty && client.officerConsole;
  if (scope === 'offline_access') return client.kind === 'state';
  return (CLAIM_SCOPES as string[]).includes(scope);
}

/**
 * The scopes a first-party front end gets (registration fixes what it may ask for; no consent): what
 * it asked for and may have. A locked view's grant holds `openid` and the locked-view scope only
 * (no profile, no API scope: DOMAIN.md §6, no attribute release while locked); a full sign-in
 * never holds the locked-view scope, so that a token is one or the other.
 */
export function firstPartyScopes(
  requested: Iterable<string>,
  allowed: ReadonlySet<string>,
  lockedView: boolean,
): string[] {
  return [...requested].filter(
    (s) => allowed.has(s) && (lockedView ? LOCKED_VIEW_SCOPES.includes(s) : s !== LOCKED_VIEW_SCOPE),
  );
}

/** The claims a set of scopes releases to a relying party of this kind. */
export function claimsReleased(scopes: Iterable<string>, kind: RelyingPartyKind): string[] {
  const out: string[] = [];
  for (const scope of scopes) {
    if (scope === 'pin' && kind !== 'state') continue;
    const claims = (SCOPE_CLAIMS as Record<string, readonly string[]>)[scope];
    if (claims) out.push(...claims);
  }
  return out;
}

export interface ProfileLike {
  fullName: string;
  familyName?: string | undefined;
  givenName?: string | undefined;
  birthdate: string | null;
  gender: 'male' | 'female' | null;
  pin: string | null;
  address: string | null;
  phone: string | null;
  email: string | null;
  level: 1 | 2 | null;
}

/**
 * Every claim the provider can release about a subject; oidc-provider masks them down to the
 * granted scopes. The PIN is left out for anyone but a state relying party, whatever the scopes.
 */
export function profileClaims(profile: ProfileLike, kind: RelyingPartyKind): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    name: profile.fullName,
    family_name: profile.familyName,
    given_name: profile.givenName,
    birthdate: profile.birthdate ?? undefined,
    gender: profile.gender ?? undefined,
    // Contact points are verified when the account is issued (DOMAIN.md §§4–5).
    phone_number: profile.phone ?? undefined,
    phone_number_verified: profile.phone ? true : undefined,
    email: profile.email ?? undefined,
    email_verified: profile.email ? true : undefined,
    address: profile.address ? { formatted: profile.address, country: 'VN' } : undefined,
    level: profile.level ?? undefined,
  };
  if (kind === 'state' && profile.pin) claims.pin = profile.pin;
  return Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
}

// ---------------------------------------------------------------------------------------------
// Subjects and consent.
// ---------------------------------------------------------------------------------------------

/**
 * A private relying party's `sub`: HMAC-SHA256 of its sector and the account id under a provider
 * secret. Stable for one sector, unlinkable across sectors, and never the PIN.
 */
export function pairwiseSubject(secret: Buffer, sector: string, accountId: string): string {
  return createHmac('sha256', secret).update(`${sector.toLowerCase()}\n${accountId}`).digest('base64url');
}

export type ConsentRule = 'none' | 'remembered' | 'every_time';

/**
 * When the subject is asked to consent (Decree 69 Art 19.3): a private relying party, reached
 * through a licensed provider, needs consent to each authentication; a state relying party once per
 * set of scopes (remembered in the grant until revoked); the platform's own front ends never.
 */
export function consentRule(client: { kind: RelyingPartyKind; firstParty: boolean }): ConsentRule {
  if (client.kind === 'private') return 'every_time';
  return client.firstParty ? 'none' : 'remembered';
}

// ---------------------------------------------------------------------------------------------
// Problems.
// ---------------------------------------------------------------------------------------------

export const oidcProblem = defineProblems({
  RP_INVALID: {
    status: 400,
    vi: 'Đăng ký bên sử dụng dịch vụ không hợp lệ: {reason}',
    en: 'The relying party registration is not valid: {reason}',
  },
  RP_SCOPE_NOT_ALLOWED: {
    status: 400,
    vi: 'Bên sử dụng dịch vụ loại {kind} không được cấp phạm vi {scope}.',
    en: 'A {kind} relying party cannot be allowed the scope {scope}.',
  },
  RP_EXISTS: { status: 409, vi: 'Mã bên sử dụng dịch vụ {clientId} đã tồn tại.', en: 'Client id {clientId} is taken.' },
  RP_NOT_FOUND: {
    status: 404,
    vi: 'Không tìm thấy bên sử dụng dịch vụ {clientId}.',
    en: 'There is no relying party {clientId}.',
  },
  CONSENT_NOT_FOUND: {
    status: 404,
    vi: 'Bạn chưa đồng ý chia sẻ thông tin với {clientId}.',
    en: 'You have no consent given to {clientId}.',
  },
  OIDC_TOKEN_INVALID: {
    status: 401,
    vi: 'Mã truy cập không hợp lệ hoặc đã hết hạn. Vui lòng đăng nhập lại.',
    en: 'The access token is not valid or has expired. Sign in again.',
  },
  OIDC_TOKEN_SCOPE: {
    status: 403,
    vi: 'Mã truy cập không cho phép truy cập {audience}.',
    en: 'The access token does not grant access to {audience}.',
  },
  OIDC_ACCOUNT_INACTIVE: {
    status: 403,
    vi: 'Tài khoản không ở trạng thái hoạt động ({status}).',
    en: 'The account is not active ({status}).',
  },
  OIDC_LOCKED_VIEW: {
    status: 403,
    vi: 'Tài khoản định danh điện tử đang bị khóa: bạn chỉ có thể xem thông báo và gửi yêu cầu mở khóa.',
    en: 'The electronic identity account is locked: you can only read notices and ask for it to be unlocked.',
  },
  OFFICER_UNIT_FORBIDDEN: {
    status: 403,
    vi: 'Cán bộ không có quyền với đơn vị {unitId}.',
    en: 'The officer has no authority over unit {unitId}.',
  },
  OIDC_NOT_READY: {
    status: 503,
    vi: 'Dịch vụ xác thực đang khởi động. Vui lòng thử lại sau giây lát.',
    en: 'The identity provider is starting. Try again in a moment.',
  },
});
