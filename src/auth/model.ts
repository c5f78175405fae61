import { createHash } from 'node:crypto';
import { canonicalIdentifier, identityProblem, type Account, type AccountStatus } from '../identity/model.ts';
import { defineProblems } from '../platform/errors.ts';

/**
 * Credentials and their abuse limits (DOMAIN.md §7; Decree 69/2024 Arts 9, 14, 18). Pure rules
 * and types; the service applies them against the database.
 */

/**
 * What a code is for; a code serves only its purpose. `activation` (Decree 69 Art 14.1) is the one
 * purpose for an account that is not active yet: only `pending_activation` accounts get or use it.
 */
export type OtpPurpose = 'login' | 'device' | 'sensitive' | 'activation';
export const OTP_PURPOSES: readonly OtpPurpose[] = ['login', 'device', 'sensitive', 'activation'];

/**
 * The locked view: DOMAIN.md §6 (policy) says locking must never make unlocking impossible, so the
 * holder of a locked identity may still prove who they are (password, then a code) to reach a view
 * that only files an unlock request and reads notices (Law on Identification Arts 31–34). Death
 * (Art 34; Decree 69 Art 30) has no unlock, so it has no locked view either: nobody may sign in as
 * a dead person. Every other ground leaves the view open, whatever else holds.
 */
export function lockedViewOpen(account: Pick<Account, 'status' | 'lockReasons'>): boolean {
  return account.status === 'locked' && !account.lockReasons.includes('death');
}

/**
 * `allowLocked` on a credential check: the caller (the login interaction for the citizen app's
 * locked view, the holder's own unlock) accepts an account whose locked view is open
 * (`lockedViewOpen`). Without it, only an active account passes.
 */
export interface LockedViewOption {
  allowLocked?: boolean;
}

export interface LoginContext {
  ip: string;
  userAgent?: string;
  locale: 'vi' | 'en';
}

/** A code sent (or, for a decoy, pretended to be sent): what the caller may show. */
export interface OtpChallenge {
  challengeId: string;
  expiresAt: Date;
  maskedPhone: string;
}

/** Where a code goes (service internals, shared with activation.ts). */
export interface OtpTarget {
  /** The account the challenge is bound to; for a decoy, possibly an id derived from the identifier. */
  accountId: string;
  /** The audit subject: the account, or the masked identifier when there is no account. */
  subject: { kind: string; id: string };
  purpose: OtpPurpose;
  /** E.164 number the code goes to; null for a decoy (stored, counted, never sent, never matches). */
  phone: string | null;
  maskedPhone: string;
  /** Whose code it is when the phone is someone else's (a dependant's code on the representative's phone). */
  forName?: string;
  /** A decoy's reason in the ledger (`unknown_identifier`, `status_active`, `no_phone`…). */
  decoyReason?: string;
}

/** A code to check against a challenge (service internals, shared with activation.ts). */
export interface OtpCheck {
  challengeId: string;
  accountId: string;
  code: string;
  ctx: LoginContext;
  /** Undefined: any purpose but `activation`. */
  purpose: OtpPurpose | undefined;
  subject: { kind: string; id: string };
}

/** A checked code, to consume. */
export interface OtpUse {
  challengeId: string;
  accountId: string;
  ctx: LoginContext;
  purpose: OtpPurpose;
}

/** A counter over a fixed window: `max` events in `windowMs` lock the key for `lockMs`. */
export interface Limit {
  max: number;
  windowMs: number;
  lockMs: number;
}

export interface AuthPolicy {
  /** argon2id parameters for new hashes (OWASP: m=19 MiB, t=2, p=1). Stored hashes weaker than these are rehashed at login. */
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  password: { perAccount: Limit; perIp: Limit };
  otp: {
    ttlMs: number;
    attemptsPerChallenge: number;
    /** Wrong codes per account, whatever the challenge. */
    perAccount: Limit;
    perIp: Limit;
    /** Shortest time between two codes sent to an account. */
    resendIntervalMs: number;
    /** Codes sent to an account per hour. */
    sendsPerHour: number;
  };
  totp: { perAccount: Limit };
  passcode: { perAccount: Limit };
}

const MINUTE = 60_000;

/** Defaults (policy: DOMAIN.md §7 leaves the numbers to us; all configurable, see docs/accounts.md). */
export const DEFAULT_AUTH_POLICY: AuthPolicy = {
  argon2: { memoryCost: 19_456, timeCost: 2, parallelism: 1 },
  password: {
    perAccount: { max: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
    perIp: { max: 20, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
  },
  otp: {
    ttlMs: 5 * MINUTE,
    attemptsPerChallenge: 5,
    perAccount: { max: 10, windowMs: 60 * MINUTE, lockMs: 60 * MINUTE },
    perIp: { max: 50, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
    resendIntervalMs: MINUTE,
    sendsPerHour: 5,
  },
  totp: { perAccount: { max: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE } },
  passcode: { perAccount: { max: 5, windowMs: 15 * MINUTE, lockMs: 30 * MINUTE } },
};

export type PolicyOverrides = {
  [K in keyof AuthPolicy]?: {
    [L in keyof AuthPolicy[K]]?: AuthPolicy[K][L] extends object ? Partial<AuthPolicy[K][L]> : AuthPolicy[K][L];
  };
};

export function resolvePolicy(overrides: PolicyOverrides = {}): AuthPolicy {
  const out = structuredClone(DEFAULT_AUTH_POLICY) as unknown as Record<string, Record<string, unknown>>;
  for (const [section, values] of Object.entries(overrides)) {
    for (const [key, value] of Object.entries(values ?? {})) {
      const target = out[section]!;
      target[key] =
        typeof value === 'object' && value !== null ? { ...(target[key] as object), ...value } : (value as unknown);
    }
  }
  return out as unknown as AuthPolicy;
}

function intFrom(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer, got "${value}"`);
  return n;
}

/**
 * Policy from the environment (each key optional; minutes unless said): AUTH_ARGON2_MEMORY_KIB,
 * AUTH_ARGON2_TIME_COST, AUTH_PASSWORD_MAX_FAILURES, AUTH_PASSWORD_WINDOW_MIN,
 * AUTH_PASSWORD_LOCK_MIN, AUTH_PASSWORD_IP_MAX_FAILURES, AUTH_OTP_TTL_MIN,
 * AUTH_OTP_ATTEMPTS, AUTH_OTP_ACCOUNT_MAX_FAILURES, AUTH_OTP_RESEND_SECONDS,
 * AUTH_OTP_SENDS_PER_HOUR, AUTH_PASSCODE_MAX_FAILURES, AUTH_TOTP_MAX_FAILURES.
 */
export function authPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): AuthPolicy {
  const min = (name: string) => {
    const n = intFrom(env[name]);
    return n === undefined ? undefined : n * MINUTE;
  };
  const p = structuredClone(DEFAULT_AUTH_POLICY);
  const set = <T extends object, K extends keyof T>(o: T, k: K, v: T[K] | undefined) => {
    if (v !== undefined) o[k] = v;
  };
  set(p.argon2, 'memoryCost', intFrom(env.AUTH_ARGON2_MEMORY_KIB));
  set(p.argon2, 'timeCost', intFrom(env.AUTH_ARGON2_TIME_COST));
  set(p.password.perAccount, 'max', intFrom(env.AUTH_PASSWORD_MAX_FAILURES));
  set(p.password.perAccount, 'windowMs', min('AUTH_PASSWORD_WINDOW_MIN'));
  set(p.password.perAccount, 'lockMs', min('AUTH_PASSWORD_LOCK_MIN'));
  set(p.password.perIp, 'max', intFrom(env.AUTH_PASSWORD_IP_MAX_FAILURES));
  set(p.otp, 'ttlMs', min('AUTH_OTP_TTL_MIN'));
  set(p.otp, 'attemptsPerChallenge', intFrom(env.AUTH_OTP_ATTEMPTS));
  set(p.otp.perAccount, 'max', intFrom(env.AUTH_OTP_ACCOUNT_MAX_FAILURES));
  const resend = intFrom(env.AUTH_OTP_RESEND_SECONDS);
  if (resend !== undefined) p.otp.resendIntervalMs = resend * 1000;
  set(p.otp, 'sendsPerHour', intFrom(env.AUTH_OTP_SENDS_PER_HOUR));
  set(p.passcode.perAccount, 'max', intFrom(env.AUTH_PASSCODE_MAX_FAILURES));
  set(p.totp.perAccount, 'max', intFrom(env.AUTH_TOTP_MAX_FAILURES));
  return p;
}

export const authProblem = defineProblems({
  AUTH_INVALID_CREDENTIALS: {
    status: 401,
    vi: 'Số định danh hoặc mật khẩu không đúng.',
    en: 'The identification number or the password is wrong.',
  },
  AUTH_TEMPORARILY_LOCKED: {
    status: 429,
    vi: 'Bạn đã nhập sai quá nhiều lần. Chức năng này tạm thời bị khóa đến {untilVn} (giờ Việt Nam).',
    en: 'Too many failed attempts. This is blocked until {untilVn} (Vietnam time).',
  },
  AUTH_OTP_INVALID: {
    status: 401,
    vi: 'Mã xác thực (OTP) không đúng. Bạn còn {attemptsLeft} lần thử.',
    en: 'The verification code is wrong. {attemptsLeft} attempts left.',
  },
  AUTH_OTP_EXPIRED: {
    status: 401,
    vi: 'Mã xác thực (OTP) không còn hiệu lực (đã hết hạn, đã được sử dụng hoặc đã nhập sai quá số lần). Vui lòng yêu cầu mã mới.',
    en: 'The verification code is no longer valid (expired, already used or too many wrong tries). Ask for a new code.',
  },
  AUTH_OTP_THROTTLED: {
    status: 429,
    vi: 'Bạn vừa yêu cầu mã xác thực. Vui lòng chờ đến {untilVn} (giờ Việt Nam) để yêu cầu mã mới.',
    en: 'A code was just sent. You can ask for a new one at {untilVn} (Vietnam time).',
  },
  AUTH_NO_PHONE: {
    status: 409,
    vi: 'Tài khoản chưa có số điện thoại để nhận mã xác thực.',
    en: 'The account has no phone number to receive a verification code.',
  },
  AUTH_TOTP_INVALID: {
    status: 401,
    vi: 'Mã xác thực từ ứng dụng không đúng hoặc đã được sử dụng.',
    en: 'The authenticator code is wrong or was already used.',
  },
  AUTH_TOTP_NOT_ENROLLED: {
    status: 409,
    vi: 'Tài khoản chưa đăng ký ứng dụng xác thực (TOTP).',
    en: 'The account has no authenticator app (TOTP) enrolled.',
  },
  AUTH_TOTP_ALREADY_ENROLLED: {
    status: 409,
    vi: 'Tài khoản đã đăng ký ứng dụng xác thực; cần quản trị viên đặt lại trước khi đăng ký lại.',
    en: 'An authenticator app is already enrolled; an administrator must reset it first.',
  },
  AUTH_PASSCODE_INVALID: {
    status: 401,
    vi: 'Mã bảo vệ (passcode) không đúng. Bạn còn {attemptsLeft} lần thử.',
    en: 'The passcode is wrong. {attemptsLeft} attempts left.',
  },
  AUTH_PASSCODE_NOT_SET: {
    status: 409,
    vi: 'Tài khoản chưa đặt mã bảo vệ (passcode).',
    en: 'The account has no passcode.',
  },
  AUTH_PASSCODE_FORMAT: {
    status: 400,
    vi: 'Mã bảo vệ phải gồm đúng 6 chữ số.',
    en: 'A passcode is exactly 6 digits.',
  },
  AUTH_PASSWORD_POLICY: {
    status: 400,
    vi: 'Mật khẩu chưa đạt yêu cầu: {reasonsVi}.',
    en: 'The password does not meet the rules: {reasonsEn}.',
  },
  AUTH_DEVICE_INVALID: {
    status: 400,
    vi: 'Tên thiết bị không hợp lệ (1–100 ký tự).',
    en: 'The device name is not valid (1–100 characters).',
  },
  // Decree 69 Art 14.2: after the 7 days, only the agency's hotline can reopen activation.
  AUTH_ACTIVATION_PERIOD_OVER: {
    status: 403,
    vi: 'Đã hết thời hạn 7 ngày để kích hoạt tài khoản trên ứng dụng. Vui lòng gọi tổng đài hỗ trợ của cơ quan quản lý định danh và xác thực điện tử: sau khi xác minh, tổng đài sẽ mở lại việc kích hoạt cho bạn.',
    en: 'The 7 days to activate the account in the app are over. Call the support hotline of the identity management agency: once it has verified who you are, it will reopen activation for you.',
  },
});

// ---------------------------------------------------------------------------------------------
// Password policy

export type PasswordViolation = 'too_short' | 'too_long' | 'no_upper' | 'no_lower' | 'no_digit' | 'no_symbol';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 20;

export const PASSWORD_VIOLATION_MESSAGES: Record<PasswordViolation, { vi: string; en: string }> = {
  too_short: { vi: `có ít nhất ${PASSWORD_MIN} ký tự`, en: `at least ${PASSWORD_MIN} characters` },
  too_long: { vi: `có nhiều nhất ${PASSWORD_MAX} ký tự`, en: `at most ${PASSWORD_MAX} characters` },
  no_upper: { vi: 'có ít nhất một chữ in hoa', en: 'at least one upper-case letter' },
  no_lower: { vi: 'có ít nhất một chữ thường', en: 'at least one lower-case letter' },
  no_digit: { vi: 'có ít nhất một chữ số', en: 'at least one digit' },
  no_symbol: { vi: 'có ít nhất một ký tự đặc biệt (ví dụ @ # $ !)', en: 'at least one symbol (e.g. @ # $ !)' },
};

/**
 * The app's password rules (DOMAIN.md §7: 8–20 characters with upper case, lower case, a digit and
 * a symbol). Returns every rule broken, with messages in both languages; empty when it passes.
 * Lengths count characters (code points), so Vietnamese letters count as one.
 */
export function passwordViolations(password: string): { code: PasswordViolation; vi: string; en: string }[] {
  const length = [...password].length;
  const broken: PasswordViolation[] = [];
  if (length < PASSWORD_MIN) broken.push('too_short');
  if (length > PASSWORD_MAX) broken.push('too_long');
  if (!/\p{Lu}/u.test(password)) broken.push('no_upper');
  if (!/\p{Ll}/u.test(password)) broken.push('no_lower');
  if (!/\p{Nd}/u.test(password)) broken.push('no_digit');
  if (!/[^\p{L}\p{N}\s]/u.test(password)) broken.push('no_symbol');
  return broken.map((code) => ({ code, ...PASSWORD_VIOLATION_MESSAGES[code] }));
}

/** An activation code asked for, or checked, on an account that is not pending activation. */
export function notPendingProblem(status: AccountStatus) {
  return identityProblem('ACCOUNT_TRANSITION_NOT_ALLOWED', { action: 'activate', status });
}

export function passwordPolicyProblem(violations: ReturnType<typeof passwordViolations>) {
  return authProblem(
    'AUTH_PASSWORD_POLICY',
    { reasonsVi: violations.map((v) => v.vi).join('; '), reasonsEn: violations.map((v) => v.en).join('; ') },
    { field: 'password', detail: { violations } },
  );
}

// ---------------------------------------------------------------------------------------------
// Helpers

const VN_OFFSET_MS = 7 * 3600_000;

/** An instant as Vietnam wall-clock time (UTC+7, no daylight saving): '14:05 27/11/2026'. */
export function formatVnTime(instant: Date): string {
  const d = new Date(instant.getTime() + VN_OFFSET_MS);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())} ${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}

/** Params of AUTH_TEMPORARILY_LOCKED / AUTH_OTP_THROTTLED: the end as an ISO instant, seconds to wait, and local time. */
export function untilParams(until: Date, now: Date) {
  return {
    until: until.toISOString(),
    retryAfter: Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)),
    untilVn: formatVnTime(until),
  };
}

function expandIpv6(ip: string): string[] | undefined {
  const [head = '', tail] = ip.split('::');
  if (ip.split('::').length > 2) return undefined;
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  if (fill < 0) return undefined;
  const groups = [...h, ...Array<string>(fill).fill('0'), ...t];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}

/**
 * The network a request comes from, for per-IP limits: an IPv4 address as is (an IPv4-mapped
 * IPv6 address as its IPv4 form), an IPv6 address as its /64 (one subscriber usually holds a whole
 * /64, so counting single addresses would let them rotate freely).
 */
export function networkOf(ip: string): string {
  const value = (ip ?? '').trim().toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(value);
  if (mapped) return mapped[1]!;
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(value)) return value;
  const groups = value.includes(':') ? expandIpv6(value.split('%')[0]!) : undefined;
  if (groups) return `${groups.slice(0, 4).join(':')}::/64`;
  return value ? `other:${createHash('sha256').update(value).digest('hex').slice(0, 16)}` : 'unknown';
}

export const throttleKeys = {
  passwordAccount: (accountId: string) => `pw:acct:${accountId}`,
  /**
   * Unknown identifiers are counted like accounts, under a digest (no raw PIN in the table) of
   * their canonical form: every spelling shares one counter, as every spelling of a known one does.
   */
  passwordIdentifier: (identifier: string) =>
    `pw:id:${createHash('sha256').update(canonicalIdentifier(identifier)).digest('hex').slice(0, 32)}`,
  passwordIp: (ip: string) => `pw:ip:${networkOf(ip)}`,
  otpAccount: (accountId: string) => `otp:acct:${accountId}`,
  otpIp: (ip: string) => `otp:ip:${networkOf(ip)}`,
  otpSendSpacing: (accountId: string) => `otp-send:acct:${accountId}`,
  otpSendHourly: (accountId: string) => `otp-send-hour:acct:${accountId}`,
  totpAccount: (accountId: string) => `totp:acct:${accountId}`,
  passcodeAccount: (accountId: string) => `pc:acct:${accountId}`,
  /**
   * Activation codes are counted apart from the others (same limits): anyone who knows a PIN can
   * ask for an activation code, and must not spend that account's login-code budget by doing so.
   */
  activationSendSpacing: (accountId: string) => `act-send:acct:${accountId}`,
  activationSendHourly: (accountId: string) => `act-send-hour:acct:${accountId}`,
  activationOtpAccount: (accountId: string) => `act-otp:acct:${accountId}`,
  /** Activation starts per network: no password comes before them (SMS pumping, decoy flooding). */
  activationStartIp: (ip: string) => `act-start:ip:${networkOf(ip)}`,
};

/** A login identifier as it may appear in the audit ledger: enough to investigate, not the number itself. */
export function maskIdentifier(identifier: string): string {
  const v = identifier.trim().toUpperCase();
  if (v.length <= 4) return '*'.repeat(v.length);
  return `${v.slice(0, 3)}${'*'.repeat(Math.max(0, v.length - 6))}${v.slice(-3)}`;
}
