import type { Platform } from './platform/context.ts';
import type { Services } from './services.ts';
import { startNotifyWorker } from './notify/worker.ts';

export interface Workers {
  stop(): Promise<void>;
}

/**
 * Background workers of this process. Each claims its rows with FOR UPDATE SKIP LOCKED, so any
 * number of processes may run them side by side.
 */
export function startWorkers(platform: Platform, _services: Services, options: { databaseUrl: string }): Workers {
  // LISTEN/NOTIFY wakes the notification worker as soon as a message commits; polling is the fallback.
  const notify = startNotifyWorker(platform, { listenUrl: options.databaseUrl });
  return {
    async stop() {
      await notify.stop();
    },
  };
}
