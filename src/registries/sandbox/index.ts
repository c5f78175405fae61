import type { Executor } from '../../platform/database.ts';
import type { NationalRegistries } from '../ports.ts';
import { sandboxBusinessRegistry } from './business.ts';
import { sandboxChangeFeed } from './changes.ts';
import { sandboxControl, type SandboxControl } from './control.ts';
import { sandboxIdentityRegistry } from './identity.ts';
import { sandboxImmigrationRegistry } from './immigration.ts';
import { sandboxSubscriberRegistry } from './subscribers.ts';

export type { SandboxControl } from './control.ts';
export { sandboxProblem } from './control.ts';

/** Every port over the sandbox schema, plus the sandbox-only control for tests and demos. */
export function createSandboxRegistries(db: Executor): NationalRegistries & { control: SandboxControl } {
  return {
    identity: sandboxIdentityRegistry(db),
    immigration: sandboxImmigrationRegistry(db),
    business: sandboxBusinessRegistry(db),
    subscribers: sandboxSubscriberRegistry(db),
    changes: sandboxChangeFeed(db),
    control: sandboxControl(db),
  };
}
