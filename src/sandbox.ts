import type { Config } from './platform/config.ts';
import type { Platform } from './platform/context.ts';

/** Fills the sandbox registries on first start (deterministic: same seed, same people). */
export async function seedSandboxIfEmpty(_platform: Platform): Promise<void> {}

/** Lines of the start banner naming the demo people a tester can use. */
export function demoLogins(config: Config): string[] {
  return [`  Admin API      Authorization: Bearer ${config.adminToken ?? '(set ADMIN_TOKEN to open the admin API)'}`];
}

/** `dinhdanh sandbox seed`. */
export async function seedSandboxCommand(
  _db: Platform['db'],
  _options: { citizens: number; seed: number },
  _print: (line: string) => void,
): Promise<void> {}
