import type pg from 'pg';
import type { Config } from './platform/config.ts';
import type { Logger } from './platform/logger.ts';
import { seedSandbox, type SeedResult } from './registries/seed.ts';
import { DEMO_PERSONS } from './registries/demo.ts';
import type { DemoLogin } from './auth/demo.ts';

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

/** Lines of the start banner naming the demo accounts, registry people and the admin token. */
export function bannerDemo(config: Config, logins: DemoLogin[], options: { sandboxPages: boolean }): string[] {
  const d = DEMO_PERSONS;
  const password = logins[0]?.password;
  const accountLines = logins.map((l) => {
    const what = l.roles?.length
      ? `officer ${l.roles.join(', ')}; TOTP secret ${new URL(l.totpUri ?? 'x:').searchParams.get('secret') ?? '?'}`
      : `${l.level ? `level ${l.level}` : 'organisation'}, ${l.status.replace(/_/g, ' ')}`;
    return `    ${l.fullName.padEnd(20)} ${l.identifier.padEnd(13)} ${what}`;
  });
  return [
    `  Demo accounts (password ${password}, passcode ${logins[0]?.passcode}` +
      (options.sandboxPages ? '; try them at /sandbox/try, OTPs on /sandbox/messages):' : '):'),
    ...accountLines,
    '',
    '  Other sandbox people (national registries; the same in every sandbox):',
    `    ${d.child.fullName.padEnd(20)} ${d.child.pin}  child of Nguyễn Văn An, aged 10`,
    `    ${d.expiredCard.fullName.padEnd(20)} ${d.expiredCard.pin}  ID card expired`,
    `    ${d.deceased.fullName.padEnd(20)} ${d.deceased.pin}  deceased`,
    `    organisation         enterprise code ${d.organisation.enterpriseCode}`,
    '',
    `  Admin API      Authorization: Bearer ${config.adminToken ?? '(set ADMIN_TOKEN to open the admin API)'}`,
    `  Discovery      ${config.baseUrl}/.well-known/openid-configuration`,
  ];
}
