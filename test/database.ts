import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { connect, type Database, type Db } from '../src/platform/database.ts';
import { loadConfig, type Config } from '../src/platform/config.ts';
import { fixedClock, systemClock, type Clock } from '../src/platform/clock.ts';
import { createLogger, type Logger } from '../src/platform/logger.ts';
import type { Platform } from '../src/platform/context.ts';
import { parseKeyring, secretBox } from '../src/platform/crypto.ts';

export interface TestDatabase {
  db: Db;
  url: string;
  database: Database;
}

function urlFor(name: string): string {
  const u = new URL(inject('adminDatabaseUrl'));
  u.pathname = `/${name}`;
  return u.toString();
}

/** Clones the migrated template into a new database for one test file. */
export async function createTestDatabase(): Promise<TestDatabase & { drop(): Promise<void> }> {
  const name = `dd_${inject('testRunId')}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await admin.connect();
  try {
    await admin.query(`create database "${name}" template "${inject('templateDatabase')}"`);
  } finally {
    await admin.end();
  }
  const url = urlFor(name);
  const database = connect(url, { max: 8 });
  return {
    db: database.db,
    url,
    database,
    async drop() {
      await database.close();
      const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * A fresh database for the current test file, created before its tests and dropped after.
 * Use the returned object's fields inside tests (they are filled in `beforeAll`).
 */
export function useTestDatabase(): TestDatabase {
  const handle = {} as TestDatabase;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const created = await createTestDatabase();
    drop = created.drop;
    Object.assign(handle, { db: created.db, url: created.url, database: created.database });
  });
  afterAll(async () => {
    await drop?.();
  });
  return handle;
}

/** A logger that keeps what it writes, for tests about logging. */
export function memoryLogger(level = 'debug'): { log: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const log = createLogger({ level, destination });
  return {
    log,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** A fixed master key for tests (never used outside them). */
const TEST_KEYRING = `test:${Buffer.alloc(32, 7).toString('base64')}`;

export const silentLogger = (): Logger => createLogger({ level: 'silent' });

/** A Platform over a test database; config from defaults unless overridden. */
export function testPlatform(
  db: Db,
  options: { clock?: Clock; config?: Partial<Config>; log?: Logger } = {},
): Platform {
  const config = { ...loadConfig({}), workers: false, ...options.config };
  return {
    db,
    config,
    clock: options.clock ?? systemClock,
    log: options.log ?? silentLogger(),
    secrets: secretBox(parseKeyring(TEST_KEYRING)),
  };
}

export { fixedClock };
