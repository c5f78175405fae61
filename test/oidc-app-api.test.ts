import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { fixedClock, testPlatform, useTestDatabase } from './database.ts';
import { Browser, authorizationRequest, signIn, startHarness, type Harness } from '../src/oidc/testing.ts';

/**
 * The platform's own API behind the provider's tokens: the subject's account, authentication
 * history and consents (withdrawing one revokes the relying party's tokens), the end of every
 * session when auth replaces a device, and a lock taking effect at once.
 */
const t = useTestDatabase();
const clock = fixedClock(new Date());
let h: Harness;
let app: client.Configuration;
let portal: client.Configuration;

beforeAll(async () => {
  h = await startHarness(testPlatform(t.db, { clock, config: { adminToken: 'admin-secret' } }), t.database.pool, {
    clock,
  });
  await h.register({
    client_id: 'citizen-app',
    first_party: true,
    token_endpoint_auth_method: 'none',
    scopes: ['profile', 'api:app'],
  });
  const p = await h.register({
    client_id: 'dvc-portal',
    scopes: ['profile', 'pin', 'level'],
    backchannel_logout_uri: `${h.rp.origin}/backchannel-logout`,
  });
  app = await h.rpConfig('citizen-app');
  portal = await h.rpConfig('dvc-portal', p.client_secret);
});

afterAll(async () => {
  await h?.stop();
});

const citizen = () => ({
  identifier: h.demo.citizen!.identifier,
  password: h.demo.citizen!.password,
  phone: '+84912345678',
});

async function tokensFor(config: client.Configuration, scope: string, browser = new Browser([`${h.rp.origin}/`])) {
  // offline_access counts only with prompt=consent (OIDC Core §11).
  const request = await authorizationRequest(config, {
    redirect_uri: `${h.rp.origin}/cb`,
    scope,
    ...(scope.includes('offline_access') ? { prompt: 'consent' } : {}),
  });
  let page = await browser.go(request.url);
  if (page.html.includes('name="identifier"')) page = await signIn(h, browser, page, citizen());
  const consented = page.html.includes('/consent"');
  if (consented) page = await browser.submit(page, 'consent', { decision: 'allow' });
  const tokens = await client.authorizationCodeGrant(config, new URL(page.url), {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
  return { tokens, consented, browser };
}

async function api(path: string, token: string, init: { method?: string } = {}) {
  const response = await fetch(`${h.baseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Record<string, any> };
}

describe('the app API behind the provider', () => {
  test('the citizen app signs in without a consent screen and reads the account', async () => {
    const { tokens, consented } = await tokensFor(app, 'openid profile api:app');
    expect(consented).toBe(false);
    const me = await api('/api/v1/app/me', tokens.access_token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      id: h.demo.citizen!.accountId,
      full_name: 'Nguyễn Văn An',
      level: 2,
      status: 'active',
      phone: '0912***678',
      card_available: true,
    });
  });

  test("a relying party's token for the same person does not open the app API", async () => {
    const { tokens } = await tokensFor(portal, 'openid profile');
    const refused = await api('/api/v1/app/me', tokens.access_token);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('OIDC_TOKEN_SCOPE');
  });

  test('the history shows which relying party, when, at what level, and which claims', async () => {
    await tokensFor(portal, 'openid profile pin level');
    const { tokens } = await tokensFor(app, 'openid api:app');
    const history = await api('/api/v1/app/history', tokens.access_token);
    expect(history.status).toBe(200);
    const entries = history.body.entries as {
      action: string;
      relying_party: { client_id: string; name: string } | null;
      level: number | null;
      claims: string[];
      amr: string[];
    }[];
    const issued = entries.find((e) => e.action === 'oidc.token.issued' && e.relying_party?.client_id === 'dvc-portal');
    expect(issued).toMatchObject({
      relying_party: { client_id: 'dvc-portal', name: 'Dịch vụ dvc-portal' },
      level: 2,
      amr: ['pwd', 'sms'],
    });
    expect(issued!.claims).toEqual(expect.arrayContaining(['name', 'birthdate', 'pin', 'level']));
    expect(
      entries.some((e) => e.action === 'oidc.consent.granted' && e.relying_party?.client_id === 'dvc-portal'),
    ).toBe(true);
    expect(entries.some((e) => e.action === 'oidc.login.success')).toBe(true);
    // The password check and the SMS code are in the same history (auth context).
    expect(entries.some((e) => e.action.startsWith('auth.'))).toBe(true);
  });

  test('the history names the unit of an officer who read the record, not the officer', async () => {
    const citizenId = h.demo.citizen!.accountId;
    const officer = h.demo['officer-callcenter-c06']!;
    await h.kit.audit.append(t.db, {
      actor: { kind: 'officer', id: officer.accountId },
      action: 'officer.account.lookup',
      subject: { kind: 'account', id: citizenId },
      outcome: 'success',
      detail: { purpose: 'call_centre' },
    });
    const { tokens } = await tokensFor(app, 'openid api:app');
    const history = await api('/api/v1/app/history', tokens.access_token);
    const read = (history.body.entries as { action: string; actor: object; purpose: string | null }[]).find(
      (e) => e.action === 'officer.account.lookup',
    );
    const unit = (await h.kit.backoffice.assignmentsOf(officer.accountId))[0]!.unit;
    expect(read).toMatchObject({ actor: { kind: 'officer', unit: unit.nameVi }, purpose: 'call_centre' });
    expect(JSON.stringify(history.body)).not.toContain(officer.accountId);
  });

  test('userinfo releases are recorded with the claim names', async () => {
    const { tokens } = await tokensFor(portal, 'openid profile pin');
    await client.fetchUserInfo(portal, tokens.access_token, h.demo.citizen!.accountId);
    const entries = await h.kit.audit.historyOf({ kind: 'account', id: h.demo.citizen!.accountId }, 20);
    const released = entries.find((e) => e.action === 'oidc.claims.released');
    expect((released?.detail as { claims: string[] }).claims).toEqual(expect.arrayContaining(['name', 'pin']));
  });

  test('consents are listed and withdrawing one revokes the relying party at once (and tells it)', async () => {
    const portalTokens = (await tokensFor(portal, 'openid profile pin level offline_access')).tokens;
    const { tokens } = await tokensFor(app, 'openid api:app');
    const listed = await api('/api/v1/app/consents', tokens.access_token);
    expect(listed.status).toBe(200);
    const consents = listed.body.consents as { client_id: string; kind: string; claims: string[] }[];
    expect(consents.map((c) => c.client_id)).toEqual(['dvc-portal']); // the app itself is no consent
    expect(consents[0]).toMatchObject({ kind: 'state' });
    expect(consents[0]!.claims).toEqual(expect.arrayContaining(['pin']));

    const before = h.rp.logoutTokens.length;
    const revoked = await api('/api/v1/app/consents/dvc-portal', tokens.access_token, { method: 'DELETE' });
    expect(revoked.status).toBe(204);
    expect((await client.tokenIntrospection(portal, portalTokens.access_token)).active).toBe(false);
    await expect(client.refreshTokenGrant(portal, portalTokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect(h.rp.logoutTokens.length).toBeGreaterThan(before);

    expect((await api('/api/v1/app/consents', tokens.access_token)).body.consents).toEqual([]);
    const again = await api('/api/v1/app/consents/dvc-portal', tokens.access_token, { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(again.body.code).toBe('CONSENT_NOT_FOUND');

    // Next time the portal asks, the subject is asked again.
    expect((await tokensFor(portal, 'openid profile')).consented).toBe(true);
  });

  test('a new device ends every session and grant (auth calls sessions.endAll), with back-channel logout', async () => {
    const account = h.demo.citizen!.accountId;
    const ctx = { ip: '127.0.0.1', locale: 'vi' as const };
    const register = async (name: string) => {
      const otp = await h.kit.auth.startOtp(account, 'device', ctx);
      const code = await h.readOtp(citizen().phone);
      await h.kit.auth.registerDevice(account, { name, challengeId: otp.challengeId, code }, ctx);
    };
    await register('Điện thoại cũ');
    const appSession = await tokensFor(app, 'openid api:app');
    const portalSession = await tokensFor(portal, 'openid profile', appSession.browser);
    const sid = portalSession.tokens.claims()!.sid;
    const before = h.rp.logoutTokens.length;

    await register('Điện thoại mới');

    expect((await api('/api/v1/app/me', appSession.tokens.access_token)).status).toBe(401);
    expect((await client.tokenIntrospection(portal, portalSession.tokens.access_token)).active).toBe(false);
    await h.rp.waitForLogoutTokens(before + 1);
    const jwks = createRemoteJWKSet(new URL(`${h.baseUrl}/oidc/jwks`));
    const sent = await Promise.all(
      h.rp.logoutTokens
        .slice(before)
        .map(async (token) => (await jwtVerify(token, jwks, { issuer: h.baseUrl })).payload),
    );
    expect(sent.some((p) => p.sid === sid && p.sub === account)).toBe(true);
    // The browser's session is gone too: the next authorization asks for a sign-in.
    const next = await appSession.browser.go(
      (await authorizationRequest(app, { redirect_uri: `${h.rp.origin}/cb` })).url,
    );
    expect(next.html).toContain('name="identifier"');
  });

  test('a locked account: the API, userinfo and refresh stop at once; unlocking restores the account', async () => {
    const account = h.demo.citizen!.accountId;
    const { tokens } = await tokensFor(app, 'openid api:app');
    const portalTokens = (await tokensFor(portal, 'openid profile offline_access')).tokens;
    const current = (await h.kit.identity.get(account))!;
    const locked = await h.kit.identity.lock(h.platform.db, account, 'holder_request', {
      expectedVersion: current.version,
      actor: { kind: 'account', id: account },
    });
    try {
      const refused = await api('/api/v1/app/me', tokens.access_token);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('OIDC_ACCOUNT_INACTIVE');
      await expect(client.fetchUserInfo(portal, portalTokens.access_token, account)).rejects.toBeDefined();
      await expect(client.refreshTokenGrant(portal, portalTokens.refresh_token!)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
    } finally {
      await h.kit.identity.unlock(h.platform.db, account, 'holder_request', {
        expectedVersion: locked.version,
        actor: { kind: 'account', id: account },
      });
    }
    expect((await api('/api/v1/app/me', tokens.access_token)).status).toBe(200);
  });

  test('a disabled relying party: its tokens stop working; re-enabled, it works again', async () => {
    const { tokens } = await tokensFor(portal, 'openid profile');
    const setStatus = (status: string) =>
      fetch(`${h.baseUrl}/api/v1/admin/relying-parties/dvc-portal/status`, {
        method: 'PUT',
        headers: { authorization: 'Bearer admin-secret', 'content-type': 'application/json' },
        body: JSON.stringify({ status }),
      });
    expect((await setStatus('disabled')).status).toBe(200);
    await expect(client.fetchUserInfo(portal, tokens.access_token, h.demo.citizen!.accountId)).rejects.toBeDefined();
    expect((await setStatus('active')).status).toBe(200);
    await expect(client.fetchUserInfo(portal, tokens.access_token, h.demo.citizen!.accountId)).resolves.toMatchObject({
      sub: h.demo.citizen!.accountId,
    });
  });
});

describe('relying-party administration', () => {
  test('registration validates, shows the secret once, and lists without it', async () => {
    const post = (body: object) =>
      fetch(`${h.baseUrl}/api/v1/admin/relying-parties`, {
        method: 'POST',
        headers: { authorization: 'Bearer admin-secret', 'content-type': 'application/json', 'accept-language': 'en' },
        body: JSON.stringify({ kind: 'state', name_vi: 'A', name_en: 'A', scopes: ['profile'], ...body }),
      });
    const insecure = await post({ redirect_uris: ['http://portal.example.vn/cb'] });
    expect(insecure.status).toBe(400);
    expect(await insecure.json()).toMatchObject({ code: 'RP_INVALID' });
    const noSector = await post({ kind: 'private', redirect_uris: ['https://shop.example.vn/cb'] });
    expect(await noSector.json()).toMatchObject({ code: 'RP_INVALID', field: 'sector_identifier' });
    const apiScope = await post({ redirect_uris: ['https://portal.example.vn/cb'], scopes: ['api:app'] });
    expect(await apiScope.json()).toMatchObject({ code: 'RP_SCOPE_NOT_ALLOWED' });

    const created = await post({ client_id: 'thue-portal', redirect_uris: ['https://thue.example.gov.vn/cb'] });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { client_secret: string };
    expect(body.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await post({ client_id: 'thue-portal', redirect_uris: ['https://thue.example.gov.vn/cb'] })).status).toBe(
      409,
    );

    const list = await fetch(`${h.baseUrl}/api/v1/admin/relying-parties`, {
      headers: { authorization: 'Bearer admin-secret' },
    });
    const text = await list.text();
    expect(text).toContain('thue-portal');
    expect(text).not.toContain(body.client_secret);
    const listed = (JSON.parse(text) as { relying_parties: Record<string, unknown>[] }).relying_parties;
    expect(listed.every((rp) => !('client_secret' in rp))).toBe(true);
    // Sealed at rest: the secret is not in the table in clear.
    const row = await h.platform.db
      .selectFrom('oidc.clients')
      .selectAll()
      .where('client_id', '=', 'thue-portal')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(body.client_secret);

    const unauthenticated = await fetch(`${h.baseUrl}/api/v1/admin/relying-parties`);
    expect(unauthenticated.status).toBe(401);
  });
});
