/**
 * Benchmark: full logins through the OpenID provider, as a relying party and a person would do
 * them: authorization request with PKCE → identifier → password (argon2id) → SMS code (delivered
 * over SMPP to the in-process SMSC and read from it) → consent remembered → token exchange with
 * openid-client. Several clients run at once, each signing in its own account. Printed beside
 * the raw argon2id hash rate measured in the same run, since the password check dominates.
 *
 *   node bin/run-ts.js bench/login.ts [--logins 30] [--concurrency 3]
 *
 * DATABASE_URL names a server to create a scratch database on; without it an embedded PostgreSQL
 * is started. Prints figures; asserts nothing.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import * as client from 'openid-client';
import { argon2Hasher } from '../src/auth/passwords.ts';
import { fixedClock } from '../src/platform/clock.ts';
import { loadConfig } from '../src/platform/config.ts';
import { parseKeyring, newKeyringText, secretBox } from '../src/platform/crypto.ts';
import { createLogger } from '../src/platform/logger.ts';
import { Browser, authorizationRequest, signIn, startHarness } from '../src/oidc/testing.ts';
import { scratchDatabase } from './scratch-database.ts';

const { values } = parseArgs({
  options: { logins: { type: 'string', default: '30' }, concurrency: { type: 'string', default: '3' } },
});
const total = Number(values.logins);
const concurrency = Number(values.concurrency);

async function argon2Rate(seconds: number, parallel: number): Promise<number> {
  const hasher = argon2Hasher();
  const until = performance.now() + seconds * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (performance.now() < until) {
        await hasher.hash('Mk@12345678');
        count++;
      }
    }),
  );
  return count / seconds;
}

const database = await scratchDatabase({ poolSize: 10 });
const clock = fixedClock(new Date());
// The clock follows real time: the bench measures, it does not travel.
setInterval(() => clock.set(new Date()), 200).unref();
const platform = {
  db: database.db,
  config: { ...loadConfig({}), workers: false, adminToken: 'bench-admin' },
  clock,
  log: createLogger({ level: 'silent' }),
  secrets: secretBox(parseKeyring(newKeyringText('bench'))),
};
const h = await startHarness(platform, database.pool, { clock, seed: 'bench' });
try {
  const rp = await h.register({ client_id: 'bench-portal', kind: 'state', scopes: ['profile', 'level'] });
  const config = await h.rpConfig('bench-portal', rp.client_secret!);
  const people = [
    { ...h.demo.citizen!, phone: '+84912345678' },
    { ...h.demo.spouse!, phone: '+84987654321' },
    { ...h.demo.foreigner!, phone: '+84901234567' },
  ].slice(0, concurrency);

  async function login(who: (typeof people)[number]): Promise<void> {
    const browser = new Browser([`${h.rp.origin}/`]);
    const request = await authorizationRequest(config, {
      redirect_uri: `${h.rp.origin}/cb`,
      scope: 'openid profile level',
    });
    let page = await browser.go(request.url);
    page = await signIn(h, browser, page, who);
    if (page.html.includes('/consent"')) page = await browser.submit(page, 'consent', { decision: 'allow' });
    const tokens = await client.authorizationCodeGrant(config, new URL(page.url), {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    if (!tokens.access_token) throw new Error('no access token');
  }

  // One warm-up login per person (consent given once, caches filled).
  await Promise.all(people.map(login));
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    people.map(async (who) => {
      while (next < total) {
        next++;
        const t0 = performance.now();
        await login(who);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(0);
  const hashesOne = await argon2Rate(2, 1);
  const hashesAll = await argon2Rate(2, os.cpus().length);
  process.stdout.write(
    `logins: ${latencies.length} full authorization-code logins (password + SMS OTP + token), ` +
      `${people.length} concurrent clients, ${os.cpus().length} CPUs\n` +
      `  ${(latencies.length / seconds).toFixed(1)} logins/s; latency p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms\n` +
      `argon2id (m=19 MiB, t=2, p=1) raw: ${hashesOne.toFixed(1)} hashes/s on one core, ` +
      `${hashesAll.toFixed(1)} hashes/s on ${os.cpus().length} in parallel\n`,
  );
} finally {
  await h.stop();
  await database.release();
}
process.exit(0);
