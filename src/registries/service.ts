import type { Platform } from '../platform/context.ts';
import type { NationalRegistries } from './ports.ts';
import { createSandboxRegistries } from './sandbox/index.ts';

/**
 * The national registries as the rest of the platform sees them: the ports only. Today the
 * sandbox is the one implementation; a real adapter (national data-sharing platform) will be
 * chosen here by configuration, and nothing else changes.
 */
export function createRegistries(
  platform: Pick<Platform, 'db'> & Partial<Pick<Platform, 'clock'>>,
): NationalRegistries {
  const { identity, immigration, business, subscribers, changes, drivingLicences, healthInsurance } =
    createSandboxRegistries(platform.db, platform.clock);
  return { identity, immigration, business, subscribers, changes, drivingLicences, healthInsurance };
}
