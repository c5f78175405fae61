import { createHash, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Delivery, SendContext } from '../src/notify/channels/channel.ts';
import { SmppSmsChannel } from '../src/notify/channels/smpp.ts';
import type { Logger } from '../src/platform/logger.ts';
import type { SmppSettings } from './config.ts';
import type { PortalDb, PortalExecutor } from './database.ts';
import { portalProblem } from './problems.ts';

/**
 * The portal's SMS and in-portal notifications, and its one-time codes.
 *
 * SMS go through an outbox (`portal.sms_outbox`), written in the transaction of their cause and
 * sent by a loop (claimed with FOR UPDATE SKIP LOCKED, retried with backoff, abandoned after a
 * bound) over SMPP with the platform's reusable client: in sandbox mode to the platform's
 * loopback SMSC, so they show at the platform's /sandbox/messages.
 */

/** A Vietnamese mobile number in E.164 (+84…), or null. */
export function e164(phone: string): string | null {
  const compact = phone.replace(/[\s.\-()]/g, '');
  const m = /^(?:\+84|84|0)([35789]\d{8})$/.exec(compact);
  return m ? `+84${m[1]}` : null;
}

/** 0912****78: what a page may show of a phone. */
export function maskPhone(phone: string): string {
  const national = phone.startsWith('+84') ? `0${phone.slice(3)}` : phone;
  return `${national.slice(0, 4)}****${national.slice(-2)}`;
}

export async function enqueueSms(db: PortalExecutor, to: string, text: string, now: Date): Promise<void> {
  await db
    .insertInto('portal.sms_outbox')
    .values({ recipient: to, text, next_attempt_at: now, created_at: now, last_error: null, sent_at: null })
    .execute();
}

export async function notifyUser(
  db: PortalExecutor,
  input: { userId: string; dossierId?: string | null; vi: string; en: string; smsTo?: string | null },
  now: Date,
): Promise<void> {
  await db
    .insertInto('portal.notifications')
    .values({
      user_id: input.userId,
      dossier_id: input.dossierId ?? null,
      text_vi: input.vi,
      text_en: input.en,
      created_at: now,
      read_at: null,
    })
    .execute();
  const to = input.smsTo ? e164(input.smsTo) : null;
  if (to) await enqueueSms(db, to, `DVCQG: ${input.vi}`, now);
}

export interface SmsSender {
  send(to: string, text: string, id: string): Promise<void>;
  close(): Promise<void>;
}

export function smppSender(settings: SmppSettings): SmsSender | undefined {
  if (!settings.url) return undefined;
  const channel = new SmppSmsChannel({
    url: settings.url,
    systemId: settings.systemId,
    password: settings.password,
    sourceAddr: settings.sourceAddr ?? 'DICHVUCONG',
  });
  const controller = new AbortController();
  return {
    async send(to, text, id) {
      const delivery: Delivery = { id, recipient: to, content: { sms: text } as Delivery['content'] };
      const context: SendContext = { signal: controller.signal, handoff: async () => undefined };
      await channel.send(delivery, context);
    },
    close: () => channel.close(),
  };
}

const MAX_SMS_ATTEMPTS = 5;

/** Sends what is due in the outbox; returns how many were sent. Safe in any number of processes. */
export async function sendDueSms(db: PortalDb, sender: SmsSender, now: Date, log?: Logger): Promise<number> {
  const claimed = await db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('portal.sms_outbox')
      .select(['id', 'recipient', 'text', 'attempts'])
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('id')
      .limit(20)
      .forUpdate()
      .skipLocked()
      .execute();
    if (rows.length === 0) return [];
    // A lease: nobody else claims them for a minute, whatever happens to this process.
    await trx
      .updateTable('portal.sms_outbox')
      .set({ next_attempt_at: new Date(now.getTime() + 60_000), attempts: sql`attempts + 1` })
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    return rows;
  });
  let sent = 0;
  for (const row of claimed) {
    try {
      await sender.send(row.recipient, row.text, `portal-${row.id}`);
      await db
        .updateTable('portal.sms_outbox')
        .set({ status: 'sent', sent_at: new Date(), last_error: null })
        .where('id', '=', row.id)
        .execute();
      sent += 1;
    } catch (error) {
      const attempts = row.attempts + 1;
      const giveUp = attempts >= MAX_SMS_ATTEMPTS || (error as { permanent?: boolean }).permanent === true;
      log?.warn({ err: error, attempts }, 'portal: SMS not sent');
      await db
        .updateTable('portal.sms_outbox')
        .set({
          status: giveUp ? 'failed' : 'pending',
          next_attempt_at: new Date(now.getTime() + 2 ** attempts * 1000),
          last_error: String((error as Error).message ?? error).slice(0, 500),
        })
        .where('id', '=', row.id)
        .execute();
    }
  }
  return sent;
}

// --- one-time codes ------------------------------------------------------------------------------

export interface OtpPolicy {
  ttlMs: number;
  maxAttempts: number;
  resendIntervalMs: number;
  sendsPerHour: number;
}

export const DEFAULT_OTP_POLICY: OtpPolicy = {
  ttlMs: 5 * 60_000,
  maxAttempts: 5,
  resendIntervalMs: 60_000,
  sendsPerHour: 5,
};

function codeHash(id: string, code: string): string {
  return createHash('sha256').update(`otp:${id}:${code}`).digest('hex');
}

/**
 * Sends a one-time code to a phone (its SMS in the same transaction as the code). Refused when
 * the phone had a code for this purpose less than `resendIntervalMs` ago, or `sendsPerHour` in
 * the last hour. The previous unused codes of the phone and purpose stop working.
 */
export async function issueOtp(
  db: PortalDb,
  input: { purpose: 'register' | 'login'; phone: string },
  now: Date,
  policy: OtpPolicy = DEFAULT_OTP_POLICY,
): Promise<{ id: string }> {
  return db.transaction().execute(async (trx) => {
    // One sender at a time per phone, so two requests cannot both pass the limits.
    await sql`select pg_advisory_xact_lock(hashtext(${`otp:${input.phone}`}))`.execute(trx);
    const recent = await trx
      .selectFrom('portal.otps')
      .select(['created_at'])
      .where('phone', '=', input.phone)
      .where('created_at', '>', new Date(now.getTime() - 3600_000))
      .orderBy('created_at', 'desc')
      .execute();
    const last = recent[0]?.created_at;
    if (last && now.getTime() - new Date(last).getTime() < policy.resendIntervalMs) {
      const wait = Math.ceil((policy.resendIntervalMs - (now.getTime() - new Date(last).getTime())) / 1000);
      throw portalProblem('OTP_TOO_SOON', { retryAfter: wait });
    }
    if (recent.length >= policy.sendsPerHour) throw portalProblem('OTP_SEND_LIMIT', { retryAfter: 3600 });
    await trx
      .updateTable('portal.otps')
      .set({ used_at: now })
      .where('phone', '=', input.phone)
      .where('purpose', '=', input.purpose)
      .where('used_at', 'is', null)
      .execute();
    const id = randomUUID();
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await trx
      .insertInto('portal.otps')
      .values({
        id,
        purpose: input.purpose,
        phone: input.phone,
        code_hash: codeHash(id, code),
        created_at: now,
        expires_at: new Date(now.getTime() + policy.ttlMs),
        used_at: null,
      })
      .execute();
    await enqueueSms(
      trx,
      input.phone,
      `Ma OTP Cong Dich vu cong quoc gia cua ban la ${code}, hieu luc ${Math.round(policy.ttlMs / 60_000)} phut. Khong chia se ma nay cho bat ky ai.`,
      now,
    );
    return { id };
  });
}

/**
 * Checks a code. A wrong code counts an attempt; at `maxAttempts` the code is burnt (a new one
 * must be sent, within the send limits). An expired or used code always fails.
 */
export async function verifyOtp(
  db: PortalDb,
  id: string,
  code: string,
  now: Date,
  policy: OtpPolicy = DEFAULT_OTP_POLICY,
): Promise<void> {
  // The attempt is counted in a transaction that commits; the refusal is thrown after it.
  const outcome = await db.transaction().execute(async (trx): Promise<'ok' | 'expired' | 'locked' | number> => {
    const row = await trx.selectFrom('portal.otps').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row || row.used_at || new Date(row.expires_at) <= now) return 'expired';
    const ok =
      /^\d{6}$/.test(code) &&
      timingSafeEqual(Buffer.from(row.code_hash, 'hex'), Buffer.from(codeHash(id, code), 'hex'));
    if (ok) {
      await trx.updateTable('portal.otps').set({ used_at: now }).where('id', '=', id).execute();
      return 'ok';
    }
    const attempts = row.attempts + 1;
    await trx
      .updateTable('portal.otps')
      .set({ attempts, ...(attempts >= policy.maxAttempts ? { used_at: now } : {}) })
      .where('id', '=', id)
      .execute();
    return attempts >= policy.maxAttempts ? 'locked' : policy.maxAttempts - attempts;
  });
  if (outcome === 'ok') return;
  if (outcome === 'expired') throw portalProblem('OTP_EXPIRED', {}, { field: 'otp' });
  if (outcome === 'locked') throw portalProblem('OTP_LOCKED', {}, { field: 'otp' });
  throw portalProblem('OTP_WRONG', { left: outcome }, { field: 'otp' });
}
