import type { Logger } from '../platform/logger.ts';
import { every, type Loop } from '../platform/loop.ts';
import type { EidService } from './service.ts';

/**
 * Background work of the eid context, with the other workers (any number of processes: the key
 * changes take an advisory lock, the purge deletes by age):
 * - the usage history's retention: presentations older than 5 years are deleted (DOMAIN.md §§6, 9);
 * - the signing keys' life (next → current → retired → removed) and scheduled rotations.
 */
export function startEidWorker(
  eid: Pick<EidService, 'purgeHistory' | 'advanceKeys'>,
  options: { log: Logger; retentionEveryMs?: number; keysEveryMs?: number },
): Loop {
  const retention = every('eid history retention', options.retentionEveryMs ?? 6 * 3_600_000, options.log, async () => {
    const deleted = await eid.purgeHistory();
    if (deleted > 0) options.log.info({ deleted }, 'eid presentations past their retention deleted');
  });
  const keys = every('eid key rotation', options.keysEveryMs ?? 60_000, options.log, async () => {
    const step = await eid.advanceKeys();
    if (step.promoted.length || step.removed.length || step.staged.length) {
      options.log.info(step, 'eid signing keys moved on');
    }
  });
  return {
    async runOnce() {
      await Promise.all([retention.runOnce(), keys.runOnce()]);
    },
    async stop() {
      await Promise.all([retention.stop(), keys.stop()]);
    },
  };
}
