import { defineProblems } from '../platform/errors.ts';
import type { Locale } from '../platform/errors.ts';
import type { ChannelName, ExternalChannelName } from './channels/channel.ts';
import type { TemplateName, TemplateParams } from './templates.ts';

export type { ChannelName, ExternalChannelName, Locale };

/**
 * A notification to send. `recipient` is the account id for the inbox, an e-mail address for
 * e-mail, a phone number for SMS (Vietnamese national format 09x… is accepted and stored as
 * E.164, +849x…).
 */
export interface NotifyMessageOf<T extends TemplateName> {
  channel: ChannelName;
  recipient: string;
  template: T;
  params: TemplateParams[T];
  /** Language of the message (default Vietnamese). */
  locale?: Locale;
  /** The account the message is about, when it goes to an address rather than an inbox. */
  accountId?: string;
  /**
   * Idempotency key: enqueuing a second message with the same key returns the first one's id and
   * adds nothing (e.g. `activation-reminder:<account>:<date>` from a job that may run twice).
   */
  key?: string;
}

/** Any template's message, with its parameters typed by the template. */
export type NotifyMessage = { [K in TemplateName]: NotifyMessageOf<K> }[TemplateName];

export const notifyProblem = defineProblems({
  NOTIFY_INVALID_RECIPIENT: {
    status: 400,
    vi: 'Địa chỉ nhận thông báo qua kênh {channel} không hợp lệ.',
    en: 'The {channel} recipient of the notification is not valid.',
  },
  NOTIFY_INVALID_MESSAGE: {
    status: 400,
    vi: 'Thông báo không hợp lệ: {reason}',
    en: 'The notification is not valid: {reason}',
  },
});

const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** A phone number as E.164 (`+84912345678`), or undefined when it is not one. */
export function normalizePhone(input: string): string | undefined {
  const compact = input.replace(/[\s.()-]/g, '');
  let e164: string;
  if (/^0\d{9,10}$/.test(compact)) e164 = `+84${compact.slice(1)}`;
  else if (/^\+\d+$/.test(compact)) e164 = compact;
  else if (/^00\d+$/.test(compact)) e164 = `+${compact.slice(2)}`;
  else return undefined;
  return /^\+[1-9]\d{6,14}$/.test(e164) ? e164 : undefined;
}

/** The recipient as stored, or undefined when it is not valid for the channel. */
export function normalizeRecipient(channel: ChannelName, recipient: string): string | undefined {
  const value = recipient.trim();
  switch (channel) {
    case 'email': {
      if (value.length > 254 || !EMAIL.test(value)) return undefined;
      const at = value.lastIndexOf('@');
      return `${value.slice(0, at)}@${value.slice(at + 1).toLowerCase()}`;
    }
    case 'sms':
      return normalizePhone(value);
    case 'inbox':
      return value.length > 0 && value.length <= 200 ? value : undefined;
    default:
      return undefined;
  }
}

/** What the worker does when a previous attempt may or may not have reached the provider. */
export type UncertainPolicy = 'resend' | 'abandon';

/**
 * Defaults: e-mail is resent, because the resend carries the same Message-ID and a receiver can
 * drop the copy; SMS has no such key in SMPP 3.4, so an SMS that may have gone out is not sent
 * again (it is abandoned with outcome `uncertain`, visible and requeueable). See docs/notify.md.
 */
export const DEFAULT_UNCERTAIN_POLICY: Record<ExternalChannelName, UncertainPolicy> = {
  email: 'resend',
  sms: 'abandon',
};

export interface BackoffPolicy {
  /** Delay after the first failed attempt. */
  baseMs: number;
  /** Longest delay. */
  maxMs: number;
}

/**
 * Delay before attempt n+1 after attempt n failed: exponential (base·2^(n-1), capped), with
 * "equal jitter" (between half and all of it) so that messages failing together spread out.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}
