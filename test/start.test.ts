import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { freePort } from '../src/platform/embedded-postgres.ts';
import { useTestDatabase } from './database.ts';

/**
 * The README's promise: `npm start` runs the platform, prints where to click, answers /readyz,
 * and Ctrl-C stops the server and (when embedded) the database cleanly.
 */
const t = useTestDatabase();
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  // A failed assertion must not leave a server (and its database) running behind the suite.
  // SIGINT, as Ctrl-C: the server stops its embedded PostgreSQL too.
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) await interrupt(child);
  }
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function startPlatform(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; output: () => string; base: string }> {
  let port = await freePort();
  // The OS may hand the same free port out twice when nothing holds it in between.
  while (String(port) === env.PORTAL_PORT) port = await freePort();
  const environment: NodeJS.ProcessEnv = { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'info' };
  if (!env.DATABASE_URL) delete environment.DATABASE_URL;
  // Vitest sets BASE_URL='/' for Vite; the platform's BASE_URL is an absolute URL or unset.
  delete environment.BASE_URL;
  const child = spawn('node', ['bin/dinhdanh.js', 'start'], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (c) => (out += String(c)));
  child.stderr!.on('data', (c) => (out += String(c)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', () => {
      if (out.includes('Ctrl-C')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`start exited with ${code}:\n${out}`)));
  });
  return { child, output: () => out, base: `http://127.0.0.1:${port}` };
}

function interrupt(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

describe('dinhdanh start', () => {
  test('with DATABASE_URL: migrates, serves, prints the links, stops on SIGINT', async () => {
    const { child, output, base } = await startPlatform({ DATABASE_URL: t.url });
    expect(output()).toContain('/api/docs');
    // Not sandbox mode: no loopback SMSC, no message page.
    expect(output()).not.toContain('/sandbox/messages');
    expect((await fetch(`${base}/sandbox/messages`)).status).toBe(404);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await interrupt(child)).toBe(0);
    // The first start of a clean clone also builds the web apps with Vite (web/dist is not committed).
  }, 120_000);

  // Two cold starts, each with initdb, migrations and the sandbox seed: more than the default 30 s
  // on a busy two-core machine.
  test('without DATABASE_URL: an embedded PostgreSQL under the data dir, reused by a second start', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dinhdanh-start-'));
    dirs.push(dataDir);
    const portalPort = await freePort();
    const env = { DINHDANH_DATA_DIR: dataDir, PORTAL_PORT: String(portalPort) };
    const first = await startPlatform(env);
    expect(first.output()).toContain('embedded PostgreSQL');
    // The public service portal runs beside it, in its own process, on its own port.
    expect(first.output()).toContain(`Public service portal http://`);
    expect((await fetch(`http://127.0.0.1:${portalPort}/healthz`)).status).toBe(200);
    expect(first.output()).toContain('initialising embedded PostgreSQL');
    expect((await fetch(`${first.base}/readyz`)).status).toBe(200);
    expect(first.output()).toContain('/sandbox/messages');
    expect((await fetch(`${first.base}/sandbox/messages`)).status).toBe(200);
    expect(await interrupt(first.child)).toBe(0);
    // A clean stop leaves no running postmaster behind.
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

    const second = await startPlatform(env);
    expect(second.output()).not.toContain('initialising embedded PostgreSQL');
    expect((await fetch(`${second.base}/readyz`)).status).toBe(200);
    expect(await interrupt(second.child)).toBe(0);
  }, 180_000);
});
