/**
 * Errors as RFC 9457 problem details. Every problem has a stable machine `code`, an HTTP status,
 * and a message in Vietnamese (default) and English. Contexts declare their own problems with
 * `defineProblems` next to their code; the HTTP layer renders them in the caller's language.
 */

export type Locale = 'vi' | 'en';

export interface ProblemSpec {
  status: number;
  /** Message templates; `{name}` is replaced by the problem's params. */
  vi: string;
  en: string;
}

const catalogue = new Map<string, ProblemSpec>();

/** Registers a context's problem codes and returns a typed factory for them. */
export function defineProblems<const T extends Record<string, ProblemSpec>>(specs: T) {
  for (const [code, spec] of Object.entries(specs)) {
    const known = catalogue.get(code);
    if (known && (known.vi !== spec.vi || known.status !== spec.status)) {
      throw new Error(`problem code ${code} is defined twice with different meanings`);
    }
    catalogue.set(code, spec);
  }
  return function problem(
    code: keyof T & string,
    params: Record<string, string | number> = {},
    extra: { field?: string; detail?: Record<string, unknown> } = {},
  ): Problem {
    return new Problem(code, params, extra.field, extra.detail);
  };
}

export class Problem extends Error {
  readonly status: number;
  constructor(
    readonly code: string,
    readonly params: Record<string, string | number> = {},
    readonly field?: string,
    readonly extensions?: Record<string, unknown>,
  ) {
    const spec = catalogue.get(code);
    super(spec ? render(spec.en, params) : code);
    this.name = 'Problem';
    this.status = spec?.status ?? 500;
  }

  messageIn(locale: Locale): string {
    const spec = catalogue.get(this.code);
    return spec ? render(spec[locale], this.params) : this.code;
  }
}

export function problemSpec(code: string): ProblemSpec | undefined {
  return catalogue.get(code);
}

export function render(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, key: string) => (key in params ? String(params[key]) : m));
}

/** The platform's own, cross-cutting problems. */
export const platformProblem = defineProblems({
  VALIDATION_FAILED: {
    status: 400,
    vi: 'Dữ liệu gửi lên không hợp lệ: {reason}',
    en: 'The request is not valid: {reason}',
  },
  MALFORMED_REQUEST: {
    status: 400,
    vi: 'Yêu cầu không đọc được: {reason}',
    en: 'The request could not be read: {reason}',
  },
  NOT_FOUND: { status: 404, vi: 'Không tìm thấy {what}.', en: '{what} was not found.' },
  ROUTE_NOT_FOUND: {
    status: 404,
    vi: 'Không có địa chỉ {method} {path}.',
    en: 'There is no {method} {path}.',
  },
  METHOD_NOT_ALLOWED: { status: 405, vi: 'Phương thức không được hỗ trợ.', en: 'Method not allowed.' },
  PAYLOAD_TOO_LARGE: { status: 413, vi: 'Dữ liệu gửi lên quá lớn.', en: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    vi: 'Kiểu dữ liệu {type} không được hỗ trợ.',
    en: 'Content type {type} is not supported.',
  },
  CONFLICT: {
    status: 409,
    vi: 'Bản ghi đã bị thay đổi bởi thao tác khác. Vui lòng tải lại và thử lại.',
    en: 'The record was changed by another action. Reload and try again.',
  },
  RATE_LIMITED: {
    status: 429,
    vi: 'Quá nhiều yêu cầu. Vui lòng thử lại sau {retryAfter} giây.',
    en: 'Too many requests. Try again in {retryAfter} seconds.',
  },
  UNAUTHENTICATED: { status: 401, vi: 'Bạn cần đăng nhập.', en: 'You need to sign in.' },
  FORBIDDEN: { status: 403, vi: 'Bạn không có quyền thực hiện thao tác này.', en: 'You may not do this.' },
  SERVICE_UNAVAILABLE: {
    status: 503,
    vi: 'Hệ thống tạm thời không phục vụ được: {reason}',
    en: 'The service is temporarily unavailable: {reason}',
  },
  INTERNAL_ERROR: {
    status: 500,
    vi: 'Đã xảy ra lỗi hệ thống. Mã tra cứu: {requestId}',
    en: 'An internal error occurred. Reference: {requestId}',
  },
});
