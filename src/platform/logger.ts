import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

// DESIGN.md: logs never carry secrets, and PINs, phone numbers and e-mails are masked
// (Law 91/2025 on personal data protection: minimise what leaves the system of record).
// A PIN is 12 digits starting with a province code 001–096 (DOMAIN.md §3); keep province and last three.
const PIN = /(?<!\d)(0\d{2})\d{6}(\d{3})(?!\d)/g;
// Vietnamese mobile numbers: 0 or +84/84, then a 3/5/7/8/9 prefix and eight digits.
const PHONE = /(?<![\d+])(\+?84|0)([35789]\d)\d{5}(\d{2})(?!\d)/g;
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;

/** Keys whose values are never logged, whatever they contain. */
const SECRET_KEYS = new Set([
  'password',
  'passcode',
  'otp',
  'code_verifier',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'authorization',
  'cookie',
  'template',
  'templates',
  'biometric',
]);

export function maskText(text: string): string {
  return text
    .replace(PIN, (_m, a: string, b: string) => `${a}******${b}`)
    .replace(PHONE, (_m, p: string, a: string, b: string) => `${p}${a}*****${b}`)
    .replace(EMAIL, (_m, a: string, d: string) => `${a}***@${d}`);
}

/** Deep copy of a log payload with secrets removed and personal identifiers masked. */
export function maskValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskText(value);
  if (typeof value === 'number' && Number.isInteger(value) && String(value).length >= 9) {
    return maskText(String(value));
  }
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Error) {
    return { type: value.name, message: maskText(value.message), stack: value.stack && maskText(value.stack) };
  }
  if (Array.isArray(value)) return value.map((v) => maskValue(v, depth + 1));
  // Class instances (requests, sockets, buffers) are left to their serialisers below.
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(source)) {
    out[key] = SECRET_KEYS.has(key.toLowerCase()) ? '[redacted]' : maskValue(v, depth + 1);
  }
  return out;
}

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: 'dinhdanh' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: {
      // Only what an operator needs; the URL is masked (a PIN may travel in a path or query).
      req: (req: { method?: string; url?: string; id?: string }) => ({
        method: req.method,
        url: maskText(req.url ?? ''),
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      err: pino.stdSerializers.err,
    },
    formatters: {
      log: (object) => maskValue(object) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        const masked = args.map((a) => (typeof a === 'string' ? maskText(a) : a)) as Parameters<typeof method>;
        method.apply(this, masked);
      },
    },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
