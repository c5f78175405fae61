import pg from 'pg';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import type { PortalSchema } from './tables.ts';

export type PortalDb = Kysely<PortalSchema>;
export type PortalTrx = Transaction<PortalSchema>;
export type PortalExecutor = PortalDb | PortalTrx;

// As on the platform: civil dates stay 'YYYY-MM-DD' strings, bigint counts become numbers.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface PortalDatabase {
  db: PortalDb;
  pool: pg.Pool;
  url: string;
  close(): Promise<void>;
}

export function connectPortal(url: string, options: { max?: number } = {}): PortalDatabase {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, application_name: 'dinhdanh-portal' });
  pool.on('error', () => undefined);
  const db = new Kysely<PortalSchema>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    db,
    pool,
    url,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

/**
 * The portal's database beside the platform's: same server and credentials, database name
 * `<platform database>_portal` (DATABASE_URL's server, or a second database in the embedded
 * cluster). PORTAL_DATABASE_URL overrides it.
 */
export function portalDatabaseUrl(platformDatabaseUrl: string): string {
  const url = new URL(platformDatabaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres';
  url.pathname = `/${name}_portal`;
  return url.toString();
}

/** Creates the database named in `url` when it does not exist (connecting to `postgres` on the same server). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(name)) throw new Error(`unexpected portal database name "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) {
      try {
        await client.query(`create database "${name}"`);
      } catch (error) {
        // Another process created it meanwhile.
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
    }
  } finally {
    await client.end();
  }
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string };
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}
