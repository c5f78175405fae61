import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildServer, type App } from '../http/server.ts';
import { createServices } from '../services.ts';
import { testPlatform, useTestDatabase } from '../../test/database.ts';
import { startSandboxGateway, type SandboxGateway } from './sandbox-gateway.ts';
import { channelsFromConfig, createNotifyWorker } from './worker.ts';

const t = useTestDatabase();
let gateway: SandboxGateway;
let app: App;

beforeAll(async () => {
  gateway = await startSandboxGateway({ systemId: 'dinhdanh', password: 'sandbox' });
});
afterAll(async () => {
  await app?.close();
  await gateway.stop();
});

describe('sandbox gateway (loopback SMSC and mail server)', () => {
  test('an OTP sent over SMPP and a notice over SMTP show on /sandbox/messages', async () => {
    const platform = testPlatform(t.db, {
      config: {
        smpp: { url: gateway.smppUrl, systemId: 'dinhdanh', password: 'sandbox', sourceAddr: 'DINHDANH' },
        smtp: { url: gateway.smtpUrl, from: 'Định danh <no-reply@dinhdanh.local>' },
      },
    });
    const services = createServices(platform);
    app = await buildServer(platform, services, { plugins: [gateway.routes] });
    await services.notify.enqueue(t.db, {
      channel: 'sms',
      recipient: '0912345678',
      template: 'otp',
      params: { code: '246810', minutes: 5 },
    });
    await services.notify.enqueue(t.db, {
      channel: 'email',
      recipient: 'an@example.vn',
      template: 'otp',
      params: { code: '135791', minutes: 5 },
    });
    const channels = channelsFromConfig(platform.config);
    const worker = createNotifyWorker({ db: t.db, clock: platform.clock, log: platform.log, channels });
    try {
      expect(await worker.runOnce()).toBe(2);
    } finally {
      await Promise.all(Object.values(channels).map((c) => c?.close()));
    }
    const res = await app.inject({ method: 'GET', url: '/sandbox/messages.json' });
    const body = res.json();
    expect(body.sms).toEqual([expect.objectContaining({ to: expect.stringContaining('912345678') })]);
    expect(body.sms[0].text).toContain('246810');
    expect(body.email[0]).toMatchObject({ to: 'an@example.vn' });
    expect(body.email[0].text).toContain('135791');
    const page = await app.inject({ method: 'GET', url: '/sandbox/messages' });
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('246810');
    expect(page.body).toContain('lang="vi"');
  });
});
