import { afterEach, describe, expect, it } from 'vitest';
import { SmtpEmailChannel, domainOf, messageIdFor } from './smtp.ts';
import { PermanentSendError, TransientSendError, type SendContext } from './channel.ts';
import { TestMailServer } from '../testing/mail-server.ts';
import { render } from '../templates.ts';
import { freePort } from '../../platform/embedded-postgres.ts';

const FROM = 'Định danh điện tử <no-reply@dinhdanh.test>';

function context(log: string[] = []): SendContext {
  return { signal: new AbortController().signal, handoff: async () => void log.push('handoff') };
}

const servers: TestMailServer[] = [];
const channels: SmtpEmailChannel[] = [];
async function server(options?: ConstructorParameters<typeof TestMailServer>[0]) {
  const s = await new TestMailServer(options).start();
  servers.push(s);
  return s;
}
function channel(transport: string, from = FROM) {
  const c = new SmtpEmailChannel({ transport, from });
  channels.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(channels.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe('SMTP e-mail channel', () => {
  it('delivers a Vietnamese message the receiver decodes intact, with a Message-ID from the outbox id', async () => {
    const smtp = await server();
    const content = render('application_rejected', 'vi', {
      applicationNo: 'HS-2026-000123',
      procedure: 'eid_level2',
      reasons: ['Ảnh chân dung không rõ nét', 'Thiếu giấy tờ chứng minh nơi cư trú'],
    });
    const id = '0190f3c2-7a4b-7c1d-9e2f-3a4b5c6d7e8f';
    const log: string[] = [];
    const result = await channel(smtp.url).send({ id, recipient: 'nguyen.van.a@example.vn', content }, context(log));

    expect(log).toEqual(['handoff']);
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.to).toEqual(['nguyen.van.a@example.vn']);
    expect(mail.from).toBe('no-reply@dinhdanh.test');
    expect(mail.subject).toBe('Hồ sơ số HS-2026-000123 không được phê duyệt');
    expect(mail.messageId).toBe(`<${id}@dinhdanh.test>`);
    expect(result.providerId).toContain(mail.messageId);
    expect(mail.text).toContain(
      'Hồ sơ đăng ký tài khoản định danh điện tử mức độ 2 số HS-2026-000123 không được phê duyệt vì các lý do sau:',
    );
    expect(mail.text).toContain('- Ảnh chân dung không rõ nét\n- Thiếu giấy tờ chứng minh nơi cư trú');
    expect(mail.text!.normalize('NFC')).toBe(mail.text);
    expect(mail.html).toContain('<li>Thiếu giấy tờ chứng minh nơi cư trú</li>');
    expect(mail.headers.get('from')).toContain('no-reply@dinhdanh.test');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
  });

  it('logs in when the server requires it', async () => {
    const smtp = await server({ auth: { user: 'mailer', pass: 'mật-khẩu' } });
    const content = render('otp', 'en', { code: '482913', minutes: 5 });
    await channel(smtp.url).send({ id: 'a1', recipient: 'x@example.org', content }, context());
    expect(smtp.received.map((m) => m.text?.split('\n')[0])).toEqual([
      'Your verification code is 482913. It is valid for 5 minutes. Do not share this code with anyone.',
    ]);
  });

  it('a wrong password is a transient failure that sent nothing', async () => {
    const smtp = await server({ auth: { user: 'mailer', pass: 'right' } });
    const content = render('otp', 'vi', { code: '123456', minutes: 5 });
    const url = `smtp://mailer:wrong@127.0.0.1:${smtp.port}`;
    const error = await channel(url)
      .send({ id: 'a2', recipient: 'x@example.org', content }, context())
      .catch((e) => e);
    expect(error).toBeInstanceOf(TransientSendError);
    expect((error as TransientSendError).uncertain).toBe(false);
    expect(smtp.transfers).toHaveLength(0);
  });

  it('a 5xx reply to the message is permanent, a 4xx transient', async () => {
    const replies = [
      { code: 554, message: 'Message rejected as spam' },
      { code: 451, message: 'Try again later' },
    ];
    const smtp = await server({ onMessage: () => replies.shift() });
    const content = render('account_unlocked', 'vi', { unlockedOn: '2026-03-05' });
    const c = channel(smtp.url);
    const first = await c.send({ id: 'b1', recipient: 'x@example.org', content }, context()).catch((e) => e);
    expect(first).toBeInstanceOf(PermanentSendError);
    expect((first as PermanentSendError).code).toBe(554);
    const second = await c.send({ id: 'b2', recipient: 'x@example.org', content }, context()).catch((e) => e);
    expect(second).toBeInstanceOf(TransientSendError);
    expect((second as TransientSendError).uncertain).toBe(false);
    expect(smtp.received).toHaveLength(0);
    expect(smtp.transfers).toHaveLength(2);
  });

  it('a refused connection is transient and certainly sent nothing', async () => {
    const port = await freePort();
    const content = render('otp', 'vi', { code: '123456', minutes: 5 });
    const error = await channel(`smtp://127.0.0.1:${port}`)
      .send({ id: 'c1', recipient: 'x@example.org', content }, context())
      .catch((e) => e);
    expect(error).toBeInstanceOf(TransientSendError);
    expect((error as TransientSendError).uncertain).toBe(false);
  });

  it('does not send when the hand-off is refused (lease lost)', async () => {
    const smtp = await server();
    const content = render('otp', 'vi', { code: '123456', minutes: 5 });
    const refused: SendContext = {
      signal: new AbortController().signal,
      handoff: async () => {
        throw new Error('lease lost');
      },
    };
    await expect(channel(smtp.url).send({ id: 'd1', recipient: 'x@example.org', content }, refused)).rejects.toThrow(
      'lease lost',
    );
    expect(smtp.transfers).toHaveLength(0);
  });

  it('derives the Message-ID domain from the From address', () => {
    expect(domainOf('Định danh điện tử <No-Reply@DinhDanh.gov.vn>')).toBe('dinhdanh.gov.vn');
    expect(domainOf('no-reply@example.org')).toBe('example.org');
    expect(messageIdFor('abc', 'example.org')).toBe('<abc@example.org>');
  });
});
