import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as client from 'openid-client';
import { fixedClock, testPlatform, useTestDatabase } from './database.ts';
import { Browser, authorizationRequest, signIn, startHarness, type Harness } from '../src/oidc/testing.ts';

/**
 * Threat: an officer of one unit reads another unit's records (an officer of Ho Chi Minh City's
 * PC06 browsing a Hanoi commune's files). The officer API takes only the provider's access tokens
 * issued to the officer console (TOTP sign-in, scope api:officer), and checks role and unit scope
 * with the back office on every call.
 */
const t = useTestDatabase();
const clock = fixedClock(new Date());
let h: Harness;
let console_: client.Configuration;
let app: client.Configuration;
const units: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness(testPlatform(t.db, { clock, config: { adminToken: 'admin-secret' } }), t.database.pool, {
    clock,
  });
  await h.register({
    client_id: 'officer-console',
    first_party: true,
    officer_console: true,
    token_endpoint_auth_method: 'none',
    scopes: ['profile', 'api:officer'],
  });
  await h.register({
    client_id: 'citizen-app',
    first_party: true,
    token_endpoint_auth_method: 'none',
    scopes: ['profile', 'api:app'],
  });
  console_ = await h.rpConfig('officer-console');
  app = await h.rpConfig('citizen-app');
  for (const code of ['PC06-HCM', 'CAP-HNI-HOANKIEM', 'C06'])
    units[code] = (await h.kit.backoffice.unitByCode(code))!.id;
});

afterAll(async () => {
  await h?.stop();
});

async function officerToken(label: string, browser = new Browser([`${h.rp.origin}/`])) {
  const officer = h.demo[label]!;
  // A fresh 30-second step: a TOTP code is accepted once.
  clock.advance(30_000);
  const request = await authorizationRequest(console_, {
    redirect_uri: `${h.rp.origin}/cb`,
    scope: 'openid profile api:officer',
  });
  let page = await browser.go(request.url);
  if (page.html.includes('name="identifier"')) {
    expect(page.html).toContain('ứng dụng xác thực');
    page = await signIn(h, browser, page, {
      identifier: officer.identifier,
      password: officer.password,
      totpLabel: label,
    });
  }
  const tokens = await client.authorizationCodeGrant(console_, new URL(page.url), {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
  return tokens;
}

async function summary(token: string | undefined, unitId: string) {
  const response = await fetch(`${h.baseUrl}/api/v1/officer/units/${unitId}/summary`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('threat: an officer reaches another unit', () => {
  test('an officer signs in to the console with password and TOTP (amr pwd + otp), no consent screen', async () => {
    const tokens = await officerToken('officer-receiver-pc06-hcm');
    expect(tokens.claims()!.amr).toEqual(['pwd', 'otp']);
    expect(tokens.scope?.split(' ')).toContain('api:officer');
  });

  test('an officer of PC06 Ho Chi Minh City reads their own unit, not a Hanoi commune', async () => {
    const { access_token } = await officerToken('officer-receiver-pc06-hcm');
    const own = await summary(access_token, units['PC06-HCM']!);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ unit_id: units['PC06-HCM'], roles: ['RECEIVER'] });

    const other = await summary(access_token, units['CAP-HNI-HOANKIEM']!);
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ code: 'OFFICER_UNIT_FORBIDDEN' });
    expect(JSON.stringify(other.body)).not.toContain('Hoàn Kiếm');
  });

  test('the console learns who is signed in: each unit they act for and the role held there', async () => {
    const { access_token } = await officerToken('officer-receiver-pc06-hcm');
    const response = await fetch(`${h.baseUrl}/api/v1/officer/me`, {
      headers: { authorization: `Bearer ${access_token}`, 'accept-language': 'en' },
    });
    expect(response.status).toBe(200);
    const me = (await response.json()) as { name: string; assignments: { unit: { id: string }; role: string }[] };
    expect(me.name).toBe(h.demo['officer-receiver-pc06-hcm']!.fullName);
    expect(me.assignments).toEqual([
      { unit: expect.objectContaining({ id: units['PC06-HCM'], code: 'PC06-HCM' }), role: 'RECEIVER' },
    ]);
  });

  test('and the other way round; C06 covers every unit', async () => {
    const hanoi = await officerToken('officer-receiver-hoankiem');
    expect((await summary(hanoi.access_token, units['CAP-HNI-HOANKIEM']!)).status).toBe(200);
    expect((await summary(hanoi.access_token, units['PC06-HCM']!)).status).toBe(403);
    expect((await summary(hanoi.access_token, units['C06']!)).status).toBe(403);

    const c06 = await officerToken('officer-approver-c06');
    for (const code of ['PC06-HCM', 'CAP-HNI-HOANKIEM', 'C06']) {
      expect((await summary(c06.access_token, units[code]!)).status).toBe(200);
    }
  });

  test('roles are re-read on every call: a role taken away closes the door at once', async () => {
    const label = 'officer-receiver-pc06-hcm';
    const { access_token } = await officerToken(label);
    expect((await summary(access_token, units['PC06-HCM']!)).status).toBe(200);
    const accountId = h.demo[label]!.accountId;
    await h.kit.backoffice.unassign(
      h.platform.db,
      { accountId, unitId: units['PC06-HCM']!, role: 'RECEIVER' },
      {
        kind: 'admin',
        id: 'test',
      },
    );
    try {
      const after = await summary(access_token, units['PC06-HCM']!);
      expect(after.status).toBe(403);
    } finally {
      await h.kit.backoffice.assign(
        h.platform.db,
        { accountId, unitId: units['PC06-HCM']!, role: 'RECEIVER' },
        {
          kind: 'admin',
          id: 'test',
        },
      );
    }
  });

  test("the citizen app's token, or a relying party's, does not open the officer API", async () => {
    const officer = h.demo['officer-receiver-pc06-hcm']!;
    const browser = new Browser([`${h.rp.origin}/`]);
    const request = await authorizationRequest(app, { redirect_uri: `${h.rp.origin}/cb`, scope: 'openid api:app' });
    const phone = (await h.kit.identity.get(officer.accountId))!.phone!;
    const page = await signIn(h, browser, await browser.go(request.url), { ...officer, phone });
    const tokens = await client.authorizationCodeGrant(app, new URL(page.url), {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    const refused = await summary(tokens.access_token, units['PC06-HCM']!);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'OIDC_TOKEN_SCOPE' });

    // The same browser session (signed in with an SMS code) does not do for the console: TOTP again.
    clock.advance(30_000);
    const consoleRequest = await authorizationRequest(console_, {
      redirect_uri: `${h.rp.origin}/cb`,
      scope: 'openid api:officer',
    });
    const consolePage = await browser.go(consoleRequest.url);
    expect(consolePage.html).toContain('name="identifier"');
  });

  test('a citizen who is no officer cannot sign in to the console', async () => {
    const citizen = h.demo.citizen!;
    const browser = new Browser([`${h.rp.origin}/`]);
    const request = await authorizationRequest(console_, {
      redirect_uri: `${h.rp.origin}/cb`,
      scope: 'openid api:officer',
    });
    let page = await browser.go(request.url);
    page = await browser.submit(page, 'identifier', { identifier: citizen.identifier });
    page = await browser.submit(page, 'password', { password: citizen.password });
    expect(page.status).toBe(403);
    expect(page.html).toContain('role="alert"');
    expect(page.html).toContain('không có vai trò cán bộ');
    expect(page.html).not.toContain('name="code"');
  });

  test('no token, a made-up token: 401 with a Bearer challenge', async () => {
    const none = await fetch(`${h.baseUrl}/api/v1/officer/units/${units['C06']}/summary`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const forged = await summary('bm90LWEtdG9rZW4', units['C06']!);
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ code: 'OIDC_TOKEN_INVALID' });
  });

  test('every refused read is in the audit ledger', async () => {
    const accountId = h.demo['officer-receiver-hoankiem']!.accountId;
    const entries = await h.kit.audit.historyOf({ kind: 'unit', id: units['PC06-HCM']! }, 100);
    expect(
      entries.some((e) => e.actor_id === accountId && e.action === 'officer.unit.read' && e.outcome === 'denied'),
    ).toBe(true);
  });
});
