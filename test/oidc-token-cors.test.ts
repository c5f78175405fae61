import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from './database.ts';
import { startHarness, type Harness } from '../src/oidc/testing.ts';

/**
 * Threat: a page on another site drives the token endpoint with a public client's id from a
 * victim's browser and reads the answer. Browsers may read the provider's answers only from the
 * platform's own origin, and only for its first-party front ends.
 */
const t = useTestDatabase();
const clock = fixedClock(new Date());
let h: Harness;
let tokenEndpoint: string;

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
  const discovery = (await (await fetch(`${h.baseUrl}/.well-known/openid-configuration`)).json()) as {
    token_endpoint: string;
  };
  tokenEndpoint = discovery.token_endpoint;
});

afterAll(async () => {
  await h?.stop();
});

function redeem(origin: string) {
  return fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: 'not-a-real-code',
      client_id: 'citizen-app',
      redirect_uri: `${h.baseUrl}/callback`,
      code_verifier: 'x'.repeat(43),
    }),
  });
}

describe('threat: another site reads the token endpoint through a browser', () => {
  test('the platform origin may read the answer; another origin may not', async () => {
    const own = await redeem(new URL(h.baseUrl).origin);
    expect(own.headers.get('access-control-allow-origin')).toBe(new URL(h.baseUrl).origin);
    const evil = await redeem('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).not.toBe('*');
  });
});
