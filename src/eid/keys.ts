import { sql } from 'kysely';
import { importJWK, type JWK } from 'jose';
import { generateSigningKey } from '../oidc/keys.ts';
import type { SecretBox } from '../platform/crypto.ts';
import type { Db, Executor } from '../platform/database.ts';
import type { EidPolicy } from './model.ts';
import type { EidKeyState } from './tables.ts';

/**
 * The card's signing keys, kept apart from the OpenID provider's (a credential shown at a counter
 * must never verify as an ID token, nor the reverse), with the provider's approach (src/oidc/keys.ts):
 * rows of `eid.keys`, the private half sealed by the platform's secret box under the context
 * `eid-key:<kid>`, and a rotation without a gap for offline verifiers:
 *
 * 1. `stageNextKey` adds a `next` key: published at once in `/.well-known/eid-jwks.json`, signing nothing.
 * 2. `advanceKeys`, once `activate_after` has passed (EidPolicy.keyPublishForMs: verifiers refresh
 *    their copy within it), makes it `current`; the previous current key becomes `retired`, still
 *    published until `remove_after` (keyRetainForMs, longer than any credential's life), so every
 *    credential it signed verifies until it expires.
 * 3. `advanceKeys` deletes retired keys past `remove_after`, and stages a rotation when the current
 *    key is older than keyRotateEveryMs.
 *
 * One algorithm, ES256 (P-256): small signatures keep the QR code small.
 */
export const EID_ALG = 'ES256';

/** Serialises key changes across processes (held until the transaction ends). */
const KEYS_LOCK = 0x65696431; // 'eid1'

async function lockKeys(trx: Executor): Promise<void> {
  await sql`select pg_advisory_xact_lock(${KEYS_LOCK})`.execute(trx);
}

const context = (kid: string) => `eid-key:${kid}`;

async function insertKey(
  trx: Executor,
  secrets: SecretBox,
  state: EidKeyState,
  now: Date,
  activateAfter: Date | null,
): Promise<string> {
  const key = await generateSigningKey(EID_ALG);
  await trx
    .insertInto('eid.keys')
    .values({
      kid: key.kid,
      alg: EID_ALG,
      state,
      public_jwk: JSON.stringify(key.publicJwk),
      sealed_private: secrets.seal(JSON.stringify(key.privateJwk), context(key.kid)),
      created_at: now,
      activate_after: state === 'next' ? activateAfter : null,
      activated_at: state === 'current' ? now : null,
      retired_at: null,
      remove_after: null,
      updated_at: now,
    })
    .execute();
  return key.kid;
}

/** A current key, made on first use by whichever process gets there first. Returns its kid. */
export async function ensureCurrentKey(db: Db, secrets: SecretBox, now: Date): Promise<string> {
  const present = await db.selectFrom('eid.keys').select('kid').where('state', '=', 'current').executeTakeFirst();
  if (present) return present.kid;
  return db.transaction().execute(async (trx) => {
    await lockKeys(trx);
    const raced = await trx.selectFrom('eid.keys').select('kid').where('state', '=', 'current').executeTakeFirst();
    return raced ? raced.kid : insertKey(trx, secrets, 'current', now, null);
  });
}

/** Stages a rotation (idempotent: an existing `next` key is kept). */
export async function stageNextKey(
  db: Db,
  secrets: SecretBox,
  now: Date,
  policy: Pick<EidPolicy, 'keyPublishForMs'>,
): Promise<{ kid: string; activateAfter: Date }> {
  return db.transaction().execute(async (trx) => {
    await lockKeys(trx);
    const existing = await trx
      .selectFrom('eid.keys')
      .select(['kid', 'activate_after'])
      .where('state', '=', 'next')
      .executeTakeFirst();
    if (existing) return { kid: existing.kid, activateAfter: existing.activate_after! };
    const activateAfter = new Date(now.getTime() + policy.keyPublishForMs);
    return { kid: await insertKey(trx, secrets, 'next', now, activateAfter), activateAfter };
  });
}

export interface KeyAdvance {
  promoted: string[];
  retired: string[];
  removed: string[];
  staged: string[];
}

/** Moves keys along their life (see above). Run by the worker; safe in any number of processes. */
export async function advanceKeys(db: Db, secrets: SecretBox, now: Date, policy: EidPolicy): Promise<KeyAdvance> {
  const result: KeyAdvance = { promoted: [], retired: [], removed: [], staged: [] };
  const stage = await db.transaction().execute(async (trx) => {
    await lockKeys(trx);
    const due = await trx
      .selectFrom('eid.keys')
      .select('kid')
      .where('state', '=', 'next')
      .where('activate_after', '<=', now)
      .executeTakeFirst();
    if (due) {
      const retired = await trx
        .updateTable('eid.keys')
        .set({
          state: 'retired',
          retired_at: now,
          remove_after: new Date(now.getTime() + policy.keyRetainForMs),
          updated_at: now,
        })
        .where('state', '=', 'current')
        .returning('kid')
        .execute();
      result.retired.push(...retired.map((r) => r.kid));
      await trx
        .updateTable('eid.keys')
        .set({ state: 'current', activated_at: now, activate_after: null, updated_at: now })
        .where('kid', '=', due.kid)
        .execute();
      result.promoted.push(due.kid);
    }
    const removed = await trx
      .deleteFrom('eid.keys')
      .where('state', '=', 'retired')
      .where('remove_after', '<=', now)
      .returning('kid')
      .execute();
    result.removed.push(...removed.map((r) => r.kid));
    if (policy.keyRotateEveryMs <= 0) return false;
    const old = await trx
      .selectFrom('eid.keys')
      .select('kid')
      .where('state', '=', 'current')
      .where('activated_at', '<=', new Date(now.getTime() - policy.keyRotateEveryMs))
      .executeTakeFirst();
    const next = await trx.selectFrom('eid.keys').select('kid').where('state', '=', 'next').executeTakeFirst();
    return Boolean(old) && !next;
  });
  if (stage) result.staged.push((await stageNextKey(db, secrets, now, policy)).kid);
  return result;
}

const STATE_ORDER: Record<EidKeyState, number> = { current: 0, next: 1, retired: 2 };

/** The public keys to publish: current first, then next, then retired ones (verification only). */
export async function publicJwks(db: Executor): Promise<{ keys: JWK[] }> {
  const rows = await db.selectFrom('eid.keys').select(['public_jwk', 'state']).orderBy('created_at', 'desc').execute();
  return {
    keys: rows.sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state]).map((r) => r.public_jwk as JWK),
  };
}

/** An imported private key, as jose hands it out. */
type PrivateKey = Awaited<ReturnType<typeof importJWK>>;

export interface SigningKey {
  kid: string;
  key: PrivateKey;
}

/**
 * The key that signs now, opened from its sealed row. Imported keys are cached by kid (a key never
 * changes under its kid, its thumbprint), so a process unseals each key once.
 */
export function signingKeys(db: Db, secrets: SecretBox) {
  const cache = new Map<string, PrivateKey>();
  const current = (executor: Executor) =>
    executor.selectFrom('eid.keys').select(['kid', 'sealed_private']).where('state', '=', 'current').executeTakeFirst();
  return async function currentSigningKey(now: Date): Promise<SigningKey> {
    let row = await current(db);
    if (!row) {
      await ensureCurrentKey(db, secrets, now);
      row = await current(db);
      if (!row) throw new Error('no current eid signing key');
    }
    let key = cache.get(row.kid);
    if (!key) {
      const jwk = JSON.parse(secrets.open(row.sealed_private, context(row.kid)).toString('utf8')) as JWK;
      key = await importJWK(jwk, EID_ALG);
      cache.set(row.kid, key);
    }
    return { kid: row.kid, key };
  };
}
