import { escapeHtml } from '../platform/html.ts';
import type { Locale } from '../platform/errors.ts';

/**
 * The provider's pages (login, one-time code, consent, errors, logout), server-rendered: they work
 * without JavaScript, carry the page language, label every field, and announce errors in a
 * summary that screen readers read out (role="alert"). Vietnamese first, English second, from one
 * catalogue.
 */

const messages = {
  brand: { vi: 'Định danh điện tử', en: 'Electronic identification' },
  switch_language: { vi: 'English', en: 'Tiếng Việt' },
  title_login: { vi: 'Đăng nhập', en: 'Sign in' },
  asks_sign_in: {
    vi: '{client} đề nghị bạn đăng nhập bằng tài khoản định danh điện tử.',
    en: '{client} asks you to sign in with your electronic identity account.',
  },
  officer_console: {
    vi: 'Đăng nhập dành cho cán bộ: cần mã từ ứng dụng xác thực.',
    en: 'Officer sign-in: a code from your authenticator app is required.',
  },
  identifier_label: {
    vi: 'Số định danh cá nhân (12 chữ số) hoặc số hộ chiếu',
    en: 'Personal identification number (12 digits) or passport number',
  },
  identifier_hint: {
    vi: 'Công dân Việt Nam nhập số định danh cá nhân; người nước ngoài nhập số hộ chiếu.',
    en: 'Vietnamese citizens enter their personal identification number; foreigners their passport number.',
  },
  identifier_invalid: {
    vi: 'Nhập số định danh cá nhân gồm 12 chữ số, hoặc số hộ chiếu.',
    en: 'Enter a 12-digit personal identification number, or a passport number.',
  },
  continue: { vi: 'Tiếp tục', en: 'Continue' },
  signing_in_as: { vi: 'Đăng nhập với: {identifier}', en: 'Signing in as: {identifier}' },
  other_account: { vi: 'Dùng tài khoản khác', en: 'Use another account' },
  password_label: { vi: 'Mật khẩu', en: 'Password' },
  password_required: { vi: 'Nhập mật khẩu.', en: 'Enter your password.' },
  sign_in: { vi: 'Đăng nhập', en: 'Sign in' },
  title_otp: { vi: 'Nhập mã xác thực', en: 'Enter the verification code' },
  otp_sent: {
    vi: 'Mã xác thực gồm 6 chữ số đã được gửi bằng tin nhắn đến số điện thoại {phone}.',
    en: 'A 6-digit verification code was sent by text message to {phone}.',
  },
  otp_sent_representative: {
    vi: 'Mã xác thực gồm 6 chữ số đã được gửi bằng tin nhắn đến số điện thoại của người đại diện {phone}.',
    en: "A 6-digit verification code was sent by text message to your representative's phone {phone}.",
  },
  otp_label: { vi: 'Mã xác thực (6 chữ số)', en: 'Verification code (6 digits)' },
  totp_intro: {
    vi: 'Mở ứng dụng xác thực trên điện thoại của bạn và nhập mã gồm 6 chữ số.',
    en: 'Open the authenticator app on your phone and enter its 6-digit code.',
  },
  totp_label: { vi: 'Mã từ ứng dụng xác thực (6 chữ số)', en: 'Authenticator code (6 digits)' },
  otp_invalid_format: { vi: 'Mã xác thực gồm 6 chữ số.', en: 'The code has 6 digits.' },
  otp_resend: { vi: 'Gửi lại mã', en: 'Send a new code' },
  otp_resent: { vi: 'Đã gửi mã mới.', en: 'A new code was sent.' },
  confirm: { vi: 'Xác nhận', en: 'Confirm' },
  cancel: { vi: 'Hủy và quay lại dịch vụ', en: 'Cancel and go back to the service' },
  error_summary: { vi: 'Chưa thể tiếp tục', en: 'There is a problem' },
  title_consent: { vi: 'Đồng ý chia sẻ thông tin', en: 'Consent to share your information' },
  consent_intro: {
    vi: '{client} đề nghị được nhận các thông tin sau về bạn:',
    en: '{client} asks to receive the following information about you:',
  },
  consent_only_identity: {
    vi: '{client} đề nghị xác thực danh tính của bạn (không kèm thông tin cá nhân nào khác).',
    en: '{client} asks to authenticate you (no other personal information).',
  },
  consent_private: {
    vi: 'Đây là dịch vụ kết nối qua tổ chức cung cấp dịch vụ xác thực điện tử. Theo khoản 3 Điều 19 Nghị định 69/2024/NĐ-CP, bạn được hỏi ý kiến cho mỗi lần xác thực.',
    en: 'This service connects through a licensed authentication provider. Under Article 19(3) of Decree 69/2024/ND-CP you are asked for each authentication.',
  },
  consent_state: {
    vi: 'Lựa chọn của bạn được ghi nhớ cho lần sau. Bạn có thể thu hồi sự đồng ý bất cứ lúc nào trong ứng dụng.',
    en: 'Your choice is remembered for next time. You can withdraw your consent at any time in the app.',
  },
  consent_record: {
    vi: 'Mỗi lần đồng ý được ghi lại và bạn có thể xem trong lịch sử xác thực.',
    en: 'Each consent is recorded and shown in your authentication history.',
  },
  allow: { vi: 'Đồng ý', en: 'Allow' },
  deny: { vi: 'Không đồng ý', en: 'Deny' },
  title_representative: {
    vi: 'Đang chờ người đại diện xác nhận',
    en: "Waiting for your representative's confirmation",
  },
  representative_intro: {
    vi: 'Tài khoản của bạn có người đại diện. Theo Nghị định 69/2024/NĐ-CP, việc đăng nhập vào {client} cần được người đại diện xác nhận trên ứng dụng định danh điện tử.',
    en: "Your account has a representative. Under Decree 69/2024/ND-CP, signing in to {client} needs your representative's confirmation in the electronic identity app.",
  },
  representative_sent_to: {
    vi: 'Yêu cầu xác nhận đã được gửi đến người đại diện: {name}.',
    en: 'The request was sent to your representative: {name}.',
  },
  representative_sent_to_phone: {
    vi: 'Yêu cầu xác nhận đã được gửi đến người đại diện: {name}, số điện thoại {phone}.',
    en: 'The request was sent to your representative: {name}, phone {phone}.',
  },
  representative_deadline: {
    vi: 'Người đại diện cần xác nhận trước {time} (giờ Việt Nam). Khi đã được xác nhận, hãy bấm nút bên dưới để tiếp tục.',
    en: 'Your representative must confirm before {time} (Vietnam time). Once they have, press the button below to continue.',
  },
  representative_continue: { vi: 'Tôi đã được xác nhận, tiếp tục', en: 'I have been confirmed, continue' },
  representative_pending: {
    vi: 'Người đại diện chưa xác nhận. Vui lòng chờ thêm rồi bấm tiếp tục.',
    en: 'Your representative has not confirmed yet. Wait a little, then press continue.',
  },
  representative_refused: {
    vi: 'Người đại diện đã từ chối xác nhận việc đăng nhập này, nên bạn không thể đăng nhập vào {client}.',
    en: 'Your representative refused this sign-in, so you cannot sign in to {client}.',
  },
  representative_expired: {
    vi: 'Yêu cầu xác nhận đã hết hạn mà người đại diện chưa xác nhận. Bạn có thể đăng nhập lại để gửi yêu cầu mới.',
    en: 'The request expired before your representative confirmed it. You can sign in again to send a new request.',
  },
  representative_mismatch: {
    vi: 'Yêu cầu xác nhận không thuộc về lần đăng nhập này. Hãy quay lại dịch vụ và đăng nhập lại.',
    en: 'The confirmation request does not belong to this sign-in. Go back to the service and sign in again.',
  },
  sign_in_again: { vi: 'Đăng nhập lại', en: 'Sign in again' },
  back_to_service: { vi: 'Quay lại dịch vụ', en: 'Go back to the service' },
  title_error: { vi: 'Không thể tiếp tục', en: 'Something went wrong' },
  expired: {
    vi: 'Phiên đăng nhập đã hết hạn hoặc không còn hợp lệ. Hãy quay lại dịch vụ bạn đang dùng và đăng nhập lại.',
    en: 'This sign-in has expired or is no longer valid. Go back to the service you were using and sign in again.',
  },
  forged: {
    vi: 'Yêu cầu không hợp lệ (mã chống giả mạo không khớp). Hãy tải lại trang và thử lại.',
    en: 'The request is not valid (anti-forgery token mismatch). Reload the page and try again.',
  },
  not_officer: {
    vi: 'Tài khoản này không có vai trò cán bộ tại đơn vị nào nên không thể đăng nhập vào hệ thống dành cho cán bộ.',
    en: 'This account holds no officer role in any unit, so it cannot sign in to the officer console.',
  },
  unmet_level: {
    vi: 'Dịch vụ này yêu cầu tài khoản định danh điện tử mức độ 2; tài khoản của bạn đang ở mức độ 1. Để nâng lên mức độ 2, hãy mang thẻ căn cước gắn chip đến Công an cấp xã hoặc cơ quan quản lý căn cước bất kỳ để được thu nhận ảnh chân dung và vân tay (người nước ngoài: đến cơ quan quản lý xuất nhập cảnh, mang hộ chiếu). Bạn vẫn dùng tài khoản hiện tại, không cần đăng ký mới.',
    en: 'This service requires a level 2 electronic identity account; yours is level 1. To upgrade, bring your chip ID card to any commune police office or identity agency to have your portrait and fingerprints taken (foreigners: an immigration office, with your passport). You keep the same account; there is nothing new to register.',
  },
  server_error: {
    vi: 'Đã xảy ra lỗi hệ thống. Vui lòng thử lại sau. Mã tra cứu: {ref}',
    en: 'An internal error occurred. Try again later. Reference: {ref}',
  },
  error_code: { vi: 'Mã lỗi: {code}', en: 'Error code: {code}' },
  title_logout: { vi: 'Đăng xuất', en: 'Sign out' },
  logout_question: {
    vi: 'Bạn có muốn đăng xuất khỏi tài khoản định danh điện tử trên thiết bị này không?',
    en: 'Do you want to sign out of your electronic identity account on this device?',
  },
  logout_yes: { vi: 'Đăng xuất', en: 'Sign out' },
  logout_no: { vi: 'Giữ đăng nhập', en: 'Stay signed in' },
  logged_out: { vi: 'Bạn đã đăng xuất.', en: 'You are signed out.' },
  logged_out_from: { vi: 'Bạn đã đăng xuất khỏi {client}.', en: 'You are signed out of {client}.' },
} as const satisfies Record<string, Record<Locale, string>>;

export type MessageKey = keyof typeof messages;

export function t(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  return messages[key][locale].replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

/** Claim names as the consent page lists them. */
const CLAIM_LABELS: Record<string, Record<Locale, string>> = {
  name: { vi: 'Họ và tên', en: 'Full name' },
  family_name: { vi: 'Họ', en: 'Family name' },
  given_name: { vi: 'Tên', en: 'Given name' },
  birthdate: { vi: 'Ngày sinh', en: 'Date of birth' },
  gender: { vi: 'Giới tính', en: 'Sex' },
  pin: { vi: 'Số định danh cá nhân', en: 'Personal identification number' },
  phone_number: { vi: 'Số điện thoại', en: 'Phone number' },
  email: { vi: 'Thư điện tử', en: 'E-mail address' },
  address: { vi: 'Nơi thường trú', en: 'Permanent residence' },
  level: { vi: 'Mức độ tài khoản định danh điện tử', en: 'Electronic identity account level' },
};

export function claimLabels(claims: string[], locale: Locale): string[] {
  return [...new Set(claims.map((c) => CLAIM_LABELS[c]?.[locale]).filter((l): l is string => Boolean(l)))];
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#f3f4f6}
header{background:#b3261e;color:#fff;padding:.75rem 1rem;display:flex;justify-content:space-between;align-items:center}
header a{color:#fff}main{max-width:30rem;margin:1.5rem auto;background:#fff;padding:1.5rem;border-radius:.5rem}
h1{font-size:1.5rem;margin-top:0}label{display:block;font-weight:600;margin:1rem 0 .25rem}
.hint{color:#4b5563;font-size:.9rem;margin:.25rem 0}input[type=text],input[type=password]{width:100%;padding:.6rem;font-size:1.1rem;border:2px solid #374151;border-radius:.25rem}
input:focus,button:focus,a:focus{outline:3px solid #f59e0b;outline-offset:2px}
button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem;border-radius:.25rem;border:2px solid #b3261e;background:#b3261e;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#b3261e}.errors{border:3px solid #b3261e;padding:.75rem 1rem;margin-bottom:1rem}
.errors h2{font-size:1.1rem;margin:0 0 .25rem}.notice{border-left:4px solid #2563eb;padding:.5rem .75rem;background:#eff6ff}
.inline{display:inline}ul.claims{padding-left:1.25rem}
`;

export interface PageOptions {
  locale: Locale;
  title: string;
  /** Escaped HTML of the page body. */
  body: string;
  /** Messages for the error summary (plain text). */
  errors?: string[];
  /** Link target of the language switch (same page, other language). */
  switchHref?: string;
}

export function page(options: PageOptions): string {
  const { locale, title, body } = options;
  const errors = options.errors?.length
    ? `<div class="errors" role="alert" aria-live="assertive" tabindex="-1" id="error-summary">
<h2>${escapeHtml(t(locale, 'error_summary'))}</h2><ul>${options.errors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul></div>`
    : '';
  const other: Locale = locale === 'vi' ? 'en' : 'vi';
  const switchLink = options.switchHref
    ? `<a href="${escapeHtml(options.switchHref)}" lang="${other}" hreflang="${other}">${escapeHtml(t(locale, 'switch_language'))}</a>`
    : '';
  return `<!DOCTYPE html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(options.errors?.length ? `${t(locale, 'error_summary')}: ${title}` : title)} – ${escapeHtml(t(locale, 'brand'))}</title>
<style>${STYLE}</style>
</head>
<body>
<header><span>${escapeHtml(t(locale, 'brand'))}</span>${switchLink}</header>
<main id="main">
<h1>${escapeHtml(title)}</h1>
${errors}
${body}
</main>
</body>
</html>`;
}

/** Security headers of every provider page: no framing (clickjacking), no caching, no referrer. */
export const PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

/** The locale from the `dd_lang` cookie or a header list, Vietnamese by default. */
export function pickLocale(...candidates: (string | undefined | null)[]): Locale {
  for (const c of candidates) {
    if (!c) continue;
    for (const tag of c.split(/[\s,]+/)) {
      const lower = tag.trim().toLowerCase();
      if (lower.startsWith('en')) return 'en';
      if (lower.startsWith('vi')) return 'vi';
    }
  }
  return 'vi';
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    if (!name) continue;
    try {
      out[name] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      out[name] = part.slice(i + 1).trim();
    }
  }
  return out;
}

export const LANG_COOKIE = 'dd_lang';
