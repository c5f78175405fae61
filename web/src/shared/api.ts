import { currentLang, type Translate } from './i18n.tsx';

/**
 * The platform's API from the browser: the access token as a bearer, the page's language as
 * Accept-Language (the server writes problem messages in it), and RFC 9457 problem+json turned into
 * an `ApiError` whose message is the server's `detail`, with per-field messages for forms.
 */

/** A problem+json body (src/http/problem.ts). */
export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  code?: string;
  detail?: string;
  field?: string;
  /** VALIDATION_FAILED: every field at fault, with ajv's reason (English). */
  errors?: { field: string; reason: string }[];
  [extension: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: ProblemBody;
  constructor(status: number, problem: ProblemBody) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code ?? `HTTP_${status}`;
    this.problem = problem;
  }
}

/** The server could not be reached (offline, DNS, connection refused). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('network error', { cause });
    this.name = 'NetworkError';
  }
}

/** Problems that mean the sign-in is over (token expired, revoked, account locked meanwhile). */
const SESSION_OVER = new Set(['UNAUTHENTICATED', 'OIDC_TOKEN_INVALID']);

export function isSessionOver(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401 && SESSION_OVER.has(error.code);
}

/** `body.passcode` → `passcode`: forms name their fields as the request body does. */
function fieldName(path: string): string {
  return path.replace(/^(body|querystring|params|headers)\./, '');
}

/** ajv's English reason → the message in the page's language. */
function reasonText(reason: string, t: Translate): string {
  const limit = /NOT have (more|fewer) than (\d+)/.exec(reason);
  if (limit) return t(limit[1] === 'more' ? 'field_too_long' : 'field_too_short', { n: Number(limit[2]) });
  if (/required property/.test(reason)) return t('field_required');
  if (/must match (pattern|format)/.test(reason)) return t('field_format');
  return t('field_invalid');
}

/** Problems about a field that do not name it (the auth context's passcode checks). */
function fieldOfCode(code: string): string | undefined {
  return code.startsWith('AUTH_PASSCODE') ? 'passcode' : undefined;
}

/**
 * Messages to show next to each field: a validation failure's every field, or the one field a
 * problem names (wrong passcode…) with the server's own message.
 */
export function fieldErrors(error: unknown, t: Translate): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  if (error.code === 'VALIDATION_FAILED' && Array.isArray(error.problem.errors)) {
    for (const e of error.problem.errors) out[fieldName(e.field)] ??= reasonText(e.reason, t);
    return out;
  }
  const field = error.problem.field ?? fieldOfCode(error.code);
  if (field) out[fieldName(field)] = error.message;
  return out;
}

/** A sentence for the error summary of a form or a page. */
export function errorMessage(error: unknown, t: Translate): string {
  if (error instanceof NetworkError) return t('error_network');
  if (error instanceof ApiError) {
    // A validation failure's detail repeats ajv's English; the fields carry the readable messages.
    if (error.code === 'VALIDATION_FAILED') return t('error_summary');
    return error.message;
  }
  return t('error_unexpected', { status: '?' });
}

export interface ApiOptions {
  /** The current access token, if signed in. */
  token(): string | undefined;
  /** Told when the server says the sign-in is over; the app sends the person back to sign in. */
  onSessionOver(): void;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface Api {
  get<T>(path: string, options?: RequestOptions): Promise<T>;
  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
}

async function problemOf(response: Response): Promise<ProblemBody> {
  try {
    const body: unknown = await response.json();
    return body && typeof body === 'object' ? (body as ProblemBody) : {};
  } catch {
    return {};
  }
}

export function createApi(options: ApiOptions): Api {
  async function request<T>(method: string, path: string, body: unknown, extra: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json',
      'accept-language': currentLang(),
      ...extra.headers,
    };
    const token = options.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: extra.signal ?? null,
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new NetworkError(error);
    }
    if (!response.ok) {
      const error = new ApiError(response.status, await problemOf(response));
      if (isSessionOver(error)) options.onSessionOver();
      throw error;
    }
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
  return {
    get: (path, extra) => request('GET', path, undefined, extra),
    post: (path, body, extra) => request('POST', path, body ?? {}, extra),
  };
}
