import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { SecretBox } from '../platform/crypto.ts';
import type { Db, Executor } from '../platform/database.ts';
import type { SigningKeyRow, SigningKeyState } from './tables.ts';

/**
 * The provider's signing keys, stored in `oidc.signing_keys` with the private half sealed by the
 * platform's secret box (context `oidc-key:<kid>`), and rotated without downtime:
 *
 * 1. `stageNextKeys` adds a `next` key per algorithm. Every process publishes it in its JWKS at
 *    its next reload (`keysFingerprint` changes), but nobody signs with it yet.
 * 2. `advanceKeys`, once `activate_after` has passed (longer than any process's reload interval
 *    plus the relying parties' JWKS cache), makes it `current`: processes sign with it after their
 *    next reload. The previous key becomes `retired`: still published, so tokens it signed keep
 *    verifying, until `remove_after` (longer than the longest-lived token it may have signed,
 *    including ID tokens an RP keeps as `id_token_hint` for a 12-hour session).
 * 3. `advanceKeys` deletes retired keys past `remove_after`.
 *
 * The JWKS handed to oidc-provider lists current keys first (the provider signs with the first
 * key of the algorithm), then next, then retired ones (verification only).
 */
export const SIGNING_ALGS = ['ES256', 'RS256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

export interface KeyPolicy {
  /** How long a `next` key is published before it signs. */
  publishForMs: number;
  /** How long a `retired` key stays published after it stopped signing. */
  retainForMs: number;
  /** Age of the current key after which a rotation is staged automatically (0: never). */
  rotateEveryMs: number;
}

const HOUR = 3_600_000;
export const DEFAULT_KEY_POLICY: KeyPolicy = {
  publishForMs: HOUR,
  retainForMs: 24 * HOUR,
  rotateEveryMs: 90 * 24 * HOUR,
};

/** Serialises key changes across processes (held until the transaction ends). */
const KEYS_LOCK = 0x6f696463; // 'oidc'

async function lockKeys(trx: Executor): Promise<void> {
  await sql`select pg_advisory_xact_lock(${KEYS_LOCK})`.execute(trx);
}

export interface GeneratedKey {
  kid: string;
  alg: SigningAlg;
  publicJwk: JWK;
  privateJwk: JWK;
}

export async function generateSigningKey(alg: SigningAlg): Promise<GeneratedKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: 3072 } : {}),
  });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const meta = { kid, alg, use: 'sig' };
  return { kid, alg, publicJwk: { ...publicJwk, ...meta }, privateJwk: { ...(await exportJWK(privateKey)), ...meta } };
}

async function insertKey(
  trx: Executor,
  secrets: SecretBox,
  key: GeneratedKey,
  state: SigningKeyState,
  now: Date,
  activateAfter: Date | null,
): Promise<void> {
  await trx
    .insertInto('oidc.signing_keys')
    .values({
      kid: key.kid,
      alg: key.alg,
      state,
      public_jwk: JSON.stringify(key.publicJwk),
      sealed_private: secrets.seal(JSON.stringify(key.privateJwk), `oidc-key:${key.kid}`),
      created_at: now,
      activate_after: state === 'next' ? activateAfter : null,
      activated_at: state === 'current' ? now : null,
      retired_at: null,
      remove_after: null,
      updated_at: now,
    })
    .execute();
}

/** First start: a current key for every algorithm that has none (nothing to pre-publish yet). */
export async function ensureSigningKeys(db: Db, secrets: SecretBox, now: Date): Promise<string[]> {
  const created: string[] = [];
  // Generate outside the transaction (RSA takes a moment); insert under the lock.
  const present = await db.selectFrom('oidc.signing_keys').select('alg').where('state', '=', 'current').execute();
  const missing = SIGNING_ALGS.filter((alg) => !present.some((p) => p.alg === alg));
  if (missing.length === 0) return created;
  const fresh = await Promise.all(missing.map(generateSigningKey));
  await db.transaction().execute(async (trx) => {
    await lockKeys(trx);
    for (const key of fresh) {
      const exists = await trx
        .selectFrom('oidc.signing_keys')
        .select('kid')
        .where('alg', '=', key.alg)
        .where('state', '=', 'current')
        .executeTakeFirst();
      if (exists) continue;
      await insertKey(trx, secrets, key, 'current', now, null);
      created.push(key.kid);
    }
  });
  return created;
}

/**
 * Stages a rotation: a `next` key per algorithm, to become current after `publishForMs`.
 * Idempotent: an algorithm that already has a `next` key keeps it.
 */
export async function stageNextKeys(
  db: Db,
  secrets: SecretBox,
  now: Date,
  policy: KeyPolicy = DEFAULT_KEY_POLICY,
): Promise<{ kid: string; alg: string; activateAfter: Date }[]> {
  const fresh = await Promise.all(SIGNING_ALGS.map(generateSigningKey));
  const activateAfter = new Date(now.getTime() + policy.publishForMs);
  return db.transaction().execute(async (trx) => {
    await lockKeys(trx);
    const staged: { kid: string; alg: string; activateAfter: Date }[] = [];
    for (const key of fresh) {
      const existing = await trx
        .selectFrom('oidc.signing_keys')
        .select(['kid', 'activate_after'])
        .where('alg', '=', key.alg)
        .where('state', '=', 'next')
        .executeTakeFirst();
      if (existing) {
        staged.push({ kid: existing.kid, alg: key.alg, activateAfter: existing.activate_after! });
        continue;
      }
      await insertKey(trx, secrets, key, 'next', now, activateAfter);
      staged.push({ kid: key.kid, alg: key.alg, activateAfter });
    }
    return staged;
  });
}

export interface KeyAdvance {
  promoted: string[];
  retired: string[];
  removed: string[];
  staged: string[];
}

/**
 * Moves keys along their life: due `next` keys become `current` (the previous current key of the
 * algorithm retires), retired keys past `remove_after` are deleted, and a rotation is staged when
 * the current key is older than `rotateEveryMs`. Run periodically by the worker; safe anywhere.
 */
export async function advanceKeys(
  db: Db,
  secrets: SecretBox,
  now: Date,
  policy: KeyPolicy = DEFAULT_KEY_POLICY,
): Promise<KeyAdvance> {
  const result: KeyAdvance = { promoted: [], retired: [], removed: [], staged: [] };
  let stage = false;
  await db.transaction().execute(async (trx) => {
    await lockKeys(trx);
    const due = await trx
      .selectFrom('oidc.signing_keys')
      .select(['kid', 'alg'])
      .where('state', '=', 'next')
      .where('activate_after', '<=', now)
      .execute();
    for (const key of due) {
      const retired = await trx
        .updateTable('oidc.signing_keys')
        .set({
          state: 'retired',
          retired_at: now,
          remove_after: new Date(now.getTime() + policy.retainForMs),
          updated_at: now,
        })
        .where('alg', '=', key.alg)
        .where('state', '=', 'current')
        .returning('kid')
        .execute();
      result.retired.push(...retired.map((r) => r.kid));
      await trx
        .updateTable('oidc.signing_keys')
        .set({ state: 'current', activated_at: now, activate_after: null, updated_at: now })
        .where('kid', '=', key.kid)
        .execute();
      result.promoted.push(key.kid);
    }
    const removed = await trx
      .deleteFrom('oidc.signing_keys')
      .where('state', '=', 'retired')
      .where('remove_after', '<=', now)
      .returning('kid')
      .execute();
    result.removed.push(...removed.map((r) => r.kid));
    if (policy.rotateEveryMs > 0) {
      const old = await trx
        .selectFrom('oidc.signing_keys as c')
        .select('c.kid')
        .where('c.state', '=', 'current')
        .where('c.activated_at', '<=', new Date(now.getTime() - policy.rotateEveryMs))
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('oidc.signing_keys as n')
                .select('n.kid')
                .where('n.state', '=', 'next')
                .whereRef('n.alg', '=', 'c.alg'),
            ),
          ),
        )
        .execute();
      stage = old.length > 0;
    }
  });
  if (stage) result.staged = (await stageNextKeys(db, secrets, now, policy)).map((k) => k.kid);
  return result;
}

const STATE_ORDER: Record<SigningKeyState, number> = { current: 0, next: 1, retired: 2 };

/** The private JWKS for oidc-provider: current keys first (they sign), then next and retired. */
export async function loadJwks(db: Executor, secrets: SecretBox): Promise<{ keys: JWK[] }> {
  const rows = await db.selectFrom('oidc.signing_keys').selectAll().orderBy('created_at', 'desc').execute();
  const sorted = rows.slice().sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state]);
  return {
    keys: sorted.map(
      (row) => JSON.parse(secrets.open(row.sealed_private, `oidc-key:${row.kid}`).toString('utf8')) as JWK,
    ),
  };
}

/** Changes whenever a key is added, promoted, retired or removed: processes reload on a change. */
export async function keysFingerprint(db: Executor): Promise<string> {
  const row = await sql<{ fp: string }>`
    select coalesce(string_agg(kid || ':' || state, ',' order by kid), '') as fp from oidc.signing_keys`.execute(db);
  return row.rows[0]?.fp ?? '';
}

export type KeyInfo = Pick<
  SigningKeyRow,
  'kid' | 'alg' | 'state' | 'created_at' | 'activate_after' | 'activated_at' | 'retired_at' | 'remove_after'
>;

export async function listKeys(db: Executor): Promise<KeyInfo[]> {
  const rows = await db
    .selectFrom('oidc.signing_keys')
    .select(['kid', 'alg', 'state', 'created_at', 'activate_after', 'activated_at', 'retired_at', 'remove_after'])
    .orderBy('created_at')
    .execute();
  return rows.sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state]);
}

/**
 * A provider secret (cookie signing keys, the pairwise salt): made once, at random, by whichever
 * process gets there first, sealed at rest; every process reads the same value.
 */
export async function providerSecret(db: Db, secrets: SecretBox, name: string, now: Date, bytes = 32): Promise<Buffer> {
  const context = `oidc-secret:${name}`;
  await db
    .insertInto('oidc.secrets')
    .values({ name, sealed: secrets.seal(randomBytes(bytes), context), created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('oidc.secrets').select('sealed').where('name', '=', name).executeTakeFirstOrThrow();
  return secrets.open(row.sealed, context);
}
