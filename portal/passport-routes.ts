import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { newChallenge, verifyChallenge } from './captcha.ts';
import { getProcedure, listOffices } from './catalogue.ts';
import { citizenOf, sendPage, type PortalContext } from './context.ts';
import {
  createDraft,
  eventsOf,
  filesOf,
  getDossier,
  saveDraftFields,
  storeFile,
  submitDossier,
  transition,
  type Dossier,
} from './dossiers.ts';
import { upgradeAdvice } from './auth-routes.ts';
import { checkCsrf, formFields, formFiles, localeOfRequest, tr, wantsJson, type Locale, type Session } from './http.ts';
import { newPayToken } from './payment.ts';
import {
  BIRTH_PLACES,
  checkUpload,
  cleanFields,
  MAX_ATTACHMENTS,
  PROVINCES,
  REISSUE_REASONS,
  SLOT_RULES,
  validateApplication,
  type FormKind,
} from './passport.ts';
import { EVENT_LABELS, STATE_LABELS } from './processing.ts';
import { portalProblem } from './problems.ts';
import type { FileSlot, User } from './tables.ts';
import { csrfInput, e, errorSummary, field, money, vnDate, vnDateTime, type FieldError, type Viewer } from './views.ts';

/**
 * The online passport application (seed 004, part II, steps 8–12), the applicant's dossiers and
 * their status, and the payment page. Only a citizen signed in with the national e-ID at level 2
 * may open the application; anyone else is told why and how to get there.
 */
type Who = { session: Session; user: User };

function requestPath(request: FastifyRequest): string {
  return request.url.split('#')[0]!;
}

/** The signed-in level-2 applicant, or a reply already sent (sign-in redirect or the upgrade page). */
async function applicant(
  ctx: PortalContext,
  request: FastifyRequest,
  reply: FastifyReply,
  next: string,
): Promise<Who | FastifyReply> {
  const who = await citizenOf(ctx, request);
  const locale = localeOfRequest(request);
  const L = (vi: string, en: string) => tr(locale, vi, en);
  if (!who) {
    if (wantsJson(request)) throw portalProblem('PORTAL_SIGN_IN_REQUIRED');
    return reply.redirect(`/auth/login?level=2&next=${encodeURIComponent(next)}`, 303);
  }
  if (who.session.auth_method !== 'sso' || who.session.level < 2) {
    if (wantsJson(request)) throw portalProblem('PORTAL_LEVEL_2_REQUIRED');
    const current =
      who.session.auth_method === 'portal'
        ? L(
            'Bạn đang đăng nhập bằng tài khoản của Cổng Dịch vụ công (chưa xác thực bằng định danh điện tử).',
            'You are signed in with a portal account (not verified by the electronic identity).',
          )
        : L(
            'Bạn đang đăng nhập bằng tài khoản định danh điện tử mức độ 1.',
            'You are signed in with a level-1 electronic identity.',
          );
    return sendPage(
      ctx,
      request,
      reply,
      L('Cần tài khoản định danh điện tử mức độ 2', 'A level-2 electronic identity is needed'),
      (v) => `<p>${current}</p>${upgradeAdvice(v.locale)}
<p><a class="button" href="/auth/login?level=2&amp;next=${encodeURIComponent(next)}">${L('Đăng nhập bằng tài khoản định danh điện tử mức độ 2', 'Sign in with a level-2 electronic identity')}</a></p>`,
      { status: 403, session: who.session },
    );
  }
  return who;
}

/**
 * Whether `applicant` gave the applicant rather than answering itself. A FastifyReply is a
 * thenable, so awaiting the reply that `applicant` returned yields `undefined`: the caller then
 * returns its `reply`, already sent.
 */
const isWho = (x: Who | FastifyReply | undefined): x is Who =>
  x !== undefined && (x as Who).session !== undefined && (x as Who).user !== undefined;

async function ownDossier(ctx: PortalContext, who: Who, id: string): Promise<Dossier> {
  const dossier = await getDossier(ctx.db, id);
  if (!dossier || dossier.user_id !== who.user.id) throw portalProblem('PORTAL_NOT_FOUND', { what: 'hồ sơ' });
  return dossier;
}

function claimFacts(locale: Locale, claims: Record<string, unknown>): string {
  const L = (vi: string, en: string) => tr(locale, vi, en);
  const address = (claims.address as { formatted?: string } | undefined)?.formatted;
  const gender = claims.gender === 'male' ? L('Nam', 'Male') : claims.gender === 'female' ? L('Nữ', 'Female') : '';
  const rows: [string, unknown][] = [
    [L('Họ và tên', 'Full name'), claims.name],
    [L('Giới tính', 'Sex'), gender],
    [L('Ngày sinh', 'Date of birth'), typeof claims.birthdate === 'string' ? vnDate(claims.birthdate) : ''],
    [L('Số định danh cá nhân', 'Personal identification number'), claims.pin],
    [L('Nơi thường trú', 'Permanent residence'), address],
  ];
  return `<section aria-labelledby="claims-title"><h2 id="claims-title">${L('Thông tin công dân', 'Citizen')}</h2>
<p class="hint">${L('Lấy từ Cơ sở dữ liệu quốc gia về dân cư qua tài khoản định danh điện tử: bạn không cần khai lại.', 'From the national population database through your electronic identity: you need not enter it.')}</p>
<dl class="facts">${rows.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v ?? '—')}</dd>`).join('')}</dl></section>`;
}

interface FormContext {
  dossier: Dossier;
  kind: FormKind;
  title: string;
  files: Awaited<ReturnType<typeof filesOf>>;
  offices: { code: string; name_vi: string; name_en: string; address: string }[];
  errors: FieldError[];
  values: Record<string, string>;
  csrf: string;
}

function renderForm(v: Viewer, f: FormContext): string {
  const L = (vi: string, en: string) => tr(v.locale, vi, en);
  const err = (name: string) => f.errors.find((x) => x.field === name)?.message;
  const val = (name: string) => f.values[name];
  const uploaded = (slot: FileSlot) => f.files.filter((x) => x.slot === slot);
  const fileField = (slot: FileSlot) => {
    const rule = SLOT_RULES[slot];
    const have = uploaded(slot);
    const current = have.length
      ? `<p class="hint" id="f-${slot}-current">${L('Đã tải lên', 'Uploaded')}: ${have
          .map(
            (x) => `<a href="/ho-so/${e(f.dossier.id)}/tep/${e(x.id)}">${e(x.filename)}</a> (${x.width} × ${x.height})`,
          )
          .join(
            ', ',
          )}${slot === 'attachment' ? '' : L(' — chọn tệp mới để thay thế', ' — choose a file to replace it')}</p>`
      : '';
    return `${field({
      name: slot,
      label: L(rule.vi, rule.en),
      type: 'file',
      accept: 'image/jpeg,.jpg,.jpeg',
      required: rule.required && have.length === 0,
      error: err(slot),
      describedBy: have.length ? `f-${slot}-current` : undefined,
      hint: L(
        `Ảnh JPEG, tối đa ${rule.maxBytes / 1024 / 1024} MB, từ ${rule.minWidth} × ${rule.minHeight} điểm ảnh${rule.orientation === 'portrait' ? ', ảnh dọc, nền trắng' : rule.orientation === 'landscape' ? ', ảnh ngang' : ''}.`,
        `JPEG, at most ${rule.maxBytes / 1024 / 1024} MB, at least ${rule.minWidth} × ${rule.minHeight} pixels${rule.orientation === 'portrait' ? ', upright, white background' : rule.orientation === 'landscape' ? ', landscape' : ''}.`,
      ),
    })}${current}`;
  };
  const delivery = val('delivery');
  const radio = (value: string, label: string) =>
    `<div><input type="radio" id="f-delivery-${value}" name="delivery" value="${value}"${delivery === value ? ' checked' : ''}${err('delivery') ? ' aria-invalid="true" aria-describedby="f-delivery-error"' : ''}> <label for="f-delivery-${value}" style="display:inline;font-weight:400">${label}</label></div>`;
  return `${errorSummary(v.locale, f.errors)}
<p>${L('Các trường có dấu (*) là bắt buộc. Hồ sơ được lưu nháp trên máy chủ: bạn có thể tải lại trang hoặc quay lại sau.', 'Fields marked (*) are required. The draft is kept on the server: you may reload or come back later.')}</p>
${claimFacts(v.locale, f.dossier.claims)}
<form method="post" action="/ho-so/${e(f.dossier.id)}/luu" enctype="multipart/form-data" novalidate>${csrfInput(f.csrf)}
<fieldset><legend>${L('Ảnh chân dung và căn cước công dân', 'Portrait and ID card')}</legend>
${fileField('portrait')}${fileField('id_front')}${fileField('id_back')}</fieldset>
<fieldset><legend>${L('Tài liệu đính kèm', 'Attachments')}</legend>
<p class="hint">${L(`Thành phần hồ sơ theo quy định (ảnh JPEG, tối đa ${MAX_ATTACHMENTS} tệp). Mẫu tờ khai có thể tải về tại trang thủ tục.`, `Documents as listed for the procedure (JPEG, at most ${MAX_ATTACHMENTS} files).`)}</p>
${fileField('attachment')}</fieldset>
<fieldset><legend>${L('Thông tin khai', 'Declaration')}</legend>
${field({ name: 'birth_place', label: L('Nơi sinh', 'Place of birth'), required: true, value: val('birth_place'), error: err('birth_place'), options: BIRTH_PLACES.map((p) => ({ value: p, label: p })) })}
${field({ name: 'occupation', label: L('Nghề nghiệp', 'Occupation'), required: true, value: val('occupation'), error: err('occupation') })}
${field({ name: 'contact_address', label: L('Địa chỉ liên hệ', 'Contact address'), required: true, value: val('contact_address'), error: err('contact_address'), autocomplete: 'street-address' })}
${field({ name: 'contact_phone', label: L('Số điện thoại liên hệ', 'Contact phone'), required: true, type: 'tel', value: val('contact_phone'), error: err('contact_phone'), autocomplete: 'tel' })}
${field({ name: 'email', label: L('Thư điện tử', 'E-mail'), type: 'email', value: val('email'), error: err('email'), autocomplete: 'email' })}
${
  f.kind === 'passport_reissue'
    ? `${field({ name: 'previous_passport', label: L('Số hộ chiếu cũ', 'Previous passport number'), required: true, value: val('previous_passport'), error: err('previous_passport') })}
${field({ name: 'reissue_reason', label: L('Lý do cấp lại', 'Reason for reissue'), required: true, value: val('reissue_reason'), error: err('reissue_reason'), options: REISSUE_REASONS.map((r) => ({ value: r.value, label: L(r.vi, r.en) })) })}`
    : ''
}</fieldset>
<fieldset><legend>${L('Cơ quan tiếp nhận', 'Receiving office')}</legend>
${field({ name: 'office', label: L('Cơ quan tiếp nhận hồ sơ', 'Office that receives the dossier'), required: true, value: val('office'), error: err('office'), options: f.offices.map((o) => ({ value: o.code, label: L(o.name_vi, o.name_en) })) })}</fieldset>
<fieldset${err('delivery') ? ' aria-describedby="f-delivery-error"' : ''} id="f-delivery"><legend>${L('Nơi nhận hộ chiếu', 'Where to receive the passport')} <span class="req" aria-hidden="true">(*)</span></legend>
${err('delivery') ? `<p class="error" id="f-delivery-error">${e(err('delivery'))}</p>` : ''}
${radio('in_person', L('Nhận trực tiếp tại cơ quan tiếp nhận', 'Collect in person at the receiving office'))}
${radio('post', L('Nhận qua dịch vụ bưu chính (điền đầy đủ địa chỉ bên dưới)', 'By post (fill in the full address below)'))}
<p class="hint">${L('Nếu chọn nhận qua bưu chính:', 'If by post:')}</p>
${field({ name: 'post_recipient', label: L('Người nhận', 'Recipient'), value: val('post_recipient'), error: err('post_recipient') })}
${field({ name: 'post_phone', label: L('Số điện thoại người nhận', 'Recipient’s phone'), type: 'tel', value: val('post_phone'), error: err('post_phone') })}
${field({ name: 'post_street', label: L('Số nhà, đường, thôn/xóm', 'House number, street, village'), value: val('post_street'), error: err('post_street') })}
${field({ name: 'post_ward', label: L('Phường, xã, đặc khu', 'Ward or commune'), value: val('post_ward'), error: err('post_ward') })}
${field({ name: 'post_province', label: L('Tỉnh, thành phố', 'Province or city'), value: val('post_province'), error: err('post_province'), options: PROVINCES.map((p) => ({ value: p, label: p })) })}
</fieldset>
<button type="submit" name="action" value="continue">${L('Đồng ý và tiếp tục', 'Agree and continue')}</button>
<button type="submit" name="action" value="save" class="secondary">${L('Lưu nháp', 'Save the draft')}</button>
</form>`;
}

export function passportRoutes(ctx: PortalContext): FastifyPluginAsync {
  const { db } = ctx;

  async function showForm(
    request: FastifyRequest,
    reply: FastifyReply,
    who: Who,
    dossier: Dossier,
    errors: FieldError[] = [],
    status = 200,
    values?: Record<string, string>,
  ) {
    const procedure = (await getProcedure(db, dossier.procedure_code))!;
    const files = await filesOf(db, dossier.id);
    const offices = await listOffices(db);
    const locale = localeOfRequest(request);
    const saved = (request.query as Record<string, string>).saved === '1';
    return sendPage(
      ctx,
      request,
      reply,
      tr(locale, procedure.title_vi, procedure.title_en),
      (v) =>
        renderForm(v, {
          dossier,
          kind: procedure.online_form as FormKind,
          title: procedure.title_vi,
          files,
          offices,
          errors,
          values: values ?? dossier.fields,
          csrf: who.session.csrf,
        }),
      {
        status,
        session: who.session,
        flash: saved && errors.length === 0 ? tr(locale, 'Đã lưu bản nháp.', 'Draft saved.') : undefined,
      },
    );
  }

  async function validationErrors(
    dossier: Dossier,
    fields: Record<string, string>,
    locale: Locale,
  ): Promise<FieldError[]> {
    const procedure = (await getProcedure(db, dossier.procedure_code))!;
    const files = await filesOf(db, dossier.id);
    const offices = new Set((await listOffices(db)).map((o) => o.code));
    return validateApplication(
      procedure.online_form as FormKind,
      fields,
      new Set(files.map((f) => f.slot)),
      offices,
      locale,
    );
  }

  function problemWith(errors: FieldError[]) {
    return portalProblem('PORTAL_VALIDATION', {}, { field: errors[0]?.field, detail: { errors } });
  }

  return async (app) => {
    app.get('/dich-vu/:code/nop', async (request, reply) => {
      const { code } = request.params as { code: string };
      const procedure = await getProcedure(db, code);
      if (!procedure?.online_form) throw portalProblem('PORTAL_NOT_FOUND', { what: code });
      const who = await applicant(ctx, request, reply, requestPath(request));
      if (!isWho(who)) return reply;
      const existing = await db
        .selectFrom('portal.dossiers')
        .select('id')
        .where('user_id', '=', who.user.id)
        .where('procedure_code', '=', code)
        .where('state', '=', 'draft')
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
      if (existing) return reply.redirect(`/ho-so/${existing.id}`, 303);
      const claims: Record<string, unknown> = who.session.claims ?? {};
      const address = (claims.address as { formatted?: string } | undefined)?.formatted ?? '';
      const phone = typeof claims.phone_number === 'string' ? claims.phone_number.replace(/^\+84/, '0') : '';
      const draft = await createDraft(
        db,
        {
          userId: who.user.id,
          procedureCode: code,
          feeVnd: procedure.fee_vnd,
          deadlineDays: procedure.deadline_working_days,
          claims,
          fields: {
            contact_address: address,
            contact_phone: phone,
            email: typeof claims.email === 'string' ? claims.email : '',
            post_recipient: typeof claims.name === 'string' ? claims.name : '',
            post_phone: phone,
          },
        },
        ctx.now(),
      );
      if (wantsJson(request)) return reply.status(201).send({ id: draft.id });
      return reply.redirect(`/ho-so/${draft.id}`, 303);
    });

    app.get('/ho-so', async (request, reply) => {
      const who = await citizenOf(ctx, request);
      if (!who) return reply.redirect('/dang-nhap?next=/ho-so', 303);
      const locale = localeOfRequest(request);
      const L = (vi: string, en: string) => tr(locale, vi, en);
      const rows = await db
        .selectFrom('portal.dossiers')
        .innerJoin('portal.procedures', 'portal.procedures.code', 'portal.dossiers.procedure_code')
        .select(['portal.dossiers.id', 'number', 'state', 'created_at', 'deadline_local', 'title_vi', 'title_en'])
        .where('user_id', '=', who.user.id)
        .orderBy('portal.dossiers.created_at', 'desc')
        .execute();
      if (wantsJson(request)) return { dossiers: rows };
      return sendPage(
        ctx,
        request,
        reply,
        L('Hồ sơ của tôi', 'My dossiers'),
        rows.length
          ? `<table><thead><tr><th scope="col">${L('Số hồ sơ', 'Number')}</th><th scope="col">${L('Thủ tục', 'Procedure')}</th><th scope="col">${L('Trạng thái', 'Status')}</th><th scope="col">${L('Hạn giải quyết', 'Due')}</th></tr></thead><tbody>${rows
              .map(
                (r) =>
                  `<tr><td><a href="/ho-so/${e(r.id)}">${e(r.number ?? L('(bản nháp)', '(draft)'))}</a></td><td>${e(L(r.title_vi, r.title_en))}</td><td>${e(L(STATE_LABELS[r.state].vi, STATE_LABELS[r.state].en))}</td><td>${r.deadline_local ? vnDate(r.deadline_local) : '—'}</td></tr>`,
              )
              .join('')}</tbody></table>`
          : `<p>${L('Bạn chưa có hồ sơ nào.', 'You have no dossier yet.')} <a href="/dich-vu?q=h%E1%BB%99+chi%E1%BA%BFu">${L('Nộp hồ sơ cấp hộ chiếu', 'Apply for a passport')}</a></p>`,
        { session: who.session },
      );
    });

    app.get('/ho-so/:id', async (request, reply) => {
      const { id } = request.params as { id: string };
      const who = await applicant(ctx, request, reply, requestPath(request));
      if (!isWho(who)) return reply;
      const dossier = await ownDossier(ctx, who, id);
      if (dossier.state === 'draft') {
        if (wantsJson(request))
          return { id: dossier.id, state: dossier.state, fields: dossier.fields, files: await filesOf(db, dossier.id) };
        return showForm(request, reply, who, dossier);
      }
      return statusPage(request, reply, who, dossier);
    });

    app.post('/ho-so/:id/luu', async (request, reply) => {
      const { id } = request.params as { id: string };
      const who = await applicant(ctx, request, reply, `/ho-so/${id}`);
      if (!isWho(who)) return reply;
      const input = formFields(request);
      checkCsrf(who.session, input);
      const dossier = await ownDossier(ctx, who, id);
      if (dossier.state !== 'draft')
        throw portalProblem('PORTAL_CONFLICT', { state: STATE_LABELS[dossier.state].vi, event: 'lưu' });
      const locale = localeOfRequest(request);
      const now = ctx.now();
      // The typed values are kept whatever happens to the files: a rejected upload loses nothing else.
      const fields = { ...cleanFields(input) };
      await saveDraftFields(db, dossier, fields, now);
      const fileErrors = await acceptFiles(ctx, dossier.id, formFiles(request), locale, now);
      const errors =
        input.action === 'continue'
          ? [
              ...fileErrors,
              ...(await validationErrors(dossier, fields, locale)).filter(
                (x) => !fileErrors.some((f) => f.field === x.field),
              ),
            ]
          : fileErrors;
      if (errors.length > 0) {
        if (wantsJson(request)) throw problemWith(errors);
        return showForm(request, reply, who, { ...dossier, fields }, errors, 422, fields);
      }
      if (wantsJson(request))
        return { saved: true, next: input.action === 'continue' ? `/ho-so/${id}/xem-lai` : `/ho-so/${id}` };
      return reply.redirect(input.action === 'continue' ? `/ho-so/${id}/xem-lai` : `/ho-so/${id}?saved=1`, 303);
    });

    app.get('/ho-so/:id/tep/:fileId', async (request, reply) => {
      const { id, fileId } = request.params as { id: string; fileId: string };
      const who = await citizenOf(ctx, request);
      if (!who) throw portalProblem('PORTAL_SIGN_IN_REQUIRED');
      await ownDossier(ctx, who, id);
      if (!/^[0-9a-f-]{36}$/.test(fileId)) throw portalProblem('PORTAL_NOT_FOUND', { what: 'tệp' });
      const file = await db
        .selectFrom('portal.dossier_files')
        .select(['bytes'])
        .where('id', '=', fileId)
        .where('dossier_id', '=', id)
        .executeTakeFirst();
      if (!file) throw portalProblem('PORTAL_NOT_FOUND', { what: 'tệp' });
      return reply
        .type('image/jpeg')
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .send(file.bytes);
    });

    app.get('/ho-so/:id/xem-lai', async (request, reply) => reviewPage(request, reply));

    async function reviewPage(request: FastifyRequest, reply: FastifyReply, errors: FieldError[] = [], status = 200) {
      const { id } = request.params as { id: string };
      const who = await applicant(ctx, request, reply, `/ho-so/${id}/xem-lai`);
      if (!isWho(who)) return reply;
      const dossier = await ownDossier(ctx, who, id);
      if (dossier.state !== 'draft') return reply.redirect(`/ho-so/${id}`, 303);
      const locale = localeOfRequest(request);
      const L = (vi: string, en: string) => tr(locale, vi, en);
      const invalid = await validationErrors(dossier, dossier.fields, locale);
      if (invalid.length > 0) return showForm(request, reply, who, dossier, invalid, 422);
      const procedure = (await getProcedure(db, dossier.procedure_code))!;
      const offices = await listOffices(db);
      const files = await filesOf(db, dossier.id);
      const q = request.query as Record<string, string>;
      const challenge = await newChallenge(db, q.captcha === 'question' ? 'question' : 'image', locale, ctx.now());
      const f = dossier.fields;
      const office = offices.find((o) => o.code === f.office);
      const err = (name: string) => errors.find((x) => x.field === name)?.message;
      const facts: [string, string | undefined][] = [
        [L('Nơi sinh', 'Place of birth'), f.birth_place],
        [L('Nghề nghiệp', 'Occupation'), f.occupation],
        [L('Địa chỉ liên hệ', 'Contact address'), f.contact_address],
        [L('Số điện thoại liên hệ', 'Contact phone'), f.contact_phone],
        [L('Thư điện tử', 'E-mail'), f.email || '—'],
        ...(procedure.online_form === 'passport_reissue'
          ? ([
              [L('Số hộ chiếu cũ', 'Previous passport'), f.previous_passport],
              [L('Lý do cấp lại', 'Reason'), REISSUE_REASONS.find((r) => r.value === f.reissue_reason)?.vi],
            ] as [string, string | undefined][])
          : []),
        [L('Cơ quan tiếp nhận', 'Receiving office'), office ? L(office.name_vi, office.name_en) : f.office],
        [
          L('Nơi nhận hộ chiếu', 'Delivery'),
          f.delivery === 'post'
            ? `${L('Qua bưu chính', 'By post')}: ${f.post_recipient}, ${f.post_phone}, ${f.post_street}, ${f.post_ward}, ${f.post_province}`
            : L('Nhận trực tiếp', 'In person'),
        ],
        [
          L('Ảnh và tài liệu', 'Images and documents'),
          files.map((x) => `${x.filename} (${x.width} × ${x.height})`).join('; '),
        ],
        [L('Lệ phí', 'Fee'), money(dossier.fee_vnd, locale)],
      ];
      const sep = '?';
      return sendPage(
        ctx,
        request,
        reply,
        L('Kiểm tra thông tin hồ sơ', 'Check the dossier'),
        (v) => `${errorSummary(v.locale, errors)}<p>${e(L(procedure.title_vi, procedure.title_en))}</p>
${claimFacts(v.locale, dossier.claims)}
<h2>${L('Thông tin đã khai', 'What you declared')}</h2><dl class="facts">${facts.map(([k, val]) => `<dt>${e(k)}</dt><dd>${e(val ?? '')}</dd>`).join('')}</dl>
<p><a href="/ho-so/${e(id)}">${L('Quay lại sửa thông tin', 'Go back and edit')}</a></p>
<form method="post" action="/ho-so/${e(id)}/nop" novalidate>${csrfInput(who.session.csrf)}
<input type="hidden" name="captcha_id" value="${e(challenge.id)}"><input type="hidden" name="version" value="${dossier.version}">
<fieldset class="captcha"><legend>${L('Mã xác nhận', 'Confirmation code')} <span class="req" aria-hidden="true">(*)</span></legend>
${
  challenge.kind === 'image'
    ? `<img src="${challenge.image}" width="200" height="64" alt="${L('Mã xác nhận dạng ảnh gồm 5 ký tự; nếu không đọc được, hãy dùng câu hỏi thay thế.', 'A picture code of 5 characters; if you cannot read it, use the question instead.')}">
<label for="f-captcha">${L('Nhập mã xác nhận trong ảnh', 'Type the code in the picture')}</label>`
    : `<label for="f-captcha">${e(challenge.question!)}</label>`
}
${err('captcha') ? `<p class="error" id="f-captcha-error">${e(err('captcha'))}</p>` : ''}
<input type="text" id="f-captcha" name="captcha" autocomplete="off" required aria-required="true"${err('captcha') ? ' aria-invalid="true" aria-describedby="f-captcha-error"' : ''}>
<p><a href="/ho-so/${e(id)}/xem-lai${challenge.kind === 'image' ? `${sep}captcha=question` : ''}">${challenge.kind === 'image' ? L('Không đọc được ảnh? Trả lời câu hỏi thay thế', 'Cannot read it? Answer a question instead') : L('Dùng mã dạng ảnh', 'Use the picture code')}</a></p></fieldset>
${err('declaration') ? `<p class="error" id="f-declaration-error">${e(err('declaration'))}</p>` : ''}
<p><input type="checkbox" id="f-declaration" name="declaration" value="yes" required aria-required="true"${err('declaration') ? ' aria-invalid="true" aria-describedby="f-declaration-error"' : ''}>
<label for="f-declaration" style="display:inline">${L('Tôi xin chịu trách nhiệm trước pháp luật về lời khai trên', 'I take responsibility before the law for this declaration')}</label></p>
<button type="submit">${L('Nộp hồ sơ', 'Submit the dossier')}</button></form>`,
        { status, session: who.session },
      );
    }

    app.post('/ho-so/:id/nop', async (request, reply) => {
      const { id } = request.params as { id: string };
      const who = await applicant(ctx, request, reply, `/ho-so/${id}/xem-lai`);
      if (!isWho(who)) return reply;
      const input = formFields(request);
      checkCsrf(who.session, input);
      const dossier = await ownDossier(ctx, who, id);
      if (dossier.state !== 'draft') return reply.redirect(`/ho-so/${id}`, 303);
      const locale = localeOfRequest(request);
      const L = (vi: string, en: string) => tr(locale, vi, en);
      const now = ctx.now();
      const invalid = await validationErrors(dossier, dossier.fields, locale);
      if (invalid.length > 0) {
        if (wantsJson(request)) throw problemWith(invalid);
        return showForm(request, reply, who, dossier, invalid, 422);
      }
      const errors: FieldError[] = [];
      if (!(await verifyChallenge(db, input.captcha_id ?? '', input.captcha ?? '', now))) {
        errors.push({
          field: 'captcha',
          message: L(
            'Mã xác nhận không đúng hoặc đã hết hạn. Vui lòng nhập mã mới.',
            'The confirmation code is wrong or expired. Enter the new one.',
          ),
        });
      }
      if (input.declaration !== 'yes') {
        errors.push({
          field: 'declaration',
          message: L(
            'Vui lòng đánh dấu “Tôi xin chịu trách nhiệm trước pháp luật về lời khai trên”.',
            'Tick “I take responsibility before the law for this declaration”.',
          ),
        });
      }
      if (errors.length > 0) {
        if (wantsJson(request)) throw problemWith(errors);
        return reviewPage(request, reply, errors, 422);
      }
      const expectedVersion = Number(input.version);
      const submitted = await submitDossier(
        db,
        Number.isInteger(expectedVersion) ? { ...dossier, version: expectedVersion } : dossier,
        who.user.id,
        async (trx, d) => {
          const link = newPayToken();
          await trx
            .insertInto('portal.payments')
            .values({
              id: randomUUID(),
              dossier_id: d.id,
              amount_vnd: d.fee_vnd,
              status: 'pending',
              qr_payload: '',
              pay_token_hash: link.hash,
              gateway_txn_id: null,
              paid_by: null,
              created_at: now,
              paid_at: null,
            })
            .execute();
        },
        now,
      );
      // The QR payload names the dossier number, known once submitted.
      const payment = await db
        .selectFrom('portal.payments')
        .select(['id'])
        .where('dossier_id', '=', id)
        .executeTakeFirstOrThrow();
      await db
        .updateTable('portal.payments')
        .set({
          qr_payload: ctx.gateway.qrPayload({
            paymentId: payment.id,
            amountVnd: submitted.fee_vnd,
            reference: submitted.number!,
          }),
        })
        .where('id', '=', payment.id)
        .execute();
      ctx.kickSms();
      if (wantsJson(request))
        return { id, number: submitted.number, state: submitted.state, payment: `/ho-so/${id}/thanh-toan` };
      return reply.redirect(`/ho-so/${id}/thanh-toan?nop=1`, 303);
    });

    async function statusPage(
      request: FastifyRequest,
      reply: FastifyReply,
      who: Who,
      dossier: Dossier,
      errors: FieldError[] = [],
      status = 200,
    ) {
      const locale = localeOfRequest(request);
      const L = (vi: string, en: string) => tr(locale, vi, en);
      const procedure = (await getProcedure(db, dossier.procedure_code))!;
      const events = await eventsOf(db, dossier.id);
      const payment = await db
        .selectFrom('portal.payments')
        .select(['status', 'paid_at', 'amount_vnd'])
        .where('dossier_id', '=', dossier.id)
        .executeTakeFirst();
      if (wantsJson(request)) {
        return {
          id: dossier.id,
          number: dossier.number,
          state: dossier.state,
          state_label: L(STATE_LABELS[dossier.state].vi, STATE_LABELS[dossier.state].en),
          deadline: dossier.deadline,
          deadline_local: dossier.deadline_local,
          deadline_working_days: dossier.deadline_days,
          payment: payment?.status ?? null,
          events: events.map((x) => ({ event: x.event, to: x.to_state, at: x.at, reason: x.reason })),
        };
      }
      const label = L(STATE_LABELS[dossier.state].vi, STATE_LABELS[dossier.state].en);
      const err = (name: string) => errors.find((x) => x.field === name)?.message;
      return sendPage(
        ctx,
        request,
        reply,
        `${L('Hồ sơ', 'Dossier')} ${dossier.number}`,
        `${errorSummary(locale, errors)}<p>${e(L(procedure.title_vi, procedure.title_en))}</p>
<dl class="facts"><dt>${L('Trạng thái', 'Status')}</dt><dd><strong>${e(label)}</strong></dd>
<dt>${L('Ngày nộp', 'Submitted')}</dt><dd>${dossier.submitted_at ? vnDateTime(dossier.submitted_at) : '—'}</dd>
<dt>${L('Lệ phí', 'Fee')}</dt><dd>${money(dossier.fee_vnd, locale)} — ${payment?.status === 'paid' ? L('đã thanh toán', 'paid') : L('chưa thanh toán', 'not paid')}</dd>
<dt>${L('Thời hạn giải quyết', 'Legal time limit')}</dt><dd>${dossier.deadline_days} ${L('ngày làm việc kể từ khi cơ quan tiếp nhận hồ sơ hợp lệ', 'working days from receipt of a complete dossier')}</dd>
<dt>${L('Hạn giải quyết', 'Due by')}</dt><dd>${dossier.deadline_local ? `${L('trước 24 giờ ngày', 'end of')} ${vnDate(dossier.deadline_local)}` : L('được tính khi cơ quan tiếp nhận hồ sơ', 'set when the office receives the dossier')}</dd>
${dossier.decision_reason ? `<dt>${L('Lý do', 'Reasons')}</dt><dd>${e(dossier.decision_reason)}</dd>` : ''}
${dossier.delivery_note ? `<dt>${L('Trả kết quả', 'Delivery')}</dt><dd>${e(dossier.delivery_note)}</dd>` : ''}</dl>
${dossier.state === 'awaiting_payment' ? `<div class="warn"><p>${L('Hồ sơ chỉ được chuyển đến cơ quan xuất nhập cảnh sau khi nộp lệ phí.', 'The dossier goes to the immigration office only once the fee is paid.')}</p><p><a class="button" href="/ho-so/${e(dossier.id)}/thanh-toan">${L('Thanh toán lệ phí', 'Pay the fee')}</a></p></div>` : ''}
${
  dossier.state === 'additions_requested'
    ? `<h2>${L('Bổ sung hồ sơ', 'Supplement the dossier')}</h2><form method="post" action="/ho-so/${e(dossier.id)}/bo-sung" enctype="multipart/form-data" novalidate>${csrfInput(who.session.csrf)}
${field({ name: 'attachment', label: L('Tài liệu bổ sung (ảnh JPEG)', 'Additional document (JPEG)'), type: 'file', accept: 'image/jpeg,.jpg,.jpeg', error: err('attachment') })}
${field({ name: 'note', label: L('Nội dung bổ sung', 'What you add'), textarea: true, required: true, error: err('note') })}
<button type="submit">${L('Gửi bổ sung', 'Send')}</button></form>`
    : ''
}
<h2>${L('Quá trình xử lý', 'History')}</h2><ol>${events
          .map(
            (x) =>
              `<li>${vnDateTime(x.at)} — ${e(L(EVENT_LABELS[x.event as keyof typeof EVENT_LABELS].vi, EVENT_LABELS[x.event as keyof typeof EVENT_LABELS].en))}: ${e(L(STATE_LABELS[x.to_state as keyof typeof STATE_LABELS].vi, STATE_LABELS[x.to_state as keyof typeof STATE_LABELS].en))}${x.reason ? ` (${e(x.reason)})` : ''}</li>`,
          )
          .join('')}</ol>`,
        { status, session: who.session },
      );
    }

    app.post('/ho-so/:id/bo-sung', async (request, reply) => {
      const { id } = request.params as { id: string };
      const who = await applicant(ctx, request, reply, `/ho-so/${id}`);
      if (!isWho(who)) return reply;
      const input = formFields(request);
      checkCsrf(who.session, input);
      const dossier = await ownDossier(ctx, who, id);
      const locale = localeOfRequest(request);
      const L = (vi: string, en: string) => tr(locale, vi, en);
      const now = ctx.now();
      const errors: FieldError[] = [];
      const note = (input.note ?? '').trim().slice(0, 1000);
      if (note.length < 5)
        errors.push({
          field: 'note',
          message: L('Vui lòng ghi nội dung bổ sung (ít nhất 5 ký tự).', 'Say what you add (at least 5 characters).'),
        });
      const files = formFiles(request).filter((f) => f.field === 'attachment');
      const checked = files.map((f) => ({ f, result: checkUpload(SLOT_RULES.attachment, f, locale) }));
      for (const c of checked) if (!c.result.ok) errors.push({ field: 'attachment', message: c.result.message });
      if (errors.length > 0) {
        if (wantsJson(request)) throw problemWith(errors);
        return statusPage(request, reply, who, dossier, errors, 422);
      }
      const deadline = await ctx.platform.addWorkingDays(now, dossier.deadline_days);
      for (const c of checked)
        if (c.result.ok)
          await storeFile(
            db,
            id,
            { slot: 'attachment', filename: c.f.filename, data: c.f.data, ...c.result.image },
            now,
          );
      await transition(
        db,
        {
          dossierId: id,
          event: 'supplement',
          actor: { kind: 'applicant', id: who.user.id },
          reason: note,
          set: { deadline: new Date(deadline.deadline), deadline_local: deadline.deadline_local },
        },
        now,
      );
      ctx.kickSms();
      if (wantsJson(request)) return { state: 'received' };
      return reply.redirect(`/ho-so/${id}`, 303);
    });

    // --- payment page ------------------------------------------------------------------------------

    app.get('/ho-so/:id/thanh-toan', async (request, reply) => {
      const { id } = request.params as { id: string };
      const who = await applicant(ctx, request, reply, requestPath(request));
      if (!isWho(who)) return reply;
      const dossier = await ownDossier(ctx, who, id);
      return paymentPage(ctx, request, reply, dossier, { session: who.session, owner: true });
    });

    app.post('/ho-so/:id/thanh-toan/lien-ket', async (request, reply) => {
      const { id } = request.params as { id: string };
      const who = await applicant(ctx, request, reply, `/ho-so/${id}/thanh-toan`);
      if (!isWho(who)) return reply;
      checkCsrf(who.session, formFields(request));
      const dossier = await ownDossier(ctx, who, id);
      const link = newPayToken();
      const updated = await db
        .updateTable('portal.payments')
        .set({ pay_token_hash: link.hash })
        .where('dossier_id', '=', dossier.id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return reply.redirect(`/ho-so/${id}`, 303);
      const url = `${ctx.baseUrl}/thanh-toan/${link.token}`;
      if (wantsJson(request)) return { url };
      return paymentPage(ctx, request, reply, dossier, { session: who.session, owner: true, newLink: url });
    });
  };
}

/** Checks and stores the uploaded files; returns a message per rejected one (nothing stored for it). */
async function acceptFiles(
  ctx: PortalContext,
  dossierId: string,
  files: { field: string; filename: string; data: Buffer }[],
  locale: Locale,
  now: Date,
): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const existingAttachments = (await filesOf(ctx.db, dossierId)).filter((f) => f.slot === 'attachment').length;
  let attachments = existingAttachments;
  for (const file of files) {
    const slot = file.field as FileSlot;
    const rule = SLOT_RULES[slot];
    if (!rule) continue;
    if (slot === 'attachment' && attachments >= MAX_ATTACHMENTS) {
      errors.push({
        field: slot,
        message: tr(locale, `Tối đa ${MAX_ATTACHMENTS} tài liệu đính kèm.`, `At most ${MAX_ATTACHMENTS} attachments.`),
      });
      continue;
    }
    const result = checkUpload(rule, file, locale);
    if (!result.ok) {
      if (!errors.some((x) => x.field === slot)) errors.push({ field: slot, message: result.message });
      continue;
    }
    await storeFile(ctx.db, dossierId, { slot, filename: file.filename, data: file.data, ...result.image }, now);
    if (slot === 'attachment') attachments += 1;
  }
  return errors;
}

/** The fee, its VietQR code, the sandbox gateway's pay button and (for the owner) the pay-for-me link. */
export async function paymentPage(
  ctx: PortalContext,
  request: FastifyRequest,
  reply: FastifyReply,
  dossier: Dossier,
  options: { session?: Session; owner: boolean; token?: string; newLink?: string },
): Promise<FastifyReply> {
  const locale = localeOfRequest(request);
  const L = (vi: string, en: string) => tr(locale, vi, en);
  const payment = await ctx.db
    .selectFrom('portal.payments')
    .selectAll()
    .where('dossier_id', '=', dossier.id)
    .executeTakeFirst();
  if (!payment) throw portalProblem('PORTAL_NOT_FOUND', { what: L('khoản thanh toán', 'payment') });
  const session = options.session ?? (await ctx.sessions.ensure(request, reply));
  if (wantsJson(request)) {
    return reply.send({
      number: dossier.number,
      amount_vnd: payment.amount_vnd,
      status: payment.status,
      qr_payload: payment.qr_payload,
      new_link: options.newLink,
    });
  }
  const qr =
    payment.status === 'pending'
      ? await QRCode.toDataURL(payment.qr_payload, { errorCorrectionLevel: 'M', margin: 2, width: 240 })
      : '';
  const payAction = options.token
    ? `/thanh-toan/${encodeURIComponent(options.token)}/sandbox`
    : `/ho-so/${dossier.id}/thanh-toan/sandbox`;
  const submittedNow = (request.query as Record<string, string>).nop === '1';
  return sendPage(
    ctx,
    request,
    reply,
    L('Thanh toán lệ phí', 'Pay the fee'),
    `${submittedNow ? `<div class="ok" role="status"><p>${L(`Nộp hồ sơ thành công. Số hồ sơ của bạn: <strong>${e(dossier.number)}</strong>.`, `Dossier submitted. Its number: <strong>${e(dossier.number)}</strong>.`)}</p></div>` : ''}
<dl class="facts"><dt>${L('Số hồ sơ', 'Dossier number')}</dt><dd>${e(dossier.number)}</dd>
<dt>${L('Số tiền', 'Amount')}</dt><dd>${money(payment.amount_vnd, locale)}</dd>
<dt>${L('Trạng thái', 'Status')}</dt><dd><strong>${payment.status === 'paid' ? L('Đã thanh toán', 'Paid') : L('Chưa thanh toán', 'Not paid')}</strong></dd></dl>
${
  payment.status === 'pending'
    ? `<h2>${L('Quét mã VietQR bằng ứng dụng ngân hàng', 'Scan the VietQR code with a banking app')}</h2>
<img src="${qr}" width="240" height="240" alt="${L(`Mã VietQR thanh toán ${payment.amount_vnd.toLocaleString('vi-VN')} đồng cho hồ sơ ${dossier.number ?? ''}`, `VietQR code paying ${payment.amount_vnd} VND for dossier ${dossier.number ?? ''}`)}">
<p class="hint">${L('Nội dung chuyển khoản', 'Transfer reference')}: DVCQG ${e(dossier.number)}</p>
${
  ctx.sandbox
    ? `<form method="post" action="${e(payAction)}">${csrfInput(session.csrf)}<p class="notice">${L('Môi trường thử nghiệm: cổng thanh toán giả lập thay cho ngân hàng.', 'Sandbox: a simulated gateway stands in for the bank.')}</p>
<button type="submit">${L('Thanh toán qua cổng thanh toán thử nghiệm', 'Pay through the sandbox gateway')}</button></form>`
    : ''
}
${
  options.owner
    ? `<h2>${L('Nhờ người khác thanh toán hộ', 'Ask someone else to pay')}</h2>
<p>${L('Tạo một đường dẫn riêng và gửi cho người thanh toán hộ. Đường dẫn chỉ cho phép thanh toán lệ phí của hồ sơ này; tạo đường dẫn mới thì đường dẫn cũ hết hiệu lực.', 'Make a private link and send it to the payer. It only pays this dossier’s fee; a new link cancels the old one.')}</p>
${options.newLink ? `<p class="ok"><label for="paylink">${L('Đường dẫn thanh toán hộ (chỉ hiển thị một lần)', 'Pay link (shown once)')}</label><input type="text" id="paylink" readonly value="${e(options.newLink)}"></p>` : ''}
<form method="post" action="/ho-so/${e(dossier.id)}/thanh-toan/lien-ket">${csrfInput(session.csrf)}<button type="submit" class="secondary">${L('Tạo đường dẫn thanh toán hộ', 'Make a pay link')}</button></form>`
    : ''
}`
    : `<p><a href="${options.owner ? `/ho-so/${e(dossier.id)}` : '/'}">${options.owner ? L('Xem trạng thái hồ sơ', 'See the dossier') : L('Về trang chủ', 'Home')}</a></p>`
}`,
    { session },
  );
}
