/**
 * Benchmark: seed the registry sandbox with N citizens (default 1,000,000) into a fresh database
 * and print the load rate. Target (issue "Platform foundations", item 3): under 120 s for a
 * million citizens.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:sandbox -- --citizens 1000000 --seed 69
 *
 * DATABASE_URL names a server (any database on it): the bench creates its own database there,
 * migrates it, seeds it, and drops it afterwards (--keep keeps it). Without DATABASE_URL an
 * embedded PostgreSQL is started in a temporary directory. SANDBOX_CITIZENS / SANDBOX_SEED work
 * too. Exits 1 when the load took longer than --budget seconds (default 120).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { seedSandbox } from '../src/registries/seed.ts';
import { scratchDatabase } from './scratch-database.ts';

const { values } = parseArgs({
  options: {
    citizens: { type: 'string' },
    seed: { type: 'string' },
    keep: { type: 'boolean', default: false },
    budget: { type: 'string', default: '120' },
  },
});
const citizens = Number(values.citizens ?? process.env.SANDBOX_CITIZENS ?? 1_000_000);
const seed = values.seed ?? process.env.SANDBOX_SEED ?? '69';
const budget = Number(values.budget);
if (!Number.isInteger(citizens) || citizens < 11) throw new Error('--citizens must be an integer ≥ 11');

const database = await scratchDatabase();
const name = database.name;
let exitCode = 0;
try {
  const server = await database.pool.query<{ server_version: string }>('show server_version');
  process.stdout.write(
    `seeding ${citizens.toLocaleString('en')} citizens (seed ${seed}) into ${name} ` +
      `(PostgreSQL ${server.rows[0]?.server_version}, ${os.cpus().length} CPUs)\n`,
  );
  let lastPrint = 0;
  const result = await seedSandbox(database.pool, {
    citizens,
    seed,
    force: true,
    onProgress: ({ citizens: done, rows, elapsedMs }) => {
      if (elapsedMs - lastPrint < 5000) return;
      lastPrint = elapsedMs;
      process.stdout.write(
        `  ${(elapsedMs / 1000).toFixed(1)} s: ${done.toLocaleString('en')} citizens, ${rows.toLocaleString('en')} rows\n`,
      );
    },
  });
  const seconds = result.elapsedMs / 1000;
  for (const [table, count] of Object.entries(result.counts)) {
    process.stdout.write(`  ${table.padEnd(24)} ${count.toLocaleString('en').padStart(12)}\n`);
  }
  process.stdout.write(
    `citizens: ${citizens.toLocaleString('en')} in ${seconds.toFixed(1)} s = ` +
      `${Math.round(citizens / seconds).toLocaleString('en')} citizens/s; ` +
      `all tables: ${result.rows.toLocaleString('en')} rows = ${Math.round(result.rows / seconds).toLocaleString('en')} rows/s\n`,
  );
  if (seconds > budget) {
    process.stdout.write(`SLOWER than the ${budget} s budget\n`);
    exitCode = 1;
  }
} finally {
  await database.release({ keep: values.keep });
}
process.exit(exitCode);
