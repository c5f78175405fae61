import { describe, expect, test } from 'vitest';
import { sql } from 'kysely';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { Problem } from '../platform/errors.ts';
import { createNotifyService } from './service.ts';
import { normalizePhone, normalizeRecipient, backoffDelay } from './model.ts';

const t = useTestDatabase();

describe('notify service', () => {
  test('an inbox message is delivered in the caller transaction, exactly once, readable by its account only', async () => {
    const clock = fixedClock('2026-03-05T02:00:00Z');
    const notify = createNotifyService(testPlatform(t.db, { clock }));
    const { id } = await t.db.transaction().execute((trx) =>
      notify.enqueue(trx, {
        channel: 'inbox',
        recipient: 'acc-inbox-1',
        template: 'account_locked',
        params: { ground: 'holder_request', lockedOn: '2026-03-05' },
      }),
    );
    const page = await notify.inbox('acc-inbox-1');
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      outbox_id: id,
      title: 'Tài khoản định danh điện tử đã bị khóa',
      read_at: null,
      template: 'account_locked',
    });
    expect(page.items[0]!.body).toContain('Lý do: theo yêu cầu của chủ thể danh tính điện tử.');
    expect(page.next).toBeUndefined();
    expect((await notify.inbox('someone-else')).items).toEqual([]);

    const status = await notify.status(id);
    expect(status?.message).toMatchObject({ status: 'sent', attempts: 1, channel: 'inbox' });
    expect(status?.attempts).toMatchObject([{ n: 1, outcome: 'sent' }]);

    expect(await notify.unreadCount('acc-inbox-1')).toBe(1);
    expect(await notify.markRead('someone-else', [page.items[0]!.id])).toBe(0);
    expect(await notify.markRead('acc-inbox-1', [page.items[0]!.id])).toBe(1);
    expect(await notify.unreadCount('acc-inbox-1')).toBe(0);
    expect((await notify.inbox('acc-inbox-1', { unreadOnly: true })).items).toEqual([]);
  });

  test('an inbox message in a rolled-back transaction leaves nothing', async () => {
    const notify = createNotifyService(testPlatform(t.db));
    await expect(
      t.db.transaction().execute(async (trx) => {
        await notify.enqueue(trx, {
          channel: 'inbox',
          recipient: 'acc-rollback',
          template: 'account_unlocked',
          params: { unlockedOn: '2026-03-05' },
        });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect((await notify.inbox('acc-rollback')).items).toEqual([]);
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from notify.outbox where recipient = 'acc-rollback'`.execute(t.db);
    expect(rows[0]!.n).toBe(0);
  });

  test('pages the inbox newest first', async () => {
    const clock = fixedClock('2026-04-01T00:00:00Z');
    const notify = createNotifyService(testPlatform(t.db, { clock }));
    for (let day = 1; day <= 5; day++) {
      await notify.enqueue(t.db, {
        channel: 'inbox',
        recipient: 'acc-pages',
        template: 'account_unlocked',
        params: { unlockedOn: `2026-04-0${day}` },
        locale: 'en',
      });
      clock.advance(60_000);
    }
    const first = await notify.inbox('acc-pages', { limit: 2 });
    expect(first.items.map((i) => i.body.match(/unlocked on ([^.]+) and/)?.[1])).toEqual([
      '5 April 2026',
      '4 April 2026',
    ]);
    const second = await notify.inbox('acc-pages', { limit: 2, before: first.next });
    const third = await notify.inbox('acc-pages', { limit: 2, before: second.next });
    expect([...second.items, ...third.items].map((i) => i.body.match(/unlocked on ([^.]+) and/)?.[1])).toEqual([
      '3 April 2026',
      '2 April 2026',
      '1 April 2026',
    ]);
    expect(third.next).toBeUndefined();
    expect(await notify.markRead('acc-pages', 'all')).toBe(5);
  });

  test('keeps no OTP in the outbox once an inbox message is delivered; e-mail and SMS keep it until sent', async () => {
    const notify = createNotifyService(testPlatform(t.db));
    const inbox = await notify.enqueue(t.db, {
      channel: 'inbox',
      recipient: 'acc-otp',
      template: 'otp',
      params: { code: '482913', minutes: 5 },
    });
    const sms = await notify.enqueue(t.db, {
      channel: 'sms',
      recipient: '0912 345 678',
      template: 'otp',
      params: { code: '482913', minutes: 5 },
    });
    expect((await notify.status(inbox.id))?.message.params).toEqual({ minutes: 5 });
    const queued = (await notify.status(sms.id))?.message;
    expect(queued).toMatchObject({
      status: 'queued',
      recipient: '+84912345678',
      params: { code: '482913', minutes: 5 },
    });
  });

  test('an idempotency key makes a second enqueue return the first message', async () => {
    const notify = createNotifyService(testPlatform(t.db));
    const message = {
      channel: 'email' as const,
      recipient: 'an@example.vn',
      template: 'activation_reminder' as const,
      params: { level: 2 as const, expiresOn: '2026-06-30' },
      key: 'activation-reminder:acc-9:2026-06-23',
    };
    const first = await notify.enqueue(t.db, message);
    const second = await notify.enqueue(t.db, message);
    expect(second.id).toBe(first.id);
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from notify.outbox where key = ${message.key}`.execute(t.db);
    expect(rows[0]!.n).toBe(1);
  });

  test('refuses bad recipients and parameters with a 400 problem naming the field, writing nothing', async () => {
    const notify = createNotifyService(testPlatform(t.db));
    const attempt = (message: Parameters<typeof notify.enqueue>[1]) =>
      t.db
        .transaction()
        .execute((trx) => notify.enqueue(trx, message))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
    const badPhone = await attempt({
      channel: 'sms',
      recipient: '12345',
      template: 'otp',
      params: { code: '123456', minutes: 5 },
    });
    expect(badPhone).toBeInstanceOf(Problem);
    expect(badPhone).toMatchObject({ code: 'NOTIFY_INVALID_RECIPIENT', status: 400, field: 'recipient' });
    expect((badPhone as Problem).messageIn('vi')).toBe('Địa chỉ nhận thông báo qua kênh sms không hợp lệ.');
    const badMail = await attempt({
      channel: 'email',
      recipient: 'a@b\r\nBcc: x@y.z',
      template: 'otp',
      params: { code: '123456', minutes: 5 },
    });
    expect(badMail).toMatchObject({ code: 'NOTIFY_INVALID_RECIPIENT' });
    const badParams = await attempt({
      channel: 'email',
      recipient: 'a@example.vn',
      template: 'otp',
      params: { code: 'abc', minutes: 5 },
    });
    expect(badParams).toMatchObject({ code: 'NOTIFY_INVALID_MESSAGE', field: 'params' });
    expect((badParams as Problem).message).toContain('/code');
    const badTemplate = await attempt({
      channel: 'email',
      recipient: 'a@example.vn',
      template: 'nope',
      params: {},
    } as never);
    expect(badTemplate).toMatchObject({ code: 'NOTIFY_INVALID_MESSAGE', field: 'template' });
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from notify.outbox where recipient in ('a@example.vn', '12345')`.execute(t.db);
    expect(rows[0]!.n).toBe(0);
  });

  test('normalises recipients', () => {
    expect(normalizePhone('0912 345 678')).toBe('+84912345678');
    expect(normalizePhone('+84 91 234 5678')).toBe('+84912345678');
    expect(normalizePhone('0084912345678')).toBe('+84912345678');
    expect(normalizePhone('912345678')).toBeUndefined();
    expect(normalizeRecipient('email', ' Nguyen.An@Example.VN ')).toBe('Nguyen.An@example.vn');
    expect(normalizeRecipient('email', 'no-at-sign')).toBeUndefined();
    expect(normalizeRecipient('inbox', '  ')).toBeUndefined();
  });

  test('backoff doubles up to the cap, with jitter between half and all of the delay', () => {
    const policy = { baseMs: 1000, maxMs: 5000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, () => 1))).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect([1, 2, 3].map((n) => backoffDelay(n, policy, () => 0))).toEqual([500, 1000, 2000]);
  });
});
