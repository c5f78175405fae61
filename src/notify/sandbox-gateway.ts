import { escapeHtml } from '../platform/html.ts';
import type { FastifyPluginAsync } from 'fastify';
import { TestMailServer } from './testing/mail-server.ts';
import { TestSmsc } from './testing/smsc.ts';

/**
 * The sandbox's stand-in for the mobile operators' SMSC and for a mail server: real SMPP and SMTP
 * servers on loopback, so `npm start` delivers OTPs and notices over the same protocols as
 * production, and a tester reads them at `/sandbox/messages`. It runs only in sandbox mode
 * (embedded database, or SANDBOX_GATEWAY=on) and never when SMPP_URL / SMTP_URL are set: in
 * production the page does not exist.
 */
export interface SandboxGateway {
  smppUrl: string;
  smtpUrl: string;
  routes: FastifyPluginAsync;
  stop(): Promise<void>;
}

export async function startSandboxGateway(credentials: {
  systemId: string;
  password: string;
}): Promise<SandboxGateway> {
  const smsc = await new TestSmsc({ systemId: credentials.systemId, password: credentials.password }).start();
  const mail = await new TestMailServer().start();

  function listing() {
    return {
      sms: smsc.messages().map((m) => ({ to: m.destination, text: m.text })),
      email: mail.mailbox().map((m) => ({ to: m.to.join(', '), subject: m.subject, text: m.text ?? '' })),
    };
  }

  const routes: FastifyPluginAsync = async (app) => {
    app.get('/sandbox/messages.json', { schema: { hide: true } }, async () => listing());
    app.get('/sandbox/messages', { schema: { hide: true } }, async (_request, reply) => {
      const { sms, email } = listing();
      const rows = (items: { to: string; text: string; subject?: string }[]) =>
        items
          .slice()
          .reverse()
          .map(
            (m) =>
              `<li><strong>${escapeHtml(m.to)}</strong>${m.subject ? ` — ${escapeHtml(m.subject)}` : ''}<pre>${escapeHtml(m.text)}</pre></li>`,
          )
          .join('') || '<li>Chưa có tin nào.</li>';
      return reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="5"><title>Hộp thư thử nghiệm (sandbox)</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}pre{white-space:pre-wrap;background:#f4f4f4;padding:.5rem}</style>
</head><body><main>
<h1>Hộp thư thử nghiệm (sandbox)</h1>
<p>Tin nhắn SMS và thư điện tử mà nền tảng đã gửi trong môi trường thử nghiệm. Trang tự tải lại sau 5 giây.</p>
<h2>SMS (${sms.length})</h2><ul>${rows(sms)}</ul>
<h2>Thư điện tử (${email.length})</h2><ul>${rows(email)}</ul>
</main></body></html>`);
    });
  };

  return {
    smppUrl: smsc.url,
    smtpUrl: mail.url,
    routes,
    async stop() {
      await Promise.all([smsc.stop(), mail.stop()]);
    },
  };
}
