import path from 'node:path';

/**
 * Configuration is read once from the environment. Every key has a default that makes
 * `npm start` work on a fresh machine (embedded PostgreSQL, sandbox registries).
 */
export interface Config {
  /** PostgreSQL URL; when absent an embedded PostgreSQL is started under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Port of the embedded PostgreSQL (0 = pick a free one). */
  embeddedPgPort: number;
  host: string;
  port: number;
  /** The public base URL (used in printed links, OpenID issuer, e-mails). */
  baseUrl: string;
  logLevel: string;
  sandbox: { citizens: number; seed: number };
  smtp: { url: string | undefined; from: string };
  smpp: { url: string | undefined; systemId: string; password: string; sourceAddr: string };
  workers: boolean;
  /** Bearer token for the admin API until officers sign in through the provider; unset = closed. */
  adminToken: string | undefined;
  /**
   * Master keyring (`id:base64key,…`) that seals secrets at rest. Unset: read from, or created in,
   * `<dataDir>/master-keys` (development and sandbox only; production sets it).
   */
  masterKeys: string | undefined;
  /**
   * Loopback SMSC and mail server whose messages show at /sandbox/messages: `auto` runs them with
   * the embedded database when SMPP_URL / SMTP_URL are unset; `on` forces, `off` never.
   */
  sandboxGateway: 'auto' | 'on' | 'off';
  /** Back-channel logout to loopback/private addresses (sandbox relying parties); refused by default. */
  oidcAllowPrivateNetwork: boolean;
}

function intFrom(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected a non-negative integer, got "${value}"`);
  return n;
}

/** The public base URL: absolute http(s), no trailing slash (it is the OpenID issuer). */
function baseUrlFrom(value: string | undefined, port: number): string {
  if (value === undefined || value === '') return `http://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`BASE_URL must be an absolute http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`BASE_URL must be http(s), got "${value}"`);
  return url.toString().replace(/\/$/, '');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const host = env.HOST ?? '127.0.0.1';
  const port = intFrom(env.PORT, 3000);
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.DINHDANH_DATA_DIR ?? '.data'),
    embeddedPgPort: intFrom(env.EMBEDDED_PG_PORT, 0),
    host,
    port,
    baseUrl: baseUrlFrom(env.BASE_URL, port),
    logLevel: env.LOG_LEVEL ?? 'info',
    sandbox: {
      citizens: intFrom(env.SANDBOX_CITIZENS, 2000),
      seed: intFrom(env.SANDBOX_SEED, 69),
    },
    smtp: { url: env.SMTP_URL || undefined, from: env.MAIL_FROM ?? 'Định danh điện tử <no-reply@dinhdanh.local>' },
    smpp: {
      url: env.SMPP_URL || undefined,
      systemId: env.SMPP_SYSTEM_ID ?? 'dinhdanh',
      password: env.SMPP_PASSWORD ?? '',
      sourceAddr: env.SMPP_SOURCE_ADDR ?? 'DINHDANH',
    },
    workers: env.WORKERS !== 'off',
    adminToken: env.ADMIN_TOKEN || undefined,
    masterKeys: env.DINHDANH_MASTER_KEYS || undefined,
    oidcAllowPrivateNetwork: env.OIDC_ALLOW_PRIVATE_NETWORK === 'on',
    sandboxGateway: env.SANDBOX_GATEWAY === 'on' ? 'on' : env.SANDBOX_GATEWAY === 'off' ? 'off' : 'auto',
  };
}
