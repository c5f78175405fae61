import { randomUUID } from 'node:crypto';
import type { Executor } from '../platform/database.ts';
import type { Platform } from '../platform/context.ts';
import { notifyProblem, normalizeRecipient, type NotifyMessage } from './model.ts';
import {
  SENSITIVE_PARAMS,
  TemplateParamsError,
  checkParams,
  isTemplateName,
  render,
  type RenderedMessage,
} from './templates.ts';
import {
  attemptsOf,
  findMessage,
  inboxOf,
  insertAttempt,
  insertInbox,
  insertMessage,
  markRead,
  requeue,
  signalWorkers,
  unreadCount,
  type Attempt,
  type InboxEntry,
  type Outbox,
} from './repository.ts';

export type { Attempt, InboxEntry, Outbox };

export interface InboxPage {
  items: InboxEntry[];
  /** Pass back as `before` for the next (older) page; absent on the last page. */
  next?: { createdAt: Date; id: string };
}

export interface NotifyService {
  /**
   * Queues a notification. Pass the transaction that makes the change the message is about: the
   * message exists if and only if that change commits (a rolled-back transaction sends nothing).
   * Template parameters and the recipient are checked here; a bad message throws a Problem (400)
   * inside the caller's transaction. Inbox messages are delivered at once, in the same
   * transaction (the inbox row is unique per message: exactly once). Returns the message id.
   */
  enqueue(executor: Executor, message: NotifyMessage): Promise<{ id: string }>;
  /** The account's inbox, newest first. */
  inbox(
    accountId: string,
    options?: { limit?: number; before?: InboxPage['next']; unreadOnly?: boolean },
  ): Promise<InboxPage>;
  unreadCount(accountId: string): Promise<number>;
  /** Marks inbox entries (of this account only) read; returns how many changed. */
  markRead(accountId: string, ids: string[] | 'all'): Promise<number>;
  /** A message and its attempts (operations, tests). */
  status(id: string): Promise<{ message: Outbox; attempts: Attempt[] } | undefined>;
  /**
   * Puts an abandoned message back in the queue with a fresh attempt budget (an operator's
   * decision, e.g. after an uncertain SMS that did not arrive). Returns false when the message is
   * not abandoned, or its secrets were erased (an OTP: the user asks for a new code instead).
   */
  requeue(id: string): Promise<boolean>;
}

function withoutSensitive(template: NotifyMessage['template'], params: object): object {
  const keys: readonly string[] = SENSITIVE_PARAMS[template] ?? [];
  return Object.fromEntries(Object.entries(params).filter(([k]) => !keys.includes(k)));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createNotifyService(platform: Pick<Platform, 'db' | 'clock'>): NotifyService {
  const { db, clock } = platform;

  function check(message: NotifyMessage): { recipient: string; rendered: RenderedMessage } {
    const recipient = normalizeRecipient(message.channel, message.recipient ?? '');
    if (!recipient) {
      throw notifyProblem('NOTIFY_INVALID_RECIPIENT', { channel: String(message.channel) }, { field: 'recipient' });
    }
    if (!isTemplateName(message.template)) {
      throw notifyProblem(
        'NOTIFY_INVALID_MESSAGE',
        { reason: `unknown template ${String(message.template)}` },
        { field: 'template' },
      );
    }
    const locale = message.locale ?? 'vi';
    if (locale !== 'vi' && locale !== 'en') {
      throw notifyProblem(
        'NOTIFY_INVALID_MESSAGE',
        { reason: `unknown locale ${String(locale)}` },
        { field: 'locale' },
      );
    }
    try {
      // Rendering checks the parameters and that the SMS text fits.
      return { recipient, rendered: render(message.template, locale, message.params as never) };
    } catch (error) {
      const reason = error instanceof TemplateParamsError ? error.reason : (error as Error).message;
      throw notifyProblem('NOTIFY_INVALID_MESSAGE', { reason }, { field: 'params' });
    }
  }

  return {
    async enqueue(executor, message) {
      const { recipient, rendered } = check(message);
      const now = clock.now();
      const inbox = message.channel === 'inbox';
      const id = randomUUID();
      const run = async (trx: Executor) => {
        const inserted = await insertMessage(trx, {
          id,
          channel: message.channel,
          recipient,
          account_id: inbox ? recipient : (message.accountId ?? null),
          template: message.template,
          // An inbox message is delivered now: its secrets (if any) are not kept in the outbox.
          params: inbox ? withoutSensitive(message.template, message.params) : message.params,
          locale: message.locale ?? 'vi',
          key: message.key ?? null,
          status: inbox ? 'sent' : 'queued',
          attempts: inbox ? 1 : 0,
          next_attempt_at: now,
          sent_at: inbox ? now : null,
          provider_id: inbox ? id : null,
          created_at: now,
        });
        if (!inserted.created) return { id: inserted.id };
        if (inbox) {
          await insertInbox(trx, {
            id: randomUUID(),
            account_id: recipient,
            outbox_id: id,
            template: message.template,
            title: rendered.subject,
            body: rendered.body,
            created_at: now,
          });
          await insertAttempt(trx, {
            outbox_id: id,
            n: 1,
            worker: 'enqueue',
            started_at: now,
            handed_off_at: now,
            finished_at: now,
            outcome: 'sent',
            provider_id: id,
          });
        } else {
          await signalWorkers(trx);
        }
        return { id };
      };
      // A message always commits with something: the caller's change, or at least itself whole.
      return executor.isTransaction ? run(executor) : executor.transaction().execute(run);
    },

    async inbox(accountId, options = {}) {
      const limit = Math.min(Math.max(options.limit ?? 20, 1), 100);
      const items = await inboxOf(db, accountId, {
        limit: limit + 1,
        unreadOnly: options.unreadOnly ?? false,
        ...(options.before ? { before: options.before } : {}),
      });
      const page = items.slice(0, limit);
      const last = page[page.length - 1];
      return items.length > limit && last
        ? { items: page, next: { createdAt: last.created_at, id: last.id } }
        : { items: page };
    },

    unreadCount(accountId) {
      return unreadCount(db, accountId);
    },

    async markRead(accountId, ids) {
      if (ids !== 'all' && ids.some((id) => !UUID.test(id))) {
        throw notifyProblem('NOTIFY_INVALID_MESSAGE', { reason: 'inbox ids are UUIDs' }, { field: 'ids' });
      }
      return markRead(db, accountId, ids, clock.now());
    },

    async status(id) {
      if (!UUID.test(id)) return undefined;
      const message = await findMessage(db, id);
      if (!message) return undefined;
      return { message, attempts: await attemptsOf(db, id) };
    },

    async requeue(id) {
      if (!UUID.test(id)) return false;
      const message = await findMessage(db, id);
      if (!message || message.status !== 'abandoned') return false;
      // A message whose secrets were erased (an OTP) cannot be sent again: ask for a new one.
      if (!isTemplateName(message.template)) return false;
      try {
        checkParams(message.template, message.params);
      } catch {
        return false;
      }
      return requeue(db, id, clock.now());
    },
  };
}
