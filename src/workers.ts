import type { Platform } from './platform/context.ts';
import { every } from './platform/loop.ts';
import type { Services } from './services.ts';
import { startNotifyWorker } from './notify/worker.ts';
import { startOidcWorker } from './oidc/worker.ts';
import { startEidWorker } from './eid/worker.ts';

export interface Workers {
  stop(): Promise<void>;
}

/**
 * Background workers of this process. Each claims its rows with FOR UPDATE SKIP LOCKED or works
 * by conditional updates, so any number of processes may run them side by side.
 */
export function startWorkers(platform: Platform, services: Services, options: { databaseUrl: string }): Workers {
  const { log } = platform;
  // LISTEN/NOTIFY wakes the notification worker as soon as a message commits; polling is the fallback.
  const notify = startNotifyWorker(platform, { listenUrl: options.databaseUrl });
  const oidc = startOidcWorker(services.oidc, { log });
  // The card's signing keys rotate; its usage history is kept 5 years (DOMAIN.md §§6, 9).
  const eid = startEidWorker(services.eid, { log });
  // Art 14: an account not activated within 7 days can then only be activated by the call centre.
  const activation = every('activation expiry', 60_000, log, async () => {
    const expired = await services.identity.expireDueActivations();
    if (expired > 0) log.info({ expired }, 'activation windows closed');
  });
  // DOMAIN.md §5: deadlines run from receipt; officers see what is near and past due.
  const deadlines = every('application deadlines', 5 * 60_000, log, async () => {
    const flagged = await services.issuance.flagDeadlines();
    if (flagged > 0) log.info({ flagged }, 'applications flagged near or past their deadline');
  });
  // Art 13.1: an organisation's request ends when a co-representative's consent window closes.
  const consents = every('consent windows', 10 * 60_000, log, async () => {
    await services.issuance.lapseConsents();
  });
  // Art 11.2: a level-2 application waiting on a card moves on once the registry shows the card.
  const cards = every('card issuance', 10 * 60_000, log, async () => {
    await services.issuance.followCards();
  });
  // DOMAIN.md §5: a minor's representation ends at 14; guardianships at their recorded end.
  const representation = every('representation end', 10 * 60_000, log, async () => {
    const ended = await services.representation.endAtFourteen();
    if (ended > 0) log.info({ ended }, 'representations ended');
    await services.representation.expireConfirmations();
  });
  // DOMAIN.md §6: registry changes lock and unlock automatically (card, death, documents, dissolution, PIN).
  const registrySync = every('registry sync', 60_000, log, async () => {
    const report = await services.locks.syncRegistry();
    if (report.processed > 0) {
      log.info({ processed: report.processed, applied: report.applied }, 'registry changes applied');
    }
  });
  // Seed 003: overdue steps of the authority chain escalate; deferred notices go out when due.
  const lockDeadlines = every('lock requests', 5 * 60_000, log, async () => {
    const escalated = await services.locks.escalateOverdue();
    if (escalated > 0) log.info({ escalated }, 'lock requests escalated');
    await services.locks.releaseDeferredNotices();
  });
  const credentials = every('credential housekeeping', 10 * 60_000, log, async () => {
    await services.auth.prune();
  });
  return {
    async stop() {
      await Promise.all([
        activation.stop(),
        deadlines.stop(),
        consents.stop(),
        cards.stop(),
        representation.stop(),
        registrySync.stop(),
        lockDeadlines.stop(),
        credentials.stop(),
        oidc.stop(),
        eid.stop(),
      ]);
      await notify.stop();
    },
  };
}
