import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connect, type Database } from '../src/platform/database.ts';
import { migrateToLatest } from '../src/platform/migrations.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/platform/embedded-postgres.ts';

/**
 * A throwaway, migrated database for a benchmark: created on the server DATABASE_URL names (any
 * database on it), or on an embedded PostgreSQL started in a temporary directory; dropped by
 * `release()` unless `keep` is set.
 */
export interface ScratchDatabase extends Database {
  name: string;
  url: string;
  release(options?: { keep?: boolean }): Promise<void>;
}

export async function scratchDatabase(options: { poolSize?: number } = {}): Promise<ScratchDatabase> {
  let embedded: EmbeddedDatabase | undefined;
  let tmp: string | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'dinhdanh-bench-'));
    embedded = await startEmbeddedPostgres({ dataDir: tmp, database: 'postgres' });
    serverUrl = embedded.url;
  }
  const name = `dinhdanh_bench_${randomBytes(4).toString('hex')}`;
  const url = new URL(serverUrl);
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  url.pathname = `/${name}`;
  const database = connect(url.toString(), { max: options.poolSize ?? 2, applicationName: 'dinhdanh-bench' });
  await migrateToLatest(database.db);
  return {
    ...database,
    name,
    url: url.toString(),
    async release({ keep = false } = {}) {
      await database.close();
      if (!keep) await admin.query(`drop database if exists "${name}" with (force)`);
      else process.stdout.write(`kept database ${name}\n`);
      await admin.end();
      if (embedded) await embedded.stop();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    },
  };
}
