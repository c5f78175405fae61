import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as client from 'openid-client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { fixedClock, testPlatform, useTestDatabase } from './database.ts';
import { ACR } from '../src/oidc/model.ts';
import { Browser, authorizationRequest, signIn, startHarness, type Harness } from '../src/oidc/testing.ts';

/**
 * Acceptance: the whole authorization-code flow with openid-client as the relying party against
 * the real server (Fastify on 127.0.0.1, port 0), the login pages driven by a browser without
 * JavaScript, the one-time code read from the in-process SMSC after the notification worker ran.
 */
const t = useTestDatabase();
const clock = fixedClock(new Date());
let h: Harness;
let secret: string;
let config: client.Configuration;

beforeAll(async () => {
  h = await startHarness(testPlatform(t.db, { clock, config: { adminToken: 'admin-secret' } }), t.database.pool, {
    clock,
  });
  const rp = await h.register({
    client_id: 'dvc-portal',
    kind: 'state',
    scopes: ['profile', 'pin', 'phone', 'level'],
    backchannel_logout_uri: `${h.rp.origin}/backchannel-logout`,
  });
  secret = rp.client_secret!;
  config = await h.rpConfig('dvc-portal', secret);
});

afterAll(async () => {
  await h?.stop();
});

const citizen = () => ({
  identifier: h.demo.citizen!.identifier,
  password: h.demo.citizen!.password,
  phone: '+84912345678',
});

/** Signs the demo citizen in from a fresh browser and returns the callback URL with the code. */
async function codeFor(params: Record<string, string> = {}, browser = new Browser([`${h.rp.origin}/`])) {
  const request = await authorizationRequest(config, {
    redirect_uri: `${h.rp.origin}/cb`,
    scope: 'openid profile pin phone level offline_access',
    prompt: 'consent',
    ...params,
  });
  let page = await browser.go(request.url);
  if (!page.url.startsWith(h.rp.origin)) {
    page = await signIn(h, browser, page, citizen());
    if (page.html.includes('/consent"')) page = await browser.submit(page, 'consent', { decision: 'allow' });
  }
  return { ...request, callback: page.url, browser };
}

describe('OpenID Connect: the full flow', () => {
  test('discovery at the base URL names the endpoints under /oidc, PKCE S256, the levels and the scopes', async () => {
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(h.baseUrl);
    expect(meta.authorization_endpoint).toBe(`${h.baseUrl}/oidc/auth`);
    expect(meta.token_endpoint).toBe(`${h.baseUrl}/oidc/token`);
    expect(meta.userinfo_endpoint).toBe(`${h.baseUrl}/oidc/me`);
    expect(meta.jwks_uri).toBe(`${h.baseUrl}/oidc/jwks`);
    expect(meta.end_session_endpoint).toBe(`${h.baseUrl}/oidc/session/end`);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.acr_values_supported).toEqual([ACR[1], ACR[2]]);
    expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'pin', 'phone', 'level']));
    expect(meta.backchannel_logout_supported).toBe(true);
    expect(meta.subject_types_supported).toEqual(expect.arrayContaining(['public', 'pairwise']));
    expect(meta.response_types_supported).toEqual(['code']);
  });

  test('authorization code + PKCE through the pages (password then SMS code), tokens, id_token, userinfo', async () => {
    const browser = new Browser([`${h.rp.origin}/`]);
    const request = await authorizationRequest(config, {
      redirect_uri: `${h.rp.origin}/cb`,
      scope: 'openid profile pin phone level offline_access',
      prompt: 'consent',
    });
    let page = await browser.go(request.url);
    expect(page.status).toBe(200);
    expect(page.url).toMatch(new RegExp(`^${h.baseUrl}/interaction/[\\w-]+$`));
    expect(page.html).toContain('<html lang="vi">');
    expect(page.html).toContain('<label for="identifier">');

    page = await browser.submit(page, 'identifier', { identifier: citizen().identifier });
    expect(page.html).toContain('autocomplete="current-password"');
    page = await browser.submit(page, 'password', { password: citizen().password });
    expect(page.status).toBe(200);
    // The page names the phone the code went to, masked.
    expect(page.html).toContain('0912***678');
    const code = await h.readOtp(citizen().phone);
    page = await browser.submit(page, 'otp', { code });
    // A state relying party: one consent for these scopes.
    expect(page.html).toContain('Số định danh cá nhân');
    page = await browser.submit(page, 'consent', { decision: 'allow' });
    expect(page.url.startsWith(`${h.rp.origin}/cb?`)).toBe(true);

    const tokens = await client.authorizationCodeGrant(config, new URL(page.url), {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
      idTokenExpected: true,
    });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expires_in).toBe(600);
    expect(tokens.refresh_token).toBeTruthy();

    // The id_token's signature, against the published JWKS.
    const jwks = createRemoteJWKSet(new URL(`${h.baseUrl}/oidc/jwks`));
    const { payload } = await jwtVerify(tokens.id_token!, jwks, { issuer: h.baseUrl, audience: 'dvc-portal' });
    expect(payload.sub).toBe(h.demo.citizen!.accountId);
    expect(payload.acr).toBe(ACR[2]);
    expect(payload.amr).toEqual(['pwd', 'sms']);
    expect(payload.nonce).toBe(request.nonce);
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');

    const info = await client.fetchUserInfo(config, tokens.access_token, payload.sub!);
    expect(info).toMatchObject({
      sub: h.demo.citizen!.accountId,
      name: 'Nguyễn Văn An',
      birthdate: '1990-05-15',
      gender: 'male',
      pin: '001090048213',
      phone_number: '+84912345678',
      phone_number_verified: true,
      level: 2,
    });
  });

  test('refresh tokens rotate: the new one works, and reusing the old one revokes the whole family', async () => {
    const { callback, verifier, state, nonce } = await codeFor();
    const first = await client.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const second = await client.refreshTokenGrant(config, first.refresh_token!);
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    await expect(client.fetchUserInfo(config, second.access_token, h.demo.citizen!.accountId)).resolves.toMatchObject({
      sub: h.demo.citizen!.accountId,
    });

    // The old refresh token again: a stolen copy being replayed. Refused, and the family goes.
    await expect(client.refreshTokenGrant(config, first.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(client.refreshTokenGrant(config, second.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const introspected = await client.tokenIntrospection(config, second.access_token);
    expect(introspected.active).toBe(false);
  });

  test('introspection and revocation', async () => {
    const { callback, verifier, state, nonce } = await codeFor();
    const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const active = await client.tokenIntrospection(config, tokens.access_token);
    expect(active).toMatchObject({ active: true, client_id: 'dvc-portal', sub: h.demo.citizen!.accountId });
    expect(String(active.scope).split(' ')).toEqual(expect.arrayContaining(['openid', 'profile', 'pin']));

    await client.tokenRevocation(config, tokens.access_token);
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    await expect(client.fetchUserInfo(config, tokens.access_token, h.demo.citizen!.accountId)).rejects.toBeDefined();

    // Revoking the refresh token ends the grant: nothing issued under it works any more.
    await client.tokenRevocation(config, tokens.refresh_token!);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  test('RP-initiated logout ends the session and its tokens, and tells the relying party by back-channel', async () => {
    const before = h.rp.logoutTokens.length;
    const { callback, verifier, state, nonce, browser } = await codeFor({ scope: 'openid profile' });
    const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const idClaims = tokens.claims()!;
    expect(idClaims.sid).toBeTruthy();

    const logoutUrl = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: `${h.rp.origin}/bye`,
      state: 'logout-state',
    });
    const confirm = await browser.go(logoutUrl.toString());
    expect(confirm.status).toBe(200);
    expect(confirm.html).toContain('<html lang="vi">');
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)">/.exec(confirm.html)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.html)![1]!;
    const done = await browser.go(new URL(action, h.baseUrl).toString(), { form: { xsrf, logout: 'yes' } });
    expect(done.url).toBe(`${h.rp.origin}/bye?state=logout-state`);

    await h.rp.waitForLogoutTokens(before + 1);
    const logoutToken = h.rp.logoutTokens[before]!;
    const jwks = createRemoteJWKSet(new URL(`${h.baseUrl}/oidc/jwks`));
    const { payload, protectedHeader } = await jwtVerify(logoutToken, jwks, {
      issuer: h.baseUrl,
      audience: 'dvc-portal',
      typ: 'logout+jwt',
    });
    expect(protectedHeader.typ).toBe('logout+jwt');
    expect(payload.sub).toBe(h.demo.citizen!.accountId);
    expect(payload.sid).toBe(idClaims.sid);
    expect(payload.events).toEqual({ 'http://schemas.openid.net/event/backchannel-logout': {} });

    // The access token was bound to the session (no offline_access): it ended with it.
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    // The next authorization asks for a sign-in again.
    const again = await browser.go((await authorizationRequest(config, { redirect_uri: `${h.rp.origin}/cb` })).url);
    expect(again.html).toContain('name="identifier"');
  });
});

describe('OpenID Connect: the claims parameter', () => {
  test('a claim asked by name is consented to, then released through userinfo', async () => {
    const browser = new Browser([`${h.rp.origin}/`]);
    const request = await authorizationRequest(config, {
      redirect_uri: `${h.rp.origin}/cb`,
      scope: 'openid',
      claims: JSON.stringify({ userinfo: { birthdate: null } }),
    });
    let page = await signIn(h, browser, await browser.go(request.url), citizen());
    expect(page.html).toContain('Ngày sinh');
    page = await browser.submit(page, 'consent', { decision: 'allow' });
    const tokens = await client.authorizationCodeGrant(config, new URL(page.url), {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    const info = await client.fetchUserInfo(config, tokens.access_token, h.demo.citizen!.accountId);
    expect(info).toEqual({ sub: h.demo.citizen!.accountId, birthdate: '1990-05-15' });
  });
});

describe('OpenID Connect: what must be refused', () => {
  test('a code is single use: replaying it is invalid_grant and revokes what the first exchange issued', async () => {
    const { callback, verifier, state, nonce } = await codeFor();
    const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    await expect(
      client.authorizationCodeGrant(config, new URL(callback), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  test('PKCE is required: a request without code_challenge goes back with invalid_request', async () => {
    const browser = new Browser([`${h.rp.origin}/`]);
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: `${h.rp.origin}/cb`,
      scope: 'openid',
      state: 'no-pkce',
    });
    const page = await browser.go(url.toString());
    const back = new URL(page.url);
    expect(back.pathname).toBe('/cb');
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toMatch(/PKCE/);
    expect(back.searchParams.get('state')).toBe('no-pkce');
  });

  test('PKCE plain is refused, and a wrong code_verifier is invalid_grant', async () => {
    const browser = new Browser([`${h.rp.origin}/`]);
    const plain = await browser.go(
      client
        .buildAuthorizationUrl(config, {
          redirect_uri: `${h.rp.origin}/cb`,
          scope: 'openid',
          code_challenge: 'a'.repeat(43),
          code_challenge_method: 'plain',
        })
        .toString(),
    );
    expect(new URL(plain.url).searchParams.get('error')).toBe('invalid_request');

    const { callback, state, nonce } = await codeFor();
    await expect(
      client.authorizationCodeGrant(config, new URL(callback), {
        pkceCodeVerifier: client.randomPKCECodeVerifier(),
        expectedState: state,
        expectedNonce: nonce,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  test('an unregistered redirect URI is never redirected to: the provider shows an error page', async () => {
    const browser = new Browser([`${h.rp.origin}/`, 'https://attacker.example/']);
    const { url } = await authorizationRequest(config, { redirect_uri: 'https://attacker.example/cb' });
    const page = await browser.go(url);
    expect(page.url.startsWith(h.baseUrl)).toBe(true);
    expect(page.status).toBe(400);
    expect(page.html).toContain('<html lang="vi">');
    expect(page.html).toContain('role="alert"');
    expect(page.html).toContain('invalid_redirect_uri');
    expect(page.response.headers.get('x-frame-options')).toBe('DENY');
  });

  test('the token endpoint refuses a wrong client secret', async () => {
    const { callback, verifier, state, nonce } = await codeFor();
    const wrong = await h.rpConfig('dvc-portal', `${secret}x`);
    const refused = await client
      .authorizationCodeGrant(wrong, new URL(callback), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      })
      .then(
        () => undefined,
        (error: unknown) => error as { status: number; cause: { parameters: { error?: string } }[] },
      );
    // 401 with a WWW-Authenticate challenge naming the error (client_secret_basic, RFC 6749 §5.2).
    expect(refused?.status).toBe(401);
    expect(refused?.cause[0]?.parameters.error).toBe('invalid_client');
    // The code was not spent by the failed attempt: the right secret still redeems it.
    await expect(
      client.authorizationCodeGrant(config, new URL(callback), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      }),
    ).resolves.toMatchObject({ token_type: expect.stringMatching(/bearer/i) });
  });

  test('an expired code is refused (the clock moved past its 60 s)', async () => {
    const { callback, verifier, state, nonce } = await codeFor();
    clock.advance(61_000);
    await expect(
      client.authorizationCodeGrant(config, new URL(callback), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  test('a code issued to one client cannot be redeemed by another', async () => {
    const other = await h.register({ client_id: 'other-portal', scopes: ['profile'] });
    const otherConfig = await h.rpConfig('other-portal', other.client_secret);
    const { callback, verifier, state, nonce } = await codeFor();
    await expect(
      client.authorizationCodeGrant(otherConfig, new URL(callback), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
