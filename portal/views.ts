import { escapeHtml as e } from '../src/platform/html.ts';
import { tr, type Locale } from './http.ts';

/**
 * Server-rendered pages: one layout (lang attribute, skip link, landmarks, visible focus, an
 * English switch), form fields whose label, hint and error are tied to the input, and an error
 * summary linking to each field at fault. No script is needed to use any page.
 */
export { e };

export interface Viewer {
  locale: Locale;
  /** Who is signed in, as shown in the header. */
  name?: string | undefined;
  officer?: boolean;
  csrf?: string | undefined;
  path: string;
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:"Segoe UI",system-ui,-apple-system,Roboto,sans-serif;font-size:1.0625rem;line-height:1.5;color:#1b1b1b;background:#f6f6f4}
a{color:#0b4f9c}a:hover{color:#072f5f}
:focus-visible{outline:3px solid #f9a825;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}.skip:focus{left:.5rem}
header{background:#a50e0e;color:#fff}
header .bar{max-width:64rem;margin:0 auto;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;justify-content:space-between}
header a{color:#fff}
header .brand{font-weight:700;font-size:1.15rem;text-decoration:none}
nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
main{max-width:64rem;margin:0 auto;padding:1rem 1rem 3rem;background:#fff;min-height:60vh}
footer{max-width:64rem;margin:0 auto;padding:1rem;color:#444;font-size:.9rem}
h1{font-size:1.6rem;margin-top:.5rem}
label,legend{font-weight:600;display:block;margin:.9rem 0 .25rem}
.hint{color:#4a4a4a;font-size:.95rem;margin:.1rem 0 .3rem}
input[type=text],input[type=password],input[type=email],input[type=tel],input[type=date],input[type=search],select,textarea{font:inherit;padding:.45rem .5rem;border:2px solid #5a5a5a;border-radius:3px;width:100%;max-width:32rem;background:#fff}
input[readonly]{background:#eee;border-color:#999}
input[aria-invalid=true],select[aria-invalid=true],textarea[aria-invalid=true]{border-color:#b00020}
.error{color:#b00020;font-weight:600;margin:.2rem 0}
.summary{border:3px solid #b00020;padding:.75rem 1rem;margin:1rem 0}
.summary h2{margin:0 0 .5rem;font-size:1.15rem}
.notice{border-left:6px solid #0b4f9c;background:#eef4fb;padding:.75rem 1rem;margin:1rem 0}
.warn{border-left:6px solid #b26a00;background:#fff6e5;padding:.75rem 1rem;margin:1rem 0}
.ok{border-left:6px solid #1e7d32;background:#edf7ee;padding:.75rem 1rem;margin:1rem 0}
button,.button{font:inherit;font-weight:600;background:#0b4f9c;color:#fff;border:0;border-radius:3px;padding:.6rem 1.1rem;margin:.8rem .5rem .2rem 0;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#e4e4e4;color:#1b1b1b}
button.danger{background:#a50e0e}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border-bottom:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}
dl.facts{display:grid;grid-template-columns:minmax(10rem,14rem) 1fr;gap:.3rem 1rem}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
.req{color:#b00020}
.captcha img{border:1px solid #999;display:block;margin:.25rem 0}
fieldset{border:1px solid #bbb;padding:.5rem 1rem 1rem;margin:1rem 0}
.tag{display:inline-block;padding:.1rem .5rem;border-radius:3px;background:#e7e7e7;font-size:.9rem}
@media (max-width:40rem){dl.facts{grid-template-columns:1fr}}
`;

export function layout(v: Viewer, title: string, body: string, options: { status?: string } = {}): string {
  const L = (vi: string, en: string) => tr(v.locale, vi, en);
  const other = v.locale === 'en' ? 'vi' : 'en';
  const nav = v.officer
    ? `<li><a href="/backoffice">${L('Hàng đợi hồ sơ', 'Dossier queue')}</a></li>`
    : `<li><a href="/">${L('Trang chủ', 'Home')}</a></li>
<li><a href="/dich-vu">${L('Dịch vụ công', 'Public services')}</a></li>
<li><a href="/ho-so">${L('Hồ sơ của tôi', 'My dossiers')}</a></li>
<li><a href="/thong-bao">${L('Thông báo', 'Notifications')}</a></li>`;
  const account = v.name
    ? `<form method="post" action="/auth/logout" style="display:inline"><input type="hidden" name="_csrf" value="${e(v.csrf ?? '')}">
<span>${e(v.name)}</span> <button type="submit" class="secondary" style="margin:0 0 0 .5rem;padding:.25rem .6rem">${L('Đăng xuất', 'Sign out')}</button></form>`
    : `<a href="/dang-nhap">${L('Đăng nhập', 'Sign in')}</a> · <a href="/dang-ky">${L('Đăng ký', 'Register')}</a>`;
  return `<!doctype html>
<html lang="${v.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)} – ${L('Cổng Dịch vụ công quốc gia', 'National Public Service Portal')}</title>
<style>${CSS}</style></head>
<body><a class="skip" href="#main">${L('Bỏ qua, đến nội dung chính', 'Skip to main content')}</a>
<header><div class="bar"><a class="brand" href="${v.officer ? '/backoffice' : '/'}">${L('Cổng Dịch vụ công quốc gia', 'National Public Service Portal')}${v.officer ? L(' · Cán bộ', ' · Officers') : ''}</a>
<nav aria-label="${L('Điều hướng chính', 'Main navigation')}"><ul>${nav}</ul></nav>
<div>${account} · <a href="/ngon-ngu?to=${other}&amp;back=${encodeURIComponent(v.path)}" lang="${other}">${other === 'en' ? 'English' : 'Tiếng Việt'}</a></div></div></header>
<main id="main" tabindex="-1">${options.status ? `<div role="status" class="ok">${options.status}</div>` : ''}
<h1>${e(title)}</h1>
${body}</main>
<footer>${L(
    'Môi trường thử nghiệm (sandbox). Cổng kết nối với hệ thống định danh và xác thực điện tử như một bên sử dụng dịch vụ.',
    'Sandbox environment. The portal connects to the electronic identification platform as a relying party.',
  )}</footer>
</body></html>`;
}

export interface FieldError {
  field: string;
  message: string;
}

/** The error summary (role=alert, focused first), linking to each field at fault. */
export function errorSummary(locale: Locale, errors: FieldError[]): string {
  if (errors.length === 0) return '';
  return `<div class="summary" role="alert" aria-labelledby="summary-title" tabindex="-1" id="error-summary">
<h2 id="summary-title">${tr(locale, 'Vui lòng kiểm tra lại thông tin', 'Please check the information')}</h2>
<ul>${errors.map((x) => `<li><a href="#f-${e(x.field)}">${e(x.message)}</a></li>`).join('')}</ul></div>`;
}

export interface FieldSpec {
  name: string;
  label: string;
  value?: string | undefined;
  error?: string | undefined;
  hint?: string | undefined;
  required?: boolean;
  type?: string;
  readonly?: boolean;
  autocomplete?: string;
  inputmode?: string;
  options?: { value: string; label: string }[];
  textarea?: boolean;
  accept?: string;
  /** Ids of more text that describes the control (e.g. what was uploaded already). */
  describedBy?: string;
}

export function field(f: FieldSpec): string {
  const id = `f-${f.name}`;
  const described = [f.hint ? `${id}-hint` : '', f.error ? `${id}-error` : '', f.describedBy ?? '']
    .filter(Boolean)
    .join(' ');
  const common = `id="${id}" name="${e(f.name)}"${f.required ? ' required aria-required="true"' : ''}${
    f.error ? ' aria-invalid="true"' : ''
  }${described ? ` aria-describedby="${described}"` : ''}`;
  let control: string;
  if (f.options) {
    control = `<select ${common}><option value="">—</option>${f.options
      .map((o) => `<option value="${e(o.value)}"${o.value === f.value ? ' selected' : ''}>${e(o.label)}</option>`)
      .join('')}</select>`;
  } else if (f.textarea) {
    control = `<textarea ${common} rows="3">${e(f.value ?? '')}</textarea>`;
  } else if (f.type === 'file') {
    control = `<input type="file" ${common}${f.accept ? ` accept="${e(f.accept)}"` : ''}>`;
  } else {
    control = `<input type="${f.type ?? 'text'}" ${common} value="${e(f.value ?? '')}"${f.readonly ? ' readonly' : ''}${
      f.autocomplete ? ` autocomplete="${e(f.autocomplete)}"` : ''
    }${f.inputmode ? ` inputmode="${e(f.inputmode)}"` : ''}>`;
  }
  return `<div class="field"><label for="${id}">${e(f.label)}${f.required ? ' <span class="req" aria-hidden="true">(*)</span>' : ''}</label>
${f.hint ? `<p class="hint" id="${id}-hint">${e(f.hint)}</p>` : ''}${f.error ? `<p class="error" id="${id}-error">${e(f.error)}</p>` : ''}
${control}</div>`;
}

export function csrfInput(csrf: string | undefined): string {
  return `<input type="hidden" name="_csrf" value="${e(csrf ?? '')}">`;
}

export function money(vnd: number, locale: Locale): string {
  return `${vnd.toLocaleString('vi-VN')} ${tr(locale, 'đồng', 'VND')}`;
}

/** dd/mm/yyyy hh:mm in Vietnam (UTC+7), whatever the server's zone. */
export function vnDateTime(instant: Date | string): string {
  const d = new Date(new Date(instant).getTime() + 7 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

export function vnDate(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
}
