import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { citizenOf, sendPage, type PortalContext } from './context.ts';
import { getDossier, transition } from './dossiers.ts';
import { checkCsrf, formFields, localeOfRequest, tr } from './http.ts';
import { paymentPage } from './passport-routes.ts';
import { payTokenHash, type PaymentNotice } from './payment.ts';
import { portalProblem } from './problems.ts';

/**
 * The gateway's side of payment: its signed notification (`POST /payments/callback`), the
 * shareable pay link (`/thanh-toan/<token>`, no sign-in: whoever holds the link may pay this one
 * fee and see nothing else of the dossier but its number), and in sandbox mode the simulated
 * bank that sends the gateway's notification when a payer confirms.
 */
export type NoticeOutcome = 'paid' | 'duplicate' | 'already_paid' | 'failed';

/** Applies an authenticated notification: once per gateway transaction, the amount checked. */
export async function applyNotice(ctx: PortalContext, notice: PaymentNotice): Promise<NoticeOutcome> {
  const now = ctx.now();
  const outcome = await ctx.db.transaction().execute(async (trx): Promise<NoticeOutcome> => {
    const payment = await trx
      .selectFrom('portal.payments')
      .selectAll()
      .where('id', '=', notice.paymentId)
      .forUpdate()
      .executeTakeFirst();
    if (!payment) throw portalProblem('PAYMENT_CALLBACK_INVALID', { reason: 'unknown order' });
    const first = await trx
      .insertInto('portal.payment_callbacks')
      .values({
        gateway_txn_id: notice.transactionId,
        payment_id: payment.id,
        outcome: notice.status,
        received_at: now,
      })
      .onConflict((oc) => oc.column('gateway_txn_id').doNothing())
      .returning('gateway_txn_id')
      .executeTakeFirst();
    if (!first) return 'duplicate';
    if (notice.status === 'failed') return 'failed';
    if (notice.amountVnd !== payment.amount_vnd) throw portalProblem('PAYMENT_CALLBACK_INVALID', { reason: 'amount' });
    if (payment.status === 'paid') {
      await trx
        .updateTable('portal.payment_callbacks')
        .set({ outcome: 'already_paid' })
        .where('gateway_txn_id', '=', notice.transactionId)
        .execute();
      return 'already_paid';
    }
    await trx
      .updateTable('portal.payments')
      .set({ status: 'paid', gateway_txn_id: notice.transactionId, paid_at: now })
      .where('id', '=', payment.id)
      .execute();
    await transition(
      trx,
      {
        dossierId: payment.dossier_id,
        event: 'pay',
        actor: { kind: 'gateway', id: notice.transactionId },
        set: { paid_at: now },
      },
      now,
    );
    return 'paid';
  });
  if (outcome === 'paid') ctx.kickSms();
  return outcome;
}

export function paymentRoutes(ctx: PortalContext): FastifyPluginAsync {
  const { db } = ctx;

  async function byToken(token: string) {
    if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) return undefined;
    return db
      .selectFrom('portal.payments')
      .selectAll()
      .where('pay_token_hash', '=', payTokenHash(token))
      .executeTakeFirst();
  }

  /** The sandbox bank: the payer confirmed, so the gateway notifies the portal (over HTTP, signed). */
  async function sandboxPay(paymentId: string): Promise<void> {
    const payment = await db
      .selectFrom('portal.payments')
      .selectAll()
      .where('id', '=', paymentId)
      .executeTakeFirstOrThrow();
    if (payment.status === 'paid') return;
    const { body, headers } = ctx.gateway.notice!(
      { paymentId, amountVnd: payment.amount_vnd, status: 'success' },
      ctx.now(),
    );
    const response = await fetch(`${ctx.baseUrl}/payments/callback`, { method: 'POST', headers, body });
    if (response.status !== 200)
      throw new Error(`the sandbox gateway's notification was refused: ${response.status} ${await response.text()}`);
  }

  return async (app) => {
    // The raw body is what the signature covers: this route keeps it as bytes.
    await app.register(async (raw) => {
      raw.removeContentTypeParser('application/json');
      raw.addContentTypeParser(
        'application/json',
        { parseAs: 'buffer', bodyLimit: 16 * 1024 },
        (_request, body, done) => done(null, body),
      );
      raw.post('/payments/callback', async (request, reply) => {
        const body = request.body;
        if (!Buffer.isBuffer(body))
          throw portalProblem('PAYMENT_CALLBACK_INVALID', { reason: 'expected application/json' });
        const notice = ctx.gateway.verifyNotice(body, request.headers, ctx.now());
        const outcome = await applyNotice(ctx, notice);
        request.log.info({ outcome, transaction: notice.transactionId }, 'portal: payment notification');
        return reply.header('cache-control', 'no-store').send({ status: outcome });
      });
    });

    const linkPage = async (request: FastifyRequest, reply: FastifyReply) => {
      const { token } = request.params as { token: string };
      const payment = await byToken(token);
      const L = (vi: string, en: string) => tr(localeOfRequest(request), vi, en);
      if (!payment) {
        return sendPage(
          ctx,
          request,
          reply,
          L('Đường dẫn thanh toán không hợp lệ', 'Not a valid pay link'),
          `<p>${L('Đường dẫn không đúng hoặc đã được thay bằng đường dẫn mới.', 'The link is wrong or was replaced by a newer one.')}</p>`,
          { status: 404 },
        );
      }
      const dossier = (await getDossier(db, payment.dossier_id))!;
      return paymentPage(ctx, request, reply, dossier, { owner: false, token });
    };
    app.get('/thanh-toan/:token', linkPage);

    if (!ctx.sandbox) return;

    app.post('/thanh-toan/:token/sandbox', async (request, reply) => {
      const { token } = request.params as { token: string };
      checkCsrf(await ctx.sessions.load(request), formFields(request));
      const payment = await byToken(token);
      if (!payment) throw portalProblem('PORTAL_NOT_FOUND', { what: 'khoản thanh toán' });
      await sandboxPay(payment.id);
      return reply.redirect(`/thanh-toan/${encodeURIComponent(token)}`, 303);
    });

    app.post('/ho-so/:id/thanh-toan/sandbox', async (request, reply) => {
      const { id } = request.params as { id: string };
      const who = await citizenOf(ctx, request);
      if (!who) throw portalProblem('PORTAL_SIGN_IN_REQUIRED');
      checkCsrf(who.session, formFields(request));
      const dossier = await getDossier(db, id);
      if (!dossier || dossier.user_id !== who.user.id) throw portalProblem('PORTAL_NOT_FOUND', { what: 'hồ sơ' });
      const payment = await db
        .selectFrom('portal.payments')
        .select('id')
        .where('dossier_id', '=', id)
        .executeTakeFirst();
      if (!payment) throw portalProblem('PORTAL_NOT_FOUND', { what: 'khoản thanh toán' });
      await sandboxPay(payment.id);
      return reply.redirect(`/ho-so/${id}`, 303);
    });
  };
}
