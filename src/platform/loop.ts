import type { Logger } from './logger.ts';

/**
 * A periodic job of this process: runs `work` every `everyMs`, never two rounds at once, logs a
 * failed round and goes on. Correctness never depends on the timer: every job is idempotent and
 * safe with other processes running it too (SKIP LOCKED, advisory locks, conditional updates).
 */
export interface Loop {
  stop(): Promise<void>;
  /** One round now (tests, and an operator's manual trigger). */
  runOnce(): Promise<void>;
}

export function every(name: string, everyMs: number, log: Logger, work: () => Promise<void>): Loop {
  let running: Promise<void> | undefined;
  let stopped = false;
  const runOnce = () => {
    running ??= work()
      .catch((error: unknown) => log.error({ err: error }, `${name} failed`))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) void runOnce();
  }, everyMs);
  timer.unref();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
