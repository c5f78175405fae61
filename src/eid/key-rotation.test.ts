import { beforeAll, describe, expect, test } from 'vitest';
import { decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { ensureSigningKeys } from '../oidc/keys.ts';
import { vietnamDate } from '../registries/dates.ts';
import type { Holder } from './service.ts';
import { adultWithCard, eidKit } from './testing.ts';
import { verifyPresentation } from './verify.ts';

/**
 * The card's signing keys rotate without a gap: a new key is published before it signs, the old
 * one stays published after it stops signing until every credential it signed has expired; the
 * private halves are sealed and never published. Apart from the OpenID provider's keys.
 */
const t = useTestDatabase();
const clock = fixedClock('2026-11-26T03:00:00Z');
const ISSUER = 'https://id.example.gov.vn';
let kit: Awaited<ReturnType<typeof eidKit>>;
let holder: Holder;

beforeAll(async () => {
  kit = await eidKit(testPlatform(t.db, { clock, config: { baseUrl: ISSUER } }), t.database.pool, {
    policy: { keyPublishForMs: 60_000, keyRetainForMs: 300_000, keyRotateEveryMs: 24 * 3_600_000 },
  });
  const [citizen] = await kit.citizens(adultWithCard(vietnamDate(clock.now())));
  ({ holder } = await kit.holderFor(citizen!));
});

const jwks = async () => (await kit.eid.jwks()) as JSONWebKeySet;
const kids = (set: JSONWebKeySet) => set.keys.map((k) => k.kid);
const kidOf = (jws: string) => decodeProtectedHeader(jws).kid;

async function present() {
  return kit.eid.present(holder, await kit.open(holder), {});
}

describe('key rotation (docs/eid.md)', () => {
  test('keys are sealed at rest, published without their private half, and not the provider keys', async () => {
    const published = await jwks();
    expect(published.keys).toHaveLength(1);
    expect(published.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(published.keys[0]).not.toHaveProperty('d');
    const rows = await t.db.selectFrom('eid.keys').select(['kid', 'sealed_private', 'state']).execute();
    expect(rows).toEqual([
      { kid: published.keys[0]!.kid, sealed_private: expect.stringMatching(/^v1\./), state: 'current' },
    ]);
    const oidcKids = await ensureSigningKeys(t.db, kit.platform.secrets, clock.now());
    expect(oidcKids.length).toBeGreaterThan(0);
    expect(oidcKids).not.toContain(published.keys[0]!.kid);
  });

  test('a rotation keeps old credentials verifiable until they expire', async () => {
    const before = await jwks();
    const [oldKid] = kids(before);
    const old = await present();
    expect(kidOf(old.credential)).toBe(oldKid);

    // 1. The next key is published at once but signs nothing yet.
    const staged = await kit.eid.stageKeyRotation();
    const published = await jwks();
    expect(kids(published)).toEqual([oldKid, staged.kid]);
    expect(kidOf((await present()).credential)).toBe(oldKid);

    // 2. Once due, it signs; the old key is retired but still published.
    clock.advance(60_000);
    expect(await kit.eid.advanceKeys()).toMatchObject({ promoted: [staged.kid], retired: [oldKid] });
    const fresh = await present();
    expect(kidOf(fresh.credential)).toBe(staged.kid);
    const after = await jwks();
    expect(kids(after)).toEqual([staged.kid, oldKid]);
    // A verifier with the set fetched before the rotation already knows the new key…
    expect((await verifyPresentation(fresh.credential, published, { now: clock.now(), issuer: ISSUER })).valid).toBe(
      true,
    );
    // …and the credential signed before it still verifies, offline and online.
    expect((await verifyPresentation(old.credential, after, { now: clock.now(), issuer: ISSUER })).valid).toBe(true);
    expect(await kit.eid.verifyOnline(old.credential, { name: 'Quầy thử' })).toMatchObject({
      valid: true,
      status: 'active',
    });

    // 3. It then expires like any credential: expired, not "unknown key".
    clock.advance(61_000);
    expect(
      await verifyPresentation(old.credential, after, { now: clock.now(), issuer: ISSUER, clockToleranceSec: 0 }),
    ).toMatchObject({
      reason: 'expired',
    });
    expect(await kit.eid.verifyOnline(old.credential, {})).toMatchObject({ status: 'expired' });

    // 4. After keyRetainForMs the retired key leaves the set.
    clock.advance(300_000);
    expect(await kit.eid.advanceKeys()).toMatchObject({ removed: [oldKid] });
    expect(kids(await jwks())).toEqual([staged.kid]);
  });

  test('a rotation is staged by itself once the current key is older than the policy', async () => {
    expect((await kit.eid.advanceKeys()).staged).toEqual([]);
    clock.advance(24 * 3_600_000);
    const step = await kit.eid.advanceKeys();
    expect(step.staged).toHaveLength(1);
    expect(kids(await jwks())).toHaveLength(2);
    // Idempotent: a second round stages nothing more.
    expect((await kit.eid.advanceKeys()).staged).toEqual([]);
  });
});
