import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { sql } from 'kysely';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { connect, type Database } from '../platform/database.ts';
import type { Clock } from '../platform/clock.ts';
import { createNotifyService, type NotifyService } from './service.ts';
import { createNotifyWorker, type NotifyWorker, type NotifyWorkerOptions } from './worker.ts';
import { SmtpEmailChannel } from './channels/smtp.ts';
import { SmppSmsChannel } from './channels/smpp.ts';
import type { Channel } from './channels/channel.ts';
import { TestMailServer, type MailServerOptions } from './testing/mail-server.ts';
import { TestSmsc, type SmscOptions } from './testing/smsc.ts';

const t = useTestDatabase();

// Everything a test starts, stopped after it.
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

beforeAll(async () => {
  await sql`create table if not exists public.demo_changes (id serial primary key, what text not null)`.execute(t.db);
});

beforeEach(async () => {
  // One database per file: start every test from an empty outbox.
  await sql`truncate notify.attempts, notify.inbox, notify.outbox`.execute(t.db);
});

async function mailServer(options?: MailServerOptions) {
  const server = await new TestMailServer(options).start();
  cleanups.push(() => server.stop());
  return server;
}

async function smsCenter(options?: SmscOptions) {
  const center = await new TestSmsc(options).start();
  cleanups.push(() => center.stop());
  return center;
}

function emailChannel(server: TestMailServer): Channel {
  const channel = new SmtpEmailChannel({ transport: server.url, from: 'Định danh điện tử <no-reply@dinhdanh.test>' });
  cleanups.push(() => channel.close());
  return channel;
}

function smsChannel(center: TestSmsc): Channel {
  const channel = new SmppSmsChannel({
    url: center.url,
    systemId: 'dinhdanh',
    password: 'secret',
    sourceAddr: 'DINHDANH',
  });
  cleanups.push(() => channel.close());
  return channel;
}

function worker(options: Partial<NotifyWorkerOptions> & Pick<NotifyWorkerOptions, 'channels'>): NotifyWorker {
  const w = createNotifyWorker({ db: t.db, workerId: 'w1', ...options });
  cleanups.push(() => w.stop());
  return w;
}

function service(clock?: Clock): NotifyService {
  return createNotifyService(testPlatform(t.db, clock ? { clock } : {}));
}

async function outboxRows() {
  return t.db.selectFrom('notify.outbox').selectAll().orderBy('created_at').execute();
}

async function attemptRows(id: string) {
  return t.db.selectFrom('notify.attempts').selectAll().where('outbox_id', '=', id).orderBy('n').execute();
}

const OTP = { template: 'otp' as const, params: { code: '482913', minutes: 5 } };

describe('notification worker', () => {
  test('a message enqueued in a rolled-back transaction is never sent', async () => {
    const mail = await mailServer();
    const notify = service();
    await expect(
      t.db.transaction().execute(async (trx) => {
        await sql`insert into public.demo_changes (what) values ('doomed')`.execute(trx);
        await notify.enqueue(trx, { channel: 'email', recipient: 'an@example.vn', ...OTP });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const w = worker({ channels: { email: emailChannel(mail) } });
    expect(await w.runOnce()).toBe(0);
    expect(await outboxRows()).toEqual([]);
    expect(mail.transfers).toEqual([]);
  });

  test('delivers e-mail and SMS end to end once the change commits, and records the attempt', async () => {
    const mail = await mailServer();
    const center = await smsCenter();
    const notify = service();
    const w = worker({ channels: { email: emailChannel(mail), sms: smsChannel(center) } });

    const ids = await t.db.transaction().execute(async (trx) => {
      await sql`insert into public.demo_changes (what) values ('application HS-1 approved')`.execute(trx);
      const email = await notify.enqueue(trx, {
        channel: 'email',
        recipient: 'nguyen.van.an@example.vn',
        accountId: 'acc-1',
        template: 'application_approved',
        params: { applicationNo: 'HS-2026-000001', procedure: 'eid_level2' },
      });
      const sms = await notify.enqueue(trx, { channel: 'sms', recipient: '0912345678', accountId: 'acc-1', ...OTP });
      // Not committed yet: no worker can see them.
      expect(await w.runOnce()).toBe(0);
      return { email: email.id, sms: sms.id };
    });

    expect(await w.runOnce()).toBe(2);

    expect(mail.received).toHaveLength(1);
    const received = mail.received[0]!;
    expect(received.to).toEqual(['nguyen.van.an@example.vn']);
    expect(received.subject).toBe('Hồ sơ số HS-2026-000001 đã được phê duyệt');
    expect(received.messageId).toBe(`<${ids.email}@dinhdanh.test>`);
    expect(received.text).toContain(
      'Hồ sơ đăng ký tài khoản định danh điện tử mức độ 2 số HS-2026-000001 đã được phê duyệt.',
    );

    expect(center.messages()).toEqual([
      {
        destination: '84912345678',
        text: 'Mã xác thực của bạn là 482913. Mã có hiệu lực trong 5 phút. Không chia sẻ mã này cho bất kỳ ai.',
        parts: 2,
      },
    ]);

    const email = await notify.status(ids.email);
    expect(email?.message).toMatchObject({
      status: 'sent',
      attempts: 1,
      claimed_until: null,
      claim_token: null,
      last_error: null,
    });
    expect(email?.message.provider_id).toContain(received.messageId);
    expect(email?.attempts).toHaveLength(1);
    expect(email?.attempts[0]).toMatchObject({ n: 1, worker: 'w1', outcome: 'sent', error: null });
    expect(email?.attempts[0]!.handed_off_at).toBeInstanceOf(Date);

    const sms = await notify.status(ids.sms);
    expect(sms?.message).toMatchObject({ status: 'sent', attempts: 1, recipient: '+84912345678' });
    expect(sms?.message.provider_id).toBe(center.submits.map((s) => s.messageId).join(','));
    // The OTP is erased once sent.
    expect(sms?.message.params).toEqual({ minutes: 5 });

    // Nothing left to do, nothing sent twice.
    expect(await w.runOnce()).toBe(0);
    expect(mail.transfers).toHaveLength(1);
    expect(center.submits).toHaveLength(2);
  });

  test('retries with exponential backoff and jitter, then gives up after the bound, recording every attempt', async () => {
    const mail = await mailServer({
      onMessage: () => ({ code: 451, message: 'Requested action aborted: local error' }),
    });
    const clock = fixedClock('2026-03-05T02:00:00Z');
    const { id } = await service(clock).enqueue(t.db, { channel: 'email', recipient: 'an@example.vn', ...OTP });
    const w = worker({
      channels: { email: emailChannel(mail) },
      clock,
      maxAttempts: 4,
      backoff: { baseMs: 1_000, maxMs: 3_000 },
      random: () => 0.5,
    });

    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await w.runOnce()).toBe(1);
      const [row] = await outboxRows();
      expect(row).toMatchObject({ status: 'queued', attempts: attempt });
      expect(row!.last_error).toContain('451');
      const delay = row!.next_attempt_at.getTime() - clock.now().getTime();
      delays.push(delay);
      // Not due before its time …
      clock.advance(delay - 1);
      expect(await w.runOnce()).toBe(0);
      // … due at it.
      clock.advance(1);
    }
    // base·2^(n-1) capped at 3 s, with jitter 0.5 → ¾ of it.
    expect(delays).toEqual([750, 1_500, 2_250]);

    expect(await w.runOnce()).toBe(1);
    const [row] = await outboxRows();
    expect(row).toMatchObject({ status: 'abandoned', attempts: 4, claimed_until: null, sent_at: null });
    expect(row!.last_error).toMatch(/^gave up after 4 attempts: .*451/);
    expect(row!.params).toEqual({ minutes: 5 });
    // The OTP is gone, so the message cannot be requeued: the user asks for a new code.
    expect(await service(clock).requeue(id)).toBe(false);

    const attempts = await attemptRows(id);
    expect(attempts.map((a) => [a.n, a.outcome])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'failed'],
      [4, 'failed'],
    ]);
    for (const a of attempts) {
      expect(a.error).toContain('451');
      expect(a.finished_at).toEqual(a.started_at); // the fixed clock did not move during the send
    }
    expect(mail.transfers).toHaveLength(4);
    expect(mail.received).toHaveLength(0);

    clock.advance(24 * 3600_000);
    expect(await w.runOnce()).toBe(0);
  });

  test('a permanent refusal is not retried', async () => {
    const mail = await mailServer({ onMessage: () => ({ code: 550, message: 'No such user here' }) });
    const { id } = await service().enqueue(t.db, {
      channel: 'email',
      recipient: 'nobody@example.vn',
      template: 'account_unlocked',
      params: { unlockedOn: '2026-03-05' },
    });
    const w = worker({ channels: { email: emailChannel(mail) } });
    expect(await w.runOnce()).toBe(1);
    const status = await service().status(id);
    expect(status?.message).toMatchObject({ status: 'abandoned', attempts: 1 });
    expect(status?.attempts.map((a) => [a.outcome, a.error?.includes('550')])).toEqual([['rejected', true]]);
    expect(await w.runOnce()).toBe(0);
    expect(mail.transfers).toHaveLength(1);
    // An operator may requeue it (say, once the mailbox exists): same id, fresh attempt budget.
    expect(await service().requeue(id)).toBe(true);
    expect(await w.runOnce()).toBe(1);
    expect((await service().status(id))?.attempts.map((a) => [a.n, a.outcome])).toEqual([
      [1, 'rejected'],
      [2, 'rejected'],
    ]);
  });

  test('a message that can no longer be rendered is abandoned, not retried', async () => {
    const mail = await mailServer();
    const { id } = await service().enqueue(t.db, { channel: 'email', recipient: 'an@example.vn', ...OTP });
    await sql`update notify.outbox set params = '{"code": "x"}' where id = ${id}`.execute(t.db);
    const w = worker({ channels: { email: emailChannel(mail) } });
    expect(await w.runOnce()).toBe(1);
    const status = await service().status(id);
    expect(status?.message.status).toBe('abandoned');
    expect(status?.attempts[0]).toMatchObject({ outcome: 'rejected', handed_off_at: null });
    expect(mail.transfers).toHaveLength(0);
  });

  test('a worker claims only the channels it serves', async () => {
    const mail = await mailServer();
    await service().enqueue(t.db, { channel: 'sms', recipient: '+84912345678', ...OTP });
    const w = worker({ channels: { email: emailChannel(mail) } });
    expect(await w.runOnce()).toBe(0);
    expect((await outboxRows()).map((r) => r.status)).toEqual(['queued']);
  });

  test('a message being sent is not claimed by another worker', async () => {
    const peer: { second?: NotifyWorker } = {};
    let secondClaimed = -1;
    const mail = await mailServer({
      // While the first worker's message is in the SMTP server's hands, the second worker looks.
      onMessage: async () => {
        if (secondClaimed === -1) secondClaimed = await peer.second!.runOnce();
      },
    });
    const { id } = await service().enqueue(t.db, { channel: 'email', recipient: 'an@example.vn', ...OTP });
    const first = worker({ channels: { email: emailChannel(mail) }, workerId: 'first' });
    peer.second = worker({ channels: { email: emailChannel(mail) }, workerId: 'second' });
    expect(await first.runOnce()).toBe(1);
    expect(secondClaimed).toBe(0);
    expect(mail.received).toHaveLength(1);
    expect((await attemptRows(id)).map((a) => a.worker)).toEqual(['first']);
  });

  test('two workers draining the queue at once never send a message twice', async () => {
    const mail = await mailServer();
    const center = await smsCenter();
    const notify = service();
    const emails: string[] = [];
    const phones: string[] = [];
    for (let i = 0; i < 30; i++) {
      emails.push((await notify.enqueue(t.db, { channel: 'email', recipient: `user${i}@example.vn`, ...OTP })).id);
      const phone = `+8491${String(i).padStart(7, '0')}`;
      phones.push(phone.slice(1));
      await notify.enqueue(t.db, {
        channel: 'sms',
        recipient: phone,
        template: 'otp',
        locale: 'en',
        params: { code: '111111', minutes: 5 },
      });
    }
    // Each worker on its own connection pool, as two processes would be.
    const pools: Database[] = [connect(t.url, { max: 4 }), connect(t.url, { max: 4 })];
    cleanups.push(() => Promise.all(pools.map((p) => p.close())));
    const workers = pools.map((pool, i) =>
      worker({
        db: pool.db,
        workerId: `w${i}`,
        batchSize: 4,
        channels: { email: emailChannel(mail), sms: smsChannel(center) },
      }),
    );
    const drain = async (w: NotifyWorker) => {
      let total = 0;
      for (let n = await w.runOnce(); n > 0; n = await w.runOnce()) total += n;
      return total;
    };
    const claimed = await Promise.all(workers.map(drain));
    // A worker may stop early while the other still holds rows; a last round picks up anything left.
    const leftover = await drain(workers[0]!);
    expect(claimed[0]! + claimed[1]! + leftover).toBe(60);

    expect(mail.transfers).toHaveLength(30);
    expect(new Set(mail.received.map((m) => m.messageId))).toEqual(
      new Set(emails.map((id) => `<${id}@dinhdanh.test>`)),
    );
    expect(center.submits).toHaveLength(30);
    expect(center.submits.map((s) => s.destination).sort()).toEqual(phones.sort());
    const { rows } = await sql<{ status: string; attempts: number; n: number }>`
      select status, attempts, count(*)::int as n from notify.outbox group by status, attempts`.execute(t.db);
    expect(rows).toEqual([{ status: 'sent', attempts: 1, n: 60 }]);
  });

  test('a worker that lost its lease sends nothing: the hand-off is fenced by the claim token', async () => {
    let releaseFirstBind!: () => void;
    let firstBindSeen!: () => void;
    const firstBindHeld = new Promise<void>((resolve) => (firstBindSeen = resolve));
    let binds = 0;
    const center = await smsCenter({
      onBind: () => {
        binds += 1;
        if (binds > 1) return;
        firstBindSeen();
        return new Promise<void>((resolve) => (releaseFirstBind = resolve));
      },
    });
    await service().enqueue(t.db, { channel: 'sms', recipient: '+84912345678', ...OTP });
    const start = new Date();
    const slow = worker({ channels: { sms: smsChannel(center) }, workerId: 'slow', clock: fixedClock(start) });
    const slowRound = slow.runOnce();
    await firstBindHeld;
    // The slow worker is stuck connecting; its lease runs out and another worker takes over.
    const later = worker({
      channels: { sms: smsChannel(center) },
      workerId: 'later',
      clock: fixedClock(new Date(start.getTime() + 121_000)),
    });
    expect(await later.runOnce()).toBe(1);
    releaseFirstBind();
    expect(await slowRound).toBe(1);

    expect(center.submits).toHaveLength(2); // the two parts of one message, from the later worker
    expect(center.messages()).toHaveLength(1);
    const [row] = await outboxRows();
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
    const attempts = await attemptRows(row!.id);
    expect(attempts.map((a) => [a.n, a.worker, a.outcome, a.handed_off_at === null])).toEqual([
      [1, 'slow', 'interrupted', true],
      [2, 'later', 'sent', false],
    ]);
  });

  test('stop() lets the message in flight finish; LISTEN/NOTIFY wakes an idle worker', async () => {
    let inFlight!: () => void;
    const sending = new Promise<void>((resolve) => (inFlight = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let count = 0;
    const mail = await mailServer({
      onMessage: async () => {
        count += 1;
        if (count === 2) {
          inFlight();
          await held;
        }
      },
    });
    const notify = service();
    const first = await notify.enqueue(t.db, { channel: 'email', recipient: 'one@example.vn', ...OTP });
    // Polls once an hour: after its first round only a notification can wake it.
    const w = worker({ channels: { email: emailChannel(mail) }, pollIntervalMs: 3_600_000, listenUrl: t.url });
    w.start();
    await mail.waitFor(1);
    const second = await notify.enqueue(t.db, { channel: 'email', recipient: 'two@example.vn', ...OTP });
    await sending;
    const stopped = w.stop();
    release();
    await stopped;
    expect(mail.received.map((m) => m.to[0])).toEqual(['one@example.vn', 'two@example.vn']);
    expect((await notify.status(first.id))?.message.status).toBe('sent');
    expect((await notify.status(second.id))?.message.status).toBe('sent');
  });

  test('refuses a lease too short for the send timeout', () => {
    expect(() => createNotifyWorker({ db: t.db, channels: {}, leaseMs: 30_000, sendTimeoutMs: 30_000 })).toThrow(
      /leaseMs/,
    );
  });
});
