import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from './platform/config.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { migrateToLatest } from './platform/migrations.ts';
import { systemClock } from './platform/clock.ts';
import { banner, openDatabase, start } from './main.ts';
import { seedSandboxCommand } from './sandbox.ts';
import { createAuditService } from './audit/service.ts';

const USAGE = `usage: dinhdanh <command>

  start                              run the platform (HTTP server and workers)
  migrate                            apply pending database migrations
  sandbox seed [--citizens N] [--seed S]
                                     fill the national-registry sandbox with synthetic data
  audit verify                       recompute the audit ledger's hash chains

Without DATABASE_URL an embedded PostgreSQL is used (data in ./.data, or DINHDANH_DATA_DIR).`;

/** Runs a one-shot command against the database (configured or embedded), then closes it. */
async function withDatabase<T>(
  config: Config,
  log: Logger,
  work: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>,
) {
  const database = await openDatabase(config, log);
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

async function commandStart(config: Config, log: Logger): Promise<void> {
  if (!config.adminToken && !config.databaseUrl) {
    // Sandbox only: a fresh admin token per start, printed below. Production sets ADMIN_TOKEN.
    config.adminToken = randomBytes(24).toString('base64url');
  }
  const running = await start(config, log);
  process.stdout.write(`${banner(config, running)}\n`);
  let signals = 0;
  const shutdown = (signal: string) => {
    signals += 1;
    if (signals > 1) process.exit(130);
    log.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

export async function main(argv: string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel });
  switch (command) {
    case 'start':
      await commandStart(config, log);
      return -1;
    case 'migrate':
      return withDatabase(config, log, async ({ db }) => {
        const applied = await migrateToLatest(db);
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is current\n');
        return 0;
      });
    case 'sandbox': {
      if (sub !== 'seed') break;
      const { values } = parseArgs({ args: rest, options: { citizens: { type: 'string' }, seed: { type: 'string' } } });
      const citizens = Number(values.citizens ?? config.sandbox.citizens);
      const seed = Number(values.seed ?? config.sandbox.seed);
      if (!Number.isInteger(citizens) || citizens < 1 || !Number.isInteger(seed)) {
        process.stderr.write('--citizens must be a positive integer and --seed an integer\n');
        return 2;
      }
      return withDatabase(config, log, async ({ db, pool }) => {
        await migrateToLatest(db);
        await seedSandboxCommand(pool, { citizens, seed }, (line) => process.stdout.write(`${line}\n`));
        return 0;
      });
    }
    case 'audit': {
      if (sub !== 'verify') break;
      return withDatabase(config, log, async ({ db }) => {
        const report = await createAuditService({ db, clock: systemClock }).verify();
        if (report.ok) {
          process.stdout.write(`audit ledger intact: ${report.checked} entries in ${report.chains} chains\n`);
          return 0;
        }
        const b = report.firstBroken!;
        process.stdout.write(
          `audit ledger BROKEN at chain ${b.chain}, entry #${b.seq}${b.id ? ` (id ${b.id})` : ''}: ${b.reason}; ` +
            `${report.checked} entries verified before it\n`,
        );
        return 1;
      });
    }
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
  }
  process.stderr.write(`unknown command: ${argv.join(' ')}\n\n${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
