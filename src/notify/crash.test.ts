/**
 * Crash safety: a worker process is killed with SIGKILL in the middle of a send, and a new worker
 * takes over once the lease has run out. What each case proves (docs/notify.md, "Delivery
 * guarantees"):
 *
 * - killed before the hand-off (still connecting): nothing reached the provider; the message is
 *   sent once by the next worker. Nothing lost, nothing twice.
 * - e-mail killed after the SMTP server took the message but before its reply was recorded: the
 *   next worker sends it again with the same Message-ID. The wire carries two copies, a mailbox
 *   that deduplicates on Message-ID holds one: effectively once.
 * - SMS killed after submit_sm reached the SMSC: SMPP has no deduplication key, so by default the
 *   message is not resent (at most once; it is marked abandoned/uncertain for an operator). With
 *   the `resend` policy it is resent, and the SMSC sees it twice (at least once).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { sql } from 'kysely';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { createNotifyService } from './service.ts';
import { createNotifyWorker, type NotifyWorkerOptions } from './worker.ts';
import { SmtpEmailChannel } from './channels/smtp.ts';
import { SmppSmsChannel } from './channels/smpp.ts';
import { TestMailServer } from './testing/mail-server.ts';
import { TestSmsc } from './testing/smsc.ts';
import type { TestWorkerConfig } from './testing/worker-process.ts';

const t = useTestDatabase();
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
beforeEach(async () => {
  await sql`truncate notify.attempts, notify.inbox, notify.outbox`.execute(t.db);
});

const WORKER_SCRIPT = fileURLToPath(new URL('./testing/worker-process.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Starts a worker in its own process; it claims one batch and sends it. */
function spawnWorker(config: Omit<TestWorkerConfig, 'databaseUrl' | 'workerId'>) {
  const child: ChildProcess = fork(WORKER_SCRIPT, [], {
    execArgv: ['--import', 'tsx'],
    cwd: REPO_ROOT,
    env: { ...process.env, NOTIFY_TEST_WORKER: JSON.stringify({ ...config, databaseUrl: t.url, workerId: 'doomed' }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return {
    /** Kills the process at once (no handlers run, sockets are dropped by the kernel). */
    async kill() {
      child.kill('SIGKILL');
      return exited;
    },
    exited,
  };
}

/** A deferred: a promise with its resolver. */
function signal<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A second worker, in this process, whose clock is past the dead worker's lease. */
function successor(options: Pick<NotifyWorkerOptions, 'channels'> & Partial<NotifyWorkerOptions>) {
  const w = createNotifyWorker({
    db: t.db,
    workerId: 'successor',
    clock: fixedClock(new Date(Date.now() + 121_000)), // default lease: 120 s
    ...options,
  });
  cleanups.push(() => w.stop());
  return w;
}

async function start<T extends { start(): Promise<T>; stop(): Promise<void> }>(server: T): Promise<T> {
  await server.start();
  cleanups.push(() => server.stop());
  return server;
}

const notify = () => createNotifyService(testPlatform(t.db));

async function attempts(id: string) {
  return t.db.selectFrom('notify.attempts').selectAll().where('outbox_id', '=', id).orderBy('n').execute();
}

describe('a worker killed in the middle of a send', () => {
  test('e-mail: killed after the server took the message; the resend carries the same Message-ID, none lost', async () => {
    let worker: ReturnType<typeof spawnWorker> | undefined;
    const killed = signal<NodeJS.Signals | number | null>();
    const mail = await start(
      new TestMailServer({
        onMessage: async () => {
          // The first message is in; kill the sender before it reads the server's reply.
          if (worker) {
            const w = worker;
            worker = undefined;
            killed.resolve(await w.kill());
          }
        },
      }),
    );
    const service = notify();
    const ids: string[] = [];
    for (const who of ['an', 'binh', 'chi']) {
      ids.push(
        (
          await service.enqueue(t.db, {
            channel: 'email',
            recipient: `${who}@example.vn`,
            template: 'otp',
            params: { code: '123456', minutes: 5 },
          })
        ).id,
      );
    }
    worker = spawnWorker({ smtpUrl: mail.url, batchSize: 1 });
    expect(await killed.promise).toBe('SIGKILL');
    await mail.waitFor(1);

    // The dead worker left the first message claimed, handed off, unfinished.
    const [orphan] = await attempts(ids[0]!);
    expect(orphan).toMatchObject({ n: 1, worker: 'doomed', outcome: null, finished_at: null });
    expect(orphan!.handed_off_at).not.toBeNull();
    expect((await service.status(ids[0]!))?.message.status).toBe('sending');

    const next = successor({
      channels: { email: new SmtpEmailChannel({ transport: mail.url, from: 'no-reply@dinhdanh.test' }) },
    });
    expect(await next.runOnce()).toBe(3);

    // Every message reached the mailbox exactly once …
    const byId = (id: string) => `<${id}@dinhdanh.test>`;
    expect(
      mail
        .mailbox()
        .map((m) => m.messageId)
        .sort(),
    ).toEqual(ids.map(byId).sort());
    expect(
      mail
        .mailbox()
        .map((m) => m.to[0])
        .sort(),
    ).toEqual(['an@example.vn', 'binh@example.vn', 'chi@example.vn']);
    // … and only the message whose reply was lost crossed the wire twice, with the same id.
    expect(mail.received.filter((m) => m.messageId === byId(ids[0]!))).toHaveLength(2);
    expect(mail.received).toHaveLength(4);

    for (const id of ids) expect((await service.status(id))?.message.status).toBe('sent');
    expect((await attempts(ids[0]!)).map((a) => [a.worker, a.outcome])).toEqual([
      ['doomed', 'uncertain'],
      ['successor', 'sent'],
    ]);
  });

  test('SMS: killed while binding, before the hand-off; the next worker sends it once', async () => {
    let worker: ReturnType<typeof spawnWorker> | undefined;
    const killed = signal<NodeJS.Signals | number | null>();
    const center = await start(
      new TestSmsc({
        onBind: async () => {
          if (worker) {
            const w = worker;
            worker = undefined;
            killed.resolve(await w.kill());
          }
        },
      }),
    );
    const service = notify();
    const { id } = await service.enqueue(t.db, {
      channel: 'sms',
      recipient: '0912345678',
      template: 'otp',
      params: { code: '482913', minutes: 5 },
    });
    worker = spawnWorker({ smppUrl: center.url, batchSize: 1 });
    expect(await killed.promise).toBe('SIGKILL');

    const [orphan] = await attempts(id);
    expect(orphan).toMatchObject({ worker: 'doomed', handed_off_at: null, finished_at: null });

    const sms = new SmppSmsChannel({
      url: center.url,
      systemId: 'dinhdanh',
      password: 'secret',
      sourceAddr: 'DINHDANH',
    });
    cleanups.push(() => sms.close());
    expect(await successor({ channels: { sms } }).runOnce()).toBe(1);

    expect(center.messages()).toEqual([
      {
        destination: '84912345678',
        text: 'Mã xác thực của bạn là 482913. Mã có hiệu lực trong 5 phút. Không chia sẻ mã này cho bất kỳ ai.',
        parts: 2,
      },
    ]);
    expect(center.submits).toHaveLength(2);
    expect((await service.status(id))?.message.status).toBe('sent');
    expect((await attempts(id)).map((a) => [a.worker, a.outcome])).toEqual([
      ['doomed', 'interrupted'],
      ['successor', 'sent'],
    ]);
  });

  /** Kills the worker once the SMSC has the submit_sm, then lets a successor with `policy` run. */
  async function killAfterSubmit(policy: 'abandon' | 'resend' | undefined) {
    let worker: ReturnType<typeof spawnWorker> | undefined;
    const killed = signal<NodeJS.Signals | number | null>();
    const center = await start(
      new TestSmsc({
        onSubmit: async () => {
          if (worker) {
            const w = worker;
            worker = undefined;
            killed.resolve(await w.kill());
          }
        },
      }),
    );
    const service = notify();
    const { id } = await service.enqueue(t.db, {
      channel: 'sms',
      recipient: '+84912345678',
      template: 'account_unlocked',
      locale: 'en', // one GSM-7 part
      params: { unlockedOn: '2026-03-05' },
    });
    worker = spawnWorker({ smppUrl: center.url, batchSize: 1 });
    expect(await killed.promise).toBe('SIGKILL');
    await center.waitForAccepted(1);
    const [orphan] = await attempts(id);
    expect(orphan!.handed_off_at).not.toBeNull();
    expect(orphan!.finished_at).toBeNull();

    const sms = new SmppSmsChannel({
      url: center.url,
      systemId: 'dinhdanh',
      password: 'secret',
      sourceAddr: 'DINHDANH',
    });
    cleanups.push(() => sms.close());
    const next = successor({ channels: { sms }, ...(policy ? { uncertain: { sms: policy } } : {}) });
    expect(await next.runOnce()).toBe(1);
    return { center, service, id, sms };
  }

  test('SMS: killed after the SMSC took the submit_sm; by default it is not sent again (at most once)', async () => {
    const { center, service, id, sms } = await killAfterSubmit(undefined);
    expect(center.messages()).toEqual([
      {
        destination: '84912345678',
        text: 'Your electronic identity account was unlocked on 5 March 2026. If you did not ask for this, contact the support hotline at once.',
        parts: 1,
      },
    ]);
    const status = await service.status(id);
    expect(status?.message).toMatchObject({ status: 'abandoned', attempts: 1 });
    expect(status?.message.last_error).toContain('uncertain');
    expect(status?.attempts.map((a) => [a.worker, a.outcome])).toEqual([['doomed', 'uncertain']]);
    // An operator who knows it did not arrive can requeue it.
    expect(await service.requeue(id)).toBe(true);
    expect((await service.status(id))?.message).toMatchObject({ status: 'queued', attempts: 1, requeue_base: 1 });
    expect(await successor({ channels: { sms } }).runOnce()).toBe(1);
    expect(center.messages()).toHaveLength(2);
    expect((await service.status(id))?.attempts.map((a) => [a.n, a.outcome])).toEqual([
      [1, 'uncertain'],
      [2, 'sent'],
    ]);
  });

  test('SMS with the resend policy: sent again, so the SMSC sees it twice (at least once)', async () => {
    const { center, service, id } = await killAfterSubmit('resend');
    expect(center.messages()).toHaveLength(2);
    expect(new Set(center.messages().map((m) => m.text)).size).toBe(1);
    expect((await service.status(id))?.attempts.map((a) => [a.worker, a.outcome])).toEqual([
      ['doomed', 'uncertain'],
      ['successor', 'sent'],
    ]);
  });
});
