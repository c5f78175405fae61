import type { RenderedMessage } from '../templates.ts';

/** Delivery channels. The inbox is written in the database; e-mail and SMS leave the system. */
export type ChannelName = 'inbox' | 'email' | 'sms';
export type ExternalChannelName = Exclude<ChannelName, 'inbox'>;

/** One message to hand to a provider. */
export interface Delivery {
  /** The outbox message id: providers get it as their deduplication key where they have one. */
  id: string;
  /** E-mail address or E.164 phone number. */
  recipient: string;
  content: RenderedMessage;
}

export interface SendContext {
  /** Aborted when the send takes longer than the worker allows (or the worker is torn down). */
  signal: AbortSignal;
  /**
   * Called by the channel before the message goes to the provider, as late as it can (SMPP: after
   * the bind; SMTP: before nodemailer connects, since it connects and sends in one call). The
   * worker records the hand-off and checks it still holds the message's lease; if it throws, the
   * channel must not send. A crash before this point is known not to have sent anything; after
   * it, the outcome is unknown until the provider answers.
   */
  handoff(): Promise<void>;
}

export interface SendResult {
  /** The provider's id for the message (SMTP reply / Message-ID, SMSC message_id). */
  providerId: string;
}

export interface Channel {
  readonly name: ExternalChannelName;
  /**
   * Sends one message. Throws PermanentSendError when the provider refused it for good (retrying
   * cannot help), TransientSendError (or any other error) when a later attempt may succeed.
   */
  send(delivery: Delivery, context: SendContext): Promise<SendResult>;
  close(): Promise<void>;
}

export interface SendErrorOptions {
  /** Provider's code (SMTP reply code, SMPP command_status, library error code). */
  code?: string | number;
  cause?: unknown;
}

export abstract class SendError extends Error {
  abstract readonly permanent: boolean;
  readonly code: string | number | undefined;
  constructor(message: string, options: SendErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = options.code;
  }
}

/** The provider refused the message for good (bad address, content rejected): do not retry. */
export class PermanentSendError extends SendError {
  readonly permanent = true;
  constructor(message: string, options: SendErrorOptions = {}) {
    super(message, options);
    this.name = 'PermanentSendError';
  }
}

/**
 * The send failed in a way a later attempt may fix (connection, throttling, timeout).
 * `uncertain` says the message may nevertheless have reached the provider: the request was
 * written and no answer came back.
 */
export class TransientSendError extends SendError {
  readonly permanent = false;
  readonly uncertain: boolean;
  constructor(message: string, options: SendErrorOptions & { uncertain?: boolean } = {}) {
    super(message, options);
    this.name = 'TransientSendError';
    this.uncertain = options.uncertain ?? false;
  }
}

/** What the worker concludes from an error thrown by a channel. */
export function classifySendError(error: unknown, handedOff: boolean): 'permanent' | 'transient' | 'uncertain' {
  if (error instanceof PermanentSendError) return 'permanent';
  if (error instanceof TransientSendError) return error.uncertain && handedOff ? 'uncertain' : 'transient';
  // An unexpected error after the hand-off: we cannot tell whether the provider took the message.
  return handedOff ? 'uncertain' : 'transient';
}
