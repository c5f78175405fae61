/**
 * What the portal needs to run. `startPortal` takes it as options; `portal/main.ts` (the process
 * `npm start` forks) reads it from the environment.
 */
export interface SmppSettings {
  url: string | undefined;
  systemId: string;
  password: string;
  /** The sender name the portal's SMS carry (≤ 11 characters). */
  sourceAddr?: string;
}

export interface PortalOptions {
  /** The platform's public base URL: the OpenID issuer, and where its public APIs are. */
  platformUrl: string;
  /** The platform's bootstrap admin token, used once at start to register the portal as a relying party. */
  adminToken: string;
  /** The portal's own PostgreSQL database (created when missing). */
  databaseUrl: string;
  host?: string;
  /** Default 3001; 0 picks a free port. */
  port?: number;
  /** The portal's public base URL (default http://localhost:<port>). */
  baseUrl?: string;
  /** The SMSC the portal's SMS go to (the platform's sandbox SMSC in sandbox mode); no URL = they stay queued. */
  smpp?: SmppSettings;
  /** Client id to register under (default `dichvucong`). */
  clientId?: string;
  /**
   * Sandbox mode: the sandbox payment gateway's "bank" page, the platform's demo officers as
   * immigration officers. Off in production.
   */
  sandbox?: boolean;
  /** Platform subjects made immigration officers of the portal at start (sandbox: the demo officers). */
  officers?: { sub: string; fullName: string }[];
  /** HMAC key shared with the payment gateway (default: random per start, sandbox only). */
  paymentSecret?: string;
  logLevel?: string;
  /** Background loops (SMS sender, housekeeping); tests drive them by hand. Default on. */
  workers?: boolean;
}

export function portalOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): PortalOptions {
  const need = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`${name} is required`);
    return value;
  };
  return {
    platformUrl: need('PORTAL_PLATFORM_URL'),
    adminToken: need('PORTAL_ADMIN_TOKEN'),
    databaseUrl: need('PORTAL_DATABASE_URL'),
    host: env.PORTAL_HOST || env.HOST || '127.0.0.1',
    port: env.PORTAL_PORT ? Number(env.PORTAL_PORT) : 3001,
    baseUrl: env.PORTAL_BASE_URL || undefined,
    smpp: {
      url: env.PORTAL_SMPP_URL || undefined,
      systemId: env.PORTAL_SMPP_SYSTEM_ID ?? 'dinhdanh',
      password: env.PORTAL_SMPP_PASSWORD ?? '',
      sourceAddr: env.PORTAL_SMPP_SOURCE_ADDR || 'DICHVUCONG',
    },
    clientId: env.PORTAL_CLIENT_ID || undefined,
    sandbox: env.PORTAL_SANDBOX === 'on',
    officers: env.PORTAL_OFFICERS ? (JSON.parse(env.PORTAL_OFFICERS) as { sub: string; fullName: string }[]) : [],
    paymentSecret: env.PORTAL_PAYMENT_SECRET || undefined,
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}
