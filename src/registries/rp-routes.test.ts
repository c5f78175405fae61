import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { startHarness, type Harness } from '../oidc/testing.ts';
import { CITIZEN_CHECK_RATE } from './rp-routes.ts';

/**
 * Threat: a caller other than a state relying party uses the registry check to learn whether a
 * PIN, a name and a date of birth go together, or whose a phone number is. Only an active state
 * relying party allowed the `pin` scope, authenticated with its client secret, gets an answer, and
 * the answer is two booleans; every call is audited under the caller's name.
 */
const t = useTestDatabase();
const clock = fixedClock(new Date());
let h: Harness;

beforeAll(async () => {
  const platform = testPlatform(t.db, { clock, config: { adminToken: 'admin-secret' } });
  h = await startHarness(platform, t.database.pool, { clock });
});
afterAll(async () => {
  await h?.stop();
});

const BINH = { pin: '001192031775', full_name: 'Trần Thị Bình', birthdate: '1992-08-20', phone: '0987654321' };

function check(body: unknown, credentials?: { id: string; secret: string }) {
  return fetch(`${h.baseUrl}/api/v1/rp/registries/citizen-check`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(credentials
        ? { authorization: `Basic ${Buffer.from(`${credentials.id}:${credentials.secret}`).toString('base64')}` }
        : {}),
    },
    body: JSON.stringify(body),
  });
}

describe('registry check for state relying parties', () => {
  test('a state relying party with the pin scope gets two booleans, and nothing else', async () => {
    const rp = await h.register({ client_id: 'cong-dvc-test', scopes: ['profile', 'pin'] });
    const credentials = { id: rp.client_id, secret: rp.client_secret! };
    let response = await check(BINH, credentials);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ identity_matches: true, phone_registered_to_citizen: true });
    response = await check({ ...BINH, full_name: 'TRẦN THỊ BÌNH' }, credentials);
    expect(await response.json()).toEqual({ identity_matches: true, phone_registered_to_citizen: true });
    response = await check({ ...BINH, full_name: 'Tran Thi Binh' }, credentials);
    expect(await response.json()).toEqual({ identity_matches: false, phone_registered_to_citizen: false });
    // Võ Thị Thu's phone is registered to Nguyễn Văn An.
    response = await check(
      { pin: '079195063128', full_name: 'Võ Thị Thu', birthdate: '1995-10-20', phone: '0909123456' },
      credentials,
    );
    expect(await response.json()).toEqual({ identity_matches: true, phone_registered_to_citizen: false });
    const audited = await t.db
      .selectFrom('audit.entries')
      .selectAll()
      .where('action', '=', 'registries.rp.citizen_check')
      .where('outcome', '=', 'success')
      .execute();
    expect(audited).toHaveLength(4);
    expect(audited.every((a) => a.actor_kind === 'client' && a.actor_id === 'cong-dvc-test')).toBe(true);
  });

  test('no credentials or a wrong secret: 401, audited', async () => {
    expect((await check(BINH)).status).toBe(401);
    const response = await check(BINH, { id: 'cong-dvc-test', secret: 'guess' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Basic');
    const denied = await t.db
      .selectFrom('audit.entries')
      .selectAll()
      .where('action', '=', 'registries.rp.authenticate')
      .execute();
    expect(denied.length).toBeGreaterThanOrEqual(2);
  });

  test('a private relying party, or a state one without the pin scope: 403', async () => {
    const bank = await h.register({
      client_id: 'ngan-hang-test',
      kind: 'private',
      sector_identifier: 'bank.example.vn',
      scopes: ['profile'],
    });
    expect((await check(BINH, { id: bank.client_id, secret: bank.client_secret! })).status).toBe(403);
    const plain = await h.register({ client_id: 'so-khong-pin', scopes: ['profile'] });
    expect((await check(BINH, { id: plain.client_id, secret: plain.client_secret! })).status).toBe(403);
  });

  test('a malformed question is a 400 with the field', async () => {
    const rp = await h.register({ client_id: 'cong-dvc-test-2', scopes: ['pin'] });
    const response = await check({ ...BINH, pin: '12' }, { id: rp.client_id, secret: rp.client_secret! });
    expect(response.status).toBe(400);
  });

  test('a leaked secret cannot sweep the registries: past the limit a minute, 429 until it passes', async () => {
    const rp = await h.register({ client_id: 'cong-dvc-sweep', scopes: ['profile', 'pin'] });
    const credentials = { id: 'cong-dvc-sweep', secret: rp.client_secret! };
    for (let i = 0; i < CITIZEN_CHECK_RATE.max; i++) {
      expect((await check(BINH, credentials)).status).toBe(200);
    }
    const refused = await check(BINH, credentials);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: 'RATE_LIMITED' });
    clock.advance(CITIZEN_CHECK_RATE.lockMs + 1000);
    expect((await check(BINH, credentials)).status).toBe(200);
  });
});
