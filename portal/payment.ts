import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { BanksObject, QRPay } from 'vietnam-qr-pay';
import { portalProblem } from './problems.ts';

/**
 * The payment-gateway port and its sandbox gateway.
 *
 * A gateway makes the payment order's VietQR payload (EMVCo merchant-presented QR, NAPAS 247) and
 * later tells the portal, server to server, that a transaction paid the order. The notification is
 * authenticated by an HMAC-SHA256 over `<timestamp>.<raw body>` under a key shared with the
 * gateway, compared in constant time, accepted only within a window around the portal's clock
 * (a captured notification cannot be replayed later), and applied once per gateway transaction id
 * (a second delivery of the same transaction has no effect).
 */
export interface PaymentOrder {
  paymentId: string;
  amountVnd: number;
  /** What the payer's bank shows: the dossier number. */
  reference: string;
}

export interface PaymentNotice {
  transactionId: string;
  paymentId: string;
  amountVnd: number;
  status: 'success' | 'failed';
  paidAt: string;
}

export interface PaymentGateway {
  readonly name: string;
  /** The VietQR payload of an order (a string to draw as a QR code). */
  qrPayload(order: PaymentOrder): string;
  /** Authenticates and parses a notification; throws a problem when it is forged, stale or malformed. */
  verifyNotice(rawBody: Buffer, headers: Record<string, string | string[] | undefined>, now: Date): PaymentNotice;
}

export const SIGNATURE_HEADER = 'x-gateway-signature';
export const TIMESTAMP_HEADER = 'x-gateway-timestamp';
/** How far a notification's timestamp may be from the portal's clock. */
export const NOTICE_WINDOW_SECONDS = 300;

export function signNotice(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The sandbox's receiving account: the State Treasury's collection account at a bank (made up). */
export const SANDBOX_ACCOUNT = { bankBin: BanksObject.vietcombank.bin, accountNumber: '0011002345678' };

export function sandboxGateway(secret: string): PaymentGateway & {
  /** What the sandbox "bank" sends when a payer confirms: the body and its headers. */
  notice(
    input: Omit<PaymentNotice, 'transactionId' | 'paidAt'>,
    now: Date,
  ): { body: string; headers: Record<string, string> };
} {
  return {
    name: 'sandbox',
    qrPayload(order) {
      const qr = QRPay.initVietQR({
        bankBin: SANDBOX_ACCOUNT.bankBin,
        bankNumber: SANDBOX_ACCOUNT.accountNumber,
        amount: String(order.amountVnd),
        purpose: `DVCQG ${order.reference}`.slice(0, 50),
      });
      return qr.build();
    },
    verifyNotice(rawBody, headers, now) {
      const timestamp = header(headers, TIMESTAMP_HEADER);
      const signature = header(headers, SIGNATURE_HEADER);
      if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature) throw portalProblem('PAYMENT_SIGNATURE_INVALID');
      const expected = Buffer.from(signNotice(secret, Number(timestamp), rawBody));
      const given = Buffer.from(signature);
      // Lengths first (timingSafeEqual needs equal lengths); the comparison itself is constant time.
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
        throw portalProblem('PAYMENT_SIGNATURE_INVALID');
      }
      if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > NOTICE_WINDOW_SECONDS) {
        throw portalProblem('PAYMENT_CALLBACK_STALE');
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>;
      } catch {
        throw portalProblem('PAYMENT_CALLBACK_INVALID', { reason: 'not JSON' });
      }
      const { transaction_id, order_id, amount, status, paid_at } = body;
      if (typeof transaction_id !== 'string' || !/^[A-Za-z0-9_-]{6,64}$/.test(transaction_id)) {
        throw portalProblem('PAYMENT_CALLBACK_INVALID', { reason: 'transaction_id' });
      }
      if (typeof order_id !== 'string' || !/^[0-9a-f-]{36}$/.test(order_id)) {
        throw portalProblem('PAYMENT_CALLBACK_INVALID', { reason: 'order_id' });
      }
      if (typeof amount !== 'number' || !Number.isInteger(amount) || amount <= 0) {
        throw portalProblem('PAYMENT_CALLBACK_INVALID', { reason: 'amount' });
      }
      if (status !== 'success' && status !== 'failed')
        throw portalProblem('PAYMENT_CALLBACK_INVALID', { reason: 'status' });
      return {
        transactionId: transaction_id,
        paymentId: order_id,
        amountVnd: amount,
        status,
        paidAt: typeof paid_at === 'string' ? paid_at : now.toISOString(),
      };
    },
    notice(input, now) {
      const timestamp = Math.floor(now.getTime() / 1000);
      const body = JSON.stringify({
        transaction_id: `SBX${randomBytes(9).toString('hex').toUpperCase()}`,
        order_id: input.paymentId,
        amount: input.amountVnd,
        status: input.status,
        paid_at: now.toISOString(),
      });
      return {
        body,
        headers: {
          'content-type': 'application/json',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signNotice(secret, timestamp, body),
        },
      };
    },
  };
}

/** A shareable pay link's token (shown once) and the hash the database keeps. */
export function newPayToken(): { token: string; hash: string } {
  const token = randomBytes(24).toString('base64url');
  return { token, hash: payTokenHash(token) };
}

export function payTokenHash(token: string): string {
  return createHash('sha256').update(`pay:${token}`).digest('hex');
}
