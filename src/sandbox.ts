import type pg from 'pg';
import type { Config } from './platform/config.ts';
import type { Logger } from './platform/logger.ts';
import { seedSandbox, type SeedResult } from './registries/seed.ts';
import { DEMO_PERSONS } from './registries/demo.ts';

/**
 * Fills the national-registry sandbox at start-up. Deterministic: the same seed gives the same
 * people on every machine; a start with the same parameters finds them already there.
 */
export async function seedSandboxIfEmpty(pool: pg.Pool, config: Config, log: Logger): Promise<SeedResult> {
  const result = await seedSandbox(pool, {
    citizens: config.sandbox.citizens,
    seed: config.sandbox.seed,
    keepExisting: true,
  });
  if (!result.skipped) {
    log.info({ rows: result.rows, ms: Math.round(result.elapsedMs) }, 'sandbox registries seeded');
  }
  return result;
}

/** `dinhdanh sandbox seed`: (re)loads the sandbox with the given size and seed. */
export async function seedSandboxCommand(
  pool: pg.Pool,
  options: { citizens: number; seed: number },
  print: (line: string) => void,
): Promise<void> {
  const result = await seedSandbox(pool, {
    ...options,
    onProgress: (p) => print(`  ${p.citizens} citizens, ${p.rows} rows, ${(p.elapsedMs / 1000).toFixed(1)} s`),
  });
  print(
    result.skipped
      ? `sandbox already holds ${options.citizens} citizens from seed ${options.seed}: nothing to do`
      : `sandbox seeded: ${result.rows} rows in ${(result.elapsedMs / 1000).toFixed(1)} s`,
  );
}

/** Lines of the start banner naming the demo people and the admin token a tester can use. */
export function demoLogins(config: Config): string[] {
  const d = DEMO_PERSONS;
  return [
    '  Sandbox people (national registries; the same in every sandbox):',
    `    ${d.citizen.fullName.padEnd(18)} PIN ${d.citizen.pin}  phone ${d.citizen.phone}  adult, valid chip card`,
    `    ${d.child.fullName.padEnd(18)} PIN ${d.child.pin}  child of the above, aged 10`,
    `    ${d.expiredCard.fullName.padEnd(18)} PIN ${d.expiredCard.pin}  ID card expired`,
    `    ${d.deceased.fullName.padEnd(18)} PIN ${d.deceased.pin}  deceased`,
    `    foreigner          passport ${d.foreigner.passportCountry} ${d.foreigner.passportNumber}  valid residence card`,
    `    organisation       enterprise code ${d.organisation.enterpriseCode}`,
    '',
    `  Admin API      Authorization: Bearer ${config.adminToken ?? '(set ADMIN_TOKEN to open the admin API)'}`,
  ];
}
