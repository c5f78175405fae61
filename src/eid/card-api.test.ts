import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type * as client from 'openid-client';
import SwaggerParser from '@apidevtools/swagger-parser';
import { decodeJwt, type JSONWebKeySet } from 'jose';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { DEMO_PASSCODE } from '../auth/demo.ts';
import { startHarness, type Harness } from '../oidc/testing.ts';
import type { EidService } from './service.ts';
import { appToken, call } from './http-testing.ts';

import { verifyPresentation } from './verify.ts';

/**
 * The electronic identity card through the HTTP API with real app tokens: the card of a level-2
 * citizen after the passcode, level-1 and foreign accounts refused, a presentation that verifies
 * offline with the published keys and online against the current status (`locked` once the
 * identity is locked, `revoked` once the account is closed), the usage history, and documents.
 */
const t = useTestDatabase();
const clock = fixedClock(new Date());
let h: Harness;
let appRp: client.Configuration;
let eid: EidService;
let token = '';
let proof = '';
let verifiedJti = '';

const AN = { label: 'citizen', phone: '+84912345678' };

beforeAll(async () => {
  const platform = testPlatform(t.db, { clock, config: { adminToken: 'admin-secret' } });
  h = await startHarness(platform, t.database.pool, { clock });
  eid = h.kit.eid;
  await h.register({
    client_id: 'citizen-app',
    first_party: true,
    token_endpoint_auth_method: 'none',
    scopes: ['profile', 'api:app'],
  });
  appRp = await h.rpConfig('citizen-app');
  token = await appToken(h, appRp, AN.label, AN.phone);
});

afterAll(async () => {
  await h?.stop();
});

async function unlock() {
  const opened = await call(h, 'POST', '/api/v1/app/eid/unlock', { token, body: { passcode: DEMO_PASSCODE } });
  expect(opened.status).toBe(200);
  proof = opened.body.proof as string;
  return opened;
}

const publishedKeys = async () => (await call(h, 'GET', '/.well-known/eid-jwks.json')).body as unknown as JSONWebKeySet;

describe('the card in the app', () => {
  test('a level-2 citizen sees the card after the passcode, as the Identity DB has it', async () => {
    const opened = await unlock();
    expect(opened.body.proof_expires_at).toEqual(expect.any(String));
    const card = opened.body.card as Record<string, unknown>;
    expect(card).toMatchObject({
      pin: '001090048213',
      full_name: 'Nguyễn Văn An',
      family_name: 'Nguyễn',
      middle_name: 'Văn',
      given_name: 'An',
      date_of_birth: '1990-05-15',
      sex: 'male',
      nationality: 'VNM',
      place_of_birth_registration: { code: '001', name: 'Hà Nội' },
      id_card: { number: '001090048213', expires_on: '2030-05-15' },
      level: 2,
      status: 'active',
    });
    expect(card.residence).toMatch(/^Số 18 phố Trần Duy Hưng, /);
    expect(Object.keys(card)).not.toEqual(expect.arrayContaining(['portrait']));
    const again = await call(h, 'GET', '/api/v1/app/eid', { token, proof });
    expect(again.status).toBe(200);
    expect({ ...again.body, read_at: null }).toEqual({ ...card, read_at: null });
  });

  test('level-1 and foreign accounts are refused: level 2 (a citizen) is needed', async () => {
    const spouse = await appToken(h, appRp, 'spouse', '+84987654321');
    const refused = await call(h, 'POST', '/api/v1/app/eid/unlock', {
      token: spouse,
      body: { passcode: DEMO_PASSCODE },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('EID_LEVEL2_REQUIRED');
    expect(refused.body.detail).toContain('mức độ 2');
    const english = await call(h, 'GET', '/api/v1/app/eid', { token: spouse, headers: { 'accept-language': 'en' } });
    expect(english.status).toBe(403);
    expect(english.body.detail).toMatch(/level-2 electronic identity account/);

    const foreigner = await appToken(h, appRp, 'foreigner', '+84901234567');
    const alien = await call(h, 'POST', '/api/v1/app/eid/unlock', {
      token: foreigner,
      body: { passcode: DEMO_PASSCODE },
    });
    expect(alien.status).toBe(403);
    expect(alien.body.code).toBe('EID_CITIZENS_ONLY');
  });
});

describe('presentations and verification', () => {
  test('a credential with its QR code verifies offline against the published keys', async () => {
    await unlock();
    const created = await call(h, 'POST', '/api/v1/app/eid/presentations', { token, proof, body: {} });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ purpose: 'full', audience: null });
    expect(created.body.claims).toEqual(expect.arrayContaining(['pin', 'full_name', 'residence', 'id_card', 'level']));
    const png = Buffer.from(String(created.body.qr_png).replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(png.subarray(1, 4).toString()).toBe('PNG');

    const keys = await call(h, 'GET', '/.well-known/eid-jwks.json');
    expect(keys.headers.get('cache-control')).toBe('public, max-age=3600');
    const offline = await verifyPresentation(created.body.credential as string, await publishedKeys(), {
      now: clock.now(),
      issuer: h.baseUrl,
    });
    expect(offline).toMatchObject({ valid: true, payload: { full_name: 'Nguyễn Văn An', pin: '001090048213' } });
  });

  test('age_over_18 releases that boolean only', async () => {
    const created = await call(h, 'POST', '/api/v1/app/eid/presentations', {
      token,
      proof,
      body: { purpose: 'age_over_18', audience: 'Quán karaoke Hoa Sen' },
    });
    expect(created.status).toBe(201);
    expect(created.body.claims).toEqual(['age_over_18']);
    const payload = decodeJwt(created.body.credential as string);
    expect(Object.keys(payload).sort()).toEqual(['age_over_18', 'aud', 'exp', 'iat', 'iss', 'jti', 'purpose', 'sub']);
    expect(payload).toMatchObject({ age_over_18: true, aud: 'Quán karaoke Hoa Sen', iss: h.baseUrl });
    const unknown = await call(h, 'POST', '/api/v1/app/eid/presentations', { token, proof, body: { purpose: 'all' } });
    expect(unknown.status).toBe(400);
  });

  test('online verification reports active, then locked as soon as the identity is locked', async () => {
    const created = await call(h, 'POST', '/api/v1/app/eid/presentations', { token, proof, body: {} });
    const credential = created.body.credential as string;
    verifiedJti = created.body.jti as string;
    const verify = () =>
      call(h, 'POST', '/api/v1/public/eid/verify', { body: { credential, verifier: 'Ngân hàng Thử' } });

    const active = await verify();
    expect(active.status).toBe(200);
    expect(active.body).toMatchObject({
      valid: true,
      status: 'active',
      purpose: 'full',
      claims: { full_name: 'Nguyễn Văn An' },
    });

    const accountId = h.demo.citizen!.accountId;
    const actor = { kind: 'system', id: 'test' };
    const before = (await h.kit.identity.get(accountId))!;
    await h.kit.identity.lock(t.db, accountId, 'holder_request', { expectedVersion: before.version, actor });
    const locked = await verify();
    expect(locked.body).toEqual({
      valid: false,
      status: 'locked',
      purpose: 'full',
      issued_at: created.body.issued_at,
      expires_at: created.body.expires_at,
    });
    // The offline check alone cannot know: this is why the online check exists.
    expect(
      (await verifyPresentation(credential, await publishedKeys(), { now: clock.now(), issuer: h.baseUrl })).valid,
    ).toBe(true);
    // Meanwhile the app refuses the locked holder (the bearer guard, DOMAIN.md §6).
    expect((await call(h, 'GET', '/api/v1/app/eid', { token, proof })).status).toBe(403);

    const lockedAccount = (await h.kit.identity.get(accountId))!;
    await h.kit.identity.unlock(t.db, accountId, 'holder_request', { expectedVersion: lockedAccount.version, actor });
    expect((await verify()).body).toMatchObject({ valid: true, status: 'active' });

    const garbage = await call(h, 'POST', '/api/v1/public/eid/verify', { body: { credential: 'eyJ.abc.def' } });
    expect(garbage.body).toEqual({ valid: false, status: 'invalid' });
  });

  test('the usage history lists each presentation and its last verification', async () => {
    const history = await call(h, 'GET', '/api/v1/app/eid/presentations', { token, proof });
    expect(history.status).toBe(200);
    const entries = history.body.presentations as Record<string, unknown>[];
    expect(entries).toHaveLength(3);
    expect(entries.find((e) => e.jti === verifiedJti)).toMatchObject({
      purpose: 'full',
      verifier: 'Ngân hàng Thử',
      verification_status: 'active',
      verifications: 3,
    });
    expect(entries.map((e) => e.purpose).sort()).toEqual(['age_over_18', 'full', 'full']);
  });
});

describe('integrated documents', () => {
  test('integrate, list, remove; a document the registry lacks is a 404 with the reason', async () => {
    const path = '/api/v1/app/eid/documents';
    const first = await call(h, 'POST', path, { token, proof, body: { kind: 'health_insurance' } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      kind: 'health_insurance',
      in_registry: true,
      driving_licence: null,
      health_insurance: { full_name: 'Nguyễn Văn An' },
    });
    expect((await call(h, 'POST', path, { token, proof, body: { kind: 'health_insurance' } })).status).toBe(200);

    const licence = await h.kit.registries.drivingLicences.findByPin('001090048213');
    const asked = await call(h, 'POST', path, { token, proof, body: { kind: 'driving_licence' } });
    if (licence) {
      expect(asked.status).toBe(201);
      expect(asked.body).toMatchObject({ reference: licence.number, driving_licence: { number: licence.number } });
      expect((await call(h, 'DELETE', `${path}/driving_licence`, { token, proof })).status).toBe(204);
    } else {
      expect(asked.status).toBe(404);
      expect(asked.body).toMatchObject({ code: 'EID_DOCUMENT_NOT_IN_REGISTRY', field: 'kind' });
      expect(asked.body.detail).toContain('giấy phép lái xe');
    }

    const listed = await call(h, 'GET', path, { token, proof });
    expect((listed.body.documents as { kind: string }[]).map((d) => d.kind)).toEqual(['health_insurance']);
    expect((await call(h, 'DELETE', `${path}/health_insurance`, { token, proof })).status).toBe(204);
    const gone = await call(h, 'DELETE', `${path}/health_insurance`, { token, proof });
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('EID_DOCUMENT_NOT_INTEGRATED');
    expect((await call(h, 'POST', path, { token, proof, body: { kind: 'passport' } })).status).toBe(400);
  });
});

describe('the API document', () => {
  test('stays valid OpenAPI with the eid routes', async () => {
    const doc = (await call(h, 'GET', '/api/openapi.json')).body as { paths: Record<string, unknown> };
    const openapi = structuredClone(doc) as unknown as Parameters<typeof SwaggerParser.validate>[0];
    await expect(SwaggerParser.validate(openapi)).resolves.toBeTruthy();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/app/eid',
        '/api/v1/app/eid/unlock',
        '/api/v1/app/eid/presentations',
        '/api/v1/app/eid/documents',
        '/api/v1/app/eid/documents/{kind}',
        '/api/v1/public/eid/verify',
        '/.well-known/eid-jwks.json',
      ]),
    );
  });
});

describe('a closed account', () => {
  test("its credentials report revoked (last: it ends the demo citizen's account)", async () => {
    const created = await call(h, 'POST', '/api/v1/app/eid/presentations', { token, proof, body: {} });
    const accountId = h.demo.citizen!.accountId;
    const account = (await h.kit.identity.get(accountId))!;
    await h.kit.identity.close(t.db, accountId, {
      expectedVersion: account.version,
      actor: { kind: 'system', id: 'test' },
    });
    const verdict = await eid.verifyOnline(created.body.credential as string, { name: 'Quầy thử' });
    expect(verdict).toMatchObject({ valid: false, status: 'revoked' });
    expect(verdict).not.toHaveProperty('claims');
  });
});
