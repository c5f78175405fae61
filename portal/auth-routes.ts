import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { Problem } from '../src/platform/errors.ts';
import { newChallenge, verifyChallenge, type Challenge } from './captcha.ts';
import { citizenOf, safeNext, sendPage, type PortalContext } from './context.ts';
import { isUniqueViolation } from './database.ts';
import { checkCsrf, formFields, LANG_COOKIE, setCookie, tr, type Locale, type Session } from './http.ts';
import { e164, issueOtp, maskPhone, verifyOtp } from './messaging.ts';
import { portalProblem } from './problems.ts';
import { csrfInput, e, errorSummary, field, type FieldError } from './views.ts';

/**
 * Signing in to the portal:
 *
 * - **single sign-on with the national e-ID** (authorization code, PKCE S256, state and nonce,
 *   `acr_values` asking for level 2 where a service needs it), the ID token's `acr` read as the
 *   session's level; RP-initiated logout and back-channel logout (the provider's logout token,
 *   verified against its JWKS, ends the sessions of its `sid`);
 * - **the portal's own account** (seed 004): registration with PIN, full name, date of birth,
 *   phone, optional e-mail and captcha, checked against the population and mobile-subscriber
 *   registries through the platform, an SMS code, then a password (argon2id); login by user name
 *   (the PIN), password and captcha, then an SMS code. Wrong passwords pause the account's
 *   sign-in after five failures; codes have their own limits (messaging.ts).
 */
export const ACR_LEVEL = { 1: 'urn:dinhdanh:loa:1', 2: 'urn:dinhdanh:loa:2' } as const;
const LOGIN_FAILURES_BEFORE_LOCK = 5;
const LOGIN_LOCK_MS = 15 * 60_000;
/** Verified against when the user name is unknown, so that timing says nothing. */
let dummyHash: Promise<string> | undefined;

export function levelOfAcr(acr: unknown): 0 | 1 | 2 {
  return acr === ACR_LEVEL[2] ? 2 : acr === ACR_LEVEL[1] ? 1 : 0;
}

/** How a level-1 citizen reaches level 2 (Decree 69/2024 Arts 10–12). */
export function upgradeAdvice(locale: Locale): string {
  return tr(
    locale,
    `<div class="warn"><p><strong>Dịch vụ này yêu cầu tài khoản định danh điện tử mức độ 2.</strong></p>
<p>Để nâng tài khoản lên mức độ 2, bạn có thể:</p>
<ul><li>mang căn cước công dân gắn chip đến Công an cấp xã nơi cư trú (hoặc bất kỳ điểm tiếp nhận nào) để cán bộ thu nhận ảnh chân dung và vân tay; hoặc</li>
<li>trên ứng dụng VNeID, chọn “Nâng mức tài khoản” và làm theo hướng dẫn (cần căn cước công dân gắn chip và điện thoại có NFC).</li></ul>
<p>Sau khi tài khoản được nâng mức, hãy đăng nhập lại bằng tài khoản định danh điện tử.</p></div>`,
    `<div class="warn"><p><strong>This service needs a level-2 electronic identity account.</strong></p>
<p>To raise your account to level 2, you can:</p>
<ul><li>take your chip ID card to the commune police where you live (or any receiving point), where an officer takes your portrait and fingerprints; or</li>
<li>in the VNeID app, choose “Upgrade account” and follow the steps (you need the chip ID card and a phone with NFC).</li></ul>
<p>Once your account is level 2, sign in again with your electronic identity.</p></div>`,
  );
}

interface PendingAuthorization {
  state: string;
  nonce: string;
  verifier: string;
  purpose: 'citizen' | 'officer';
  next: string;
}

interface Registration {
  pin: string;
  full_name: string;
  birthdate: string;
  phone: string;
  email: string;
  otpId: string;
  verified: boolean;
}

const PASSWORD_RULE_VI = 'Mật khẩu dài từ 8 đến 64 ký tự, có chữ hoa, chữ thường, chữ số và ký tự đặc biệt.';
const PASSWORD_RULE_EN = 'A password of 8 to 64 characters with upper and lower case letters, a digit and a symbol.';

export function passwordProblems(password: string, pin: string, locale: Locale): string | undefined {
  const ok =
    password.length >= 8 &&
    password.length <= 64 &&
    /[a-z]/.test(password) &&
    /[A-Z]/.test(password) &&
    /\d/.test(password) &&
    /[^A-Za-z0-9]/.test(password);
  if (!ok) return tr(locale, PASSWORD_RULE_VI, PASSWORD_RULE_EN);
  if (password.includes(pin))
    return tr(locale, 'Mật khẩu không được chứa số định danh cá nhân.', 'The password must not contain the PIN.');
  return undefined;
}

function captchaBlock(locale: Locale, challenge: Challenge, error: string | undefined, path: string): string {
  const L = (vi: string, en: string) => tr(locale, vi, en);
  const describedError = error ? `<p class="error" id="f-captcha-error">${e(error)}</p>` : '';
  const hidden = `<input type="hidden" name="captcha_id" value="${e(challenge.id)}">`;
  if (challenge.kind === 'question') {
    return `<fieldset class="captcha"><legend>${L('Mã xác thực', 'Verification')} <span class="req" aria-hidden="true">(*)</span></legend>${hidden}
<label for="f-captcha">${e(challenge.question!)}</label>
<p class="hint" id="f-captcha-hint">${L('Trả lời bằng chữ số, ví dụ 12.', 'Answer with digits, e.g. 12.')}</p>${describedError}
<input type="text" id="f-captcha" name="captcha" inputmode="numeric" autocomplete="off" required aria-required="true" aria-describedby="f-captcha-hint${error ? ' f-captcha-error' : ''}"${error ? ' aria-invalid="true"' : ''}>
<p><a href="${e(path)}">${L('Dùng mã xác thực dạng ảnh', 'Use the picture code instead')}</a></p></fieldset>`;
  }
  const sep = path.includes('?') ? '&' : '?';
  return `<fieldset class="captcha"><legend>${L('Mã xác thực', 'Verification')} <span class="req" aria-hidden="true">(*)</span></legend>${hidden}
<img src="${challenge.image}" width="200" height="64" alt="${L('Mã xác thực dạng ảnh gồm 5 ký tự. Nếu không đọc được ảnh, hãy dùng câu hỏi thay thế bên dưới.', 'A picture code of 5 characters. If you cannot read it, use the question below instead.')}">
<label for="f-captcha">${L('Nhập các ký tự trong ảnh', 'Type the characters in the picture')}</label>${describedError}
<input type="text" id="f-captcha" name="captcha" autocomplete="off" autocapitalize="characters" required aria-required="true"${error ? ' aria-invalid="true" aria-describedby="f-captcha-error"' : ''}>
<p><a href="${e(path)}${sep}captcha=question">${L('Không đọc được ảnh? Trả lời câu hỏi thay thế (dành cho người dùng trình đọc màn hình)', 'Cannot read it? Answer a question instead (for screen-reader users)')}</a> · <a href="${e(path)}">${L('Đổi mã khác', 'Another code')}</a></p></fieldset>`;
}

export function authRoutes(ctx: PortalContext): FastifyPluginAsync {
  const { db, sessions } = ctx;
  const captchaKind = (request: FastifyRequest, fields?: Record<string, string>) =>
    (request.query as Record<string, string>).captcha === 'question' || fields?.captcha_kind === 'question'
      ? ('question' as const)
      : ('image' as const);
  const locale = (request: FastifyRequest): Locale =>
    (request.headers.cookie ?? '').includes(`${LANG_COOKIE}=en`) ? 'en' : 'vi';

  async function startAuthorization(
    request: FastifyRequest,
    reply: FastifyReply,
    purpose: 'citizen' | 'officer',
    level: 1 | 2,
    next: string,
  ) {
    const config = await ctx.platform.oidc();
    const session = await sessions.ensure(request, reply);
    const pending: PendingAuthorization = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      purpose,
      next,
    };
    await sessions.patchData(session, { oidc: pending });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: `${ctx.baseUrl}/auth/callback`,
      scope: 'openid profile pin phone email address level',
      code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      acr_values: ACR_LEVEL[level],
      state: pending.state,
      nonce: pending.nonce,
      ui_locales: locale(request),
    });
    return reply.redirect(url.toString(), 303);
  }

  return async (app) => {
    app.get('/ngon-ngu', async (request, reply) => {
      const q = request.query as Record<string, string>;
      setCookie(reply, LANG_COOKIE, q.to === 'en' ? 'en' : 'vi', {
        secure: ctx.baseUrl.startsWith('https:'),
        maxAge: 365 * 24 * 3600,
        httpOnly: false,
      });
      return reply.redirect(safeNext(q.back), 303);
    });

    // --- single sign-on ----------------------------------------------------------------------------

    app.get('/auth/login', async (request, reply) => {
      const q = request.query as Record<string, string>;
      return startAuthorization(request, reply, 'citizen', q.level === '2' ? 2 : 1, safeNext(q.next));
    });

    app.get('/auth/officer', async (request, reply) => startAuthorization(request, reply, 'officer', 2, '/backoffice'));

    app.get('/auth/callback', async (request, reply) => {
      const L = (vi: string, en: string) => tr(locale(request), vi, en);
      const session = await sessions.load(request);
      const pending = session?.data.oidc as PendingAuthorization | undefined;
      const q = request.query as Record<string, string>;
      if (!session || !pending) {
        return sendPage(
          ctx,
          request,
          reply,
          L('Phiên đăng nhập đã hết hạn', 'The sign-in has expired'),
          `<p><a href="/dang-nhap">${L('Đăng nhập lại', 'Sign in again')}</a></p>`,
          { status: 400 },
        );
      }
      await sessions.patchData(session, { oidc: undefined });
      if (q.error) {
        if (q.error === 'unmet_authentication_requirements') {
          return sendPage(
            ctx,
            request,
            reply,
            L('Chưa đủ mức độ tài khoản', 'Account level too low'),
            (v) => upgradeAdvice(v.locale),
            { status: 403 },
          );
        }
        return sendPage(
          ctx,
          request,
          reply,
          L('Đăng nhập không thành công', 'Sign-in failed'),
          `<p>${q.error === 'access_denied' ? L('Bạn đã hủy đăng nhập hoặc từ chối chia sẻ thông tin.', 'You cancelled the sign-in or declined to share your information.') : e(q.error_description ?? q.error)}</p><p><a href="/dang-nhap">${L('Thử lại', 'Try again')}</a></p>`,
          { status: 400 },
        );
      }
      const config = await ctx.platform.oidc();
      let tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
      try {
        tokens = await client.authorizationCodeGrant(config, new URL(`${ctx.baseUrl}${request.url}`), {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
      } catch (error) {
        request.log.warn({ err: error }, 'portal: code exchange failed');
        return sendPage(
          ctx,
          request,
          reply,
          L('Đăng nhập không thành công', 'Sign-in failed'),
          `<p><a href="/dang-nhap">${L('Thử lại', 'Try again')}</a></p>`,
          { status: 400 },
        );
      }
      const idClaims = tokens.claims()!;
      const level = levelOfAcr(idClaims.acr);
      const userinfo = (await client.fetchUserInfo(config, tokens.access_token, idClaims.sub)) as Record<
        string,
        unknown
      >;
      const claims: Record<string, unknown> = { ...userinfo, sub: idClaims.sub, acr: idClaims.acr };
      const base = {
        auth_method: 'sso' as const,
        acr: typeof idClaims.acr === 'string' ? idClaims.acr : null,
        sid: typeof idClaims.sid === 'string' ? idClaims.sid : null,
        id_token: tokens.id_token ?? null,
        level,
        claims,
      };
      if (pending.purpose === 'officer') {
        const officer = await db
          .selectFrom('portal.officers')
          .selectAll()
          .where('sub', '=', idClaims.sub)
          .executeTakeFirst();
        if (!officer || level < 2) {
          return sendPage(
            ctx,
            request,
            reply,
            L('Không có quyền truy cập', 'No access'),
            `<p>${L('Tài khoản này không có trong danh sách cán bộ quản lý xuất nhập cảnh của Cổng.', 'This account is not one of the portal’s immigration officers.')}</p>`,
            { status: 403 },
          );
        }
        await sessions.signIn(request, reply, { ...base, kind: 'officer', user_id: null, officer_sub: officer.sub });
        return reply.redirect('/backoffice', 303);
      }
      const pin = typeof claims.pin === 'string' ? claims.pin : undefined;
      if (!pin) {
        return sendPage(
          ctx,
          request,
          reply,
          L('Không thể sử dụng Cổng', 'The portal cannot serve you'),
          `<p>${L('Cổng Dịch vụ công phục vụ công dân Việt Nam có số định danh cá nhân. Tài khoản này không có số định danh cá nhân.', 'The portal serves Vietnamese citizens with a personal identification number; this account has none.')}</p>`,
          { status: 403 },
        );
      }
      const user = await linkUser(ctx, idClaims.sub, pin, claims);
      await sessions.signIn(request, reply, { ...base, kind: 'citizen', user_id: user, officer_sub: null });
      return reply.redirect(pending.next, 303);
    });

    app.post('/auth/logout', async (request, reply) => {
      const session = await sessions.load(request);
      checkCsrf(session, formFields(request));
      const idToken = session?.id_token;
      await sessions.destroy(request, reply);
      if (idToken) {
        try {
          const config = await ctx.platform.oidc();
          const url = client.buildEndSessionUrl(config, {
            id_token_hint: idToken,
            post_logout_redirect_uri: `${ctx.baseUrl}/`,
          });
          return reply.redirect(url.toString(), 303);
        } catch {
          // The platform is unreachable: the portal's own session is gone, which is what matters here.
        }
      }
      return reply.redirect('/', 303);
    });

    let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
    app.post('/auth/backchannel-logout', async (request, reply) => {
      const token = formFields(request).logout_token;
      if (!token) return reply.status(400).send({ error: 'invalid_request' });
      try {
        const config = await ctx.platform.oidc();
        const metadata = config.serverMetadata();
        jwks ??= createRemoteJWKSet(new URL(metadata.jwks_uri!));
        const { payload } = await jwtVerify(token, jwks, {
          issuer: metadata.issuer,
          audience: ctx.platform.registration.clientId,
          maxTokenAge: '5m',
        });
        const events = payload.events as Record<string, unknown> | undefined;
        if (!events || !('http://schemas.openid.net/event/backchannel-logout' in events) || 'nonce' in payload) {
          throw new Error('not a logout token');
        }
        if (typeof payload.sid === 'string') await sessions.endBySid(payload.sid);
        else if (typeof payload.sub === 'string') {
          await db
            .deleteFrom('portal.sessions')
            .where('claims', '@>', JSON.stringify({ sub: payload.sub }) as never)
            .execute();
        } else throw new Error('neither sid nor sub');
        return reply.header('cache-control', 'no-store').status(200).send();
      } catch (error) {
        request.log.warn({ err: error }, 'portal: logout token refused');
        return reply.header('cache-control', 'no-store').status(400).send({ error: 'invalid_request' });
      }
    });

    // --- the sign-in page --------------------------------------------------------------------------

    const loginPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      values: Record<string, string> = {},
      errors: FieldError[] = [],
      status = 200,
    ) => {
      const session = await sessions.ensure(request, reply);
      const loc = locale(request);
      const L = (vi: string, en: string) => tr(loc, vi, en);
      const next = safeNext((request.query as Record<string, string>).next ?? values.next);
      const challenge = await newChallenge(db, captchaKind(request, values), loc, ctx.now());
      const err = (f: string) => errors.find((x) => x.field === f)?.message;
      return sendPage(
        ctx,
        request,
        reply,
        L('Đăng nhập', 'Sign in'),
        `${errorSummary(loc, errors)}
<section aria-labelledby="sso-title"><h2 id="sso-title">${L('Tài khoản định danh điện tử (VNeID)', 'Electronic identity account (VNeID)')}</h2>
<p>${L('Đăng nhập một lần bằng tài khoản định danh điện tử do Bộ Công an cấp.', 'Single sign-on with the electronic identity account issued by the Ministry of Public Security.')}</p>
<p><a class="button" href="/auth/login?next=${encodeURIComponent(next)}">${L('Đăng nhập bằng tài khoản định danh điện tử', 'Sign in with the electronic identity')}</a></p></section>
<section aria-labelledby="own-title"><h2 id="own-title">${L('Tài khoản cấp bởi Cổng Dịch vụ công quốc gia', 'Account issued by the National Public Service Portal')}</h2>
<form method="post" action="/dang-nhap" novalidate>${csrfInput(session.csrf)}<input type="hidden" name="next" value="${e(next)}">
<input type="hidden" name="captcha_kind" value="${challenge.kind}">
${field({ name: 'username', label: L('Tên đăng nhập', 'User name'), hint: L('Số định danh cá nhân (12 chữ số)', 'Personal identification number (12 digits)'), value: values.username, error: err('username'), required: true, autocomplete: 'username', inputmode: 'numeric' })}
${field({ name: 'password', label: L('Mật khẩu', 'Password'), type: 'password', error: err('password'), required: true, autocomplete: 'current-password' })}
${captchaBlock(loc, challenge, err('captcha'), `/dang-nhap${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`)}
<button type="submit">${L('Đăng nhập', 'Sign in')}</button></form>
<p>${L('Chưa có tài khoản?', 'No account yet?')} <a href="/dang-ky">${L('Đăng ký', 'Register')}</a></p></section>`,
        { status, session },
      );
    };

    app.get('/dang-nhap', async (request, reply) => loginPage(request, reply));

    app.post('/dang-nhap', async (request, reply) => {
      const session = await sessions.load(request);
      const f = formFields(request);
      checkCsrf(session, f);
      const loc = locale(request);
      const L = (vi: string, en: string) => tr(loc, vi, en);
      const now = ctx.now();
      const values = { username: (f.username ?? '').trim(), next: f.next ?? '/', captcha_kind: f.captcha_kind ?? '' };
      const errors: FieldError[] = [];
      if (!/^\d{12}$/.test(values.username))
        errors.push({
          field: 'username',
          message: L('Tên đăng nhập là số định danh cá nhân gồm 12 chữ số.', 'The user name is the 12-digit PIN.'),
        });
      if (!f.password) errors.push({ field: 'password', message: L('Vui lòng nhập mật khẩu.', 'Enter the password.') });
      const captchaOk = await verifyChallenge(db, f.captcha_id ?? '', f.captcha ?? '', now);
      if (!captchaOk)
        errors.push({
          field: 'captcha',
          message: L(
            'Mã xác thực không đúng hoặc đã hết hạn. Vui lòng nhập mã mới.',
            'The verification code is wrong or expired. Enter the new one.',
          ),
        });
      if (errors.length > 0) return loginPage(request, reply, values, errors, 422);

      const user = await db
        .selectFrom('portal.users')
        .selectAll()
        .where('pin', '=', values.username)
        .executeTakeFirst();
      if (user?.locked_until && new Date(user.locked_until) > now) {
        const minutes = Math.ceil((new Date(user.locked_until).getTime() - now.getTime()) / 60_000);
        const problem = portalProblem('PORTAL_LOGIN_LOCKED', { minutes });
        return loginPage(request, reply, values, [{ field: 'password', message: problem.messageIn(loc) }], 429);
      }
      dummyHash ??= ctx.hasher.hash(randomUUID());
      const ok = user?.password_hash
        ? await ctx.hasher.verify(user.password_hash, f.password!)
        : (await ctx.hasher.verify(await dummyHash, f.password!)) && false;
      if (!user || !ok) {
        if (user) {
          const failures = user.failed_logins + 1;
          await db
            .updateTable('portal.users')
            .set({
              failed_logins: failures >= LOGIN_FAILURES_BEFORE_LOCK ? 0 : failures,
              locked_until: failures >= LOGIN_FAILURES_BEFORE_LOCK ? new Date(now.getTime() + LOGIN_LOCK_MS) : null,
            })
            .where('id', '=', user.id)
            .execute();
        }
        return loginPage(
          request,
          reply,
          values,
          [{ field: 'password', message: portalProblem('PORTAL_LOGIN_FAILED').messageIn(loc) }],
          401,
        );
      }
      const phone = user.phone ? e164(user.phone) : null;
      if (!phone)
        return loginPage(
          request,
          reply,
          values,
          [
            {
              field: 'username',
              message: L('Tài khoản chưa có số điện thoại nhận mã OTP.', 'The account has no phone for codes.'),
            },
          ],
          422,
        );
      let otp: { id: string };
      try {
        otp = await issueOtp(db, { purpose: 'login', phone }, now, ctx.otpPolicy);
      } catch (error) {
        if (error instanceof Problem)
          return loginPage(
            request,
            reply,
            values,
            [{ field: 'username', message: error.messageIn(loc) }],
            error.status,
          );
        throw error;
      }
      ctx.kickSms();
      await db
        .updateTable('portal.users')
        .set({ failed_logins: 0, locked_until: null })
        .where('id', '=', user.id)
        .execute();
      await sessions.patchData(session!, {
        login: { userId: user.id, otpId: otp.id, phone, next: safeNext(values.next) },
      });
      return reply.redirect('/dang-nhap/otp', 303);
    });

    const otpPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      flow: 'login' | 'register',
      error?: string,
      status = 200,
    ) => {
      const session = await sessions.ensure(request, reply);
      const loc = locale(request);
      const L = (vi: string, en: string) => tr(loc, vi, en);
      const data = session.data[flow] as { phone?: string } | undefined;
      if (!data) return reply.redirect(flow === 'login' ? '/dang-nhap' : '/dang-ky', 303);
      const action = flow === 'login' ? '/dang-nhap/otp' : '/dang-ky/otp';
      return sendPage(
        ctx,
        request,
        reply,
        L('Nhập mã OTP', 'Enter the code'),
        `${error ? errorSummary(loc, [{ field: 'otp', message: error }]) : ''}
<p>${L(`Mã OTP gồm 6 chữ số đã được gửi đến số điện thoại ${maskPhone(data.phone ?? '')}. Mã có hiệu lực 5 phút.`, `A 6-digit code was sent to ${maskPhone(data.phone ?? '')}. It is valid for 5 minutes.`)}</p>
<form method="post" action="${action}" novalidate>${csrfInput(session.csrf)}
${field({ name: 'otp', label: L('Mã OTP', 'Code'), error, required: true, autocomplete: 'one-time-code', inputmode: 'numeric' })}
<button type="submit">${L('Xác nhận', 'Confirm')}</button></form>
<form method="post" action="${action}/gui-lai">${csrfInput(session.csrf)}<button type="submit" class="secondary">${L('Gửi lại mã', 'Send a new code')}</button></form>`,
        { status, session },
      );
    };

    app.get('/dang-nhap/otp', async (request, reply) => otpPage(request, reply, 'login'));

    const resend = (flow: 'login' | 'register') => async (request: FastifyRequest, reply: FastifyReply) => {
      const session = await sessions.load(request);
      checkCsrf(session, formFields(request));
      const data = session!.data[flow] as { phone: string; otpId: string } | undefined;
      if (!data) return reply.redirect(flow === 'login' ? '/dang-nhap' : '/dang-ky', 303);
      try {
        const otp = await issueOtp(db, { purpose: flow, phone: data.phone }, ctx.now(), ctx.otpPolicy);
        ctx.kickSms();
        await sessions.patchData(session!, { [flow]: { ...data, otpId: otp.id } });
      } catch (error) {
        if (error instanceof Problem)
          return otpPage(request, reply, flow, error.messageIn(locale(request)), error.status);
        throw error;
      }
      return reply.redirect(flow === 'login' ? '/dang-nhap/otp' : '/dang-ky/otp', 303);
    };
    app.post('/dang-nhap/otp/gui-lai', resend('login'));
    app.post('/dang-ky/otp/gui-lai', resend('register'));

    app.post('/dang-nhap/otp', async (request, reply) => {
      const session = await sessions.load(request);
      const f = formFields(request);
      checkCsrf(session, f);
      const data = session!.data.login as { userId: string; otpId: string; next: string } | undefined;
      if (!data) return reply.redirect('/dang-nhap', 303);
      try {
        await verifyOtp(db, data.otpId, (f.otp ?? '').trim(), ctx.now(), ctx.otpPolicy);
      } catch (error) {
        if (error instanceof Problem)
          return otpPage(request, reply, 'login', error.messageIn(locale(request)), error.status);
        throw error;
      }
      await sessions.signIn(request, reply, {
        kind: 'citizen',
        user_id: data.userId,
        officer_sub: null,
        auth_method: 'portal',
        acr: null,
        sid: null,
        id_token: null,
        level: 0,
        claims: null,
      });
      return reply.redirect(safeNext(data.next), 303);
    });

    // --- registration (seed 004, part I) -------------------------------------------------------------

    const registerPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      values: Record<string, string> = {},
      errors: FieldError[] = [],
      status = 200,
    ) => {
      const session = await sessions.ensure(request, reply);
      const loc = locale(request);
      const L = (vi: string, en: string) => tr(loc, vi, en);
      const challenge = await newChallenge(db, captchaKind(request, values), loc, ctx.now());
      const err = (f: string) => errors.find((x) => x.field === f)?.message;
      return sendPage(
        ctx,
        request,
        reply,
        L('Đăng ký tài khoản công dân', 'Register a citizen account'),
        `${errorSummary(loc, errors)}
<p>${L('Điều kiện: có căn cước công dân gắn chip điện tử, và thuê bao di động đăng ký chính chủ bằng số căn cước công dân 12 số.', 'You need a chip ID card and a mobile subscription registered in your name with the 12-digit ID number.')}</p>
<p>${L('Các trường có dấu (*) là bắt buộc.', 'Fields marked (*) are required.')}</p>
<form method="post" action="/dang-ky" novalidate>${csrfInput(session.csrf)}<input type="hidden" name="captcha_kind" value="${challenge.kind}">
${field({ name: 'pin', label: L('Số căn cước công dân / số định danh cá nhân', 'ID card number / PIN'), hint: L('12 chữ số', '12 digits'), value: values.pin, error: err('pin'), required: true, inputmode: 'numeric', autocomplete: 'off' })}
${field({ name: 'full_name', label: L('Họ và tên', 'Full name'), hint: L('Viết có dấu, như trên căn cước công dân', 'With diacritics, as on the ID card'), value: values.full_name, error: err('full_name'), required: true, autocomplete: 'name' })}
${field({ name: 'birthdate', label: L('Ngày sinh', 'Date of birth'), type: 'date', value: values.birthdate, error: err('birthdate'), required: true, autocomplete: 'bday' })}
${field({ name: 'phone', label: L('Số điện thoại', 'Mobile phone'), hint: L('Thuê bao đăng ký chính chủ; mã OTP sẽ được gửi đến số này', 'Registered in your name; the code goes to this number'), type: 'tel', value: values.phone, error: err('phone'), required: true, autocomplete: 'tel' })}
${field({ name: 'email', label: L('Thư điện tử (nếu có)', 'E-mail (optional)'), type: 'email', value: values.email, error: err('email'), autocomplete: 'email' })}
${captchaBlock(loc, challenge, err('captcha'), '/dang-ky')}
<button type="submit">${L('Đăng ký', 'Register')}</button></form>`,
        { status, session },
      );
    };

    app.get('/dang-ky', async (request, reply) => registerPage(request, reply));

    app.post('/dang-ky', async (request, reply) => {
      const session = await sessions.load(request);
      const f = formFields(request);
      checkCsrf(session, f);
      const loc = locale(request);
      const L = (vi: string, en: string) => tr(loc, vi, en);
      const now = ctx.now();
      const values = {
        pin: (f.pin ?? '').replace(/\s/g, ''),
        full_name: (f.full_name ?? '').normalize('NFC').trim().replace(/\s+/g, ' '),
        birthdate: (f.birthdate ?? '').trim(),
        phone: (f.phone ?? '').replace(/[\s.-]/g, ''),
        email: (f.email ?? '').trim(),
        captcha_kind: f.captcha_kind ?? '',
      };
      const errors: FieldError[] = [];
      if (!values.pin)
        errors.push({ field: 'pin', message: L('Vui lòng nhập số căn cước công dân.', 'Enter the ID card number.') });
      else if (!/^\d{12}$/.test(values.pin))
        errors.push({
          field: 'pin',
          message: L(
            'Số căn cước công dân gồm đúng 12 chữ số (không dùng số chứng minh nhân dân 9 số).',
            'The ID card number has exactly 12 digits (not the old 9-digit number).',
          ),
        });
      if (!values.full_name)
        errors.push({ field: 'full_name', message: L('Vui lòng nhập họ và tên.', 'Enter the full name.') });
      else if (!/^[\p{L}][\p{L} '.-]{1,99}$/u.test(values.full_name))
        errors.push({
          field: 'full_name',
          message: L('Họ và tên chỉ gồm chữ cái và khoảng trắng.', 'The name has letters and spaces only.'),
        });
      if (!values.birthdate)
        errors.push({ field: 'birthdate', message: L('Vui lòng nhập ngày sinh.', 'Enter the date of birth.') });
      else if (
        !/^\d{4}-\d{2}-\d{2}$/.test(values.birthdate) ||
        Number.isNaN(Date.parse(values.birthdate)) ||
        values.birthdate > now.toISOString().slice(0, 10)
      )
        errors.push({ field: 'birthdate', message: L('Ngày sinh không hợp lệ.', 'Not a valid date of birth.') });
      const phone = e164(values.phone);
      if (!values.phone)
        errors.push({ field: 'phone', message: L('Vui lòng nhập số điện thoại.', 'Enter the phone number.') });
      else if (!phone)
        errors.push({
          field: 'phone',
          message: L(
            'Số điện thoại di động gồm 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09.',
            'A 10-digit mobile number starting with 03, 05, 07, 08 or 09.',
          ),
        });
      if (values.email && !/^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(values.email))
        errors.push({
          field: 'email',
          message: L('Địa chỉ thư điện tử chưa đúng định dạng.', 'Not an e-mail address.'),
        });
      const captchaOk = await verifyChallenge(db, f.captcha_id ?? '', f.captcha ?? '', now);
      if (!captchaOk)
        errors.push({
          field: 'captcha',
          message: L(
            'Mã xác thực không đúng hoặc đã hết hạn. Vui lòng nhập mã mới.',
            'The verification code is wrong or expired. Enter the new one.',
          ),
        });
      if (errors.length > 0) return registerPage(request, reply, values, errors, 422);

      const existing = await db
        .selectFrom('portal.users')
        .select(['id', 'password_hash'])
        .where('pin', '=', values.pin)
        .executeTakeFirst();
      if (existing?.password_hash) {
        return registerPage(
          request,
          reply,
          values,
          [
            {
              field: 'pin',
              message: L(
                'Số định danh này đã có tài khoản trên Cổng. Vui lòng đăng nhập, hoặc đăng nhập bằng tài khoản định danh điện tử.',
                'This PIN already has a portal account. Sign in, or use the electronic identity.',
              ),
            },
          ],
          409,
        );
      }
      const check = await ctx.platform.checkCitizen({
        pin: values.pin,
        full_name: values.full_name,
        birthdate: values.birthdate,
        phone: phone!,
      });
      if (!check.identity_matches) {
        return registerPage(
          request,
          reply,
          values,
          [
            {
              field: 'pin',
              message: L(
                'Số định danh, họ tên và ngày sinh không khớp với Cơ sở dữ liệu quốc gia về dân cư. Vui lòng kiểm tra lại.',
                'The PIN, name and date of birth do not match the national population database.',
              ),
            },
          ],
          422,
        );
      }
      if (!check.phone_registered_to_citizen) {
        return registerPage(
          request,
          reply,
          values,
          [
            {
              field: 'phone',
              message: L(
                'Số điện thoại chưa đăng ký chính chủ bằng số căn cước công dân này. Vui lòng liên hệ nhà mạng để cập nhật thông tin thuê bao.',
                'This phone is not registered in your name with this ID number. Ask your operator to update the subscription.',
              ),
            },
          ],
          422,
        );
      }
      let otp: { id: string };
      try {
        otp = await issueOtp(db, { purpose: 'register', phone: phone! }, now, ctx.otpPolicy);
      } catch (error) {
        if (error instanceof Problem)
          return registerPage(
            request,
            reply,
            values,
            [{ field: 'phone', message: error.messageIn(loc) }],
            error.status,
          );
        throw error;
      }
      ctx.kickSms();
      const registration: Registration = {
        pin: values.pin,
        full_name: values.full_name,
        birthdate: values.birthdate,
        phone: phone!,
        email: values.email,
        otpId: otp.id,
        verified: false,
      };
      await sessions.patchData(session!, { register: registration });
      return reply.redirect('/dang-ky/otp', 303);
    });

    app.get('/dang-ky/otp', async (request, reply) => otpPage(request, reply, 'register'));

    app.post('/dang-ky/otp', async (request, reply) => {
      const session = await sessions.load(request);
      const f = formFields(request);
      checkCsrf(session, f);
      const data = session!.data.register as Registration | undefined;
      if (!data) return reply.redirect('/dang-ky', 303);
      try {
        await verifyOtp(db, data.otpId, (f.otp ?? '').trim(), ctx.now(), ctx.otpPolicy);
      } catch (error) {
        if (error instanceof Problem)
          return otpPage(request, reply, 'register', error.messageIn(locale(request)), error.status);
        throw error;
      }
      await sessions.patchData(session!, { register: { ...data, verified: true } });
      return reply.redirect('/dang-ky/mat-khau', 303);
    });

    const passwordPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      session: Session,
      errors: FieldError[] = [],
      status = 200,
    ) => {
      const loc = locale(request);
      const L = (vi: string, en: string) => tr(loc, vi, en);
      const err = (f: string) => errors.find((x) => x.field === f)?.message;
      return sendPage(
        ctx,
        request,
        reply,
        L('Đặt mật khẩu', 'Set a password'),
        `${errorSummary(loc, errors)}<form method="post" action="/dang-ky/mat-khau" novalidate>${csrfInput(session.csrf)}
${field({ name: 'password', label: L('Mật khẩu', 'Password'), hint: L(PASSWORD_RULE_VI, PASSWORD_RULE_EN), type: 'password', error: err('password'), required: true, autocomplete: 'new-password' })}
${field({ name: 'password_confirm', label: L('Xác nhận mật khẩu', 'Confirm the password'), type: 'password', error: err('password_confirm'), required: true, autocomplete: 'new-password' })}
<button type="submit">${L('Hoàn tất đăng ký', 'Finish')}</button></form>`,
        { status, session },
      );
    };

    app.get('/dang-ky/mat-khau', async (request, reply) => {
      const session = await sessions.ensure(request, reply);
      const data = session.data.register as Registration | undefined;
      if (!data?.verified) return reply.redirect('/dang-ky', 303);
      return passwordPage(request, reply, session);
    });

    app.post('/dang-ky/mat-khau', async (request, reply) => {
      const session = await sessions.load(request);
      const f = formFields(request);
      checkCsrf(session, f);
      const loc = locale(request);
      const L = (vi: string, en: string) => tr(loc, vi, en);
      const data = session!.data.register as Registration | undefined;
      if (!data?.verified) return reply.redirect('/dang-ky', 303);
      const password = f.password ?? '';
      const errors: FieldError[] = [];
      const problem = passwordProblems(password, data.pin, loc);
      if (problem) errors.push({ field: 'password', message: problem });
      if (password !== (f.password_confirm ?? ''))
        errors.push({
          field: 'password_confirm',
          message: L('Mật khẩu xác nhận không khớp.', 'The passwords differ.'),
        });
      if (errors.length > 0) return passwordPage(request, reply, session!, errors, 422);
      const hash = await ctx.hasher.hash(password);
      const now = ctx.now();
      try {
        await db
          .insertInto('portal.users')
          .values({
            id: randomUUID(),
            pin: data.pin,
            full_name: data.full_name,
            birthdate: data.birthdate,
            phone: data.phone,
            email: data.email || null,
            password_hash: hash,
            platform_sub: null,
            locked_until: null,
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) =>
            // Someone who signed in with the e-ID before gets a password on the same portal account.
            oc
              .column('pin')
              .doUpdateSet({ password_hash: hash, phone: data.phone, email: data.email || null, updated_at: now })
              .where('portal.users.password_hash', 'is', null),
          )
          .execute();
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
      await sessions.patchData(session!, { register: undefined });
      return sendPage(
        ctx,
        request,
        reply,
        L('Tạo tài khoản thành công', 'Account created'),
        `<div class="ok"><p>${L('Tài khoản của bạn đã được tạo. Tên đăng nhập là số căn cước công dân.', 'Your account is ready. The user name is your ID card number.')}</p></div>
<p><a class="button" href="/dang-nhap">${L('Đăng nhập', 'Sign in')}</a></p>`,
        { session: session! },
      );
    });

    app.get('/tai-khoan', async (request, reply) => {
      const who = await citizenOf(ctx, request);
      if (!who) return reply.redirect('/dang-nhap?next=/tai-khoan', 303);
      return reply.redirect('/ho-so', 303);
    });
  };
}

/** The portal user of a national e-ID subject: found by `sub`, else by PIN (then linked), else made. */
async function linkUser(
  ctx: PortalContext,
  sub: string,
  pin: string,
  claims: Record<string, unknown>,
): Promise<string> {
  const now = ctx.now();
  const name = typeof claims.name === 'string' ? claims.name : '';
  const birthdate = typeof claims.birthdate === 'string' ? claims.birthdate : null;
  const phone = typeof claims.phone_number === 'string' ? claims.phone_number : null;
  const email = typeof claims.email === 'string' ? claims.email : null;
  return ctx.db.transaction().execute(async (trx) => {
    const bySub = await trx.selectFrom('portal.users').select('id').where('platform_sub', '=', sub).executeTakeFirst();
    if (bySub) {
      await trx
        .updateTable('portal.users')
        .set({ full_name: name, birthdate, updated_at: now })
        .where('id', '=', bySub.id)
        .execute();
      return bySub.id;
    }
    const byPin = await trx
      .selectFrom('portal.users')
      .select('id')
      .where('pin', '=', pin)
      .forUpdate()
      .executeTakeFirst();
    if (byPin) {
      await trx
        .updateTable('portal.users')
        .set({ platform_sub: sub, full_name: name, birthdate, updated_at: now })
        .where('id', '=', byPin.id)
        .execute();
      return byPin.id;
    }
    const id = randomUUID();
    await trx
      .insertInto('portal.users')
      .values({
        id,
        pin,
        full_name: name,
        birthdate,
        phone,
        email,
        password_hash: null,
        platform_sub: sub,
        locked_until: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return id;
  });
}
