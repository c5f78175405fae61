import { beforeEach, describe, expect, test } from 'vitest';
import { sql } from 'kysely';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import {
  DEFAULT_KEY_POLICY,
  advanceKeys,
  ensureSigningKeys,
  keysFingerprint,
  listKeys,
  loadJwks,
  providerSecret,
  stageNextKeys,
  type KeyPolicy,
} from './keys.ts';

const t = useTestDatabase();
const clock = fixedClock('2026-03-02T03:00:00Z');
const HOUR = 3_600_000;
const policy: KeyPolicy = { publishForMs: HOUR, retainForMs: 24 * HOUR, rotateEveryMs: 90 * 24 * HOUR };

function secrets() {
  return testPlatform(t.db).secrets;
}

beforeEach(async () => {
  clock.set('2026-03-02T03:00:00Z');
  await sql`truncate oidc.signing_keys, oidc.secrets`.execute(t.db);
});

async function states() {
  return (await listKeys(t.db)).map((k) => `${k.alg}:${k.state}`).sort();
}

describe('signing keys', () => {
  test('first start creates one current key per algorithm, sealed at rest; a second start creates none', async () => {
    const created = await ensureSigningKeys(t.db, secrets(), clock.now());
    expect(created).toHaveLength(2);
    expect(await ensureSigningKeys(t.db, secrets(), clock.now())).toEqual([]);
    expect(await states()).toEqual(['ES256:current', 'RS256:current']);
    const rows = await t.db.selectFrom('oidc.signing_keys').selectAll().execute();
    for (const row of rows) {
      expect(row.sealed_private).toMatch(/^v1\./);
      expect(JSON.stringify(row.public_jwk)).not.toContain('"d"');
      // The seal is bound to the key id: copied to another row it does not open.
      expect(() => secrets().open(row.sealed_private, 'oidc-key:other')).toThrow();
    }
    const jwks = await loadJwks(t.db, secrets());
    expect(jwks.keys).toHaveLength(2);
    for (const k of jwks.keys) expect(k.d).toBeTruthy();
  });

  test('processes starting together create exactly one current key per algorithm', async () => {
    await Promise.all([1, 2, 3].map(() => ensureSigningKeys(t.db, secrets(), clock.now())));
    expect(await states()).toEqual(['ES256:current', 'RS256:current']);
  });

  test('rotation: next is published first, becomes current after the delay, the old key is retired then removed', async () => {
    await ensureSigningKeys(t.db, secrets(), clock.now());
    const before = await listKeys(t.db);
    const oldKids = before.map((k) => k.kid);
    const fp0 = await keysFingerprint(t.db);

    const staged = await stageNextKeys(t.db, secrets(), clock.now(), policy);
    expect(staged).toHaveLength(2);
    // Staging again is idempotent.
    expect((await stageNextKeys(t.db, secrets(), clock.now(), policy)).map((s) => s.kid)).toEqual(
      staged.map((s) => s.kid),
    );
    const fp1 = await keysFingerprint(t.db);
    expect(fp1).not.toBe(fp0);

    // Published (in the JWKS) but not signing: current keys stay first.
    let jwks = await loadJwks(t.db, secrets());
    expect(
      jwks.keys
        .map((k) => k.kid)
        .slice(0, 2)
        .sort(),
    ).toEqual(oldKids.slice().sort());
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining(staged.map((s) => s.kid)));

    // Not yet due.
    clock.advance(policy.publishForMs - 1);
    expect(await advanceKeys(t.db, secrets(), clock.now(), policy)).toEqual({
      promoted: [],
      retired: [],
      removed: [],
      staged: [],
    });

    clock.advance(1);
    const step = await advanceKeys(t.db, secrets(), clock.now(), policy);
    expect(step.promoted.sort()).toEqual(staged.map((s) => s.kid).sort());
    expect(step.retired.sort()).toEqual(oldKids.slice().sort());
    expect(await states()).toEqual(['ES256:current', 'ES256:retired', 'RS256:current', 'RS256:retired']);
    jwks = await loadJwks(t.db, secrets());
    expect(
      jwks.keys
        .map((k) => k.kid)
        .slice(0, 2)
        .sort(),
    ).toEqual(staged.map((s) => s.kid).sort());
    expect(jwks.keys).toHaveLength(4);

    // The retired keys stay published until every token they signed has expired.
    clock.advance(policy.retainForMs - 1);
    expect((await advanceKeys(t.db, secrets(), clock.now(), policy)).removed).toEqual([]);
    clock.advance(1);
    expect((await advanceKeys(t.db, secrets(), clock.now(), policy)).removed.sort()).toEqual(oldKids.slice().sort());
    expect(await states()).toEqual(['ES256:current', 'RS256:current']);
  });

  test('a current key older than rotateEvery stages a rotation by itself', async () => {
    await ensureSigningKeys(t.db, secrets(), clock.now());
    clock.advance(DEFAULT_KEY_POLICY.rotateEveryMs);
    const step = await advanceKeys(t.db, secrets(), clock.now(), policy);
    expect(step.staged).toHaveLength(2);
    expect(await states()).toEqual(['ES256:current', 'ES256:next', 'RS256:current', 'RS256:next']);
    // Already staged: nothing more.
    expect((await advanceKeys(t.db, secrets(), clock.now(), policy)).staged).toEqual([]);
  });

  test('provider secrets are made once and read the same by everyone', async () => {
    const [a, b] = await Promise.all([
      providerSecret(t.db, secrets(), 'cookie-key-1', clock.now()),
      providerSecret(t.db, secrets(), 'cookie-key-1', clock.now()),
    ]);
    expect(a.equals(b)).toBe(true);
    expect(a).toHaveLength(32);
    const other = await providerSecret(t.db, secrets(), 'pairwise', clock.now());
    expect(other.equals(a)).toBe(false);
  });
});
