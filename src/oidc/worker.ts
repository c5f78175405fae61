import type { Logger } from '../platform/logger.ts';
import { every as loop, type Loop } from '../platform/loop.ts';

export type { Loop };
import type { Oidc } from './service.ts';

/**
 * Background work of the OpenID context.
 *
 * - `startKeyRefresher` runs in **every process that serves HTTP**: it compares the keys in the
 *   database with the ones its provider was built from (a cheap fingerprint query) and rebuilds
 *   the provider when another process rotated them. A `next` key must stay published longer than
 *   this interval (KeyPolicy.publishForMs, one hour by default, against 30 s here) so every process
 *   publishes a key before any process signs with it.
 * - `startOidcWorker` runs with the other workers (any number of processes: every statement is
 *   idempotent or takes an advisory lock): purges expired storage rows and moves keys along their
 *   life (next → current → retired → removed, and scheduled rotations).
 */
export function startKeyRefresher(oidc: Oidc, options: { log: Logger; intervalMs?: number }): Loop {
  return loop('oidc key refresh', options.intervalMs ?? 30_000, options.log, async () => {
    await oidc.reloadIfKeysChanged();
  });
}

export function startOidcWorker(
  oidc: Oidc,
  options: { log: Logger; purgeEveryMs?: number; keysEveryMs?: number },
): Loop {
  const purge = loop('oidc purge', options.purgeEveryMs ?? 5 * 60_000, options.log, async () => {
    const n = await oidc.purgeExpired();
    if (n > 0) options.log.debug({ rows: n }, 'purged expired oidc rows');
  });
  const keys = loop('oidc key rotation', options.keysEveryMs ?? 60_000, options.log, async () => {
    const step = await oidc.advanceKeys();
    if (step.promoted.length || step.removed.length || step.staged.length) {
      options.log.info(step, 'oidc signing keys moved on');
    }
  });
  return {
    async runOnce() {
      await Promise.all([purge.runOnce(), keys.runOnce()]);
    },
    async stop() {
      await Promise.all([purge.stop(), keys.stop()]);
    },
  };
}
