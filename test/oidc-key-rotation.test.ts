import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import Fastify from 'fastify';
import * as client from 'openid-client';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { fixedClock, silentLogger, testPlatform, useTestDatabase } from './database.ts';
import { DEFAULT_KEY_POLICY } from '../src/oidc/keys.ts';
import { providerEndpoints } from '../src/oidc/routes.ts';
import { createOidc } from '../src/oidc/service.ts';
import { startKeyRefresher, startOidcWorker } from '../src/oidc/worker.ts';
import { Browser, authorizationRequest, signIn, startHarness, type Harness } from '../src/oidc/testing.ts';

/**
 * Signing keys rotate without downtime: the new key is published first, signs only after the
 * publish delay, and the old one stays published until what it signed has expired; another process
 * picks the change up by itself.
 */
const t = useTestDatabase();
const clock = fixedClock(new Date());
let h: Harness;
let portal: client.Configuration;

beforeAll(async () => {
  h = await startHarness(testPlatform(t.db, { clock, config: { adminToken: 'admin-secret' } }), t.database.pool, {
    clock,
  });
  const p = await h.register({ client_id: 'dvc-portal', scopes: ['profile'] });
  portal = await h.rpConfig('dvc-portal', p.client_secret);
});

afterAll(async () => {
  await h?.stop();
});

async function jwks(base = h.baseUrl): Promise<JSONWebKeySet> {
  return (await (await fetch(`${base}/oidc/jwks`)).json()) as JSONWebKeySet;
}

async function idToken(): Promise<string> {
  const browser = new Browser([`${h.rp.origin}/`]);
  const request = await authorizationRequest(portal, { redirect_uri: `${h.rp.origin}/cb`, scope: 'openid' });
  let page = await browser.go(request.url);
  const citizen = h.demo.citizen!;
  page = await signIn(h, browser, page, {
    identifier: citizen.identifier,
    password: citizen.password,
    phone: '+84912345678',
  });
  if (page.html.includes('/consent"')) page = await browser.submit(page, 'consent', { decision: 'allow' });
  const tokens = await client.authorizationCodeGrant(portal, new URL(page.url), {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
  return tokens.id_token!;
}

describe('signing-key rotation', () => {
  test('publish, then sign, then retire, then remove; another process follows', async () => {
    // Another API process on the same database (its own provider), checked through its own JWKS.
    const otherPlatform = testPlatform(t.db, { clock, config: { baseUrl: h.baseUrl } });
    const other = createOidc(otherPlatform, {
      audit: h.kit.audit,
      identity: h.kit.identity,
      backoffice: h.kit.backoffice,
    });
    const otherHttp = Fastify();
    await otherHttp.register(providerEndpoints(other, { config: otherPlatform.config }));
    const otherJwks = async () => (await otherHttp.inject({ url: '/oidc/jwks' })).json() as JSONWebKeySet;
    const refresher = startKeyRefresher(other, { log: silentLogger(), intervalMs: 3_600_000 });

    const initial = await jwks();
    expect(initial.keys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    for (const k of initial.keys) expect(k).not.toHaveProperty('d');
    expect((await otherJwks()).keys.map((k) => k.kid).sort()).toEqual(initial.keys.map((k) => k.kid).sort());
    const oldRs = initial.keys.find((k) => k.alg === 'RS256')!.kid!;
    const before = await idToken();
    expect(decodeProtectedHeader(before).kid).toBe(oldRs);

    // 1. Stage: published at once, not yet signing.
    const staged = await fetch(`${h.baseUrl}/api/v1/admin/oidc/keys/rotate`, {
      method: 'POST',
      headers: { authorization: 'Bearer admin-secret' },
    });
    expect(staged.status).toBe(202);
    const newKids = ((await staged.json()) as { staged: { kid: string; alg: string }[] }).staged;
    const newRs = newKids.find((k) => k.alg === 'RS256')!.kid;
    expect((await jwks()).keys.map((k) => k.kid)).toEqual(
      expect.arrayContaining([...initial.keys.map((k) => k.kid!), newRs]),
    );
    expect(decodeProtectedHeader(await idToken()).kid).toBe(oldRs);
    // The other process publishes it after its next refresh.
    await refresher.runOnce();
    expect((await otherJwks()).keys.map((k) => k.kid)).toContain(newRs);

    // 2. After the publish delay the worker promotes it: new tokens carry the new key.
    const worker = startOidcWorker(h.oidc, { log: silentLogger(), purgeEveryMs: 3_600_000, keysEveryMs: 3_600_000 });
    clock.advance(DEFAULT_KEY_POLICY.publishForMs);
    await worker.runOnce();
    const after = await idToken();
    expect(decodeProtectedHeader(after).kid).toBe(newRs);
    // The token signed before still verifies: the retired key is still published.
    const published = createLocalJWKSet(await jwks());
    await expect(jwtVerify(before, published, { issuer: h.baseUrl })).resolves.toBeDefined();
    await expect(jwtVerify(after, published, { issuer: h.baseUrl })).resolves.toBeDefined();
    const states = await fetch(`${h.baseUrl}/api/v1/admin/oidc/keys`, {
      headers: { authorization: 'Bearer admin-secret' },
    });
    const listed = ((await states.json()) as { keys: { kid: string; state: string }[] }).keys;
    expect(listed.find((k) => k.kid === oldRs)?.state).toBe('retired');
    expect(listed.find((k) => k.kid === newRs)?.state).toBe('current');

    // 3. Once what the old key signed has expired, it leaves the JWKS, here and in the other process.
    clock.advance(DEFAULT_KEY_POLICY.retainForMs);
    await worker.runOnce();
    await refresher.runOnce();
    for (const set of [await jwks(), await otherJwks()]) {
      expect(set.keys.map((k) => k.kid)).not.toContain(oldRs);
      expect(set.keys.map((k) => k.kid)).toContain(newRs);
      expect(set.keys).toHaveLength(2);
    }
    await expect(jwtVerify(before, createLocalJWKSet(await jwks()), { issuer: h.baseUrl })).rejects.toBeDefined();

    await worker.stop();
    await refresher.stop();
    await otherHttp.close();
  });
});
