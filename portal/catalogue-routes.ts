import type { FastifyPluginAsync } from 'fastify';
import { getProcedure, searchProcedures, type Procedure } from './catalogue.ts';
import { citizenOf, sendPage, type PortalContext } from './context.ts';
import { checkCsrf, formFields, localeOfRequest, tr, wantsJson, type Locale } from './http.ts';
import { portalProblem } from './problems.ts';
import { csrfInput, e, money, vnDateTime } from './views.ts';

/** The home page, the catalogue and its search, a procedure's page, the applicant's notifications. */
function procedureJson(p: Procedure) {
  return {
    code: p.code,
    title_vi: p.title_vi,
    title_en: p.title_en,
    agency: p.agency_vi,
    summary_vi: p.summary_vi,
    conditions: p.conditions_vi,
    fee_vnd: p.fee_vnd,
    fee_note: p.fee_note_vi,
    deadline_working_days: p.deadline_working_days,
    legal_basis: p.legal_basis,
    documents: p.documents,
    online: p.online_form !== null,
  };
}

function searchForm(locale: Locale, q: string): string {
  const L = (vi: string, en: string) => tr(locale, vi, en);
  return `<form method="get" action="/dich-vu" role="search"><label for="q">${L('Tìm kiếm dịch vụ công', 'Search public services')}</label>
<p class="hint" id="q-hint">${L('Ví dụ: hộ chiếu, lý lịch tư pháp, khai sinh (có dấu hoặc không dấu)', 'E.g. hộ chiếu (passport), with or without diacritics')}</p>
<input type="search" id="q" name="q" value="${e(q)}" aria-describedby="q-hint"> <button type="submit">${L('Tìm kiếm', 'Search')}</button></form>`;
}

export function catalogueRoutes(ctx: PortalContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/', async (request, reply) => {
      const locale = localeOfRequest(request);
      const L = (vi: string, en: string) => tr(locale, vi, en);
      const who = await citizenOf(ctx, request);
      return sendPage(
        ctx,
        request,
        reply,
        L('Cổng Dịch vụ công quốc gia', 'National Public Service Portal'),
        `${searchForm(locale, '')}
<div class="notice"><p>${L('Nộp hồ sơ cấp hộ chiếu phổ thông trực tuyến: đăng nhập bằng tài khoản định danh điện tử mức độ 2, tìm “hộ chiếu”, khai và tải ảnh, nộp và thanh toán lệ phí.', 'Apply online for an ordinary passport: sign in with a level-2 electronic identity, search for “hộ chiếu”, fill in the form with your photos, submit and pay the fee.')}</p>
<p><a href="/dich-vu?q=h%E1%BB%99+chi%E1%BA%BFu">${L('Các thủ tục hộ chiếu', 'Passport procedures')}</a></p></div>
${who ? '' : `<p><a class="button" href="/dang-nhap">${L('Đăng nhập', 'Sign in')}</a> <a class="button secondary" href="/dang-ky">${L('Đăng ký tài khoản', 'Register')}</a></p>`}
<p><a href="/backoffice">${L('Dành cho cán bộ xử lý hồ sơ', 'For officers')}</a></p>`,
      );
    });

    app.get('/dich-vu', async (request, reply) => {
      const q = String((request.query as Record<string, unknown>).q ?? '').slice(0, 200);
      const results = await searchProcedures(ctx.db, q);
      if (wantsJson(request)) return { query: q, procedures: results.map(procedureJson) };
      const locale = localeOfRequest(request);
      const L = (vi: string, en: string) => tr(locale, vi, en);
      const list = results
        .map(
          (p) => `<li><a href="/dich-vu/${e(p.code)}">${e(L(p.title_vi, p.title_en))}</a>
<br><span class="hint">${e(p.agency_vi)} · ${L('Lệ phí', 'Fee')}: ${p.fee_vnd ? money(p.fee_vnd, locale) : L('không thu', 'none')} · ${L('Thời hạn', 'Time limit')}: ${p.deadline_working_days} ${L('ngày làm việc', 'working days')}${p.online_form ? ` · <span class="tag">${L('Nộp trực tuyến', 'Online')}</span>` : ''}</span></li>`,
        )
        .join('');
      return sendPage(
        ctx,
        request,
        reply,
        L('Dịch vụ công', 'Public services'),
        `${searchForm(locale, q)}
<h2 id="results-title" aria-live="polite">${q ? L(`${results.length} kết quả cho “${e(q)}”`, `${results.length} results for “${e(q)}”`) : L('Tất cả thủ tục', 'All procedures')}</h2>
${results.length ? `<ul aria-labelledby="results-title">${list}</ul>` : `<p>${L('Không tìm thấy thủ tục phù hợp. Hãy thử từ khóa khác.', 'No procedure matches. Try other words.')}</p>`}`,
      );
    });

    app.get('/dich-vu/:code', async (request, reply) => {
      const { code } = request.params as { code: string };
      const p = await getProcedure(ctx.db, code);
      if (!p) throw portalProblem('PORTAL_NOT_FOUND', { what: code });
      if (wantsJson(request)) return procedureJson(p);
      const locale = localeOfRequest(request);
      const L = (vi: string, en: string) => tr(locale, vi, en);
      const docs = p.documents
        .map(
          (d) =>
            `<tr><td>${e(L(d.name_vi, d.name_en))}</td><td>${e(d.copies)}</td><td>${d.required ? L('Bắt buộc', 'Required') : L('Nếu có', 'If any')}</td></tr>`,
        )
        .join('');
      return sendPage(
        ctx,
        request,
        reply,
        L(p.title_vi, p.title_en),
        `<p>${e(L(p.summary_vi, p.summary_en))}</p>
<dl class="facts"><dt>${L('Cơ quan thực hiện', 'Authority')}</dt><dd>${e(p.agency_vi)}</dd>
<dt>${L('Lệ phí', 'Fee')}</dt><dd>${p.fee_vnd ? money(p.fee_vnd, locale) : L('Không thu', 'None')} <span class="hint">(${e(p.fee_note_vi)})</span></dd>
<dt>${L('Thời hạn giải quyết', 'Legal time limit')}</dt><dd>${p.deadline_working_days} ${L('ngày làm việc kể từ khi nhận đủ hồ sơ hợp lệ', 'working days from receipt of a complete dossier')}</dd>
<dt>${L('Căn cứ pháp lý', 'Legal basis')}</dt><dd>${e(p.legal_basis)}</dd></dl>
<h2>${L('Điều kiện thực hiện', 'Conditions')}</h2><ul>${p.conditions_vi.map((c) => `<li>${e(c)}</li>`).join('')}</ul>
<h2>${L('Thành phần hồ sơ', 'Documents')}</h2>
<table><thead><tr><th scope="col">${L('Giấy tờ', 'Document')}</th><th scope="col">${L('Số lượng', 'Copies')}</th><th scope="col">${L('Yêu cầu', 'Needed')}</th></tr></thead><tbody>${docs}</tbody></table>
${
  p.online_form
    ? `<p><a class="button" href="/dich-vu/${e(p.code)}/nop">${L('Nộp trực tuyến', 'Apply online')}</a></p>`
    : `<p class="notice">${L('Thủ tục này chưa tiếp nhận trực tuyến trên Cổng thử nghiệm; vui lòng nộp tại cơ quan thực hiện.', 'This procedure is not taken online by this sandbox portal; apply at the authority.')}</p>`
}`,
      );
    });

    app.get('/thong-bao', async (request, reply) => {
      const who = await citizenOf(ctx, request);
      if (!who) return reply.redirect('/dang-nhap?next=/thong-bao', 303);
      const locale = localeOfRequest(request);
      const L = (vi: string, en: string) => tr(locale, vi, en);
      const rows = await ctx.db
        .selectFrom('portal.notifications')
        .selectAll()
        .where('user_id', '=', who.user.id)
        .orderBy('id', 'desc')
        .limit(100)
        .execute();
      if (wantsJson(request))
        return {
          notifications: rows.map((n) => ({
            at: n.created_at,
            text: L(n.text_vi, n.text_en),
            dossier_id: n.dossier_id,
            read: n.read_at !== null,
          })),
        };
      return sendPage(
        ctx,
        request,
        reply,
        L('Thông báo', 'Notifications'),
        rows.length
          ? `<form method="post" action="/thong-bao/da-doc">${csrfInput(who.session.csrf)}<button type="submit" class="secondary">${L('Đánh dấu đã đọc tất cả', 'Mark all as read')}</button></form>
<ul>${rows.map((n) => `<li>${n.read_at ? '' : `<strong>${L('Mới', 'New')}:</strong> `}${e(L(n.text_vi, n.text_en))} <span class="hint">${vnDateTime(n.created_at)}</span>${n.dossier_id ? ` · <a href="/ho-so/${e(n.dossier_id)}">${L('Xem hồ sơ', 'Open the dossier')}</a>` : ''}</li>`).join('')}</ul>`
          : `<p>${L('Chưa có thông báo.', 'No notifications yet.')}</p>`,
        { session: who.session },
      );
    });

    app.post('/thong-bao/da-doc', async (request, reply) => {
      const who = await citizenOf(ctx, request);
      if (!who) return reply.redirect('/dang-nhap', 303);
      checkCsrf(who.session, formFields(request));
      await ctx.db
        .updateTable('portal.notifications')
        .set({ read_at: ctx.now() })
        .where('user_id', '=', who.user.id)
        .where('read_at', 'is', null)
        .execute();
      return reply.redirect('/thong-bao', 303);
    });
  };
}
