import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as client from 'openid-client';
import { fixedClock, testPlatform, useTestDatabase } from './database.ts';
import { Browser, authorizationRequest, signIn, startHarness, type Harness } from '../src/oidc/testing.ts';

/**
 * Threat: a private relying party (a bank, a shop, reached through a licensed authentication
 * provider) reuses one consent to authenticate the subject again and again, silently (Decree 69
 * Art 19.3 requires the subject's consent for each request). The private relying party gets a
 * consent prompt on every authorization, even with a live session; a state relying party's consent
 * is remembered per scope. A private relying party also never gets the PIN nor a stable,
 * cross-service identifier.
 */
const t = useTestDatabase();
const clock = fixedClock(new Date());
let h: Harness;
let bank: client.Configuration;
let portal: client.Configuration;

beforeAll(async () => {
  h = await startHarness(testPlatform(t.db, { clock, config: { adminToken: 'admin-secret' } }), t.database.pool, {
    clock,
  });
  const b = await h.register({
    client_id: 'bank-ekyc',
    kind: 'private',
    sector_identifier: 'bank.example.vn',
    scopes: ['profile', 'phone'],
  });
  const p = await h.register({ client_id: 'state-portal', kind: 'state', scopes: ['profile', 'pin', 'phone'] });
  bank = await h.rpConfig('bank-ekyc', b.client_secret);
  portal = await h.rpConfig('state-portal', p.client_secret);
});

afterAll(async () => {
  await h?.stop();
});

const citizen = () => ({
  identifier: h.demo.citizen!.identifier,
  password: h.demo.citizen!.password,
  phone: '+84912345678',
});

async function authorize(config: client.Configuration, browser: Browser, scope: string) {
  const request = await authorizationRequest(config, { redirect_uri: `${h.rp.origin}/cb`, scope });
  let page = await browser.go(request.url);
  let signedIn = false;
  if (page.html.includes('name="identifier"')) {
    page = await signIn(h, browser, page, citizen());
    signedIn = true;
  }
  const consentPage = page.html.includes('/consent"') ? page : undefined;
  if (consentPage) page = await browser.submit(page, 'consent', { decision: 'allow' });
  const callback = new URL(page.url);
  expect(callback.searchParams.get('code')).toBeTruthy();
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
  return { consentPage, signedIn, tokens };
}

describe('threat: one consent reused for many authentications by a private relying party', () => {
  test('a private relying party gets a consent prompt on every login, even within one session', async () => {
    const browser = new Browser([`${h.rp.origin}/`]);
    const first = await authorize(bank, browser, 'openid profile phone');
    expect(first.signedIn).toBe(true);
    expect(first.consentPage).toBeDefined();
    // The page lists what is released and says why it asks each time.
    expect(first.consentPage!.html).toContain('Họ và tên');
    expect(first.consentPage!.html).toContain('Số điện thoại');
    expect(first.consentPage!.html).toContain('Điều 19');

    const second = await authorize(bank, browser, 'openid profile phone');
    expect(second.signedIn).toBe(false); // single sign-on: no password again…
    expect(second.consentPage).toBeDefined(); // …but consent again.

    const third = await authorize(bank, new Browser([`${h.rp.origin}/`]), 'openid profile');
    expect(third.consentPage).toBeDefined();
  });

  test('a state relying party asks once per set of scopes, across sessions, and again for a new scope', async () => {
    const browser = new Browser([`${h.rp.origin}/`]);
    const first = await authorize(portal, browser, 'openid profile');
    expect(first.consentPage).toBeDefined();

    const same = await authorize(portal, browser, 'openid profile');
    expect(same.consentPage).toBeUndefined();

    // A new browser (a new session, a new sign-in): the consent is remembered.
    const elsewhere = await authorize(portal, new Browser([`${h.rp.origin}/`]), 'openid profile');
    expect(elsewhere.signedIn).toBe(true);
    expect(elsewhere.consentPage).toBeUndefined();

    // Asking for more needs consent to the new scope only.
    const more = await authorize(portal, browser, 'openid profile pin');
    expect(more.consentPage).toBeDefined();
    expect(more.consentPage!.html).toContain('Số định danh cá nhân');
    expect(more.consentPage!.html).not.toContain('Họ và tên');
  });

  test('denying consent sends access_denied and no code', async () => {
    const browser = new Browser([`${h.rp.origin}/`]);
    const request = await authorizationRequest(bank, { redirect_uri: `${h.rp.origin}/cb`, scope: 'openid profile' });
    let page = await signIn(h, browser, await browser.go(request.url), citizen());
    page = await browser.submit(page, 'consent', { decision: 'deny' });
    const back = new URL(page.url);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('code')).toBeNull();
  });

  test('prompt=none cannot skip the consent of a private relying party', async () => {
    const browser = new Browser([`${h.rp.origin}/`]);
    await authorize(bank, browser, 'openid profile');
    const request = await authorizationRequest(bank, {
      redirect_uri: `${h.rp.origin}/cb`,
      scope: 'openid profile',
      prompt: 'none',
    });
    const page = await browser.go(request.url);
    const back = new URL(page.url);
    expect(back.searchParams.get('error')).toBe('consent_required');
    expect(back.searchParams.get('code')).toBeNull();
  });

  test('a private relying party gets no refresh token, whatever it asks', async () => {
    const browser = new Browser([`${h.rp.origin}/`]);
    const { tokens } = await authorize(bank, browser, 'openid profile offline_access');
    expect(tokens.refresh_token).toBeUndefined();
  });

  test('a private relying party gets a pairwise sub, never the account id nor the PIN', async () => {
    const browser = new Browser([`${h.rp.origin}/`]);
    const one = await authorize(bank, browser, 'openid profile phone');
    const two = await authorize(bank, browser, 'openid profile phone');
    const sub = one.tokens.claims()!.sub;
    expect(sub).not.toBe(h.demo.citizen!.accountId);
    expect(sub).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(two.tokens.claims()!.sub).toBe(sub); // stable for the sector
    const info = await client.fetchUserInfo(bank, two.tokens.access_token, sub);
    expect(info.name).toBe('Nguyễn Văn An');
    expect(info).not.toHaveProperty('pin');
    expect(JSON.stringify(info)).not.toContain(h.demo.citizen!.identifier);

    const state = await authorize(portal, browser, 'openid profile pin');
    expect(state.tokens.claims()!.sub).toBe(h.demo.citizen!.accountId);
    const stateInfo = await client.fetchUserInfo(portal, state.tokens.access_token, h.demo.citizen!.accountId);
    expect(stateInfo.pin).toBe(h.demo.citizen!.identifier);
  });

  test('a private relying party cannot be allowed the PIN, nor ask for it', async () => {
    const response = await fetch(`${h.baseUrl}/api/v1/admin/relying-parties`, {
      method: 'POST',
      headers: { authorization: 'Bearer admin-secret', 'content-type': 'application/json', 'accept-language': 'en' },
      body: JSON.stringify({
        client_id: 'greedy-shop',
        kind: 'private',
        name_vi: 'Cửa hàng',
        name_en: 'Shop',
        sector_identifier: 'shop.example.vn',
        redirect_uris: [`${h.rp.origin}/cb`],
        scopes: ['profile', 'pin'],
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'RP_SCOPE_NOT_ALLOWED', field: 'scopes' });

    const browser = new Browser([`${h.rp.origin}/`]);
    const request = await authorizationRequest(bank, { redirect_uri: `${h.rp.origin}/cb`, scope: 'openid pin' });
    const page = await browser.go(request.url);
    expect(new URL(page.url).searchParams.get('error')).toBe('invalid_scope');
  });

  test('each consent is recorded, with the claims released', async () => {
    const history = await h.kit.audit.historyOf({ kind: 'account', id: h.demo.citizen!.accountId }, 1000);
    const consents = history.filter(
      (e) => e.action === 'oidc.consent.granted' && (e.detail as { client_id: string }).client_id === 'bank-ekyc',
    );
    expect(consents.length).toBeGreaterThanOrEqual(3);
    expect(consents.every((e) => (e.detail as { kind: string }).kind === 'private')).toBe(true);
    expect((consents[consents.length - 1]!.detail as { claims: string[] }).claims).toEqual(
      expect.arrayContaining(['name', 'phone_number']),
    );
  });
});
