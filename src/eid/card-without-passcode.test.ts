import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type * as client from 'openid-client';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { DEMO_PASSCODE } from '../auth/demo.ts';
import { startHarness, type Harness } from '../oidc/testing.ts';
import { appToken, call } from './http-testing.ts';

/**
 * Threat: someone holding the unlocked phone (a valid app token) reads or presents the card
 * without knowing the passcode. Nothing of the card comes back without a fresh passcode proof of
 * this very session; a guessed passcode is throttled (5 wrong lock it for 30 minutes, even for the
 * right one); a proof does not serve another session, outlive its 5 minutes or survive tampering.
 */
const t = useTestDatabase();
const clock = fixedClock(new Date());
let h: Harness;
let appRp: client.Configuration;
let token = '';

const PIN = '001090048213';
const AN = { label: 'citizen', phone: '+84912345678' };
const cardRoutes = [
  ['GET', '/api/v1/app/eid', undefined],
  ['POST', '/api/v1/app/eid/presentations', {}],
  ['GET', '/api/v1/app/eid/presentations', undefined],
  ['POST', '/api/v1/app/eid/documents', { kind: 'health_insurance' }],
  ['GET', '/api/v1/app/eid/documents', undefined],
  ['DELETE', '/api/v1/app/eid/documents/health_insurance', undefined],
] as const;

beforeAll(async () => {
  const platform = testPlatform(t.db, { clock, config: { adminToken: 'admin-secret' } });
  h = await startHarness(platform, t.database.pool, { clock });
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

const unlock = (passcode: string, as = token) =>
  call(h, 'POST', '/api/v1/app/eid/unlock', { token: as, body: { passcode } });

describe('the card without the passcode', () => {
  test('every card route answers 401 EID_PASSCODE_REQUIRED without a proof, and shows nothing', async () => {
    for (const [method, path, body] of cardRoutes) {
      const res = await call(h, method, path, { token, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body.code).toBe('EID_PASSCODE_REQUIRED');
      expect(res.headers.get('www-authenticate')).toContain('insufficient_user_authentication');
      expect(JSON.stringify(res.body)).not.toContain(PIN);
    }
    // Without the app token there is not even that.
    expect((await call(h, 'GET', '/api/v1/app/eid')).body.code).toBe('UNAUTHENTICATED');
  });

  test('a made-up or altered proof is refused', async () => {
    const { body } = await unlock(DEMO_PASSCODE);
    const proof = body.proof as string;
    const [v, key, iv, ct, tag] = proof.split('.') as [string, string, string, string, string];
    const flipped = `${v}.${key}.${iv}.${ct.slice(0, -2)}${ct.slice(-2) === 'AA' ? 'AB' : 'AA'}.${tag}`;
    for (const forged of ['x', 'v1.test.AAAA.AAAA.AAAA', flipped]) {
      const res = await call(h, 'GET', '/api/v1/app/eid', { token, proof: forged });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('EID_PROOF_INVALID');
    }
  });

  test('a proof serves only the session (access token) that typed the passcode', async () => {
    const { body } = await unlock(DEMO_PASSCODE);
    const other = await appToken(h, appRp, AN.label, AN.phone);
    const res = await call(h, 'GET', '/api/v1/app/eid', { token: other, proof: body.proof as string });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('EID_PROOF_INVALID');
    expect((await call(h, 'GET', '/api/v1/app/eid', { token, proof: body.proof as string })).status).toBe(200);
  });

  test('a proof lasts 5 minutes', async () => {
    const { body } = await unlock(DEMO_PASSCODE);
    clock.advance(299_000);
    expect((await call(h, 'GET', '/api/v1/app/eid', { token, proof: body.proof as string })).status).toBe(200);
    clock.advance(2_000);
    const late = await call(h, 'POST', '/api/v1/app/eid/presentations', {
      token,
      proof: body.proof as string,
      body: {},
    });
    expect(late.status).toBe(401);
    expect(late.body.code).toBe('EID_PROOF_INVALID');
  });

  test('a wrong passcode shows nothing; five lock the passcode for 30 minutes, even the right one', async () => {
    const first = await unlock('000000');
    expect(first.status).toBe(401);
    expect(first.body).toMatchObject({ code: 'AUTH_PASSCODE_INVALID', field: 'passcode' });
    expect(first.body).not.toHaveProperty('card');
    expect(first.body).not.toHaveProperty('proof');
    for (let i = 0; i < 3; i++) expect((await unlock('000000')).status).toBe(401);
    const fifth = await unlock('000000');
    expect(fifth.status).toBe(429);
    expect(fifth.body.code).toBe('AUTH_TEMPORARILY_LOCKED');
    expect(Number(fifth.headers.get('retry-after'))).toBeGreaterThan(29 * 60);

    const right = await unlock(DEMO_PASSCODE);
    expect(right.status).toBe(429);
    expect(JSON.stringify(right.body)).not.toContain(PIN);

    clock.advance(30 * 60_000 + 1000);
    // (The app's access token has expired meanwhile: a new sign-in.)
    token = await appToken(h, appRp, AN.label, AN.phone);
    const later = await unlock(DEMO_PASSCODE);
    expect(later.status).toBe(200);
    expect((later.body.card as { pin: string }).pin).toBe(PIN);
  });
});
