import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { buildServer, type App } from '../http/server.ts';
import { createServices } from '../services.ts';
import { VERIFY_RATE } from './routes.ts';

/**
 * Threat: the open online verifier (`POST /api/v1/public/eid/verify`, no account needed) used to
 * try forged or guessed credentials at speed. Requests are counted per address in PostgreSQL:
 * past the limit the answer is 429 with Retry-After, other addresses are served, and the window
 * passing opens it again.
 */
const t = useTestDatabase();
const clock = fixedClock('2026-11-26T03:00:00Z');
let app: App;

beforeAll(async () => {
  const platform = testPlatform(t.db, { clock });
  app = await buildServer(platform, createServices(platform));
});

afterAll(async () => {
  await app?.close();
});

const verify = (remoteAddress: string) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/public/eid/verify',
    remoteAddress,
    payload: { credential: 'eyJhbGciOiJFUzI1NiJ9.e30.forged', verifier: 'flood' },
  });

describe('online verification is rate limited per address', () => {
  test('past the limit: 429 with Retry-After; another address is still served; the window reopens', async () => {
    for (let i = 0; i < VERIFY_RATE.max; i++) {
      const answer = await verify('198.51.100.7');
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toMatchObject({ valid: false, status: 'invalid' });
    }
    const refused = await verify('198.51.100.7');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    expect((await verify('198.51.100.8')).statusCode).toBe(200);

    clock.advance(VERIFY_RATE.lockMs + 1000);
    expect((await verify('198.51.100.7')).statusCode).toBe(200);
  });
});
