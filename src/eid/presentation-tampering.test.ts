import { beforeAll, describe, expect, test } from 'vitest';
import { SignJWT, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JSONWebKeySet } from 'jose';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { generateSigningKey } from '../oidc/keys.ts';
import { vietnamDate } from '../registries/dates.ts';
import type { Holder } from './service.ts';
import { adultWithCard, eidKit } from './testing.ts';
import { verifyPresentation } from './verify.ts';

/**
 * Threat: a credential altered or forged to pass for a card. Offline, a verifier holding only the
 * published JWKS accepts a genuine presentation and refuses one whose claim was flipped and
 * re-encoded, one past its 120 s, one of another type, issuer or key (an ID token of the same
 * platform included), and one whose life was stretched.
 */
const t = useTestDatabase();
const clock = fixedClock('2026-11-26T03:00:00Z');
const ISSUER = 'https://id.example.gov.vn';
let kit: Awaited<ReturnType<typeof eidKit>>;
let holder: Holder;
let jwks: JSONWebKeySet;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const parts = (jws: string) => jws.split('.') as [string, string, string];

beforeAll(async () => {
  kit = await eidKit(testPlatform(t.db, { clock, config: { baseUrl: ISSUER } }), t.database.pool);
  const [citizen] = await kit.citizens(adultWithCard(vietnamDate(clock.now())));
  ({ holder } = await kit.holderFor(citizen!));
  jwks = (await kit.eid.jwks()) as JSONWebKeySet;
});

async function present(purpose?: string) {
  const proof = await kit.open(holder);
  return kit.eid.present(holder, proof, purpose ? { purpose } : {});
}

describe('offline verification with the published keys', () => {
  test('a genuine presentation verifies: ES256, typ vn-eid+jwt, kid, iss, pairwise sub, jti, 120 s', async () => {
    const p = await present();
    const header = decodeProtectedHeader(p.credential);
    expect(header).toEqual({ alg: 'ES256', typ: 'vn-eid+jwt', kid: jwks.keys[0]!.kid });
    const result = await verifyPresentation(p.credential, jwks, { now: clock.now(), issuer: ISSUER });
    expect(result.valid).toBe(true);
    if (!result.valid) return;
    expect(result.payload).toMatchObject({ iss: ISSUER, jti: p.jti, purpose: 'full', level: 2, eid_status: 'active' });
    expect(result.payload.exp - result.payload.iat).toBe(120);
    expect(result.payload.sub).not.toBe(holder.accountId);
    expect(result.payload.sub).toMatch(/^[\w-]{43}$/);
    expect(result.payload).not.toHaveProperty('cnf');
  });

  test('flipping a claim and re-encoding breaks the signature', async () => {
    const p = await present('age_over_18');
    const [header, payload, signature] = parts(p.credential);
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const flipped = `${header}.${b64({ ...claims, age_over_18: !claims.age_over_18 })}.${signature}`;
    expect(await verifyPresentation(flipped, jwks, { now: clock.now(), issuer: ISSUER })).toEqual({
      valid: false,
      reason: 'signature',
    });
    // Stretching the expiry is a change like any other.
    const stretched = `${header}.${b64({ ...claims, exp: (claims.exp as number) + 3600 })}.${signature}`;
    expect((await verifyPresentation(stretched, jwks, { now: clock.now(), issuer: ISSUER })).valid).toBe(false);
    // Another name, same signature.
    const full = await present();
    const [h2, , s2] = parts(full.credential);
    const renamed = `${h2}.${b64({ ...decodeJwt(full.credential), full_name: 'Kẻ Mạo Danh' })}.${s2}`;
    expect(await verifyPresentation(renamed, jwks, { now: clock.now(), issuer: ISSUER })).toMatchObject({
      reason: 'signature',
    });
  });

  test('after its 120 seconds a credential has expired, and it is not valid before it was issued', async () => {
    const p = await present();
    const at = (seconds: number) => new Date(p.issuedAt.getTime() + seconds * 1000);
    const exact = { issuer: ISSUER, clockToleranceSec: 0 };
    expect((await verifyPresentation(p.credential, jwks, { ...exact, now: at(119) })).valid).toBe(true);
    expect(await verifyPresentation(p.credential, jwks, { ...exact, now: at(120) })).toMatchObject({
      valid: false,
      reason: 'expired',
    });
    // The default tolerance for the verifier's clock (30 s) does not stretch it further.
    expect(await verifyPresentation(p.credential, jwks, { issuer: ISSUER, now: at(150) })).toMatchObject({
      valid: false,
      reason: 'expired',
    });
    expect(
      await verifyPresentation(p.credential, jwks, { now: at(-120), issuer: ISSUER, clockToleranceSec: 30 }),
    ).toMatchObject({ valid: false, reason: 'not_yet_valid' });
  });

  test('another issuer, a garbled token or keys that do not include the signer are refused', async () => {
    const p = await present();
    expect(
      await verifyPresentation(p.credential, jwks, { now: clock.now(), issuer: 'https://id.evil.example' }),
    ).toMatchObject({
      reason: 'issuer',
    });
    expect(await verifyPresentation('not.a.jws', jwks, { now: clock.now(), issuer: ISSUER })).toMatchObject({
      reason: 'malformed',
    });
    const other = await generateSigningKey('ES256');
    expect(
      await verifyPresentation(p.credential, { keys: [other.publicJwk] }, { now: clock.now(), issuer: ISSUER }),
    ).toMatchObject({
      reason: 'unknown_key',
    });
  });

  test('a JWT of another type, or with a stretched life, does not pass even when signed by a listed key', async () => {
    // A key of the verifier's set (e.g. an OpenID key put there by mistake) signing a plain JWT.
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'other', alg: 'ES256', use: 'sig' };
    const keys = { keys: [...jwks.keys, jwk] };
    const iat = Math.floor(clock.now().getTime() / 1000);
    const base = { purpose: 'full', full_name: 'Nguyễn Văn Giả' };
    const sign = (typ: string, exp: number) =>
      new SignJWT(base)
        .setProtectedHeader({ alg: 'ES256', typ, kid: 'other' })
        .setIssuer(ISSUER)
        .setSubject('x')
        .setJti('00000000-0000-4000-8000-000000000000')
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(privateKey);
    expect(
      await verifyPresentation(await sign('JWT', iat + 60), keys, { now: clock.now(), issuer: ISSUER }),
    ).toMatchObject({
      reason: 'typ',
    });
    expect(
      await verifyPresentation(await sign('vn-eid+jwt', iat + 86_400), keys, { now: clock.now(), issuer: ISSUER }),
    ).toMatchObject({
      reason: 'lifetime',
    });
  });

  test('online, the platform gives the same verdicts: invalid when altered, expired after 120 s', async () => {
    const p = await present();
    const [header, payload, signature] = parts(p.credential);
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const altered = `${header}.${b64({ ...claims, eid_status: 'active', level: 2, pin: '001090000000' })}.${signature}`;
    expect(await kit.eid.verifyOnline(altered, { name: 'Ngân hàng thử' })).toEqual({ valid: false, status: 'invalid' });
    expect(await kit.eid.verifyOnline(p.credential, { name: 'Ngân hàng thử' })).toMatchObject({
      valid: true,
      status: 'active',
    });
    clock.advance(121_000);
    expect(await kit.eid.verifyOnline(p.credential, { name: 'Ngân hàng thử' })).toMatchObject({
      valid: false,
      status: 'expired',
    });
  });
});
