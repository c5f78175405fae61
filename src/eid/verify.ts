import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';

/**
 * Offline verification of an electronic identity card presentation (Law on Identification 2023
 * Art 33: presenting the căn cước điện tử counts as presenting the card; DOMAIN.md §6: "a mark
 * guaranteeing integrity"). A verifier runs this with the keys it fetched earlier from
 * `{issuer}/.well-known/eid-jwks.json`, without calling the platform: it checks the ES256
 * signature against a published key, the explicit type `vn-eid+jwt`, the issuer, the time window
 * (iat not in the future, exp not past, a life no longer than `maxLifetimeSec`) and the claims
 * every credential carries. It never throws on a bad credential: it says why.
 *
 * It imports nothing from the platform but jose, so it can be copied into a verifier's app. The
 * online check (status now: locked, revoked) is `POST /api/v1/public/eid/verify`.
 */

export const EID_CREDENTIAL_TYP = 'vn-eid+jwt';

export type OfflineFailure =
  /** Not a compact JWS, or not JSON inside, or another algorithm than ES256. */
  | 'malformed'
  /** No published key has the credential's `kid` (refresh the JWKS; or it is not ours). */
  | 'unknown_key'
  /** The signature does not match: the credential was altered or forged. */
  | 'signature'
  | 'typ'
  | 'issuer'
  /** A required claim is missing (iss, sub, jti, iat, exp, purpose). */
  | 'claims'
  /** exp has passed. */
  | 'expired'
  /** iat lies in the future (beyond the tolerance). */
  | 'not_yet_valid'
  /** exp − iat is longer than a presentation may live. */
  | 'lifetime';

export interface PresentationPayload extends JWTPayload {
  iss: string;
  sub: string;
  jti: string;
  iat: number;
  exp: number;
  purpose: string;
  [claim: string]: unknown;
}

export type OfflineVerification =
  | { valid: true; kid: string; payload: PresentationPayload }
  /** `payload` only when the signature was good (e.g. an expired credential): never trust it for identity. */
  | { valid: false; reason: OfflineFailure; payload?: PresentationPayload };

export interface VerifyOptions {
  /** The verifier's clock (default: now). */
  now?: Date;
  /** The platform's base URL the keys were fetched from: the credential's `iss` must equal it. */
  issuer: string;
  /** Clock skew accepted between the holder's platform and the verifier, seconds (default 30). */
  clockToleranceSec?: number;
  /** The longest life a presentation may have, seconds (default 600; the platform issues 120). */
  maxLifetimeSec?: number;
}

const REQUIRED = ['iss', 'sub', 'jti', 'iat', 'exp', 'purpose'] as const;

function asPayload(payload: JWTPayload): PresentationPayload | undefined {
  const p = payload as Record<string, unknown>;
  const ok =
    typeof p.iss === 'string' &&
    typeof p.sub === 'string' &&
    typeof p.jti === 'string' &&
    typeof p.iat === 'number' &&
    typeof p.exp === 'number' &&
    typeof p.purpose === 'string';
  return ok ? (payload as PresentationPayload) : undefined;
}

function failureOf(error: unknown): OfflineVerification {
  if (error instanceof errors.JWTExpired) {
    const payload = asPayload(error.payload);
    // jose says "expired" both for exp past and for an iat older than maxTokenAge.
    return { valid: false, reason: error.claim === 'iat' ? 'lifetime' : 'expired', ...(payload ? { payload } : {}) };
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const payload = asPayload(error.payload);
    const reason: OfflineFailure =
      error.claim === 'typ'
        ? 'typ'
        : error.claim === 'iss' && error.reason !== 'missing'
          ? 'issuer'
          : error.claim === 'iat' && error.reason === 'check_failed'
            ? 'not_yet_valid'
            : error.claim === 'nbf'
              ? 'not_yet_valid'
              : 'claims';
    return { valid: false, reason, ...(payload ? { payload } : {}) };
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return { valid: false, reason: 'signature' };
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return { valid: false, reason: 'unknown_key' };
  }
  return { valid: false, reason: 'malformed' };
}

export async function verifyPresentation(
  jws: string,
  jwks: JSONWebKeySet,
  options: VerifyOptions,
): Promise<OfflineVerification> {
  const tolerance = options.clockToleranceSec ?? 30;
  const maxLifetime = options.maxLifetimeSec ?? 600;
  if (typeof jws !== 'string' || jws.length > 16_384 || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(jws)) {
    return { valid: false, reason: 'malformed' };
  }
  try {
    const { payload, protectedHeader } = await jwtVerify(jws, createLocalJWKSet(jwks), {
      algorithms: ['ES256'],
      typ: EID_CREDENTIAL_TYP,
      issuer: options.issuer,
      requiredClaims: [...REQUIRED],
      currentDate: options.now ?? new Date(),
      clockTolerance: tolerance,
      // Makes jose refuse an iat in the future, and one older than a credential may live.
      maxTokenAge: maxLifetime,
    });
    const checked = asPayload(payload);
    if (!checked) return { valid: false, reason: 'claims' };
    if (checked.exp - checked.iat > maxLifetime || checked.exp <= checked.iat) {
      return { valid: false, reason: 'lifetime', payload: checked };
    }
    return { valid: true, kid: protectedHeader.kid ?? '', payload: checked };
  } catch (error) {
    return failureOf(error);
  }
}
