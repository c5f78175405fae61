import type { Platform } from './platform/context.ts';
import type { Services } from './services.ts';

export interface Workers {
  stop(): Promise<void>;
}

/** Background workers of this process (each claims its rows with SKIP LOCKED: any number may run). */
export function startWorkers(_platform: Platform, _services: Services): Workers {
  return { stop: async () => undefined };
}
