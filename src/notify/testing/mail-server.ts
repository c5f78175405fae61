import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { parseMail, type ParsedMail } from './mime.ts';

/** A message as the test SMTP server received it. */
export interface ReceivedMail extends ParsedMail {
  from: string;
  to: string[];
  raw: string;
}

export interface MailServerOptions {
  /** Require this login (AUTH PLAIN/LOGIN over the plain connection). */
  auth?: { user: string; pass: string };
  /**
   * Called once the whole message is in, before the server replies. Return an SMTP error to
   * refuse it; the reply waits for the returned promise (a test can hold it while it kills the
   * sender).
   */
  onMessage?: (
    mail: ReceivedMail,
  ) => Promise<{ code: number; message: string } | void> | { code: number; message: string } | void;
}

/**
 * A real SMTP server (smtp-server) on 127.0.0.1 and an ephemeral port, for tests. `received`
 * lists every DATA transfer it accepted; `mailbox()` is what a store that deduplicates on
 * Message-ID keeps.
 */
export class TestMailServer {
  readonly received: ReceivedMail[] = [];
  /** Every DATA transfer, accepted or not. */
  readonly transfers: ReceivedMail[] = [];
  private readonly server: SMTPServer;
  private waiters: { count: number; resolve: () => void }[] = [];
  port = 0;

  constructor(private readonly options: MailServerOptions = {}) {
    this.server = new SMTPServer({
      secure: false,
      disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      authOptional: !options.auth,
      allowInsecureAuth: true,
      logger: false,
      onAuth: (auth, _session, callback) => {
        if (auth.username === options.auth?.user && auth.password === options.auth?.pass) {
          callback(null, { user: auth.username });
        } else {
          callback(Object.assign(new Error('Invalid login'), { responseCode: 535 }));
        }
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const mail: ReceivedMail = {
            ...parseMail(raw),
            raw,
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
          };
          this.transfers.push(mail);
          Promise.resolve(this.options.onMessage?.(mail)).then(
            (refusal) => {
              if (refusal) {
                callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
                return;
              }
              this.received.push(mail);
              this.notify();
              callback(null, `Message queued as ${this.received.length}`);
            },
            (error: unknown) => callback(error as Error),
          );
        });
      },
    });
    this.server.on('error', () => undefined);
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    const auth = this.options.auth;
    const login = auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@` : '';
    return `smtp://${login}127.0.0.1:${this.port}`;
  }

  /** Accepted messages, one per Message-ID (first copy kept). */
  mailbox(): ReceivedMail[] {
    const seen = new Set<string>();
    return this.received.filter((m) => (seen.has(m.messageId) ? false : (seen.add(m.messageId), true)));
  }

  /** Resolves once `count` messages have been accepted. */
  waitFor(count: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  private notify(): void {
    const ready = this.waiters.filter((w) => this.received.length >= w.count);
    this.waiters = this.waiters.filter((w) => this.received.length < w.count);
    for (const w of ready) w.resolve();
  }

  async stop(): Promise<void> {
    for (const connection of this.server.connections) connection.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
