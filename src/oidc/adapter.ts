import { sql } from 'kysely';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { Clock } from '../platform/clock.ts';
import type { Db, Executor } from '../platform/database.ts';

/**
 * The PostgreSQL storage of oidc-provider (its seven-method adapter contract), one row per model
 * instance in `oidc.payloads`, keyed by (model, id).
 *
 * - **TTL**: `upsert` stores `expires_at = now + expiresIn`; a row past it is absent for every
 *   read, whether or not the purge (`purgeExpired`, run by a worker) has deleted it yet.
 * - **consume** is atomic: the first call marks the row; a second one (two requests redeeming the
 *   same authorization code or refresh token at once) finds it already marked, revokes the whole
 *   grant as the provider does on replay, and fails with `invalid_grant`. Only one redemption wins.
 * - **revokeByGrantId** deletes this model's rows of a grant.
 * - The `Client` model is served from `oidc.clients` (registered by the admin API, clients.ts):
 *   dynamic registration is off, so the provider only ever reads it.
 *
 * Time comes from the platform clock, so expiry is testable without waiting.
 */
export interface AdapterDeps {
  db: Db;
  clock: Clock;
  /** Metadata of an active relying party, as the provider expects it (clients.ts). */
  clientMetadata(clientId: string): Promise<AdapterPayload | undefined>;
}

/** The models whose rows carry a grant id (tokens issued under a grant). */
export const GRANT_BOUND_MODELS = [
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'ClientCredentials',
  'PreAuthorizedCode',
] as const;

function epoch(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export class PostgresAdapter implements Adapter {
  constructor(
    readonly model: string,
    private readonly deps: Pick<AdapterDeps, 'db' | 'clock'>,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const now = this.deps.clock.now();
    const expiresAt = expiresIn ? new Date(now.getTime() + expiresIn * 1000) : null;
    const columns = {
      payload: JSON.stringify(payload),
      grant_id: str(payload.grantId),
      user_code: str(payload.userCode),
      uid: str(payload.uid),
      account_id: str(payload.accountId),
      client_id: str(payload.clientId),
      expires_at: expiresAt,
    };
    await this.deps.db
      .insertInto('oidc.payloads')
      .values({ model: this.model, id, ...columns, consumed_at: null, created_at: now })
      // A consumed mark survives a re-save: single use stays single use.
      .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(columns))
      .execute();
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('id', id);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('uid', uid);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('user_code', userCode);
  }

  private async findWhere(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
    const row = await this.deps.db
      .selectFrom('oidc.payloads')
      .select(['payload', 'consumed_at'])
      .where('model', '=', this.model)
      .where(column, '=', value)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', this.deps.clock.now())]))
      .executeTakeFirst();
    if (!row) return undefined;
    const payload = row.payload as AdapterPayload;
    return row.consumed_at ? { ...payload, consumed: epoch(row.consumed_at) } : payload;
  }

  async consume(id: string): Promise<void> {
    const now = this.deps.clock.now();
    const marked = await this.deps.db
      .updateTable('oidc.payloads')
      .set({ consumed_at: now })
      .where('model', '=', this.model)
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .returning('grant_id')
      .executeTakeFirst();
    if (marked) return;
    // Lost a race with another redemption of the same code or token: treat it as the replay it is.
    const row = await this.deps.db
      .selectFrom('oidc.payloads')
      .select('grant_id')
      .where('model', '=', this.model)
      .where('id', '=', id)
      .executeTakeFirst();
    if (row?.grant_id) await revokeGrant(this.deps.db, row.grant_id);
    throw new errors.InvalidGrant(`${this.model} already consumed`);
  }

  async destroy(id: string): Promise<void> {
    await this.deps.db.deleteFrom('oidc.payloads').where('model', '=', this.model).where('id', '=', id).execute();
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.deps.db
      .deleteFrom('oidc.payloads')
      .where('model', '=', this.model)
      .where('grant_id', '=', grantId)
      .execute();
  }
}

/** Read-only adapter of the `Client` model over the registered relying parties. */
export class ClientAdapter implements Adapter {
  constructor(private readonly deps: Pick<AdapterDeps, 'clientMetadata'>) {}
  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.deps.clientMetadata(id);
  }
  async upsert(): Promise<void> {
    throw new Error('relying parties are registered through the admin API, not by the provider');
  }
  async findByUid(): Promise<undefined> {
    return undefined;
  }
  async findByUserCode(): Promise<undefined> {
    return undefined;
  }
  async consume(): Promise<void> {}
  async destroy(): Promise<void> {}
  async revokeByGrantId(): Promise<void> {}
}

/** The adapter factory handed to the provider's configuration (`adapter`). */
export function adapterFactory(deps: AdapterDeps): (model: string) => Adapter {
  return (model) => (model === 'Client' ? new ClientAdapter(deps) : new PostgresAdapter(model, deps));
}

/** Removes a grant and every token issued under it (all models), in one statement. */
export async function revokeGrant(db: Executor, grantId: string): Promise<number> {
  const result = await db
    .deleteFrom('oidc.payloads')
    .where((eb) => eb.or([eb('grant_id', '=', grantId), eb.and([eb('model', '=', 'Grant'), eb('id', '=', grantId)])]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Deletes rows past their expiry, in batches (so a large backlog never holds long locks); also the
 * expired login flows. Returns how many rows went. Safe to run from any number of workers.
 */
export async function purgeExpired(db: Db, now: Date, batchSize = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await sql<{ n: number }>`
      with doomed as (
        select model, id from oidc.payloads
        where expires_at is not null and expires_at <= ${now}
        limit ${batchSize}
        for update skip locked
      )
      delete from oidc.payloads p using doomed d where p.model = d.model and p.id = d.id`.execute(db);
    const n = Number(result.numAffectedRows ?? 0);
    total += n;
    if (n < batchSize) break;
  }
  const flows = await db.deleteFrom('oidc.login_flows').where('expires_at', '<=', now).executeTakeFirst();
  return total + Number(flows.numDeletedRows);
}
