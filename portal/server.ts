import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { argon2Hasher, type PasswordHasher } from '../src/auth/passwords.ts';
import { sendProblem, toProblem } from '../src/http/problem.ts';
import { Problem } from '../src/platform/errors.ts';
import { createLogger, type Logger } from '../src/platform/logger.ts';
import { authRoutes } from './auth-routes.ts';
import { backofficeRoutes } from './backoffice-routes.ts';
import { seedCatalogue } from './catalogue.ts';
import { catalogueRoutes } from './catalogue-routes.ts';
import type { PortalOptions } from './config.ts';
import { sendPage, type PortalContext } from './context.ts';
import { connectPortal, ensureDatabase, type PortalDatabase } from './database.ts';
import { createSessions, localeOfRequest, registerBodyParsers, tr, wantsJson } from './http.ts';
import { DEFAULT_OTP_POLICY, sendDueSms, smppSender, type OtpPolicy, type SmsSender } from './messaging.ts';
import { migratePortal, pendingPortalMigrations } from './migrations.ts';
import { passportRoutes } from './passport-routes.ts';
import { sandboxGateway } from './payment.ts';
import { paymentRoutes } from './payment-routes.ts';
import { platformClient, registerWithPlatform, type PlatformClient } from './platform-client.ts';
import { portalProblem } from './problems.ts';
import { e } from './views.ts';

/**
 * The National Public Service Portal: a relying party of the platform with its own Fastify
 * server, database, sessions and migrations. `startPortal` opens (and creates) its database,
 * migrates it, seeds the catalogue, registers the portal with the platform as a state relying
 * party, and listens.
 */
export const MULTIPART_LIMIT = 16 * 1024 * 1024;

const notRegistered: PlatformClient = {
  registration: { clientId: '', clientSecret: '' },
  oidc: () => Promise.reject(new Error('the portal is not registered with the platform yet')),
  addWorkingDays: () => Promise.reject(new Error('the portal is not registered with the platform yet')),
  checkCitizen: () => Promise.reject(new Error('the portal is not registered with the platform yet')),
};

export interface BuildOptions {
  db: PortalDatabase['db'];
  log: Logger;
  baseUrl: string;
  platformUrl: string;
  /** The platform as seen by a registered relying party (set later by startPortal, once registered). */
  platform?: PlatformClient;
  sandbox: boolean;
  paymentSecret: string;
  now?: () => Date;
  otpPolicy?: OtpPolicy;
  hasher?: PasswordHasher;
  kickSms?: () => void;
}

export async function buildPortal(options: BuildOptions): Promise<{ app: FastifyInstance; ctx: PortalContext }> {
  const now = options.now ?? (() => new Date());
  const ctx: PortalContext = {
    db: options.db,
    log: options.log,
    now,
    baseUrl: options.baseUrl,
    platformUrl: options.platformUrl,
    platform: options.platform ?? notRegistered,
    sessions: createSessions(options.db, { secure: options.baseUrl.startsWith('https:'), now }),
    gateway: sandboxGateway(options.paymentSecret),
    sandbox: options.sandbox,
    otpPolicy: options.otpPolicy ?? DEFAULT_OTP_POLICY,
    hasher: options.hasher ?? argon2Hasher(),
    kickSms: options.kickSms ?? (() => undefined),
  };
  const app = Fastify({
    loggerInstance: options.log as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    bodyLimit: 1024 * 1024,
    trustProxy: false,
  });
  registerBodyParsers(app, { multipartLimit: MULTIPART_LIMIT });

  app.setErrorHandler(async (error, request, reply) => {
    let problem: Problem;
    const code = (error as { code?: string }).code;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      problem = portalProblem('PORTAL_PAYLOAD_TOO_LARGE', { max: `${MULTIPART_LIMIT / 1024 / 1024} MB` });
    else problem = toProblem(error as Error, request.id);
    if (problem.status >= 500) request.log.error({ err: error }, 'portal: request failed');
    const acceptsHtml = String(request.headers.accept ?? '').includes('text/html');
    if (!acceptsHtml || wantsJson(request)) return sendProblem(request, reply, problem);
    const locale = localeOfRequest(request);
    const L = (vi: string, en: string) => tr(locale, vi, en);
    const title =
      problem.status === 404
        ? L('Không tìm thấy', 'Not found')
        : problem.status >= 500
          ? L('Đã có lỗi xảy ra', 'Something went wrong')
          : L('Không thực hiện được', 'That did not work');
    return sendPage(
      ctx,
      request,
      reply,
      title,
      `<div class="warn" role="alert"><p>${e(problem.messageIn(locale))}</p></div><p><a href="/">${L('Về trang chủ', 'Home')}</a></p>`,
      {
        status: problem.status,
      },
    );
  });
  app.setNotFoundHandler(async (request, reply) => {
    const problem = portalProblem('PORTAL_NOT_FOUND', { what: request.url.split('?')[0] ?? '' });
    if (wantsJson(request) || !String(request.headers.accept ?? '').includes('text/html'))
      return sendProblem(request, reply, problem);
    return sendPage(
      ctx,
      request,
      reply,
      tr(localeOfRequest(request), 'Không tìm thấy trang', 'Page not found'),
      `<p><a href="/">${tr(localeOfRequest(request), 'Về trang chủ', 'Home')}</a></p>`,
      { status: 404 },
    );
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const pending = await pendingPortalMigrations(options.db);
    if (pending.length > 0) return reply.status(503).send({ status: 'migrating', pending });
    return { status: 'ready', client_id: ctx.platform.registration.clientId };
  });

  await app.register(authRoutes(ctx));
  await app.register(catalogueRoutes(ctx));
  await app.register(passportRoutes(ctx));
  await app.register(paymentRoutes(ctx));
  await app.register(backofficeRoutes(ctx));
  return { app, ctx };
}

export interface RunningPortal {
  app: FastifyInstance;
  ctx: PortalContext;
  url: string;
  clientId: string;
  database: PortalDatabase;
  /** Sends the SMS that are due now (tests; the loop does it otherwise). */
  flushSms(): Promise<number>;
  stop(): Promise<void>;
}

/** Makes the given platform subjects immigration officers of the portal (idempotent). */
export async function seedOfficers(
  db: PortalDatabase['db'],
  officers: { sub: string; fullName: string }[],
  by: string,
  now: Date,
) {
  for (const o of officers) {
    await db
      .insertInto('portal.officers')
      .values({ sub: o.sub, full_name: o.fullName, added_by: by, added_at: now })
      .onConflict((oc) => oc.column('sub').doUpdateSet({ full_name: o.fullName }))
      .execute();
  }
}

export async function startPortal(
  options: PortalOptions & {
    log?: Logger;
    now?: () => Date;
    otpPolicy?: OtpPolicy;
    hasher?: PasswordHasher;
    sender?: SmsSender;
  },
): Promise<RunningPortal> {
  const log = options.log ?? createLogger({ level: options.logLevel ?? 'info' });
  const now = options.now ?? (() => new Date());
  await ensureDatabase(options.databaseUrl);
  const database = connectPortal(options.databaseUrl);
  try {
    const applied = await migratePortal(database.db);
    if (applied.length > 0) log.info({ applied }, 'portal: migrations applied');
    await seedCatalogue(database.db);
    if (options.officers?.length) await seedOfficers(database.db, options.officers, 'sandbox', now());

    // Listen first (port 0 picks one): the registration names the portal's own URLs.
    const port = options.port ?? 3001;
    const host = options.host ?? '127.0.0.1';
    let kick: () => void = () => undefined;
    const sandbox = options.sandbox ?? false;
    if (!options.paymentSecret && !sandbox) throw new Error('PORTAL_PAYMENT_SECRET is required outside the sandbox');
    const { app, ctx } = await buildPortal({
      db: database.db,
      log,
      baseUrl: options.baseUrl ?? `http://${host}:${port}`,
      platformUrl: options.platformUrl,
      sandbox,
      paymentSecret: options.paymentSecret ?? randomBytes(32).toString('base64url'),
      now,
      otpPolicy: options.otpPolicy,
      hasher: options.hasher,
      kickSms: () => kick(),
    });
    await app.listen({ host, port });
    const actualPort = (app.server.address() as AddressInfo).port;
    const url = (
      options.baseUrl ?? `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${actualPort}`
    ).replace(/\/$/, '');
    ctx.baseUrl = url;
    try {
      const registration = await registerWithPlatform({
        platformUrl: options.platformUrl,
        adminToken: options.adminToken,
        portalUrl: url,
        clientId: options.clientId,
        log,
      });
      ctx.platform = platformClient(options.platformUrl, registration);
    } catch (error) {
      await app.close();
      throw error;
    }

    // The SMS sender: kicked after each commit that queued messages, and every few seconds.
    const sender = options.sender ?? (options.smpp ? smppSender(options.smpp) : undefined);
    if (!sender) log.warn('portal: no SMSC configured, SMS stay queued in portal.sms_outbox');
    let sending: Promise<number> | undefined;
    const flushSms = async (): Promise<number> => {
      if (!sender) return 0;
      while (sending) await sending.catch(() => 0);
      sending = sendDueSms(database.db, sender, now(), log).finally(() => {
        sending = undefined;
      });
      return sending;
    };
    let timer: NodeJS.Timeout | undefined;
    let housekeeping: NodeJS.Timeout | undefined;
    if (options.workers !== false) {
      kick = () => void flushSms().catch((error: unknown) => log.warn({ err: error }, 'portal: SMS sender'));
      timer = setInterval(kick, 3000);
      housekeeping = setInterval(() => {
        const t = now();
        void Promise.all([
          database.db.deleteFrom('portal.sessions').where('expires_at', '<', t).execute(),
          database.db
            .deleteFrom('portal.captchas')
            .where('expires_at', '<', new Date(t.getTime() - 3600_000))
            .execute(),
        ]).catch((error: unknown) => log.warn({ err: error }, 'portal: housekeeping'));
      }, 60_000);
    }
    let stopping: Promise<void> | undefined;
    return {
      app,
      ctx,
      url,
      clientId: ctx.platform.registration.clientId,
      database,
      flushSms,
      stop() {
        stopping ??= (async () => {
          if (timer) clearInterval(timer);
          if (housekeeping) clearInterval(housekeeping);
          await app.close();
          await sending?.catch(() => undefined);
          await sender?.close();
          await database.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
