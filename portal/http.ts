import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PortalDb } from './database.ts';
import { portalProblem } from './problems.ts';
import type { SessionRecord, SessionRow } from './tables.ts';

/**
 * The portal's HTTP plumbing, kept small and dependency-free: form and multipart bodies, cookies,
 * server-side sessions (a random token in an HttpOnly cookie, its SHA-256 the row's key), the
 * anti-forgery token every form carries, and the reader's language.
 */

// --- bodies --------------------------------------------------------------------------------------

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface MultipartBody {
  fields: Record<string, string>;
  files: UploadedFile[];
}

/** Parses multipart/form-data (RFC 7578). Empty file inputs are dropped. */
export function parseMultipart(body: Buffer, contentType: string): MultipartBody {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const marker = boundary?.[1] ?? boundary?.[2]?.trim();
  if (!marker) throw new Error('multipart body without boundary');
  const delimiter = Buffer.from(`--${marker}`);
  const fields: Record<string, string> = {};
  const files: UploadedFile[] = [];
  let start = body.indexOf(delimiter);
  let parts = 0;
  while (start !== -1) {
    const afterDelimiter = start + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') break;
    const headerStart = afterDelimiter + 2; // CRLF
    const headerEnd = body.indexOf('\r\n\r\n', headerStart);
    if (headerEnd === -1) break;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next === -1) break;
    if (++parts > 50) throw new Error('too many parts');
    const headers = body.subarray(headerStart, headerEnd).toString('utf8');
    const data = body.subarray(headerEnd + 4, next);
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    const type = /content-type:\s*([^\r\n;]+)/i.exec(headers)?.[1]?.trim() ?? 'application/octet-stream';
    if (name !== undefined) {
      if (filename !== undefined) {
        if (filename !== '' || data.length > 0) {
          files.push({
            field: name,
            filename: filename.replace(/^.*[\\/]/, '').slice(0, 200),
            contentType: type,
            data,
          });
        }
      } else {
        fields[name] = data.toString('utf8');
      }
    }
    start = next + 2;
  }
  return { fields, files };
}

export function registerBodyParsers(app: FastifyInstance, options: { multipartLimit: number }): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 256 * 1024 },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: options.multipartLimit },
    (request, body, done) => {
      try {
        done(null, parseMultipart(body as Buffer, String(request.headers['content-type'])));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
}

/** The fields of a form body, whichever its encoding. */
export function formFields(request: FastifyRequest): Record<string, string> {
  const body = request.body as MultipartBody | Record<string, string> | undefined;
  if (!body) return {};
  if ('fields' in body && 'files' in body && typeof body.fields === 'object')
    return body.fields as Record<string, string>;
  return body as Record<string, string>;
}

export function formFiles(request: FastifyRequest): UploadedFile[] {
  const body = request.body as MultipartBody | undefined;
  return body && Array.isArray((body as MultipartBody).files) ? (body as MultipartBody).files : [];
}

// --- cookies -------------------------------------------------------------------------------------

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

export function setCookie(
  reply: FastifyReply,
  name: string,
  value: string,
  options: { maxAge?: number; httpOnly?: boolean; secure: boolean },
): void {
  const attrs = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'SameSite=Lax'];
  if (options.httpOnly !== false) attrs.push('HttpOnly');
  if (options.secure) attrs.push('Secure');
  if (options.maxAge !== undefined) attrs.push(`Max-Age=${options.maxAge}`);
  const previous = reply.getHeader('set-cookie');
  const list = Array.isArray(previous) ? previous : previous ? [String(previous)] : [];
  reply.header('set-cookie', [...list, attrs.join('; ')]);
}

// --- language ------------------------------------------------------------------------------------

export type Locale = 'vi' | 'en';
export const LANG_COOKIE = 'dvc_lang';

export function localeOfRequest(request: FastifyRequest): Locale {
  return readCookie(request, LANG_COOKIE) === 'en' ? 'en' : 'vi';
}

/** Picks the string of the reader's language. */
export const tr = (locale: Locale, vi: string, en: string): string => (locale === 'en' ? en : vi);

// --- sessions ------------------------------------------------------------------------------------

export const SESSION_COOKIE = 'dvc_sid';
const ANONYMOUS_TTL_MS = 60 * 60_000;
const SIGNED_IN_TTL_MS = 2 * 3600_000;

const tokenId = (token: string) => createHash('sha256').update(token).digest('hex');

export type Session = SessionRecord & { data: Record<string, unknown>; claims: Record<string, unknown> | null };

export interface Sessions {
  /** The request's session, if its cookie names a live one. */
  load(request: FastifyRequest): Promise<Session | undefined>;
  /** The request's session, made (anonymous) when there is none. */
  ensure(request: FastifyRequest, reply: FastifyReply): Promise<Session>;
  /**
   * A new session for a sign-in (the old one is deleted: no session fixation), keeping the
   * language.
   */
  signIn(
    request: FastifyRequest,
    reply: FastifyReply,
    fields: Pick<SessionRecord, 'kind' | 'user_id' | 'officer_sub' | 'auth_method' | 'acr' | 'sid' | 'id_token'> & {
      level: number;
      claims: Record<string, unknown> | null;
    },
  ): Promise<Session>;
  patchData(session: Session, patch: Record<string, unknown>): Promise<void>;
  destroy(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Ends every session the provider's session `sid` opened (back-channel logout). */
  endBySid(sid: string): Promise<number>;
}

export function createSessions(db: PortalDb, options: { secure: boolean; now: () => Date }): Sessions {
  const cookieOut = (reply: FastifyReply, token: string, ttlMs: number) =>
    setCookie(reply, SESSION_COOKIE, token, { secure: options.secure, maxAge: Math.floor(ttlMs / 1000) });

  async function load(request: FastifyRequest): Promise<Session | undefined> {
    const cached = (request as { portalSession?: Session }).portalSession;
    if (cached) return cached;
    const token = readCookie(request, SESSION_COOKIE);
    if (!token || token.length > 100) return undefined;
    const row = await db
      .selectFrom('portal.sessions')
      .selectAll()
      .where('id', '=', tokenId(token))
      .where('expires_at', '>', options.now())
      .executeTakeFirst();
    if (!row) return undefined;
    const session = row as unknown as Session;
    (request as { portalSession?: Session }).portalSession = session;
    return session;
  }

  async function create(
    request: FastifyRequest,
    reply: FastifyReply,
    fields: Partial<Omit<SessionRecord, 'claims' | 'data'>> & {
      kind: SessionRow['kind'];
      claims?: Record<string, unknown> | null;
    },
    ttlMs: number,
  ): Promise<Session> {
    const token = randomBytes(32).toString('base64url');
    const now = options.now();
    const row = await db
      .insertInto('portal.sessions')
      .values({
        id: tokenId(token),
        kind: fields.kind,
        user_id: fields.user_id ?? null,
        officer_sub: fields.officer_sub ?? null,
        auth_method: fields.auth_method ?? null,
        level: fields.level ?? 0,
        acr: fields.acr ?? null,
        sid: fields.sid ?? null,
        id_token: fields.id_token ?? null,
        claims: fields.claims ? JSON.stringify(fields.claims) : null,
        data: JSON.stringify({}),
        csrf: randomBytes(24).toString('base64url'),
        locale: localeOfRequest(request),
        created_at: now,
        expires_at: new Date(now.getTime() + ttlMs),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    cookieOut(reply, token, ttlMs);
    const session = row as unknown as Session;
    (request as { portalSession?: Session }).portalSession = session;
    return session;
  }

  return {
    load,
    async ensure(request, reply) {
      return (await load(request)) ?? create(request, reply, { kind: 'anonymous' }, ANONYMOUS_TTL_MS);
    },
    async signIn(request, reply, fields) {
      const old = await load(request);
      if (old) await db.deleteFrom('portal.sessions').where('id', '=', old.id).execute();
      (request as { portalSession?: Session }).portalSession = undefined;
      return create(request, reply, fields, SIGNED_IN_TTL_MS);
    },
    async patchData(session, patch) {
      const data = { ...session.data, ...patch };
      for (const [k, v] of Object.entries(patch)) if (v === undefined) delete data[k];
      await db
        .updateTable('portal.sessions')
        .set({ data: JSON.stringify(data) })
        .where('id', '=', session.id)
        .execute();
      session.data = data;
    },
    async destroy(request, reply) {
      const session = await load(request);
      if (session) await db.deleteFrom('portal.sessions').where('id', '=', session.id).execute();
      (request as { portalSession?: Session }).portalSession = undefined;
      setCookie(reply, SESSION_COOKIE, '', { secure: options.secure, maxAge: 0 });
    },
    async endBySid(sid) {
      const result = await db.deleteFrom('portal.sessions').where('sid', '=', sid).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

/** Refuses a form whose anti-forgery token is not the session's (constant time). */
export function checkCsrf(session: Session | undefined, fields: Record<string, string>): void {
  const given = Buffer.from(fields._csrf ?? '');
  const expected = Buffer.from(session?.csrf ?? '');
  if (!session || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw portalProblem('PORTAL_CSRF');
  }
}

/** Whether the client wants JSON (an API client) rather than a page. */
export function wantsJson(request: FastifyRequest): boolean {
  const accept = String(request.headers.accept ?? '');
  return accept.includes('application/json') && !accept.includes('text/html');
}
