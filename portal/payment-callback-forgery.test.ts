import { createHmac, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '../src/platform/logger.ts';
import { NOTICE_WINDOW_SECONDS, sandboxGateway, signNotice, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './payment.ts';
import { buildPortal } from './server.ts';
import { usePortalDatabase } from './testing.ts';

/**
 * Threat: someone who is not the payment gateway tells the portal a fee was paid (a forged
 * notification), or replays a genuine one (the same transaction again, or later), so that an
 * unpaid dossier goes to processing or a payment counts twice. The portal accepts only
 * notifications signed with the gateway's key over the exact bytes received and a timestamp
 * inside the window, and applies each gateway transaction once.
 */
const p = usePortalDatabase();
const SECRET = 'gateway-shared-secret-for-tests';
const gateway = sandboxGateway(SECRET);
let app: FastifyInstance;

beforeAll(async () => {
  ({ app } = await buildPortal({
    db: p.database.db,
    log: createLogger({ level: 'silent' }),
    baseUrl: 'http://127.0.0.1:9',
    platformUrl: 'http://127.0.0.1:9',
    sandbox: true,
    paymentSecret: SECRET,
  }));
});
afterAll(async () => {
  await app?.close();
});

/** A submitted dossier awaiting payment of 200,000 đồng; returns its payment id and dossier id. */
async function unpaidDossier(): Promise<{ paymentId: string; dossierId: string }> {
  const db = p.database.db;
  const now = new Date();
  const userId = randomUUID();
  const pin = `0010900${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
  await db
    .insertInto('portal.users')
    .values({
      id: userId,
      pin,
      full_name: 'Nguyễn Văn Thử',
      birthdate: '1990-01-01',
      phone: '0912000111',
      email: null,
      password_hash: null,
      platform_sub: null,
      locked_until: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  const dossierId = randomUUID();
  await db
    .insertInto('portal.dossiers')
    .values({
      id: dossierId,
      number: `HC-TEST-${dossierId.slice(0, 8)}`,
      user_id: userId,
      procedure_code: 'XNC-HC-01',
      state: 'awaiting_payment',
      fields: JSON.stringify({ contact_phone: '0912000111' }),
      claims: JSON.stringify({}),
      review_code: null,
      fee_vnd: 200_000,
      deadline_days: 8,
      deadline: null,
      deadline_local: null,
      decision_reason: null,
      delivery_note: null,
      created_at: now,
      updated_at: now,
      submitted_at: now,
      paid_at: null,
    })
    .execute();
  const paymentId = randomUUID();
  await db
    .insertInto('portal.payments')
    .values({
      id: paymentId,
      dossier_id: dossierId,
      amount_vnd: 200_000,
      status: 'pending',
      qr_payload: 'x',
      pay_token_hash: randomUUID(),
      gateway_txn_id: null,
      paid_by: null,
      created_at: now,
      paid_at: null,
    })
    .execute();
  return { paymentId, dossierId };
}

function post(body: string, headers: Record<string, string>) {
  return app.inject({
    method: 'POST',
    url: '/payments/callback',
    payload: body,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

async function stateOf(dossierId: string) {
  const d = await p.database.db
    .selectFrom('portal.dossiers')
    .select(['state'])
    .where('id', '=', dossierId)
    .executeTakeFirstOrThrow();
  const pay = await p.database.db
    .selectFrom('portal.payments')
    .select(['status'])
    .where('dossier_id', '=', dossierId)
    .executeTakeFirstOrThrow();
  const events = await p.database.db
    .selectFrom('portal.dossier_events')
    .select('event')
    .where('dossier_id', '=', dossierId)
    .execute();
  return { dossier: d.state, payment: pay.status, events: events.map((e) => e.event) };
}

describe('payment callback forgery and replay', () => {
  test('a genuine notification pays the fee and sends the dossier to processing', async () => {
    const { paymentId, dossierId } = await unpaidDossier();
    const { body, headers } = gateway.notice({ paymentId, amountVnd: 200_000, status: 'success' }, new Date());
    const response = await post(body, headers);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'paid' });
    expect(await stateOf(dossierId)).toEqual({ dossier: 'paid', payment: 'paid', events: ['pay'] });
  });

  test('forged: signed with another key, the notification is refused and nothing changes', async () => {
    const { paymentId, dossierId } = await unpaidDossier();
    const forger = sandboxGateway('not-the-gateway-key');
    const { body, headers } = forger.notice({ paymentId, amountVnd: 200_000, status: 'success' }, new Date());
    const response = await post(body, headers);
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ code: 'PAYMENT_SIGNATURE_INVALID' });
    expect(await stateOf(dossierId)).toEqual({ dossier: 'awaiting_payment', payment: 'pending', events: [] });
  });

  test('forged: a genuine signature on a tampered body (a smaller amount, another order) is refused', async () => {
    const { paymentId, dossierId } = await unpaidDossier();
    const { body, headers } = gateway.notice({ paymentId, amountVnd: 200_000, status: 'success' }, new Date());
    const other = await unpaidDossier();
    for (const tampered of [body.replace('200000', '2000'), body.replace(paymentId, other.paymentId), `${body} `]) {
      const response = await post(tampered, headers);
      expect(response.statusCode).toBe(401);
    }
    expect((await stateOf(dossierId)).dossier).toBe('awaiting_payment');
    expect((await stateOf(other.dossierId)).dossier).toBe('awaiting_payment');
  });

  test('forged: no signature, a malformed one, or one of another length is refused', async () => {
    const { paymentId, dossierId } = await unpaidDossier();
    const { body, headers } = gateway.notice({ paymentId, amountVnd: 200_000, status: 'success' }, new Date());
    const variants: Record<string, string>[] = [
      { [TIMESTAMP_HEADER]: headers[TIMESTAMP_HEADER]! },
      { ...headers, [SIGNATURE_HEADER]: 'sha256=00' },
      { ...headers, [SIGNATURE_HEADER]: headers[SIGNATURE_HEADER]!.toUpperCase() },
      { ...headers, [TIMESTAMP_HEADER]: 'yesterday' },
    ];
    for (const h of variants) {
      expect((await post(body, h)).statusCode).toBe(401);
    }
    expect((await stateOf(dossierId)).dossier).toBe('awaiting_payment');
  });

  test('replayed at once: the same transaction a second time has no second effect', async () => {
    const { paymentId, dossierId } = await unpaidDossier();
    const { body, headers } = gateway.notice({ paymentId, amountVnd: 200_000, status: 'success' }, new Date());
    expect((await post(body, headers)).json()).toEqual({ status: 'paid' });
    const again = await Promise.all([post(body, headers), post(body, headers)]);
    for (const r of again) {
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({ status: 'duplicate' });
    }
    expect(await stateOf(dossierId)).toEqual({ dossier: 'paid', payment: 'paid', events: ['pay'] });
    const callbacks = await p.database.db
      .selectFrom('portal.payment_callbacks')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .execute();
    expect(callbacks).toHaveLength(1);
  });

  test('replayed later: a captured notification outside the time window is refused', async () => {
    const { paymentId, dossierId } = await unpaidDossier();
    const captured = new Date(Date.now() - (NOTICE_WINDOW_SECONDS + 60) * 1000);
    const { body, headers } = gateway.notice({ paymentId, amountVnd: 200_000, status: 'success' }, captured);
    const response = await post(body, headers);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'PAYMENT_CALLBACK_STALE' });
    expect((await stateOf(dossierId)).dossier).toBe('awaiting_payment');
  });

  test('a second, different transaction for an order already paid does not pay it twice', async () => {
    const { paymentId, dossierId } = await unpaidDossier();
    const first = gateway.notice({ paymentId, amountVnd: 200_000, status: 'success' }, new Date());
    const second = gateway.notice({ paymentId, amountVnd: 200_000, status: 'success' }, new Date());
    expect((await post(first.body, first.headers)).json()).toEqual({ status: 'paid' });
    expect((await post(second.body, second.headers)).json()).toEqual({ status: 'already_paid' });
    expect((await stateOf(dossierId)).events).toEqual(['pay']);
  });

  test('a genuine notification with the wrong amount, or for an unknown order, is refused with its reason', async () => {
    const { paymentId, dossierId } = await unpaidDossier();
    const short = gateway.notice({ paymentId, amountVnd: 100_000, status: 'success' }, new Date());
    const response = await post(short.body, short.headers);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'PAYMENT_CALLBACK_INVALID' });
    const unknown = gateway.notice({ paymentId: randomUUID(), amountVnd: 200_000, status: 'success' }, new Date());
    expect((await post(unknown.body, unknown.headers)).statusCode).toBe(400);
    expect((await stateOf(dossierId)).dossier).toBe('awaiting_payment');
    // The refused transaction was not recorded: nothing blocks the genuine one that follows.
    const genuine = gateway.notice({ paymentId, amountVnd: 200_000, status: 'success' }, new Date());
    expect((await post(genuine.body, genuine.headers)).json()).toEqual({ status: 'paid' });
  });

  test('the signature is HMAC-SHA256 over "<timestamp>.<raw body>"', () => {
    expect(signNotice('k', 1700000000, '{}')).toBe(
      `sha256=${createHmac('sha256', 'k').update('1700000000.{}').digest('hex')}`,
    );
  });
});
