import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import type { Account } from '../identity/service.ts';
import { Browser, authorizationRequest, signIn, startHarness, type Harness } from '../oidc/testing.ts';
import { DEMO_PERSONS } from '../registries/demo.ts';
import type { RepresentationService } from './service.ts';

/**
 * The app API of representation behind the provider's access tokens (scope api:app): Nguyễn Văn
 * An sees his son Khôi among his dependants, the requests waiting for him, and answers them;
 * his wife, signed in too, cannot answer a request addressed to him.
 */
const t = useTestDatabase();
const clock = fixedClock(new Date());
let h: Harness;
let representation: RepresentationService;
let appConfig: client.Configuration;
let khoi: Account;

beforeAll(async () => {
  const platform = testPlatform(t.db, { clock, config: { adminToken: 'admin-secret' } });
  h = await startHarness(platform, t.database.pool, { clock });
  representation = h.kit.representation;
  await h.register({
    client_id: 'citizen-app',
    first_party: true,
    token_endpoint_auth_method: 'none',
    scopes: ['profile', 'api:app'],
  });
  appConfig = await h.rpConfig('citizen-app');
  const child = (await h.kit.registries.identity.findByPin(DEMO_PERSONS.child.pin))!;
  khoi = await h.kit.identity.createAccount(t.db, {
    subjectKind: 'citizen',
    registryId: child.registryId,
    pin: child.pin,
    fullName: child.fullName,
    level: 1,
    status: 'active',
  });
  await representation.link(t.db, {
    representativeAccountId: h.demo.citizen!.accountId,
    dependantAccountId: khoi.id,
    actor: { kind: 'system', id: 'test' },
  });
});

afterAll(async () => {
  await h?.stop();
});

async function appToken(who: 'citizen' | 'spouse', phone: string): Promise<string> {
  const browser = new Browser([`${h.rp.origin}/`]);
  const request = await authorizationRequest(appConfig, {
    redirect_uri: `${h.rp.origin}/cb`,
    scope: 'openid profile api:app',
  });
  let page = await browser.go(request.url);
  page = await signIn(h, browser, page, {
    identifier: h.demo[who]!.identifier,
    password: h.demo[who]!.password,
    phone,
  });
  const tokens = await client.authorizationCodeGrant(appConfig, new URL(page.url), {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
  return tokens.access_token;
}

async function api(path: string, token: string | null, init: { method?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${h.baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: (text ? JSON.parse(text) : undefined) as Record<string, unknown>,
  };
}

describe('/api/v1/app dependants and confirmations', () => {
  test('without a token: 401', async () => {
    expect((await api('/api/v1/app/dependants', null)).status).toBe(401);
    expect((await api('/api/v1/app/confirmations', null)).status).toBe(401);
  });

  test('the representative lists his dependants, answers a request, and a replay gets 409', async () => {
    const token = await appToken('citizen', '+84912345678');
    const dependants = await api('/api/v1/app/dependants', token);
    expect(dependants.status).toBe(200);
    expect(dependants.body.dependants).toEqual([
      expect.objectContaining({
        account_id: khoi.id,
        full_name: 'Nguyễn Minh Khôi',
        basis: 'parent',
        valid_until: '2030-03-12',
        evidence: { registry: 'identity', relation: 'father' },
      }),
    ]);

    const request = await representation.requestConfirmation(t.db, {
      dependantAccountId: khoi.id,
      action: 'sign_in',
      detail: { relyingParty: 'Cổng Dịch vụ công quốc gia' },
    });
    const pending = await api('/api/v1/app/confirmations', token);
    expect(pending.status).toBe(200);
    expect(pending.body.confirmations).toEqual([
      expect.objectContaining({
        id: request.id,
        dependant_name: 'Nguyễn Minh Khôi',
        action: 'sign_in',
        status: 'pending',
        version: 1,
        detail: { relyingParty: 'Cổng Dịch vụ công quốc gia' },
      }),
    ]);

    const path = `/api/v1/app/confirmations/${request.id}/decision`;
    const confirmed = await api(path, token, { method: 'POST', body: { decision: 'confirm', version: 1 } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ id: request.id, status: 'confirmed', version: 2 });

    const replay = await api(path, token, { method: 'POST', body: { decision: 'refuse', version: 1 } });
    expect(replay.status).toBe(409);
    expect(replay.type).toContain('application/problem+json');
    expect(replay.body).toMatchObject({ code: 'CONFLICT' });

    const bad = await api(path, token, { method: 'POST', body: { decision: 'maybe', version: 2 } });
    expect(bad.status).toBe(400);
    expect((await api('/api/v1/app/confirmations', token)).body.confirmations).toEqual([]);
  });

  test('someone else cannot answer: the request does not exist for her (404)', async () => {
    const request = await representation.requestConfirmation(t.db, { dependantAccountId: khoi.id, action: 'lock' });
    const token = await appToken('spouse', '+84987654321');
    expect((await api('/api/v1/app/confirmations', token)).body.confirmations).toEqual([]);
    const answer = await api(`/api/v1/app/confirmations/${request.id}/decision`, token, {
      method: 'POST',
      body: { decision: 'confirm', version: 1 },
    });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ code: 'NOT_FOUND' });
    expect(await representation.confirmationOf(request.id)).toMatchObject({ status: 'pending' });
  });

  test('the routes are in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${h.baseUrl}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/app/dependants',
        '/api/v1/app/confirmations',
        '/api/v1/app/confirmations/{id}/decision',
      ]),
    );
  });
});
