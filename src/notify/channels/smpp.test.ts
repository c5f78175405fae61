import { afterEach, describe, expect, it } from 'vitest';
import { SmppSmsChannel, destinationAddress, sourceAddress, type SmppOptions } from './smpp.ts';
import { PermanentSendError, TransientSendError, type SendContext } from './channel.ts';
import { TestSmsc, type SmscOptions } from '../testing/smsc.ts';
import { render, type RenderedMessage } from '../templates.ts';
import { freePort } from '../../platform/embedded-postgres.ts';

function context(log: string[] = []): SendContext {
  return { signal: new AbortController().signal, handoff: async () => void log.push('handoff') };
}

function sms(text: string): RenderedMessage {
  return { subject: '', body: text, text, html: '', sms: text };
}

const smscs: TestSmsc[] = [];
const channels: SmppSmsChannel[] = [];
async function smsc(options?: SmscOptions) {
  const s = await new TestSmsc(options).start();
  smscs.push(s);
  return s;
}
function channel(url: string, options: Partial<SmppOptions> = {}) {
  const c = new SmppSmsChannel({ url, systemId: 'dinhdanh', password: 'secret', sourceAddr: 'DINHDANH', ...options });
  channels.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(channels.splice(0).map((c) => c.close()));
  await Promise.all(smscs.splice(0).map((s) => s.stop()));
});

describe('SMPP SMS channel', () => {
  it('binds as a transmitter and submits a Vietnamese OTP in UCS-2, concatenated', async () => {
    const center = await smsc();
    const content = render('otp', 'vi', { code: '482913', minutes: 5 });
    const log: string[] = [];
    const result = await channel(center.url).send({ id: 'm-1', recipient: '+84912345678', content }, context(log));

    expect(log).toEqual(['handoff']);
    expect(center.binds).toEqual([
      { systemId: 'dinhdanh', password: 'secret', accepted: true, interfaceVersion: 0x34 },
    ]);
    // 96 characters of Vietnamese: two UCS-2 parts of at most 67 characters.
    expect(center.submits).toHaveLength(2);
    for (const s of center.submits) {
      expect(s).toMatchObject({ destination: '84912345678', destTon: 1, destNpi: 1, dataCoding: 8, esmClass: 0x40 });
      expect(s.source).toBe('DINHDANH');
      expect(s.concat?.total).toBe(2);
    }
    expect(center.submits.map((s) => s.concat?.seq)).toEqual([1, 2]);
    expect(center.messages()).toEqual([
      {
        destination: '84912345678',
        text: 'Mã xác thực của bạn là 482913. Mã có hiệu lực trong 5 phút. Không chia sẻ mã này cho bất kỳ ai.',
        parts: 2,
      },
    ]);
    expect(result.providerId).toBe(center.submits.map((s) => s.messageId).join(','));
  });

  it('sends a short text in one submit_sm, and English in GSM-7', async () => {
    const center = await smsc();
    const c = channel(center.url);
    await c.send({ id: 'm-2', recipient: '+84912345678', content: sms('Tài khoản đã mở khóa.') }, context());
    await c.send(
      { id: 'm-3', recipient: '+84987654321', content: sms('Your code is 123456 [valid 5 min]') },
      context(),
    );
    expect(center.binds).toHaveLength(1); // the bind is reused
    expect(center.submits.map((s) => [s.dataCoding, s.esmClass, s.concat, s.text])).toEqual([
      [8, 0, undefined, 'Tài khoản đã mở khóa.'],
      [0, 0, undefined, 'Your code is 123456 [valid 5 min]'],
    ]);
  });

  it('can send a long text whole in message_payload', async () => {
    const center = await smsc();
    const text = 'Hồ sơ số HS-2026-000123 không được phê duyệt. Xem lý do trên ứng dụng định danh điện tử.';
    await channel(center.url, { longMessages: 'payload' }).send(
      { id: 'm-4', recipient: '+84912345678', content: sms(text) },
      context(),
    );
    expect(center.submits).toHaveLength(1);
    expect(center.submits[0]).toMatchObject({ viaPayload: true, dataCoding: 8, esmClass: 0, text });
    expect(center.messages()).toEqual([{ destination: '84912345678', text, parts: 1 }]);
  });

  it('binds again after the SMSC drops the connection', async () => {
    const center = await smsc();
    let closed!: () => void;
    const sawClose = new Promise<void>((resolve) => (closed = resolve));
    const events: string[] = [];
    const c = channel(center.url, {
      onEvent: (e) => {
        events.push(e.type);
        if (e.type === 'closed') closed();
      },
    });
    await c.send({ id: 'r-1', recipient: '+84912345678', content: sms('Lần một') }, context());
    await center.dropConnections();
    await sawClose;
    await c.send({ id: 'r-2', recipient: '+84912345678', content: sms('Lần hai') }, context());
    expect(center.binds).toHaveLength(2);
    expect(events).toEqual(['bound', 'closed', 'bound']);
    expect(center.messages().map((m) => m.text)).toEqual(['Lần một', 'Lần hai']);
  });

  it('a refused bind is transient and sends nothing', async () => {
    const center = await smsc({ password: 'other' });
    const log: string[] = [];
    const error = await channel(center.url)
      .send({ id: 'b-1', recipient: '+84912345678', content: sms('x') }, context(log))
      .catch((e) => e);
    expect(error).toBeInstanceOf(TransientSendError);
    expect((error as TransientSendError).message).toContain('ESME_RINVPASWD');
    expect(log).toEqual([]);
    expect(center.submits).toHaveLength(0);
  });

  it('an unreachable SMSC is transient and certainly sent nothing', async () => {
    const port = await freePort();
    const error = await channel(`smpp://127.0.0.1:${port}`)
      .send({ id: 'b-2', recipient: '+84912345678', content: sms('x') }, context())
      .catch((e) => e);
    expect(error).toBeInstanceOf(TransientSendError);
    expect((error as TransientSendError).uncertain).toBe(false);
  });

  it('maps submit_sm_resp errors: invalid destination is permanent, throttling transient', async () => {
    const statuses = [0x0b, 0x58];
    const center = await smsc({ onSubmit: () => statuses.shift() });
    const c = channel(center.url);
    const first = await c.send({ id: 'e-1', recipient: '+84912345678', content: sms('a') }, context()).catch((e) => e);
    expect(first).toBeInstanceOf(PermanentSendError);
    expect((first as PermanentSendError).message).toContain('ESME_RINVDSTADR');
    const second = await c.send({ id: 'e-2', recipient: '+84912345678', content: sms('b') }, context()).catch((e) => e);
    expect(second).toBeInstanceOf(TransientSendError);
    expect((second as TransientSendError).message).toContain('ESME_RTHROTTLED');
    expect((second as TransientSendError).uncertain).toBe(false);
  });

  it('a connection lost while waiting for submit_sm_resp leaves the outcome uncertain', async () => {
    const center: TestSmsc = await smsc({
      // The SMSC reads the submit_sm, then the connection dies before it answers.
      onSubmit: async () => {
        await center.dropConnections();
      },
    });
    const error = await channel(center.url)
      .send({ id: 'u-1', recipient: '+84912345678', content: sms('x') }, context())
      .catch((e) => e);
    expect(error).toBeInstanceOf(TransientSendError);
    expect((error as TransientSendError).uncertain).toBe(true);
    expect(center.submits).toHaveLength(1);
  });

  it('refuses a recipient that is not an E.164 number before connecting', async () => {
    const center = await smsc();
    await expect(
      channel(center.url).send({ id: 'p-1', recipient: '0912345678', content: sms('x') }, context()),
    ).rejects.toBeInstanceOf(PermanentSendError);
    expect(center.binds).toHaveLength(0);
  });

  it('derives TON/NPI from the addresses', () => {
    expect(sourceAddress('DINHDANH')).toEqual({ source_addr_ton: 5, source_addr_npi: 0, source_addr: 'DINHDANH' });
    expect(sourceAddress('+84241234567')).toEqual({
      source_addr_ton: 1,
      source_addr_npi: 1,
      source_addr: '84241234567',
    });
    expect(sourceAddress('8079')).toEqual({ source_addr_ton: 0, source_addr_npi: 1, source_addr: '8079' });
    expect(destinationAddress('+84912345678')).toEqual({
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      destination_addr: '84912345678',
    });
  });
});
