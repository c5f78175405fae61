import type { Config } from './platform/config.ts';
import { connect, type Database } from './platform/database.ts';
import { startEmbeddedPostgres } from './platform/embedded-postgres.ts';
import type { Logger } from './platform/logger.ts';
import { migrateToLatest } from './platform/migrations.ts';
import { systemClock } from './platform/clock.ts';
import { loadKeyring, secretBox } from './platform/crypto.ts';
import type { Platform } from './platform/context.ts';
import { buildServer, type App } from './http/server.ts';
import { prepareWebApp } from './http/web.ts';
import { ensureFirstPartyClients } from './oidc/first-party.ts';
import { createServices, type Services } from './services.ts';
import { startWorkers, type Workers } from './workers.ts';
import { seedSandboxIfEmpty, bannerDemo } from './sandbox.ts';
import { seedDemoAccounts, type DemoLogin } from './auth/demo.ts';
import { startKeyRefresher } from './oidc/worker.ts';
import { sandboxRelyingParty } from './oidc/sandbox-relying-party.ts';
import { sandboxBiometricsRoutes } from './biometrics/sandbox-routes.ts';
import { startSandboxGateway, type SandboxGateway } from './notify/sandbox-gateway.ts';
import { startPortalBeside, type PortalBeside } from '../portal/beside.ts';

/** A database ready for use: the configured one, or an embedded one started for this process. */
export interface OpenedDatabase extends Database {
  url: string;
  embedded: boolean;
}

export async function openDatabase(config: Config, log: Logger): Promise<OpenedDatabase> {
  if (config.databaseUrl) {
    const database = connect(config.databaseUrl);
    return { ...database, url: config.databaseUrl, embedded: false };
  }
  const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log });
  const database = connect(embedded.url);
  return {
    ...database,
    url: embedded.url,
    embedded: true,
    async close() {
      await database.close();
      await embedded.stop();
    },
  };
}

/**
 * In sandbox mode, SMS and e-mail go to loopback servers whose messages a tester reads at
 * /sandbox/messages (see notify/sandbox-gateway.ts). Sets the SMPP/SMTP URLs the worker uses.
 */
async function maybeStartSandboxGateway(config: Config, database: OpenedDatabase): Promise<SandboxGateway | undefined> {
  const wanted = config.sandboxGateway === 'on' || (config.sandboxGateway === 'auto' && database.embedded);
  if (!wanted || (config.smpp.url && config.smtp.url)) return undefined;
  const gateway = await startSandboxGateway({ systemId: config.smpp.systemId, password: config.smpp.password });
  config.smpp.url ??= gateway.smppUrl;
  config.smtp.url ??= gateway.smtpUrl;
  return gateway;
}

export interface Running {
  app: App;
  platform: Platform;
  services: Services;
  database: OpenedDatabase;
  workers: Workers;
  gateway: SandboxGateway | undefined;
  demoLogins: DemoLogin[];
  /** The National Public Service Portal, a relying party in its own process (portal/beside.ts). */
  portal: PortalBeside | undefined;
  stop(): Promise<void>;
}

/** `dinhdanh start`: database, migrations, sandbox data, HTTP server and workers in one process. */
export async function start(config: Config, log: Logger): Promise<Running> {
  const database = await openDatabase(config, log);
  try {
    const applied = await migrateToLatest(database.db);
    if (applied.length > 0) log.info({ applied }, 'migrations applied');
    const secrets = secretBox(await loadKeyring(config));
    const platform: Platform = { config, db: database.db, clock: systemClock, log, secrets };
    await seedSandboxIfEmpty(database.pool, config, log);
    const gateway = await maybeStartSandboxGateway(config, database);
    // The running sandbox matches faces and fingers for real; tests keep the sandbox rule unless they ask.
    const services = createServices(platform, { biometricMatchers: true });
    // In the background, so the server listens meanwhile; stop() waits for it.
    const enrolment = enrolDemoBiometrics(services, platform.log);
    const demoLogins = await seedDemoAccounts(platform, services);
    // Fails here, before listening, if the signing keys cannot be opened (wrong master key).
    await services.oidc.ready();
    // The citizen app and the officer console: their OpenID clients, and their pages (built if stale).
    await ensureFirstPartyClients(platform, { clients: services.oidc.clients, audit: services.audit });
    const web = await prepareWebApp(log);
    const app = await buildServer(platform, services, {
      plugins: gateway
        ? [
            gateway.routes,
            sandboxRelyingParty(platform, services.oidc),
            sandboxBiometricsRoutes({ registries: services.registries, biometrics: services.biometrics }),
          ]
        : [],
      web,
    });
    await app.listen({ host: config.host, port: config.port });
    // Every HTTP process follows key rotations made by any other process.
    const keyRefresher = startKeyRefresher(services.oidc, { log });
    const workers = config.workers
      ? startWorkers(platform, services, { databaseUrl: database.url })
      : { stop: async () => undefined };
    const portal = await startPortalBeside(
      config,
      { databaseUrl: database.url, sandbox: gateway !== undefined, demoLogins },
      log,
    );
    let stopping: Promise<void> | undefined;
    return {
      app,
      platform,
      services,
      database,
      workers,
      gateway,
      demoLogins,
      portal,
      stop() {
        // Stop taking requests, let in-flight work finish, then release the database.
        stopping ??= (async () => {
          await portal?.stop();
          await app.close();
          await enrolment;
          await keyRefresher.stop();
          await workers.stop();
          await gateway?.stop();
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

export function banner(config: Config, running: Running): string {
  const base = config.baseUrl;
  const lines = [
    '',
    '  dinhdanh: định danh và xác thực điện tử (sandbox)',
    '',
    `  Citizen app    ${base}/   (sign in with a demo account below)`,
    `  Officers       ${base}/officer/   (the officer console: password, then the TOTP code)`,
    `  API docs       ${base}/api/docs`,
    `  OpenAPI        ${base}/api/openapi.json`,
    `  Applications   ${base}/api/docs#/issuance   (officers' queue and decisions: #/officer)`,
    `  Health         ${base}/healthz   ${base}/readyz`,
    ...(running.portal
      ? [`  Public service portal ${running.portal.url}/   (a relying party in its own process)`]
      : []),
    ...(running.gateway ? [`  SMS and e-mail ${base}/sandbox/messages   (sandbox: nothing leaves this machine)`] : []),
    `  Database       ${running.database.embedded ? `embedded PostgreSQL, data in ${config.dataDir}` : 'DATABASE_URL'}`,
    '',
    ...bannerDemo(config, running.demoLogins, { sandboxPages: running.gateway !== undefined }),
    '',
    '  Ctrl-C stops the server' + (running.database.embedded ? ' and the embedded database.' : '.'),
    '',
  ];
  return lines.join('\n');
}

/**
 * Warms the face matcher up and gives the demo persons their reference templates (sealed in the
 * biometrics store) from the shared samples, once per database. Never throws: a failure leaves the
 * matchers to enrol each person on first use, and says so in the log.
 */
async function enrolDemoBiometrics(services: Services, log: Logger): Promise<void> {
  const biometrics = services.biometrics;
  if (!biometrics) return;
  try {
    const extractor = await biometrics.face.warmUp();
    const result = await biometrics.enrolSandbox({ extractor });
    if (result) log.info({ enrolment: result }, 'demo biometric references ready');
  } catch (error) {
    log.warn({ err: error }, 'demo biometric enrolment failed; references are enrolled on first use');
  }
}
