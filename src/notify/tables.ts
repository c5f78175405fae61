import type { Generated } from 'kysely';

/** Row types of the tables this context owns (schema `notify`), keyed 'schema.table' for Kysely. */
export interface NotifyTables {
  'notify.outbox': OutboxRow;
  'notify.attempts': AttemptRow;
  'notify.inbox': InboxRow;
}

export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'abandoned';

/** Outcome of one attempt. `null` while it runs. */
export type AttemptOutcome =
  /** The provider accepted the message. */
  | 'sent'
  /** A transient failure: retried later (or abandoned if it was the last attempt). */
  | 'failed'
  /** The provider refused the message for good. */
  | 'rejected'
  /** The worker stopped before handing the message over: nothing was sent. */
  | 'interrupted'
  /** The worker stopped (or timed out) after handing the message over: it may have been sent. */
  | 'uncertain'
  /** Another worker had taken the message over; this attempt sent nothing. */
  | 'lease_lost';

export interface OutboxRow {
  id: string;
  channel: 'inbox' | 'email' | 'sms';
  /** Account id (inbox), e-mail address (email) or E.164 phone number (sms). */
  recipient: string;
  /** The account the message is about, when known (whatever the channel). */
  account_id: string | null;
  template: string;
  params: unknown;
  locale: 'vi' | 'en';
  /** Caller's idempotency key: a second enqueue with the same key is the same message. */
  key: string | null;
  status: OutboxStatus;
  /** Attempts made. */
  attempts: Generated<number>;
  /** Attempts made before the last requeue: the bound counts only the attempts after it. */
  requeue_base: Generated<number>;
  next_attempt_at: Date;
  /** Lease: the worker holding the message must finish before this instant. */
  claimed_until: Date | null;
  /** Identifies the claim (fencing token): only its holder may record the outcome. */
  claim_token: string | null;
  sent_at: Date | null;
  provider_id: string | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface AttemptRow {
  outbox_id: string;
  /** 1, 2, … */
  n: number;
  worker: string;
  started_at: Date;
  /** When the message went to the provider (unset: the attempt stopped before sending anything). */
  handed_off_at: Date | null;
  finished_at: Date | null;
  outcome: AttemptOutcome | null;
  error: string | null;
  provider_id: string | null;
}

export interface InboxRow {
  id: string;
  account_id: string;
  outbox_id: string;
  template: string;
  title: string;
  body: string;
  read_at: Date | null;
  created_at: Date;
}
