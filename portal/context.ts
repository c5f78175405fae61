import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PasswordHasher } from '../src/auth/passwords.ts';
import type { Logger } from '../src/platform/logger.ts';
import type { PortalDb } from './database.ts';
import { localeOfRequest, type Locale, type Session, type Sessions } from './http.ts';
import type { OtpPolicy } from './messaging.ts';
import type { PaymentGateway, sandboxGateway } from './payment.ts';
import type { PlatformClient } from './platform-client.ts';
import { portalProblem } from './problems.ts';
import type { User } from './tables.ts';
import { layout, type Viewer } from './views.ts';

/** What every route module of the portal is given. */
export interface PortalContext {
  db: PortalDb;
  log: Logger;
  now(): Date;
  /** The portal's public base URL (no trailing slash). */
  baseUrl: string;
  /** The platform's public base URL (the OpenID issuer). */
  platformUrl: string;
  platform: PlatformClient;
  sessions: Sessions;
  gateway: PaymentGateway & Partial<Pick<ReturnType<typeof sandboxGateway>, 'notice'>>;
  sandbox: boolean;
  otpPolicy: OtpPolicy;
  hasher: PasswordHasher;
  /** Wakes the SMS sender up (after a commit that queued SMS). */
  kickSms(): void;
}

export async function viewerOf(ctx: PortalContext, request: FastifyRequest, session?: Session): Promise<Viewer> {
  const s = session ?? (await ctx.sessions.load(request));
  const locale: Locale = localeOfRequest(request);
  let name: string | undefined;
  if (s?.kind === 'citizen' || s?.kind === 'officer') {
    name = typeof s.claims?.name === 'string' ? s.claims.name : undefined;
    if (!name && s.user_id) {
      name = (
        await ctx.db.selectFrom('portal.users').select('full_name').where('id', '=', s.user_id).executeTakeFirst()
      )?.full_name;
    }
  }
  return { locale, name, officer: s?.kind === 'officer', csrf: s?.csrf, path: request.url };
}

export async function sendPage(
  ctx: PortalContext,
  request: FastifyRequest,
  reply: FastifyReply,
  title: string,
  body: string | ((v: Viewer) => string),
  options: { status?: number; session?: Session; flash?: string } = {},
): Promise<FastifyReply> {
  const viewer = await viewerOf(ctx, request, options.session);
  const html = layout(viewer, title, typeof body === 'function' ? body(viewer) : body, { status: options.flash });
  return reply
    .status(options.status ?? 200)
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header(
      'content-security-policy',
      "default-src 'self'; img-src 'self' data:; style-src 'unsafe-inline'; script-src 'none'; " +
        `frame-ancestors 'none'; form-action 'self' ${new URL(ctx.platformUrl).origin}`,
    )
    .type('text/html; charset=utf-8')
    .send(html);
}

/** A citizen's session and portal user, or undefined (the caller redirects to sign-in). */
export async function citizenOf(
  ctx: PortalContext,
  request: FastifyRequest,
): Promise<{ session: Session; user: User } | undefined> {
  const session = await ctx.sessions.load(request);
  if (!session || session.kind !== 'citizen' || !session.user_id) return undefined;
  const user = await ctx.db.selectFrom('portal.users').selectAll().where('id', '=', session.user_id).executeTakeFirst();
  return user ? { session, user } : undefined;
}

export async function officerOf(ctx: PortalContext, request: FastifyRequest): Promise<Session> {
  const session = await ctx.sessions.load(request);
  if (!session || session.kind !== 'officer' || !session.officer_sub) throw portalProblem('PORTAL_OFFICER_ONLY');
  const officer = await ctx.db
    .selectFrom('portal.officers')
    .select('sub')
    .where('sub', '=', session.officer_sub)
    .executeTakeFirst();
  if (!officer) throw portalProblem('PORTAL_OFFICER_ONLY');
  return session;
}

/** A path on this site to go back to after sign-in (never another origin). */
export function safeNext(value: unknown, fallback = '/'): string {
  return typeof value === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : fallback;
}
