import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import * as client from 'openid-client';
import { fixedClock, testPlatform, useTestDatabase } from './database.ts';
import { ACR } from '../src/oidc/model.ts';
import { Browser, authorizationRequest, signIn, startHarness, type Harness } from '../src/oidc/testing.ts';

/**
 * Threat: a level-1 account (enrolled online with a selfie) obtains a level-2 assurance (in-person
 * face and fingerprints), and with it services reserved to level 2. However the request asks —
 * acr_values, the claims parameter, the relying party's registered minimum, an existing session —
 * a level-1 account never gets urn:dinhdanh:loa:2; the relying party gets
 * unmet_authentication_requirements and the person is told how to upgrade.
 */
const t = useTestDatabase();
const clock = fixedClock(new Date());
let h: Harness;
let open: client.Configuration;
let strict: client.Configuration;

beforeAll(async () => {
  h = await startHarness(testPlatform(t.db, { clock, config: { adminToken: 'admin-secret' } }), t.database.pool, {
    clock,
  });
  const a = await h.register({ client_id: 'any-level', scopes: ['profile', 'level'] });
  const b = await h.register({ client_id: 'level-two-only', scopes: ['profile', 'level'], min_level: 2 });
  open = await h.rpConfig('any-level', a.client_secret);
  strict = await h.rpConfig('level-two-only', b.client_secret);
});

afterAll(async () => {
  await h?.stop();
});

const spouse = () => ({
  identifier: h.demo.spouse!.identifier,
  password: h.demo.spouse!.password,
  phone: '+84987654321',
});
const citizen = () => ({
  identifier: h.demo.citizen!.identifier,
  password: h.demo.citizen!.password,
  phone: '+84912345678',
});

async function attempt(
  config: client.Configuration,
  who: ReturnType<typeof spouse>,
  params: Record<string, string>,
  browser = new Browser([`${h.rp.origin}/`]),
) {
  const request = await authorizationRequest(config, {
    redirect_uri: `${h.rp.origin}/cb`,
    scope: 'openid profile level',
    ...params,
  });
  let page = await browser.go(request.url);
  if (page.html.includes('name="identifier"')) page = await signIn(h, browser, page, who);
  if (page.html.includes('/consent"')) page = await browser.submit(page, 'consent', { decision: 'allow' });
  return { page, request, browser, callback: new URL(page.url) };
}

function expectUnmet(callback: URL) {
  expect(callback.origin + callback.pathname).toBe(`${h.rp.origin}/cb`);
  expect(callback.searchParams.get('error')).toBe('unmet_authentication_requirements');
  expect(callback.searchParams.get('code')).toBeNull();
  // The description tells the person how to upgrade: at a police counter, with face and fingerprints.
  expect(callback.searchParams.get('error_description')).toMatch(/mức độ 2.*Công an cấp xã/);
}

describe('threat: level escalation', () => {
  test('acr_values=loa:2 for a level-1 account: unmet_authentication_requirements, no code', async () => {
    const { callback } = await attempt(open, spouse(), { acr_values: ACR[2] });
    expectUnmet(callback);
  });

  test('the English page language gives the English explanation', async () => {
    const { callback } = await attempt(open, spouse(), { acr_values: ACR[2], ui_locales: 'en' });
    expect(callback.searchParams.get('error')).toBe('unmet_authentication_requirements');
    expect(callback.searchParams.get('error_description')).toMatch(/level 2.*commune police/);
  });

  test("the relying party's registered minimum holds even when the request asks for nothing", async () => {
    const { callback } = await attempt(strict, spouse(), {});
    expectUnmet(callback);
  });

  test('asking for loa:1 does not lower the registered minimum of 2', async () => {
    const { callback } = await attempt(strict, spouse(), { acr_values: ACR[1] });
    expectUnmet(callback);
  });

  test('an essential acr in the claims parameter is honoured the same way', async () => {
    const { callback } = await attempt(open, spouse(), {
      claims: JSON.stringify({ id_token: { acr: { essential: true, values: [ACR[2]] } } }),
    });
    expectUnmet(callback);
  });

  test('signed in at level 1, a later loa:2 request fails at once, without a new password', async () => {
    const first = await attempt(open, spouse(), {});
    const tokens = await client.authorizationCodeGrant(open, first.callback, {
      pkceCodeVerifier: first.request.verifier,
      expectedState: first.request.state,
      expectedNonce: first.request.nonce,
    });
    expect(tokens.claims()!.acr).toBe(ACR[1]);

    const request = await authorizationRequest(open, {
      redirect_uri: `${h.rp.origin}/cb`,
      scope: 'openid profile level',
      acr_values: ACR[2],
    });
    const page = await first.browser.go(request.url);
    expect(page.html).not.toContain('name="password"');
    expectUnmet(new URL(page.url));
  });

  test('prompt=none cannot step a level-1 session up either', async () => {
    const first = await attempt(open, spouse(), {});
    const request = await authorizationRequest(open, {
      redirect_uri: `${h.rp.origin}/cb`,
      acr_values: ACR[2],
      prompt: 'none',
    });
    const page = await first.browser.go(request.url);
    const back = new URL(page.url);
    expect(back.searchParams.get('code')).toBeNull();
    expect(back.searchParams.get('error')).toBe('login_required');
  });

  test('the refusal is in the audit ledger, and the subject sees it', async () => {
    await attempt(open, spouse(), { acr_values: ACR[2] });
    const history = await h.kit.audit.historyOf({ kind: 'account', id: h.demo.spouse!.accountId }, 500);
    expect(history.some((e) => e.action === 'oidc.login.level_unmet' && e.outcome === 'denied')).toBe(true);
  });

  test('a level-2 account gets loa:2, also when loa:1 was asked (levels are ordered)', async () => {
    for (const acr of [ACR[2], ACR[1]]) {
      const { callback, request } = await attempt(strict, citizen(), { acr_values: acr });
      const tokens = await client.authorizationCodeGrant(strict, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
      expect(tokens.claims()!.acr).toBe(ACR[2]);
    }
  });

  test('the acr cannot be forged by the browser: the level comes from the account, not the request', async () => {
    // A level-1 account asking for loa:1 gets exactly loa:1 and the level claim 1.
    const { callback, request } = await attempt(open, spouse(), { acr_values: ACR[1] });
    const tokens = await client.authorizationCodeGrant(open, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    expect(tokens.claims()!.acr).toBe(ACR[1]);
    const info = await client.fetchUserInfo(open, tokens.access_token, tokens.claims()!.sub);
    expect(info.level).toBe(1);
  });

  test('max_age forces a new sign-in (step-up by re-authentication)', async () => {
    const first = await attempt(open, citizen(), {});
    const firstTokens = await client.authorizationCodeGrant(open, first.callback, {
      pkceCodeVerifier: first.request.verifier,
      expectedState: first.request.state,
      expectedNonce: first.request.nonce,
    });
    const firstAuth = firstTokens.claims()!.auth_time!;
    // Two minutes later (oidc-provider reads the system time), an RP asks for an authentication
    // no older than one minute: the session is not enough, the person signs in again.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 120_000);
      const request = await authorizationRequest(open, { redirect_uri: `${h.rp.origin}/cb`, max_age: '60' });
      const page = await first.browser.go(request.url);
      expect(page.html).toContain('name="identifier"');
      const done = await signIn(h, first.browser, page, citizen());
      const tokens = await client.authorizationCodeGrant(open, new URL(done.url), {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
        maxAge: 60,
      });
      expect(tokens.claims()!.auth_time!).toBeGreaterThanOrEqual(firstAuth + 120);

      // Within max_age, the session does: no sign-in.
      const again = await authorizationRequest(open, { redirect_uri: `${h.rp.origin}/cb`, max_age: '60' });
      const quick = await first.browser.go(again.url);
      expect(new URL(quick.url).searchParams.get('code')).toBeTruthy();
    } finally {
      vi.useRealTimers();
    }
  });
});
