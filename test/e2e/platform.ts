import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * The platform for the browser journeys, started by playwright.config.ts's webServer: a fresh
 * database on the PostgreSQL of DATABASE_URL (default: the machine's at 127.0.0.1:5432), then
 * `dinhdanh start` on it in sandbox mode (demo accounts, SMS readable at /sandbox/messages.json).
 * On SIGINT/SIGTERM it stops the platform and drops the database, so runs leave nothing behind.
 */

const adminUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const database = process.env.E2E_DATABASE ?? `dinhdanh_e2e_${Date.now()}`;
const port = process.env.E2E_PORT ?? '3000';
if (!/^[a-z0-9_]+$/.test(database)) throw new Error(`unexpected database name ${database}`);

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function databaseUrl(): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

await admin((c) => c.query(`CREATE DATABASE ${database}`));
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dinhdanh-e2e-'));

const child = spawn(process.execPath, ['bin/dinhdanh.js', 'start'], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    DATABASE_URL: databaseUrl(),
    DINHDANH_DATA_DIR: dataDir,
    PORT: port,
    // The public service portal beside it (its own process and database `<database>_portal`).
    PORTAL_PORT: process.env.E2E_PORTAL_PORT ?? '3001',
    // The portal registers itself as a relying party with the bootstrap admin token; `start` makes
    // one up only on the embedded database, and this run has DATABASE_URL.
    ADMIN_TOKEN: process.env.ADMIN_TOKEN || randomBytes(24).toString('base64url'),
    BASE_URL: process.env.BASE_URL ?? `http://127.0.0.1:${port}`,
    SANDBOX_GATEWAY: 'on',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    // Journeys sign the same demo people in several times a minute.
    AUTH_OTP_SENDS_PER_HOUR: '50',
    AUTH_OTP_RESEND_SECONDS: '1',
  },
});

let stopping = false;
async function stop(signal: NodeJS.Signals, exitCode = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
    await exited;
  }
  for (const name of [database, `${database}_portal`]) {
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch((error: unknown) => {
      console.error(`could not drop ${name}:`, error);
    });
  }
  await rm(dataDir, { recursive: true, force: true });
  process.exit(exitCode);
}

process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
child.once('exit', (code) => {
  if (!stopping) {
    console.error(`dinhdanh start exited with ${code}`);
    void stop('SIGINT', 1);
  }
});
