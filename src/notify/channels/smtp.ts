import nodemailer from 'nodemailer';
import type { NodemailerError, SMTPTransportOptions, Transporter } from 'nodemailer';
import {
  PermanentSendError,
  TransientSendError,
  type Channel,
  type Delivery,
  type SendContext,
  type SendResult,
} from './channel.ts';

export interface SmtpOptions {
  /**
   * The SMTP server: a URL (`smtp://user:pass@host:587`, `smtps://host:465`) or nodemailer's
   * options (host, port, secure, auth, timeouts).
   */
  transport: string | SMTPTransportOptions;
  /** The From header, e.g. `Định danh điện tử <no-reply@dinhdanh.gov.vn>`. */
  from: string;
  /** Right-hand side of the Message-ID; defaults to the domain of `from`. */
  messageIdDomain?: string;
}

/** Domain part of an address such as `Name <user@example.org>` or `user@example.org`. */
export function domainOf(address: string): string {
  const m = /@([^\s<>@]+?)>?\s*$/.exec(address);
  if (!m) throw new Error(`no domain in address: ${address}`);
  return m[1]!.toLowerCase();
}

/**
 * The Message-ID of an outbox message: the same for every attempt, so a receiver that
 * deduplicates on Message-ID (most mail stores do, or can) keeps one copy of a resent message.
 */
export function messageIdFor(outboxId: string, domain: string): string {
  return `<${outboxId}@${domain}>`;
}

// Errors raised before any part of the message went out: nothing can have been delivered.
const BEFORE_MESSAGE = new Set(['EDNS', 'ETLS', 'EAUTH', 'ENOAUTH', 'ECONFIG', 'EPROXY', 'EREQUIRETLS', 'EOAUTH2']);

function toSendError(error: unknown): PermanentSendError | TransientSendError {
  const e = error as NodemailerError;
  const code = e?.responseCode ?? e?.code;
  const message = `SMTP: ${e?.message ?? String(error)}`;
  // Failures of our own set-up (login, TLS) are not the message's fault: it goes through once the
  // configuration is fixed, so they stay transient even when the server's reply is a 5xx.
  if (BEFORE_MESSAGE.has(e?.code ?? '')) return new TransientSendError(message, { code, cause: error });
  if (e?.permanent === true) return new PermanentSendError(message, { code, cause: error });
  // An address the client itself refused (syntax), or no recipient at all: retrying cannot help.
  if (e?.code === 'EENVELOPE' && e.responseCode === undefined) {
    return new PermanentSendError(message, { code, cause: error });
  }
  if (e?.responseCode !== undefined) {
    // A 4xx (or 503) reply: the server answered and did not take the message.
    return new TransientSendError(message, { code, cause: error });
  }
  const refused = e?.code === 'ESOCKET' && (e.originalCode === 'ECONNREFUSED' || e.originalCode === 'ENOTFOUND');
  const uncertain = !refused && !BEFORE_MESSAGE.has(e?.code ?? '');
  return new TransientSendError(message, { code, cause: error, uncertain });
}

/** E-mail over SMTP (nodemailer). One connection per message unless the transport is pooled. */
export class SmtpEmailChannel implements Channel {
  readonly name = 'email' as const;
  private readonly transporter: Transporter;
  private readonly from: string;
  private readonly domain: string;

  constructor(options: SmtpOptions) {
    this.transporter =
      typeof options.transport === 'string'
        ? nodemailer.createTransport(options.transport)
        : nodemailer.createTransport(options.transport);
    this.from = options.from;
    this.domain = options.messageIdDomain ?? domainOf(options.from);
  }

  async send(delivery: Delivery, context: SendContext): Promise<SendResult> {
    const { content } = delivery;
    const messageId = messageIdFor(delivery.id, this.domain);
    await context.handoff();
    try {
      const info = await this.transporter.sendMail({
        from: this.from,
        to: delivery.recipient,
        subject: content.subject,
        text: content.text,
        html: content.html,
        messageId,
        headers: { 'Auto-Submitted': 'auto-generated' },
        signal: context.signal,
      });
      const rejected = (info.rejected ?? []) as unknown[];
      if (rejected.length > 0) {
        throw new PermanentSendError(`SMTP: recipient rejected: ${String(info.response ?? '')}`);
      }
      const response = typeof info.response === 'string' ? info.response.slice(0, 500) : '';
      return { providerId: response ? `${messageId} ${response}` : messageId };
    } catch (error) {
      if (error instanceof PermanentSendError || error instanceof TransientSendError) throw error;
      throw toSendError(error);
    }
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}
