import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { connect } from '../src/platform/database.ts';
import { migrateToLatest } from '../src/platform/migrations.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/platform/embedded-postgres.ts';

/**
 * Once per `npm test`: find a PostgreSQL (DATABASE_URL, or an embedded one started for the run),
 * and build a migrated template database. Each test file then clones the template into a
 * database of its own (test/database.ts), so files run in parallel without sharing rows.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
    testRunId: string;
  }
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export default async function setup(project: TestProject) {
  const runId = randomBytes(4).toString('hex');
  let embedded: EmbeddedDatabase | undefined;
  let tmp: string | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'dinhdanh-test-'));
    embedded = await startEmbeddedPostgres({ dataDir: tmp, database: 'postgres', ephemeral: true });
    adminUrl = embedded.url;
  }
  const template = `dd_${runId}_template`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${template}"`);
  const database = connect(withDatabase(adminUrl, template), { max: 2 });
  try {
    await migrateToLatest(database.db);
  } finally {
    await database.close();
  }

  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('templateDatabase', template);
  project.provide('testRunId', runId);

  return async () => {
    // Drop what this run created (a file that crashed may have left its database behind).
    const leftovers = await admin.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [
      `dd_${runId}_%`,
    ]);
    for (const { datname } of leftovers.rows) {
      await admin.query(`drop database if exists "${datname}" with (force)`);
    }
    await admin.end();
    if (embedded) await embedded.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  };
}
