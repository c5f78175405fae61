import { sql, type Selectable } from 'kysely';
import type { Db, Executor } from '../platform/database.ts';
import type { LoginFlowRow } from './tables.ts';

/** SQL of the OpenID context beyond the adapter's (adapter.ts) and the keys' (keys.ts). */

export type LoginFlow = Selectable<LoginFlowRow>;

function live(now: Date) {
  return sql<boolean>`(expires_at is null or expires_at > ${now})`;
}

/** The newest live grant of an account with a client. */
export async function latestGrantId(db: Executor, accountId: string, clientId: string, now: Date) {
  const row = await db
    .selectFrom('oidc.payloads')
    .select('id')
    .where('model', '=', 'Grant')
    .where('account_id', '=', accountId)
    .where('client_id', '=', clientId)
    .where(live(now))
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

export interface StoredGrant {
  id: string;
  client_id: string;
  scope: string;
  claims: string[];
  created_at: Date;
}

export async function grantsOf(db: Executor, accountId: string, now: Date, clientId?: string): Promise<StoredGrant[]> {
  let query = db
    .selectFrom('oidc.payloads')
    .select(['id', 'client_id', 'payload', 'created_at'])
    .where('model', '=', 'Grant')
    .where('account_id', '=', accountId)
    .where(live(now));
  if (clientId) query = query.where('client_id', '=', clientId);
  const rows = await query.orderBy('created_at').execute();
  return rows.map((r) => {
    const openid = (r.payload as { openid?: { scope?: string; claims?: string[] } }).openid;
    return {
      id: r.id,
      client_id: r.client_id ?? '',
      scope: openid?.scope ?? '',
      claims: openid?.claims ?? [],
      created_at: r.created_at,
    };
  });
}

export interface StoredSession {
  id: string;
  uid: string;
  authorizations: Record<string, { sid?: string; grantId?: string }>;
}

export async function sessionsOf(db: Executor, accountId: string, now: Date): Promise<StoredSession[]> {
  const rows = await db
    .selectFrom('oidc.payloads')
    .select(['id', 'uid', 'payload'])
    .where('model', '=', 'Session')
    .where('account_id', '=', accountId)
    .where(live(now))
    .execute();
  return rows.map((r) => ({
    id: r.id,
    uid: r.uid ?? '',
    authorizations:
      (r.payload as { authorizations?: Record<string, { sid?: string; grantId?: string }> }).authorizations ?? {},
  }));
}

/** A row `deleteAllOf` removed: enough to tell the relying parties that were part of it. */
export interface RemovedPayload {
  model: string;
  client_id: string | null;
  payload: unknown;
  expires_at: Date | null;
}

/**
 * Removes every session, grant, code and token of an account, in one statement, and returns what
 * it removed (so that whom to tell is read from exactly what was ended, with no window between a
 * read and the delete). Expired rows go too.
 */
export async function deleteAllOf(trx: Executor, accountId: string): Promise<RemovedPayload[]> {
  return trx
    .deleteFrom('oidc.payloads')
    .where('account_id', '=', accountId)
    .returning(['model', 'client_id', 'payload', 'expires_at'])
    .execute();
}

/**
 * The (relying party, sid) pairs to send a back-channel logout token to, from removed rows: each
 * session's authorizations, and the sid carried by tokens and codes (a refresh token outlives the
 * 12-hour session it came from: its relying party is told all the same). Rows already past their
 * expiry tell no one: that session or token had ended anyway.
 */
export function logoutTargets(rows: RemovedPayload[], now: Date): Map<string, Set<string>> {
  const targets = new Map<string, Set<string>>();
  const add = (clientId: unknown, sid: unknown) => {
    if (typeof clientId !== 'string' || !clientId || typeof sid !== 'string' || !sid) return;
    targets.set(clientId, (targets.get(clientId) ?? new Set<string>()).add(sid));
  };
  for (const row of rows) {
    if (row.expires_at && row.expires_at <= now) continue;
    const payload = (row.payload ?? {}) as {
      authorizations?: Record<string, { sid?: unknown }>;
      clientId?: unknown;
      sid?: unknown;
    };
    if (row.model === 'Session') {
      for (const [clientId, auth] of Object.entries(payload.authorizations ?? {})) add(clientId, auth.sid);
    } else if (TOKEN_MODELS.has(row.model)) {
      add(payload.clientId ?? row.client_id, payload.sid);
    }
  }
  return targets;
}

const TOKEN_MODELS = new Set(['AccessToken', 'RefreshToken', 'AuthorizationCode']);

/** Removes grants and every token issued under them. */
export async function deleteGrants(trx: Executor, grantIds: string[]): Promise<number> {
  if (grantIds.length === 0) return 0;
  const result = await trx
    .deleteFrom('oidc.payloads')
    .where((eb) =>
      eb.or([eb('grant_id', 'in', grantIds), eb.and([eb('model', '=', 'Grant'), eb('id', 'in', grantIds)])]),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

// --- login flows -----------------------------------------------------------------------------

export async function findFlow(db: Executor, uid: string, now: Date): Promise<LoginFlow | undefined> {
  return db
    .selectFrom('oidc.login_flows')
    .selectAll()
    .where('uid', '=', uid)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/** Creates the flow of an interaction, or returns the one another request created first. */
export async function createFlow(db: Db, flow: LoginFlow): Promise<LoginFlow> {
  await db
    .insertInto('oidc.login_flows')
    .values(flow)
    .onConflict((oc) => oc.column('uid').doNothing())
    .execute();
  return db.selectFrom('oidc.login_flows').selectAll().where('uid', '=', flow.uid).executeTakeFirstOrThrow();
}

/** Moves a flow on, only from the step the caller saw (a double submission changes nothing). */
export async function advanceFlow(
  db: Executor,
  uid: string,
  from: LoginFlow['step'],
  patch: Partial<Omit<LoginFlow, 'uid' | 'created_at'>>,
): Promise<LoginFlow | undefined> {
  return db
    .updateTable('oidc.login_flows')
    .set(patch)
    .where('uid', '=', uid)
    .where('step', '=', from)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteFlow(db: Executor, uid: string): Promise<void> {
  await db.deleteFrom('oidc.login_flows').where('uid', '=', uid).execute();
}
