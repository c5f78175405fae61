import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Problem } from '../src/platform/errors.ts';
import { getProcedure, listOffices } from './catalogue.ts';
import { officerOf, sendPage, type PortalContext } from './context.ts';
import { eventsOf, filesOf, getDossier, receiveDossier, transition } from './dossiers.ts';
import { checkCsrf, formFields, localeOfRequest, tr, wantsJson, type Session } from './http.ts';
import { EVENT_LABELS, eventsFrom, inOfficersQueue, STATE_LABELS, type DossierEvent } from './processing.ts';
import { portalProblem } from './problems.ts';
import { SLOT_RULES } from './passport.ts';
import type { DossierState, FileSlot } from './tables.ts';
import { csrfInput, e, errorSummary, money, vnDate, vnDateTime, type FieldError } from './views.ts';

/**
 * The portal's back office for immigration officers, who sign in through the platform (OpenID
 * Connect, level 2) and whom the portal knows by their platform subject (`portal.officers`). The
 * queue holds paid dossiers only (an unpaid dossier is not processed), the deadline-bound ones
 * first; a dossier's page shows the declaration, images, history and the actions the state
 * machine allows, each with its reasons where the law wants them.
 */
const QUEUE_STATES: DossierState[] = ['paid', 'received', 'additions_requested', 'approved', 'produced'];

export function backofficeRoutes(ctx: PortalContext): FastifyPluginAsync {
  const { db } = ctx;

  async function officerOrLogin(request: FastifyRequest, reply: FastifyReply): Promise<Session | undefined> {
    try {
      return await officerOf(ctx, request);
    } catch (error) {
      if (wantsJson(request)) throw error;
      const session = await ctx.sessions.load(request);
      const L = (vi: string, en: string) => tr(localeOfRequest(request), vi, en);
      if (session?.kind === 'citizen') {
        await sendPage(
          ctx,
          request,
          reply,
          L('Không có quyền truy cập', 'No access'),
          `<p>${L('Trang này dành cho cán bộ quản lý xuất nhập cảnh.', 'This page is for immigration officers.')}</p>`,
          { status: 403 },
        );
        return undefined;
      }
      await sendPage(
        ctx,
        request,
        reply,
        L('Cán bộ xử lý hồ sơ', 'Officers'),
        `<p>${L('Cán bộ quản lý xuất nhập cảnh đăng nhập bằng tài khoản định danh điện tử mức độ 2.', 'Immigration officers sign in with a level-2 electronic identity.')}</p>
<p><a class="button" href="/auth/officer">${L('Đăng nhập cán bộ', 'Officer sign-in')}</a></p>`,
        { status: 401 },
      );
      return undefined;
    }
  }

  async function detail(
    request: FastifyRequest,
    reply: FastifyReply,
    session: Session,
    id: string,
    errors: FieldError[] = [],
    status = 200,
  ) {
    const locale = localeOfRequest(request);
    const L = (vi: string, en: string) => tr(locale, vi, en);
    const dossier = await getDossier(db, id);
    if (!dossier || !inOfficersQueue(dossier.state)) throw portalProblem('PORTAL_NOT_FOUND', { what: 'hồ sơ' });
    const procedure = (await getProcedure(db, dossier.procedure_code))!;
    const files = await filesOf(db, id);
    const events = await eventsOf(db, id);
    const offices = await listOffices(db);
    const f = dossier.fields;
    const c = dossier.claims;
    const actions = eventsFrom(dossier.state, 'officer');
    if (wantsJson(request))
      return reply.send({
        id,
        number: dossier.number,
        state: dossier.state,
        version: dossier.version,
        actions,
        deadline_local: dossier.deadline_local,
      });
    const needsText = (event: DossierEvent) =>
      event === 'request_additions' || event === 'refuse' || event === 'deliver' || event === 'produce';
    const textLabel = (event: DossierEvent) =>
      event === 'deliver'
        ? L(
            'Ghi chú trả kết quả (số vận đơn bưu chính, hoặc người nhận trực tiếp)',
            'Delivery note (postal tracking number, or who collected it)',
          )
        : event === 'produce'
          ? L('Số hộ chiếu đã in', 'Passport number produced')
          : event === 'refuse'
            ? L('Lý do từ chối cấp (bắt buộc)', 'Reasons for refusal (required)')
            : L('Nội dung yêu cầu bổ sung (bắt buộc)', 'What to add (required)');
    // Each action's text field has its own id and label (two "reasons" boxes on one page must not
    // read the same); an error belongs to the field of the action it came from.
    const err = (name: string) => errors.find((x) => x.field === name)?.message;
    const slotLabel = (slot: string) => {
      const rule = SLOT_RULES[slot as FileSlot];
      return rule ? L(rule.vi, rule.en) : slot;
    };
    const actorLabel = (kind: string) =>
      kind === 'applicant'
        ? L('người nộp', 'applicant')
        : kind === 'officer'
          ? L('cán bộ', 'officer')
          : kind === 'gateway'
            ? L('cổng thanh toán', 'payment gateway')
            : L('hệ thống', 'system');
    const office = offices.find((o) => o.code === f.office);
    const rows: [string, unknown][] = [
      [L('Họ và tên', 'Name'), c.name],
      [L('Ngày sinh', 'Date of birth'), typeof c.birthdate === 'string' ? vnDate(c.birthdate) : ''],
      [L('Giới tính', 'Sex'), c.gender === 'male' ? L('Nam', 'Male') : c.gender === 'female' ? L('Nữ', 'Female') : ''],
      [L('Số định danh cá nhân', 'PIN'), c.pin],
      [L('Nơi thường trú', 'Residence'), (c.address as { formatted?: string } | undefined)?.formatted],
      [L('Nơi sinh', 'Place of birth'), f.birth_place],
      [L('Nghề nghiệp', 'Occupation'), f.occupation],
      [L('Địa chỉ liên hệ', 'Contact address'), f.contact_address],
      [L('Điện thoại', 'Phone'), f.contact_phone],
      ...(f.previous_passport
        ? ([[L('Hộ chiếu cũ', 'Previous passport'), `${f.previous_passport} (${f.reissue_reason})`]] as [
            string,
            unknown,
          ][])
        : []),
      [L('Cơ quan tiếp nhận', 'Office'), office ? L(office.name_vi, office.name_en) : f.office],
      [
        L('Nhận hộ chiếu', 'Delivery'),
        f.delivery === 'post'
          ? `${L('Bưu chính', 'Post')}: ${f.post_recipient}, ${f.post_phone}, ${f.post_street}, ${f.post_ward}, ${f.post_province}`
          : L('Trực tiếp', 'In person'),
      ],
      [
        L('Lệ phí', 'Fee'),
        `${money(dossier.fee_vnd, locale)} — ${dossier.paid_at ? L('đã thanh toán', 'paid') : L('chưa thanh toán', 'unpaid')}`,
      ],
      [
        L('Hạn giải quyết', 'Due'),
        dossier.deadline_local ? vnDate(dossier.deadline_local) : L('tính khi tiếp nhận', 'set on receipt'),
      ],
    ];
    return sendPage(
      ctx,
      request,
      reply,
      `${L('Hồ sơ', 'Dossier')} ${dossier.number}`,
      `${errorSummary(locale, errors)}<p>${e(L(procedure.title_vi, procedure.title_en))} — <strong>${e(L(STATE_LABELS[dossier.state].vi, STATE_LABELS[dossier.state].en))}</strong></p>
<dl class="facts">${rows.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v ?? '—')}</dd>`).join('')}</dl>
<h2>${L('Ảnh và tài liệu', 'Images and documents')}</h2><ul>${files
        .map(
          (x) =>
            `<li><a href="/backoffice/tep/${e(x.id)}">${e(x.filename)}</a> — ${e(slotLabel(x.slot))}, ${x.width} × ${x.height}</li>`,
        )
        .join('')}</ul>
<h2>${L('Xử lý', 'Actions')}</h2>${
        actions.length === 0
          ? `<p>${L('Không còn thao tác nào.', 'Nothing left to do.')}</p>`
          : actions
              .map(
                (
                  event,
                ) => `<form method="post" action="/backoffice/ho-so/${e(id)}/${event}" novalidate>${csrfInput(session.csrf)}<input type="hidden" name="version" value="${dossier.version}">
${needsText(event) ? `<label for="f-reason-${event}">${e(textLabel(event))}</label>${err(`reason-${event}`) ? `<p class="error" id="f-reason-${event}-error">${e(err(`reason-${event}`))}</p>` : ''}<textarea id="f-reason-${event}" name="reason" rows="2"${event === 'refuse' || event === 'request_additions' ? ' required aria-required="true"' : ''}${err(`reason-${event}`) ? ` aria-invalid="true" aria-describedby="f-reason-${event}-error"` : ''}></textarea>` : ''}
<button type="submit"${event === 'refuse' ? ' class="danger"' : ''}>${e(L(EVENT_LABELS[event].vi, EVENT_LABELS[event].en))}</button></form>`,
              )
              .join('')
      }
<h2>${L('Lịch sử', 'History')}</h2><ol>${events
        .map(
          (x) =>
            `<li>${vnDateTime(x.at)} — ${e(L(EVENT_LABELS[x.event as DossierEvent].vi, EVENT_LABELS[x.event as DossierEvent].en))} (${e(actorLabel(x.actor_kind))})${x.reason ? `: ${e(x.reason)}` : ''}</li>`,
        )
        .join('')}</ol>
<p><a href="/backoffice">${L('Về hàng đợi', 'Back to the queue')}</a></p>`,
      { status, session },
    );
  }

  return async (app) => {
    app.get('/backoffice', async (request, reply) => {
      const session = await officerOrLogin(request, reply);
      if (!session) return reply;
      const locale = localeOfRequest(request);
      const L = (vi: string, en: string) => tr(locale, vi, en);
      const rows = await db
        .selectFrom('portal.dossiers')
        .innerJoin('portal.users', 'portal.users.id', 'portal.dossiers.user_id')
        .select([
          'portal.dossiers.id',
          'number',
          'state',
          'deadline',
          'deadline_local',
          'portal.dossiers.fields',
          'portal.users.full_name',
          'paid_at',
        ])
        .where('state', 'in', QUEUE_STATES)
        .orderBy('deadline', (ob) => ob.asc().nullsLast())
        .orderBy('paid_at')
        .limit(200)
        .execute();
      const unpaid = await db
        .selectFrom('portal.dossiers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('state', '=', 'awaiting_payment')
        .executeTakeFirstOrThrow();
      if (wantsJson(request))
        return {
          dossiers: rows.map((r) => ({ id: r.id, number: r.number, state: r.state, deadline_local: r.deadline_local })),
          awaiting_payment: unpaid.n,
        };
      const now = ctx.now();
      return sendPage(
        ctx,
        request,
        reply,
        L('Hàng đợi hồ sơ cấp hộ chiếu', 'Passport dossier queue'),
        `<p>${L(`${unpaid.n} hồ sơ đang chờ nộp lệ phí (chưa được xử lý).`, `${unpaid.n} dossiers await payment (not processed yet).`)}</p>
<table><caption class="hint">${L('Sắp xếp theo hạn giải quyết', 'Sorted by due date')}</caption><thead><tr><th scope="col">${L('Số hồ sơ', 'Number')}</th><th scope="col">${L('Người nộp', 'Applicant')}</th><th scope="col">${L('Trạng thái', 'Status')}</th><th scope="col">${L('Hạn giải quyết', 'Due')}</th></tr></thead>
<tbody>${rows
          .map((r) => {
            const overdue = r.deadline && new Date(r.deadline) < now && r.state === 'received';
            return `<tr><td><a href="/backoffice/ho-so/${e(r.id)}">${e(r.number)}</a></td><td>${e(r.full_name)}</td><td>${e(L(STATE_LABELS[r.state].vi, STATE_LABELS[r.state].en))}</td><td>${r.deadline_local ? `${vnDate(r.deadline_local)}${overdue ? ` <strong class="error">${L('Quá hạn', 'Overdue')}</strong>` : ''}` : '—'}</td></tr>`;
          })
          .join('')}</tbody></table>`,
        { session },
      );
    });

    app.get('/backoffice/ho-so/:id', async (request, reply) => {
      const session = await officerOrLogin(request, reply);
      if (!session) return reply;
      return detail(request, reply, session, (request.params as { id: string }).id);
    });

    app.get('/backoffice/tep/:fileId', async (request, reply) => {
      const session = await officerOrLogin(request, reply);
      if (!session) return reply;
      const { fileId } = request.params as { fileId: string };
      if (!/^[0-9a-f-]{36}$/.test(fileId)) throw portalProblem('PORTAL_NOT_FOUND', { what: 'tệp' });
      const file = await db
        .selectFrom('portal.dossier_files')
        .innerJoin('portal.dossiers', 'portal.dossiers.id', 'portal.dossier_files.dossier_id')
        .select(['bytes', 'state'])
        .where('portal.dossier_files.id', '=', fileId)
        .executeTakeFirst();
      if (!file || !inOfficersQueue(file.state)) throw portalProblem('PORTAL_NOT_FOUND', { what: 'tệp' });
      return reply
        .type('image/jpeg')
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .send(file.bytes);
    });

    app.post('/backoffice/ho-so/:id/:event', async (request, reply) => {
      const session = await officerOf(ctx, request);
      const input = formFields(request);
      checkCsrf(session, input);
      const { id, event } = request.params as { id: string; event: string };
      if (!(event in EVENT_LABELS)) throw portalProblem('PORTAL_NOT_FOUND', { what: event });
      const now = ctx.now();
      const version = input.version !== undefined && /^\d+$/.test(input.version) ? Number(input.version) : undefined;
      const reason = (input.reason ?? '').trim().slice(0, 1000) || undefined;
      const officer = session.officer_sub!;
      try {
        if (event === 'receive') {
          await receiveDossier(db, ctx.platform, { dossierId: id, officerSub: officer, expectedVersion: version }, now);
        } else {
          const set =
            event === 'refuse'
              ? { decision_reason: reason ?? null }
              : event === 'request_additions'
                ? { decision_reason: reason ?? null }
                : event === 'deliver'
                  ? { delivery_note: reason ?? null }
                  : event === 'approve'
                    ? { decision_reason: null }
                    : {};
          await transition(
            db,
            {
              dossierId: id,
              event: event as DossierEvent,
              actor: { kind: 'officer', id: officer },
              reason,
              expectedVersion: version,
              set,
            },
            now,
          );
        }
      } catch (error) {
        if (error instanceof Problem && error.code === 'PORTAL_VALIDATION' && !wantsJson(request)) {
          const locale = localeOfRequest(request);
          return detail(
            request,
            reply,
            session,
            id,
            [
              {
                field: `reason-${event}`,
                message: tr(
                  locale,
                  'Vui lòng ghi rõ lý do (ít nhất 5 ký tự).',
                  'Give the reasons (at least 5 characters).',
                ),
              },
            ],
            422,
          );
        }
        throw error;
      }
      ctx.kickSms();
      if (wantsJson(request)) {
        const d = (await getDossier(db, id))!;
        return { state: d.state, version: d.version, deadline_local: d.deadline_local };
      }
      return reply.redirect(`/backoffice/ho-so/${id}`, 303);
    });
  };
}
