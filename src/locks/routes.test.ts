import SwaggerParser from '@apidevtools/swagger-parser';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import type * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { makeAccount } from '../auth/testing.ts';
import { ProblemSchema, sendProblem, toProblem } from '../http/problem.ts';
import { signInForTokens, startHarness, type Harness } from '../oidc/testing.ts';
import { oidcSecuritySchemes } from '../oidc/routes.ts';
import { DEMO_PERSONS } from '../registries/demo.ts';
import { createServices } from '../services.ts';
import { lockRoutes, lockSecuritySchemes } from './routes.ts';
import { createLockService, type LockService } from './service.ts';

/**
 * Locks through the HTTP API with real tokens, as the app, the officer console and an authority's
 * system use it: the holder's own lock with the passcode (and its effect on their token), a TK03 at
 * the counter, an authority's paper request decided by C06, a terms-of-use lock, an authority's
 * system with its API key; and the OpenAPI document with the routes in it stays valid.
 */

const t = useTestDatabase();
const clock = fixedClock(new Date());
let h: Harness;
let locks: LockService;
let consoleRp: client.Configuration;
let appRp: client.Configuration;

beforeAll(async () => {
  const platform = testPlatform(t.db, { clock, config: { adminToken: 'admin-secret' } });
  h = await startHarness(platform, t.database.pool, { clock });
  locks = h.kit.locks;
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
  consoleRp = await h.rpConfig('officer-console');
  appRp = await h.rpConfig('citizen-app');
});

afterAll(async () => {
  await h?.stop();
});

async function officerToken(label: string): Promise<string> {
  clock.advance(30_000); // a TOTP code is accepted once per 30-second step
  const tokens = await signInForTokens(h, consoleRp, 'openid profile api:officer', {
    identifier: h.demo[label]!.identifier,
    password: h.demo[label]!.password,
    totpLabel: label,
  });
  return tokens.access_token;
}

async function appToken(label: string, phone: string): Promise<string> {
  const tokens = await signInForTokens(h, appRp, 'openid profile api:app', {
    identifier: h.demo[label]!.identifier,
    password: h.demo[label]!.password,
    phone,
  });
  return tokens.access_token;
}

async function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${h.baseUrl}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: (await response.json()) as Record<string, unknown>,
  };
}

const unitId = async (code: string) => (await h.kit.backoffice.unitByCode(code))!.id;

describe("the holder's own lock in the app", () => {
  test('needs a token and the passcode; locks at once; the token stops working; the counter lifts it', async () => {
    expect((await call('POST', '/api/v1/app/locks', { body: { passcode: '123456' } })).status).toBe(401);
    const token = await appToken('citizen', '+84912345678');
    const wrong = await call('POST', '/api/v1/app/locks', {
      token,
      body: { passcode: '000000' },
      headers: { 'accept-language': 'en' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.type).toContain('application/problem+json');
    expect(wrong.body).toMatchObject({ code: 'AUTH_PASSCODE_INVALID' });
    const before = await call('GET', '/api/v1/app/locks', { token });
    expect(before.body).toEqual({ status: 'active', grounds: [], requests: [] });

    const locked = await call('POST', '/api/v1/app/locks', { token, body: { passcode: '123456' } });
    expect(locked.status).toBe(201);
    expect(locked.body).toMatchObject({
      account_status: 'locked',
      ground: { ground: 'holder_request', source: 'holder_app', lifted_at: null },
    });
    // DOMAIN.md §6: the lock holds at once; the app's token no longer opens the API.
    const after = await call('GET', '/api/v1/app/locks', { token });
    expect([401, 403]).toContain(after.status);

    const receiver = await officerToken('officer-receiver-hoankiem');
    const unlocked = await call('POST', `/api/v1/officer/units/${await unitId('CAP-HNI-HOANKIEM')}/lock-requests`, {
      token: receiver,
      body: { origin: 'holder', action: 'unlock', identifier: DEMO_PERSONS.citizen.pin },
    });
    expect(unlocked.status).toBe(201);
    expect(unlocked.body).toMatchObject({ kind: 'holder_counter', state: 'approved', action: 'unlock', actions: [] });
    expect((await h.kit.identity.get(h.demo.citizen!.accountId))!.status).toBe('active');
  });
});

describe("an authority's paper request at PC06, decided by C06", () => {
  test('received, queued with its working days, forwarded, approved once (a stale version gets 409)', async () => {
    const receiver = await officerToken('officer-receiver-pc06-hcm');
    const received = await call('POST', `/api/v1/officer/units/${await unitId('PC06-HCM')}/lock-requests`, {
      token: receiver,
      body: {
        origin: 'authority',
        action: 'lock',
        identifier: DEMO_PERSONS.spouse.pin,
        channel: 'post',
        authority: {
          name: 'Tòa án nhân dân TP Hồ Chí Minh',
          kind: 'court',
          email: 'toaan@hcm.gov.vn',
          document_no: '55/QĐ-TA',
          document_date: new Date(clock.now().getTime() + 7 * 3_600_000).toISOString().slice(0, 10),
        },
        statement: 'Quyết định áp dụng biện pháp khẩn cấp tạm thời',
      },
    });
    expect(received.status).toBe(201);
    expect(received.body).toMatchObject({ kind: 'authority', state: 'received', channel: 'post' });
    const id = received.body.id as string;
    const queue = await call('GET', '/api/v1/officer/lock-requests', { token: receiver });
    const entry = (queue.body.entries as { request: { id: string }; working_days_left: number }[]).find(
      (e) => e.request.id === id,
    );
    expect(entry?.working_days_left).toBeGreaterThanOrEqual(1);
    // A receiver does not forward.
    const refused = await call('POST', `/api/v1/officer/lock-requests/${id}/decision`, {
      token: receiver,
      body: { event: 'forward', version: 1 },
    });
    expect(refused.status).toBe(403);

    // PC06's review (a PC06 APPROVER of Hồ Chí Minh City, through the service).
    const reviewer = await makeAccount(h.kit.identity, t.db);
    await h.kit.backoffice.assign(
      t.db,
      { accountId: reviewer.id, unitId: await unitId('PC06-HCM'), role: 'APPROVER' },
      { kind: 'test', id: 'routes' },
    );
    const { request: forwarded } = await locks.decide(reviewer.id, id, { event: 'forward', expectedVersion: 1 });

    const approver = await officerToken('officer-approver-c06');
    const stale = await call('POST', `/api/v1/officer/lock-requests/${id}/decision`, {
      token: approver,
      body: { event: 'approve', version: 1 },
    });
    expect(stale.status).toBe(409);
    const approved = await call('POST', `/api/v1/officer/lock-requests/${id}/decision`, {
      token: approver,
      body: { event: 'approve', version: forwarded.version },
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      state: 'approved',
      decided_by: `officer:${h.demo['officer-approver-c06']!.accountId}`,
    });
    const detail = await call('GET', `/api/v1/officer/lock-requests/${id}`, { token: approver });
    expect((detail.body.history as { event: string }[]).map((e) => e.event)).toEqual(['submit', 'forward', 'approve']);
    expect(await h.kit.identity.get(h.demo.spouse!.accountId)).toMatchObject({
      status: 'locked',
      lockReasons: ['authority_request'],
    });
  });
});

describe('terms of use, by a C06 APPROVER', () => {
  test('set with a reason, refused to a receiver, lifted with a reason', async () => {
    const holder = await makeAccount(h.kit.identity, t.db);
    const receiver = await officerToken('officer-receiver-pc06-hcm');
    const path = `/api/v1/officer/accounts/${holder.id}/terms-violation`;
    expect((await call('POST', path, { token: receiver, body: { reason: 'x' } })).status).toBe(403);
    const approver = await officerToken('officer-approver-c06');
    const set = await call('POST', path, { token: approver, body: { reason: 'Mạo danh cơ quan nhà nước' } });
    expect(set.status).toBe(201);
    expect(set.body).toMatchObject({
      account_status: 'locked',
      ground: { ground: 'terms_violation', detail: 'Mạo danh cơ quan nhà nước' },
    });
    expect((await call('POST', path, { token: approver, body: {} })).status).toBe(400);
    const lifted = await call('DELETE', path, { token: approver, body: { reason: 'Đã khắc phục' } });
    expect(lifted.status).toBe(200);
    expect(lifted.body).toMatchObject({ account_status: 'active', ground: { lift_reason: 'Đã khắc phục' } });
  });
});

describe("an authority's own system", () => {
  test('registered by an administrator; its key files a request and reads it back; other keys do not', async () => {
    const registered = await call('POST', '/api/v1/admin/authorities', {
      token: 'admin-secret',
      body: {
        code: 'VKS-HNI',
        name: 'Viện kiểm sát nhân dân TP Hà Nội',
        kind: 'procuracy',
        email: 'vks@hanoi.gov.vn',
        unit_code: 'PC06-HNI',
      },
    });
    expect(registered.status).toBe(201);
    const key = registered.body.api_key as string;
    expect((registered.body.authority as { key_hint: string }).key_hint).toBe(key.slice(0, 11));
    const list = await call('GET', '/api/v1/admin/authorities', { token: 'admin-secret' });
    expect(JSON.stringify(list.body)).not.toContain(key);

    const subject = await makeAccount(h.kit.identity, t.db);
    const today = new Date(clock.now().getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
    const body = {
      action: 'lock',
      identifier: subject.pin,
      document_no: '14/VKS',
      document_date: today,
      statement: 'Phục vụ truy tố',
    };
    const filed = await call('POST', '/api/v1/authority/lock-requests', { token: key, body });
    expect(filed.status).toBe(201);
    expect(filed.body).toMatchObject({ action: 'lock', state: 'received', document_no: '14/VKS', reasons: [] });
    const read = await call('GET', `/api/v1/authority/lock-requests/${filed.body.id as string}`, { token: key });
    expect(read.body).toEqual(filed.body);

    // An app token of a citizen (the one the first test unlocked again) is no authority's key.
    const citizen = await appToken('citizen', '+84912345678');
    for (const token of [undefined, 'ddak_forged', citizen, 'admin-secret']) {
      const denied = await call('POST', '/api/v1/authority/lock-requests', { ...(token ? { token } : {}), body });
      expect(denied.status).toBe(401);
      expect(denied.body.code).toBe('LOCK_AUTHORITY_KEY_INVALID');
    }
    const officer = await officerToken('officer-receiver-pc06-hcm');
    expect(
      (
        await call('POST', '/api/v1/admin/authorities', {
          token: officer,
          body: { code: 'X', name: 'x', kind: 'court', unit_code: 'PC06-HNI' },
        })
      ).status,
    ).toBe(403);
  });
});

describe('OpenAPI', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    const platform = testPlatform(t.db, { config: { adminToken: 'admin-secret' } });
    const services = createServices(platform);
    app = Fastify();
    app.addSchema(ProblemSchema);
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { title: 'dinhdanh', version: '0.1.0' },
        components: {
          securitySchemes: {
            adminToken: { type: 'http', scheme: 'bearer' },
            ...oidcSecuritySchemes,
            ...lockSecuritySchemes,
          },
        },
      },
      refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    });
    app.setErrorHandler((error, request, reply) => sendProblem(request, reply, toProblem(error as Error, request.id)));
    app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    const service = createLockService(platform, { ...services, passcode: services.auth });
    await app.register(lockRoutes(platform, { ...services, locks: service }));
  });

  afterAll(async () => {
    await app?.close();
  });

  test('every lock route is documented and the document is valid', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/app/locks',
        '/api/v1/app/locks/unlock',
        '/api/v1/app/unlock-requests',
        '/api/v1/officer/units/{unitId}/lock-requests',
        '/api/v1/officer/lock-requests',
        '/api/v1/officer/lock-requests/{id}',
        '/api/v1/officer/lock-requests/{id}/decision',
        '/api/v1/officer/accounts/{accountId}/terms-violation',
        '/api/v1/authority/lock-requests',
        '/api/v1/authority/lock-requests/{id}',
        '/api/v1/admin/authorities',
        '/api/v1/admin/authorities/{id}/disable',
      ]),
    );
    expect(doc.paths['/api/v1/authority/lock-requests'].post.security).toEqual([{ authorityKey: [] }]);
  });
});
