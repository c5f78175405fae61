/**
 * Benchmark: issuance against a national-scale sandbox. Seeds the registries (1,000,000 citizens
 * by default), then receives level-2 applications at commune counters (TK01: registry lookup,
 * eligibility, subscriber check, biometric verification through the port, application + history +
 * audit + notices in one transaction) and has a second officer approve each one (row lock, account
 * creation, notices), with several counters working at once. Prints applications per second and
 * latency percentiles for each step.
 *
 *   node bin/run-ts.js bench/issuance.ts [--citizens 1000000] [--applications 400] [--concurrency 8]
 *
 * DATABASE_URL names a server to create a scratch database on; without it an embedded PostgreSQL
 * is started. Prints figures; asserts nothing.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { makeAccount } from '../src/auth/testing.ts';
import { seedUnits } from '../src/backoffice/service.ts';
import { systemClock } from '../src/platform/clock.ts';
import { loadConfig } from '../src/platform/config.ts';
import { newKeyringText, parseKeyring, secretBox } from '../src/platform/crypto.ts';
import { createLogger } from '../src/platform/logger.ts';
import { seedSandbox } from '../src/registries/seed.ts';
import { createServices } from '../src/services.ts';
import { SandboxVerifier } from '../src/issuance/sandbox-verifier.ts';
import { readFileSync } from 'node:fs';
import { scratchDatabase } from './scratch-database.ts';

const { values } = parseArgs({
  options: {
    citizens: { type: 'string', default: '1000000' },
    applications: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '8' },
  },
});
const citizens = Number(values.citizens);
const total = Number(values.applications);
const concurrency = Number(values.concurrency);

const database = await scratchDatabase({ poolSize: concurrency + 4 });
try {
  const seedStart = performance.now();
  await seedSandbox(database.pool, { citizens, seed: 'bench-issuance' });
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const platform = {
    db: database.db,
    config: { ...loadConfig({}), workers: false },
    clock: systemClock,
    log: createLogger({ level: 'silent' }),
    secrets: secretBox(parseKeyring(newKeyringText('bench'))),
  };
  const services = createServices(platform);
  const verifier = new SandboxVerifier(services.registries);
  const units = await seedUnits(database.db);
  const unitCodes = ['CAP-HNI-HOANKIEM', 'CAP-HNI-YENHOA', 'CAP-HCM-BENTHANH', 'CAP-HCM-SAIGON'];
  const counters = await Promise.all(
    unitCodes.map(async (code) => {
      const receiver = await makeAccount(services.identity, database.db, { level: 2, status: 'active' });
      const approver = await makeAccount(services.identity, database.db, { level: 2, status: 'active' });
      const unitId = units[code]!.id;
      const actor = { kind: 'bench', id: 'setup' };
      await services.backoffice.assign(database.db, { accountId: receiver.id, unitId, role: 'RECEIVER' }, actor);
      await services.backoffice.assign(database.db, { accountId: approver.id, unitId, role: 'APPROVER' }, actor);
      return { unitId, receiver: receiver.id, approver: approver.id };
    }),
  );

  // Adults with a valid card and a phone in their own name, spread over the whole registry.
  const { rows: people } = await sql<{ id: string; pin: string; phone: string }>`
    select p.id::text as id, p.pin, s.phone
    from sandbox.persons p
    join sandbox.id_cards c on c.person_id = p.id and c.status = 'valid' and (c.expires_on is null or c.expires_on > current_date)
    join lateral (select phone from sandbox.subscribers s
      where s.owner_kind = 'citizen' and s.owner_id = p.id and s.actual_user_id is null limit 1) s on true
    where p.date_of_death is null and p.date_of_birth < current_date - interval '18 years'
      and p.id % ${Math.max(1, Math.floor(citizens / (total * 3)))} = 0
    limit ${total}`.execute(database.db);
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  const capture = (kind: 'face' | 'fingerprint', id: string) => {
    const files = verifier.samplesOf(kind, id);
    return files.length > 0 ? readFileSync(files[0]!) : png;
  };

  const receive: number[] = [];
  const approve: number[] = [];
  let next = 0;
  let refused = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      const counter = counters[worker % counters.length]!;
      while (next < people.length) {
        const person = people[next++]!;
        let t0 = performance.now();
        const { application } = await services.issuance.receiveCitizen(counter.receiver, counter.unitId, {
          pin: person.pin,
          phone: person.phone,
          face: capture('face', person.id),
          fingerprints: [capture('fingerprint', person.id)],
        });
        receive.push(performance.now() - t0);
        if (application.state !== 'received') {
          refused++;
          continue;
        }
        t0 = performance.now();
        await services.issuance.decide(counter.approver, application.id, {
          event: 'approve',
          expectedVersion: application.version,
        });
        approve.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const pct = (list: number[], p: number) => {
    const sorted = [...list].sort((a, b) => a - b);
    return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(1) : '-';
  };
  process.stdout.write(
    `sandbox: ${citizens.toLocaleString('en')} citizens seeded in ${seedSeconds.toFixed(1)} s\n` +
      `issuance: ${receive.length} TK01 applications received and ${approve.length} approved ` +
      `(${refused} not eligible), ${concurrency} counters at once, ${os.cpus().length} CPUs\n` +
      `  ${(receive.length / seconds).toFixed(1)} applications/s end to end (receive + approve)\n` +
      `  receive: p50 ${pct(receive, 0.5)} ms, p95 ${pct(receive, 0.95)} ms\n` +
      `  approve: p50 ${pct(approve, 0.5)} ms, p95 ${pct(approve, 0.95)} ms\n`,
  );
} finally {
  await database.release();
}
process.exit(0);
