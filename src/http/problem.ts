import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { Problem, platformProblem, type Locale } from '../platform/errors.ts';

/** The caller's language: English when the first language they accept is English, else Vietnamese. */
export function localeOf(request: FastifyRequest): Locale {
  const header = request.headers['accept-language'];
  if (typeof header !== 'string' || header.trim() === '') return 'vi';
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1, index };
    })
    .filter((l) => l.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    if (tag.startsWith('vi')) return 'vi';
    if (tag.startsWith('en')) return 'en';
  }
  return 'vi';
}

/** Schema of a problem+json body (RFC 9457), referenced by routes for their error responses. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: 'Stable machine-readable code' }),
    detail: Type.String(),
    instance: Type.String(),
    field: Type.Optional(Type.String({ description: 'The request field at fault' })),
  },
  { $id: 'Problem', additionalProperties: true },
);

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem): FastifyReply {
  const locale = localeOf(request);
  const message = problem.messageIn(locale);
  const body: Record<string, unknown> = {
    type: `urn:dinhdanh:problem:${problem.code.toLowerCase().replace(/_/g, '-')}`,
    title: message,
    status: problem.status,
    code: problem.code,
    detail: message,
    instance: request.url,
    ...(problem.field ? { field: problem.field } : {}),
    ...(problem.extensions ?? {}),
  };
  if (problem.status === 429 && problem.params.retryAfter !== undefined) {
    reply.header('retry-after', String(problem.params.retryAfter));
  }
  return reply.status(problem.status).header('content-language', locale).type('application/problem+json').send(body);
}

/**
 * The schema rule a field broke, for a front end to word the message in its own language: ajv's
 * keyword (`required`, `maxLength`, `minLength`, `pattern`, `format`, `type`, `enum`…) and its
 * limit or format when it has one.
 */
function ruleOf(v: { keyword?: string; params?: Record<string, unknown> }): { rule: string; limit?: number | string } {
  const p = v.params ?? {};
  const limit = p.limit ?? p.format ?? p.pattern;
  return {
    rule: v.keyword ?? 'invalid',
    ...(typeof limit === 'number' || typeof limit === 'string' ? { limit } : {}),
  };
}

/** Translates what Fastify throws (validation, parsing, size limits) into stable problems. */
export function toProblem(error: FastifyError | Error, requestId: string): Problem {
  if (error instanceof Problem) return error;
  const e = error as FastifyError & {
    validation?: { instancePath?: string; keyword?: string; message?: string; params?: Record<string, unknown> }[];
  };
  if (e.validation && e.validation.length > 0) {
    // Every field at fault is listed (ajv runs with allErrors), so a form is fixed in one go.
    const errors = e.validation.map((v) => {
      const missing = v.params?.missingProperty;
      const field = [e.validationContext, v.instancePath?.replace(/^\//, '').replace(/\//g, '.'), missing]
        .filter((p) => typeof p === 'string' && p !== '')
        .join('.');
      return { field: field || 'body', reason: v.message ?? 'invalid', ...ruleOf(v) };
    });
    const unique = errors.filter((x, i) => errors.findIndex((y) => y.field === x.field) === i);
    return platformProblem(
      'VALIDATION_FAILED',
      { reason: unique.map((x) => `${x.field} ${x.reason}`).join('; ') },
      { field: unique[0]!.field, detail: { errors: unique } },
    );
  }
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return platformProblem('UNSUPPORTED_MEDIA_TYPE', { type: String(e.message.split(': ').pop()) });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return platformProblem('PAYLOAD_TOO_LARGE');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return platformProblem('MALFORMED_REQUEST', { reason: 'JSON' });
  }
  if (e.statusCode === 400 && /JSON/i.test(e.message)) return platformProblem('MALFORMED_REQUEST', { reason: 'JSON' });
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return platformProblem('MALFORMED_REQUEST', { reason: e.message });
  }
  return platformProblem('INTERNAL_ERROR', { requestId });
}
