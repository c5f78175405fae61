import { systemClock, type Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/database.ts';
import type { NationalRegistries } from '../ports.ts';
import { sandboxBusinessRegistry } from './business.ts';
import { sandboxChangeFeed } from './changes.ts';
import { sandboxControl, type SandboxControl } from './control.ts';
import { sandboxDrivingLicenceRegistry, sandboxHealthInsuranceRegistry } from './documents.ts';
import { sandboxIdentityRegistry } from './identity.ts';
import { sandboxImmigrationRegistry } from './immigration.ts';
import { sandboxSubscriberRegistry } from './subscribers.ts';

export type { SandboxControl } from './control.ts';
export { sandboxProblem } from './control.ts';

/**
 * Every port over the sandbox schema, plus the sandbox-only control for tests and demos. The
 * clock dates the documents derived from persons (documents.ts: ages, validity).
 */
export function createSandboxRegistries(
  db: Executor,
  clock: Clock = systemClock,
): NationalRegistries & { control: SandboxControl } {
  const identity = sandboxIdentityRegistry(db);
  return {
    identity,
    immigration: sandboxImmigrationRegistry(db),
    business: sandboxBusinessRegistry(db),
    subscribers: sandboxSubscriberRegistry(db),
    changes: sandboxChangeFeed(db),
    drivingLicences: sandboxDrivingLicenceRegistry(identity, clock),
    healthInsurance: sandboxHealthInsuranceRegistry(identity, clock),
    control: sandboxControl(db),
  };
}
