import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Config } from '../src/platform/config.ts';
import type { Logger } from '../src/platform/logger.ts';
import { portalDatabaseUrl } from './database.ts';

/**
 * Starts the portal as its own process beside the platform (called by `npm start` once the
 * platform listens): a child process (`portal/main.ts` under tsx) with its own database (the
 * platform's name + `_portal`, on the same server or embedded cluster; PORTAL_DATABASE_URL
 * overrides), its own port (PORTAL_PORT, default 3001), registering itself with the platform as
 * a state relying party through the admin API. In sandbox mode its SMS go to the sandbox SMSC
 * and the platform's demo officers are its immigration officers.
 *
 * Never fatal to the platform: without an admin token, with PORTAL=off, or if the portal fails to
 * start, the platform runs on and the log says why.
 */
export interface PortalBeside {
  url: string;
  stop(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, '..');

export async function startPortalBeside(
  config: Config,
  running: {
    databaseUrl: string;
    sandbox: boolean;
    demoLogins: { accountId: string; fullName: string; totpUri?: string | undefined }[];
  },
  log: Logger,
): Promise<PortalBeside | undefined> {
  if (process.env.PORTAL === 'off') return undefined;
  if (!config.adminToken) {
    log.warn('portal: not started (no ADMIN_TOKEN to register it with the platform)');
    return undefined;
  }
  const port = process.env.PORTAL_PORT ?? '3001';
  const platformHost = new URL(config.baseUrl).hostname;
  const officers = running.sandbox
    ? running.demoLogins.filter((d) => d.totpUri).map((d) => ({ sub: d.accountId, fullName: d.fullName }))
    : [];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORTAL_PLATFORM_URL: config.baseUrl,
    PORTAL_ADMIN_TOKEN: config.adminToken,
    PORTAL_DATABASE_URL: process.env.PORTAL_DATABASE_URL || portalDatabaseUrl(running.databaseUrl),
    PORTAL_PORT: port,
    PORTAL_HOST: process.env.PORTAL_HOST || config.host,
    PORTAL_BASE_URL: process.env.PORTAL_BASE_URL || `http://${platformHost}:${port}`,
    PORTAL_SMPP_URL: process.env.PORTAL_SMPP_URL || config.smpp.url || '',
    PORTAL_SMPP_SYSTEM_ID: process.env.PORTAL_SMPP_SYSTEM_ID || config.smpp.systemId,
    PORTAL_SMPP_PASSWORD: process.env.PORTAL_SMPP_PASSWORD || config.smpp.password,
    PORTAL_SANDBOX: running.sandbox ? 'on' : (process.env.PORTAL_SANDBOX ?? 'off'),
    PORTAL_OFFICERS: JSON.stringify(officers),
    LOG_LEVEL: config.logLevel,
  };
  let child: ChildProcess;
  try {
    child = fork(path.join(ROOT, 'bin/run-ts.js'), [path.join(ROOT, 'portal/main.ts')], {
      cwd: ROOT,
      env,
      stdio: 'inherit',
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the portal did not start within 60 s')), 60_000);
      child.once('message', (message: { type?: string; url?: string }) => {
        if (message?.type === 'ready' && message.url) {
          clearTimeout(timer);
          resolve(message.url);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the portal exited with ${code}`));
      });
    });
    log.info({ url, pid: child.pid }, 'portal: listening');
    let stopping: Promise<void> | undefined;
    return {
      url,
      stop() {
        stopping ??= new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill('SIGTERM');
        });
        return stopping;
      },
    };
  } catch (error) {
    log.error({ err: error }, 'portal: not started; the platform runs without it');
    return undefined;
  }
}
