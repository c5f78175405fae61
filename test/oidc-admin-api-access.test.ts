import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as client from 'openid-client';
import { fixedClock, testPlatform, useTestDatabase } from './database.ts';
import { signInForTokens, startHarness, type Harness } from '../src/oidc/testing.ts';

/**
 * Threat: someone other than an administrator reaches the admin API (registering a relying
 * party is registering who may receive citizens' data). It takes the bootstrap ADMIN_TOKEN, or an
 * access token of the officer console with scope api:admin held by an officer with the ADMIN role,
 * re-checked against the back office on every call.
 */
const t = useTestDatabase();
const clock = fixedClock(new Date());
let h: Harness;
let console_: client.Configuration;

beforeAll(async () => {
  h = await startHarness(testPlatform(t.db, { clock, config: { adminToken: 'admin-secret' } }), t.database.pool, {
    clock,
  });
  await h.register({
    client_id: 'officer-console',
    first_party: true,
    officer_console: true,
    token_endpoint_auth_method: 'none',
    scopes: ['profile', 'api:officer', 'api:admin'],
  });
  console_ = await h.rpConfig('officer-console');
});

afterAll(async () => {
  await h?.stop();
});

async function consoleToken(label: string, scope: string) {
  const officer = h.demo[label]!;
  clock.advance(30_000); // a fresh TOTP step
  const tokens = await signInForTokens(h, console_, scope, {
    identifier: officer.identifier,
    password: officer.password,
    totpLabel: label,
  });
  return tokens.access_token;
}

async function listRelyingParties(authorization?: string) {
  const response = await fetch(`${h.baseUrl}/api/v1/admin/relying-parties`, {
    headers: authorization ? { authorization } : {},
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

describe('threat: a non-administrator reaches the admin API', () => {
  test('the bootstrap admin token and an ADMIN officer token are accepted', async () => {
    expect((await listRelyingParties('Bearer admin-secret')).status).toBe(200);
    const token = await consoleToken('officer-admin-c06', 'openid api:admin');
    const listed = await listRelyingParties(`Bearer ${token}`);
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).toContain('officer-console');
  });

  test('an officer without the ADMIN role is refused, even with an api:admin token', async () => {
    const token = await consoleToken('officer-approver-c06', 'openid api:admin');
    const refused = await listRelyingParties(`Bearer ${token}`);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'FORBIDDEN' });
  });

  test('an ADMIN officer token without the api:admin scope is refused, and so is nothing at all', async () => {
    const token = await consoleToken('officer-admin-c06', 'openid api:officer');
    expect((await listRelyingParties(`Bearer ${token}`)).status).toBe(403);
    expect((await listRelyingParties()).status).toBe(401);
    expect((await listRelyingParties('Bearer forged-token')).status).toBe(401);
  });

  test("the holiday editor takes an ADMIN officer's token (recorded as theirs) and refuses an approver's", async () => {
    const put = (authorization: string) =>
      fetch(`${h.baseUrl}/api/calendar/holidays/2031-09-03`, {
        method: 'PUT',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({
          kind: 'day_off',
          name_vi: 'Nghỉ bù Quốc khánh',
          name_en: 'Day off for National Day',
          legal_source: 'Thông báo 1234/TB-LĐTBXH (thử nghiệm)',
        }),
      });
    const approver = await consoleToken('officer-approver-c06', 'openid api:admin');
    expect((await put(`Bearer ${approver}`)).status).toBe(403);
    const admin = await consoleToken('officer-admin-c06', 'openid api:admin');
    const created = await put(`Bearer ${admin}`);
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ date: '2031-09-03', updated_by: expect.stringContaining('admin') });
  });
});
