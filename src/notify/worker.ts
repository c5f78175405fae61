import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import type { Db } from '../platform/database.ts';
import type { Clock } from '../platform/clock.ts';
import { systemClock } from '../platform/clock.ts';
import type { Config } from '../platform/config.ts';
import type { Platform } from '../platform/context.ts';
import { createLogger, type Logger } from '../platform/logger.ts';
import { classifySendError, type Channel, type SendContext } from './channels/channel.ts';
import { SmtpEmailChannel } from './channels/smtp.ts';
import { SmppSmsChannel } from './channels/smpp.ts';
import {
  DEFAULT_UNCERTAIN_POLICY,
  backoffDelay,
  type BackoffPolicy,
  type ExternalChannelName,
  type Locale,
  type UncertainPolicy,
} from './model.ts';
import { SENSITIVE_PARAMS, isTemplateName, render, type RenderedMessage, type TemplateName } from './templates.ts';
import {
  OUTBOX_CHANNEL,
  abandonClaimed,
  claimBatch,
  closeAbandonedAttempts,
  closeAttempt,
  insertAttempt,
  markHandoff,
  resolveAttempt,
  type ClaimedRow,
  type Resolution,
} from './repository.ts';

export interface NotifyWorkerOptions {
  db: Db;
  /** The delivery channels this worker serves; it claims only messages for these. */
  channels: Partial<Record<ExternalChannelName, Channel>>;
  clock?: Clock;
  log?: Logger;
  /** Names this worker in the attempts table (default host:pid:random). */
  workerId?: string;
  /** Messages claimed (and sent concurrently) per round (default 10). */
  batchSize?: number;
  /** Time between polls when the queue is empty (default 2 s; LISTEN wakes the worker sooner). */
  pollIntervalMs?: number;
  /** How long a claim holds a message (default 120 s). A worker that dies frees its messages after it. */
  leaseMs?: number;
  /** Longest a send may take before it is aborted (default 30 s); must leave room inside the lease. */
  sendTimeoutMs?: number;
  /** Attempts before a message is abandoned (default 8). */
  maxAttempts?: number;
  /** Delay between attempts (default 10 s doubling up to 1 h, with jitter). */
  backoff?: BackoffPolicy;
  random?: () => number;
  /** What to do when an earlier attempt may have reached the provider (see model.ts). */
  uncertain?: Partial<Record<ExternalChannelName, UncertainPolicy>>;
  /** LISTEN for new messages on a dedicated connection to this database URL (optional). */
  listenUrl?: string;
}

export interface NotifyWorker {
  readonly id: string;
  /** Starts the polling loop (idempotent). */
  start(): void;
  /** Stops taking new messages and waits for the messages in flight to finish. */
  stop(): Promise<void>;
  /** Claims one batch and delivers it; returns how many messages it claimed. */
  runOnce(): Promise<number>;
  /** Polls now instead of at the next interval. */
  wake(): void;
}

/** Time kept in the lease beyond the send deadline, for recording the outcome. */
const RESULT_MARGIN_MS = 5_000;

class LeaseLostError extends Error {
  constructor() {
    super('the claim on this message was lost before sending');
    this.name = 'LeaseLostError';
  }
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 1000);
}

export function createNotifyWorker(options: NotifyWorkerOptions): NotifyWorker {
  const db = options.db;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger({ level: 'silent' });
  const id = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const batchSize = options.batchSize ?? 10;
  const pollIntervalMs = options.pollIntervalMs ?? 2_000;
  const leaseMs = options.leaseMs ?? 120_000;
  const sendTimeoutMs = options.sendTimeoutMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 8;
  const backoff = options.backoff ?? { baseMs: 10_000, maxMs: 3_600_000 };
  const random = options.random ?? Math.random;
  const policy = { ...DEFAULT_UNCERTAIN_POLICY, ...options.uncertain };
  const channelNames = (Object.keys(options.channels) as ExternalChannelName[]).filter((c) => options.channels[c]);
  if (leaseMs < sendTimeoutMs + RESULT_MARGIN_MS + 1_000) {
    throw new Error(
      `leaseMs (${leaseMs}) must exceed sendTimeoutMs (${sendTimeoutMs}) by more than ${RESULT_MARGIN_MS + 1_000} ms`,
    );
  }
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error('maxAttempts must be a positive integer');

  async function claim(): Promise<{ toSend: ClaimedRow[]; token: string; claimed: number }> {
    const now = clock.now();
    const token = randomUUID();
    return db.transaction().execute(async (trx) => {
      const rows = await claimBatch(trx, {
        now,
        leaseUntil: new Date(now.getTime() + leaseMs),
        token,
        limit: batchSize,
        channels: channelNames,
      });
      const reclaimed = rows.filter((r) => r.prev_status === 'sending');
      const closed = await closeAbandonedAttempts(
        trx,
        reclaimed.map((r) => r.id),
        now,
      );
      const previous = new Map(closed.map((c) => [c.outbox_id, c.outcome]));
      const toSend: ClaimedRow[] = [];
      for (const row of rows) {
        const sensitive = sensitiveOf(row.template);
        if (row.prev_status === 'sending') {
          const outcome = previous.get(row.id);
          log.warn(
            { outbox: row.id, channel: row.channel, previous: outcome },
            'reclaimed a message whose worker stopped',
          );
          if (outcome === 'uncertain' && policy[row.channel as ExternalChannelName] === 'abandon') {
            await abandonClaimed(
              trx,
              row.id,
              token,
              now,
              'not resent: the previous attempt may have delivered it (uncertain)',
              sensitive,
            );
            continue;
          }
          if (row.attempts - 1 - row.requeue_base >= maxAttempts) {
            await abandonClaimed(trx, row.id, token, now, `gave up after ${maxAttempts} attempts`, sensitive);
            continue;
          }
        }
        await insertAttempt(trx, {
          outbox_id: row.id,
          n: row.attempts,
          worker: id,
          started_at: now,
          finished_at: null,
          outcome: null,
        });
        toSend.push(row);
      }
      return { toSend, token, claimed: rows.length };
    });
  }

  function sensitiveOf(template: string): readonly string[] {
    return isTemplateName(template) ? (SENSITIVE_PARAMS[template] ?? []) : [];
  }

  async function deliver(row: ClaimedRow, token: string): Promise<void> {
    const n = row.attempts;
    const claimRef = { id: row.id, n, token };
    const sensitive = sensitiveOf(row.template);
    const channel = options.channels[row.channel as ExternalChannelName]!;
    let content: RenderedMessage;
    try {
      content = render(row.template as TemplateName, row.locale as Locale, row.params as never);
    } catch (error) {
      await resolveAttempt(
        db,
        claimRef,
        { status: 'abandoned', outcome: 'rejected', error: errorText(error) },
        clock.now(),
        sensitive,
      );
      log.error({ outbox: row.id, err: error }, 'notification cannot be rendered; abandoned');
      return;
    }

    const controller = new AbortController();
    const deadline = clock.now().getTime() + sendTimeoutMs;
    const timer = setTimeout(
      () => controller.abort(new Error(`send took longer than ${sendTimeoutMs} ms`)),
      sendTimeoutMs,
    );
    let handedOff = false;
    const context: SendContext = {
      signal: controller.signal,
      handoff: async () => {
        const ok = await markHandoff(db, {
          id: row.id,
          n,
          token,
          now: clock.now(),
          holdUntil: new Date(deadline + RESULT_MARGIN_MS),
        });
        if (!ok) throw new LeaseLostError();
        handedOff = true;
      },
    };

    let resolution: Resolution;
    try {
      const result = await channel.send({ id: row.id, recipient: row.recipient, content }, context);
      resolution = { status: 'sent', providerId: result.providerId };
    } catch (error) {
      if (error instanceof LeaseLostError) {
        await closeAttempt(db, { id: row.id, n }, 'lease_lost', error.message, clock.now());
        log.warn({ outbox: row.id }, 'lost the claim before sending; another worker has the message');
        return;
      }
      const kind = classifySendError(error, handedOff);
      const text = errorText(error);
      if (kind === 'permanent') {
        resolution = { status: 'abandoned', outcome: 'rejected', error: text };
      } else if (kind === 'uncertain' && policy[row.channel as ExternalChannelName] === 'abandon') {
        resolution = {
          status: 'abandoned',
          outcome: 'uncertain',
          error: `not resent, may have been delivered: ${text}`,
        };
      } else if (n - row.requeue_base >= maxAttempts) {
        resolution = {
          status: 'abandoned',
          outcome: kind === 'uncertain' ? 'uncertain' : 'failed',
          error: `gave up after ${n - row.requeue_base} attempts: ${text}`,
        };
      } else {
        const delay = backoffDelay(n - row.requeue_base, backoff, random);
        resolution = {
          status: 'queued',
          outcome: kind === 'uncertain' ? 'uncertain' : 'failed',
          error: text,
          nextAttemptAt: new Date(clock.now().getTime() + delay),
        };
      }
      log.warn({ outbox: row.id, channel: row.channel, attempt: n, kind, err: error }, 'notification attempt failed');
    } finally {
      clearTimeout(timer);
    }
    const moved = await resolveAttempt(db, claimRef, resolution, clock.now(), sensitive);
    if (!moved)
      log.warn({ outbox: row.id }, 'the claim was taken over while sending; outcome recorded on the attempt only');
  }

  async function runOnce(): Promise<number> {
    if (channelNames.length === 0) return 0;
    const { toSend, token, claimed } = await claim();
    await Promise.all(
      toSend.map((row) =>
        deliver(row, token).catch((error: unknown) => {
          // The database failed while recording: the lease runs out and another round retries.
          log.error({ outbox: row.id, err: error }, 'could not record a notification attempt');
        }),
      ),
    );
    return claimed;
  }

  // The loop: poll, sleep until the interval passes or someone wakes us.
  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let woken = false;
  let listener: pg.Client | undefined;

  function wake() {
    woken = true;
    wakeUp?.();
  }

  function idle(ms: number): Promise<void> {
    if (woken) {
      woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        woken = false;
        resolve();
      }
      wakeUp = done;
    });
  }

  async function listen(): Promise<void> {
    if (!options.listenUrl || listener) return;
    const client = new pg.Client({ connectionString: options.listenUrl, application_name: 'dinhdanh-notify-listen' });
    client.on('notification', () => wake());
    client.on('error', (error) => {
      log.warn({ err: error }, 'notify LISTEN connection lost; polling until it is back');
      if (listener === client) listener = undefined;
      client.end().catch(() => undefined);
    });
    try {
      await client.connect();
      await client.query(`listen ${OUTBOX_CHANNEL}`);
      listener = client;
    } catch (error) {
      log.warn({ err: error }, 'notify LISTEN unavailable; polling');
      await client.end().catch(() => undefined);
    }
  }

  return {
    id,
    runOnce,
    wake,
    start() {
      if (loop) return;
      running = true;
      loop = (async () => {
        while (running) {
          await listen();
          let claimed = 0;
          try {
            claimed = await runOnce();
          } catch (error) {
            log.error({ err: error }, 'notification worker round failed');
          }
          if (running && claimed < batchSize) await idle(pollIntervalMs);
        }
        const client = listener;
        listener = undefined;
        await client?.end().catch(() => undefined);
      })();
    },
    async stop() {
      running = false;
      wake();
      await loop;
      loop = undefined;
    },
  };
}

/** The channels the configuration enables: e-mail with SMTP_URL, SMS with SMPP_URL. */
export function channelsFromConfig(
  config: Pick<Config, 'smtp' | 'smpp'>,
): Partial<Record<ExternalChannelName, Channel>> {
  const channels: Partial<Record<ExternalChannelName, Channel>> = {};
  if (config.smtp.url) channels.email = new SmtpEmailChannel({ transport: config.smtp.url, from: config.smtp.from });
  if (config.smpp.url) {
    channels.sms = new SmppSmsChannel({
      url: config.smpp.url,
      systemId: config.smpp.systemId,
      password: config.smpp.password,
      sourceAddr: config.smpp.sourceAddr,
    });
  }
  return channels;
}

/**
 * Starts the notification worker of this process with the configured channels; `stop` finishes
 * the messages in flight, then closes the channels. For src/workers.ts.
 */
export function startNotifyWorker(
  platform: Platform,
  overrides: Partial<NotifyWorkerOptions> & { listenUrl?: string } = {},
): { worker: NotifyWorker; stop(): Promise<void> } {
  const channels = overrides.channels ?? channelsFromConfig(platform.config);
  const worker = createNotifyWorker({
    db: platform.db,
    clock: platform.clock,
    log: platform.log,
    ...overrides,
    channels,
  });
  const names = Object.keys(channels);
  if (names.length === 0) {
    platform.log.warn('no notification channel configured (SMTP_URL, SMPP_URL): e-mail and SMS stay queued');
  }
  worker.start();
  return {
    worker,
    async stop() {
      await worker.stop();
      await Promise.all(Object.values(channels).map((c) => c?.close()));
    },
  };
}
