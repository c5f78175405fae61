import { createHmac, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type { AuditService } from '../audit/service.ts';
import type { Outcome } from '../audit/model.ts';
import { maskPhone, notActiveProblem, toE164, type Account } from '../identity/model.ts';
import type { IdentityService } from '../identity/service.ts';
import type { NotifyService } from '../notify/service.ts';
import type { Platform } from '../platform/context.ts';
import { isUniqueViolation, type Executor } from '../platform/database.ts';
import { platformProblem, Problem } from '../platform/errors.ts';
import { activationFlows, type ActivationInput, type ContactPhoneOf } from './activation.ts';
import {
  authProblem,
  maskIdentifier,
  notPendingProblem,
  OTP_PURPOSES,
  passwordPolicyProblem,
  passwordViolations,
  resolvePolicy,
  throttleKeys as keys,
  untilParams,
  type AuthPolicy,
  type Limit,
  type LoginContext,
  type OtpChallenge,
  type OtpCheck,
  type OtpPurpose,
  type OtpTarget,
  type OtpUse,
  type PolicyOverrides,
  lockedViewOpen,
  type LockedViewOption,
} from './model.ts';
import { argon2Hasher, type PasswordHasher } from './passwords.ts';
import {
  acceptStep,
  activeDevice,
  consumeChallenge,
  challengeState,
  devicesOf,
  hashOf,
  insertChallenge,
  insertDevice,
  keepKey,
  keyOf,
  lockedUntil,
  pruneChallenges,
  pruneThrottle,
  refund,
  replaceHash,
  reset,
  revokeActiveDevice,
  spendAttempt,
  storeHash,
  storeTotp,
  take,
  totpOf,
} from './repository.ts';
import type { DeviceRow } from './tables.ts';

export type { ActivationInput, ContactPhoneOf, LoginContext, OtpChallenge, OtpPurpose, PasswordHasher };

export interface Device {
  id: string;
  name: string;
  registeredAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
}

export interface AuthService {
  /**
   * Step 1 of a login. Same work and the same answer whether or not the account exists:
   * unknown identifier and wrong password both throw Problem AUTH_INVALID_CREDENTIALS (401).
   * Rate limited per account and per IP: Problem AUTH_TEMPORARILY_LOCKED (429) with params
   * { until: ISO instant, retryAfter: seconds }. A correct password on a non-active account throws
   * ACCOUNT_NOT_ACTIVE (403) with the status (only after the password proved who is asking).
   * Every outcome is audited (auth.password.*). Added to the contract: `allowLocked` returns a
   * locked account whose locked view is open (`lockedViewOpen`: the citizen app's locked view,
   * DOMAIN.md §6), audited as a success with `lockedView: true`.
   */
  checkPassword(identifier: string, password: string, ctx: LoginContext, options?: LockedViewOption): Promise<Account>;
  /**
   * Sends a 6-digit OTP by SMS to the account's phone through the outbox. Added to the contract:
   * purpose 'activation' only for an account pending activation (ACCOUNT_TRANSITION_NOT_ALLOWED
   * otherwise), and `options.phone` sends an activation code to another phone (a dependant's
   * representative's), or a login code of an account that has no phone of its own (a dependant:
   * the caller resolved the representative's); every other purpose needs an active account and
   * uses its own phone, and an account with a phone always gets its login codes there.
   * `allowLocked` also sends a login code to a locked account whose locked view is open (the
   * citizen app's locked view, DOMAIN.md §6); no other caller ever sends one to a locked account.
   */
  startOtp(
    accountId: string,
    purpose: OtpPurpose,
    ctx: LoginContext,
    options?: { phone?: string } & LockedViewOption,
  ): Promise<OtpChallenge>;
  /**
   * Throws AUTH_OTP_INVALID (401, with attemptsLeft), AUTH_OTP_EXPIRED (401), AUTH_TEMPORARILY_LOCKED (429). Single use.
   * Added to the contract: `options.purpose` also requires the challenge to have been started for that purpose;
   * `allowLocked` accepts a locked account whose locked view is open (as startOtp).
   */
  verifyOtp(
    challengeId: string,
    accountId: string,
    code: string,
    ctx: LoginContext,
    options?: { purpose?: OtpPurpose } & LockedViewOption,
  ): Promise<void>;
  /** Officers: RFC 6238 TOTP; throws AUTH_TOTP_INVALID / AUTH_TOTP_NOT_ENROLLED / AUTH_TEMPORARILY_LOCKED. */
  verifyTotp(accountId: string, code: string, ctx: LoginContext): Promise<void>;
  hasTotp(accountId: string): Promise<boolean>;
  /**
   * Sensitive actions. Added to the contract: `allowLocked` accepts a locked account whose locked
   * view is open: the holder's own unlock in the app (DOMAIN.md §6: locking never makes unlocking
   * impossible). Counted and throttled the same way.
   */
  verifyPasscode(accountId: string, passcode: string, ctx: LoginContext, options?: LockedViewOption): Promise<void>;

  // Added to the contract.
  /** Sets the password after checking the policy (AUTH_PASSWORD_POLICY lists every rule broken). */
  setPassword(accountId: string, password: string, actor: { kind: string; id: string }): Promise<void>;
  /** Sets the 6-digit passcode (AUTH_PASSCODE_FORMAT otherwise). */
  setPasscode(accountId: string, passcode: string, actor: { kind: string; id: string }): Promise<void>;
  /** Starts a TOTP enrolment: a new seed, sealed; the URI goes into the officer's authenticator app. */
  enrolTotp(
    accountId: string,
    options?: { replace?: boolean; actor?: { kind: string; id: string } },
  ): Promise<{ uri: string; secret: string }>;
  /** Completes the enrolment with a first valid code. */
  confirmTotp(accountId: string, code: string, ctx: LoginContext): Promise<void>;
  /**
   * Registers the app on a new device: requires an OTP started with purpose 'device'; revokes the
   * previous device and, after commit, ends every session of the account (`sessions.endAll`).
   */
  registerDevice(
    accountId: string,
    input: { name: string; challengeId: string; code: string },
    ctx: LoginContext,
  ): Promise<Device>;
  activeDevice(accountId: string): Promise<Device | undefined>;
  devicesOf(accountId: string): Promise<Device[]>;
  /** Housekeeping for a worker: drops counters and challenges over for a day. */
  prune(): Promise<{ throttle: number; challenges: number }>;
  /**
   * Counts one request under `key` (counters in PostgreSQL, shared by every process) and throws
   * RATE_LIMITED (429, with retryAfter) once `limit.max` requests fell in the window. For public
   * endpoints that need no account but must not be hammered (e.g. online eID verification).
   */
  limitRate(key: string, limit: Limit): Promise<void>;

  // Added to the contract: activation in the app (Decree 69 Art 14.1), see activation.ts.
  /**
   * Sends an activation code for the account behind `identifier` if it is pending activation
   * (to `contactPhoneOf(account)`, default its own phone). For any other identifier (unknown,
   * active, expired, no phone) it answers alike with a decoy challenge that can never verify:
   * no account enumeration. AUTH_OTP_THROTTLED / AUTH_TEMPORARILY_LOCKED (429) as for login codes.
   */
  startActivation(
    identifier: string,
    ctx: LoginContext,
    options?: { contactPhoneOf?: ContactPhoneOf },
  ): Promise<OtpChallenge>;
  /**
   * Checks the password policy, the passcode and device name, then the code (purpose
   * activation), and in one transaction consumes the code, activates the account (via 'app'),
   * stores password and passcode and registers the first device. AUTH_ACTIVATION_PERIOD_OVER (403)
   * after the 7 days (the hotline reopens activation); the OTP problems as verifyOtp.
   */
  completeActivation(input: ActivationInput, ctx: LoginContext): Promise<Account>;
}

export interface AuthDeps {
  identity: IdentityService;
  audit: AuditService;
  notify: NotifyService;
  sessions: { endAll(accountId: string, reason: string): Promise<void> };
  /** Added to the contract (optional): the password hasher (tests count its calls). */
  hasher?: PasswordHasher;
  /** Added to the contract (optional): limits and argon2 parameters (defaults: DEFAULT_AUTH_POLICY). */
  policy?: PolicyOverrides;
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const ANONYMOUS = { kind: 'anonymous', id: 'anonymous' };
const accountActor = (id: string) => ({ kind: 'account', id });
const accountSubject = (id: string) => ({ kind: 'account', id });

/** RFC 6238 as the officer console uses it: SHA-1, 30-second steps, 6 digits, one step either side. */
export const TOTP_SETTINGS = { algorithm: 'SHA1', digits: 6, period: 30, window: 1 } as const;
export const TOTP_ISSUER = 'dinhdanh';

export function totpUri(secret: Secret, label: string): string {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label,
    secret,
    algorithm: TOTP_SETTINGS.algorithm,
    digits: TOTP_SETTINGS.digits,
    period: TOTP_SETTINGS.period,
  }).toString();
}

function deviceFrom(r: DeviceRow): Device {
  return {
    id: r.id,
    name: r.name,
    registeredAt: r.registered_at,
    revokedAt: r.revoked_at,
    revokedReason: r.revoked_reason,
  };
}

/**
 * The phone a code goes to. Dependants have no phone of their own and use their representative's
 * (DOMAIN.md §4; Decree 69/2024 Art 10.1(b)): an activation code, and a login code of an account
 * without a phone, may go to the phone the caller resolved through the representation. Any other
 * code goes to the account's own phone: an override never diverts an owner's codes.
 */
function codeDestination(account: Account, purpose: OtpPurpose, override: string | undefined): string | null {
  const overridable = purpose === 'activation' || (purpose === 'login' && !account.phone);
  return overridable && override ? toE164(override) : account.phone;
}

function lockedProblem(until: Date, now: Date): Problem {
  return authProblem('AUTH_TEMPORARILY_LOCKED', untilParams(until, now));
}

export function createAuthService(platform: Platform, deps: AuthDeps): AuthService {
  const { db, clock, secrets, log } = platform;
  const { identity, audit, notify, sessions } = deps;
  const policy: AuthPolicy = resolvePolicy(deps.policy);
  const hasher = deps.hasher ?? argon2Hasher(policy.argon2);

  // A hash of a random secret with the configured parameters: unknown identifiers are verified
  // against it, so they cost the same argon2 work as known ones (no timing difference).
  let dummy: Promise<string> | undefined;
  const dummyHash = () => (dummy ??= hasher.hash(randomBytes(24).toString('base64url')));
  // Made now, so that the first unknown identifier does not pay for it (a timing difference).
  dummyHash().catch((error: unknown) => {
    dummy = undefined;
    log.error({ err: error }, 'making the reference password hash failed');
  });

  // The OTP pepper: 32 random bytes made once, stored sealed under the master key (so a copy of
  // the database alone cannot test codes against the stored HMACs).
  let pepper: Promise<Buffer> | undefined;
  const otpPepper = () =>
    (pepper ??= (async () => {
      const name = 'otp-pepper';
      const context = `auth-key:${name}`;
      const sealed =
        (await keyOf(db, name)) ?? (await keepKey(db, name, secrets.seal(randomBytes(32), context), clock.now()));
      return secrets.open(sealed, context);
    })().catch((error: unknown) => {
      pepper = undefined;
      throw error;
    }));

  const codeHash = (key: Buffer, challengeId: string, code: string) =>
    createHmac('sha256', key).update(`${challengeId}:${code}`).digest('hex');

  function ctxDetail(ctx: LoginContext) {
    return { ip: ctx.ip, ...(ctx.userAgent ? { userAgent: ctx.userAgent.slice(0, 200) } : {}) };
  }

  async function record(
    executor: Executor,
    action: string,
    outcome: Outcome,
    who: { actor: { kind: string; id: string }; subject?: { kind: string; id: string } | undefined },
    detail: Record<string, unknown>,
  ) {
    await audit.append(executor, { actor: who.actor, action, subject: who.subject, outcome, detail });
  }

  /**
   * Counts an attempt before the secret is checked (so parallel guesses cannot slip past the
   * limit); a refused attempt is audited and answered with the end of the lockout.
   */
  async function takeOrRefuse(
    key: string,
    limit: Parameters<typeof take>[2],
    lockedAction: string,
    subject: { kind: string; id: string },
    base: Record<string, unknown>,
    now: Date,
  ) {
    const attempt = await take(db, key, limit, now);
    if (!attempt.allowed) {
      await record(db, lockedAction, 'denied', { actor: ANONYMOUS, subject }, { ...base, until: attempt.lockedUntil });
      throw lockedProblem(attempt.lockedUntil, now);
    }
    return attempt;
  }

  async function activeAccount(accountId: string, options: LockedViewOption = {}): Promise<Account> {
    const account = UUID.test(accountId) ? await identity.get(accountId) : undefined;
    if (!account) throw platformProblem('NOT_FOUND', { what: 'account' });
    // DOMAIN.md §6 (Law on Identification Art 34; Decree 69 Art 30): a lock takes effect everywhere
    // at once: no login step, no OTP, no credential change while the account is not active. The one
    // exception is the locked view the caller asked for (unlock request, notices): locking must
    // never make unlocking impossible.
    if (account.status !== 'active' && !(options.allowLocked && lockedViewOpen(account))) {
      throw notActiveProblem(account.status, account.lockReasons);
    }
    return account;
  }

  /** The hasher's verify, then a rehash when the stored parameters are weaker than the configured ones. */
  async function upgradeHash(
    table: 'auth.passwords' | 'auth.passcodes',
    accountId: string,
    stored: string,
    plain: string,
  ) {
    if (!hasher.needsRehash(stored)) return false;
    return replaceHash(db, table, accountId, stored, await hasher.hash(plain), clock.now());
  }

  function matchStep(sealedSeed: string, accountId: string, code: string, now: Date): number | null {
    if (!/^\d{6}$/.test(code)) return null;
    const seed = secrets.open(sealedSeed, `totp:${accountId}`);
    const timestamp = now.getTime();
    const delta = TOTP.validate({
      token: code,
      secret: Secret.fromHex(seed.toString('hex')),
      algorithm: TOTP_SETTINGS.algorithm,
      digits: TOTP_SETTINGS.digits,
      period: TOTP_SETTINGS.period,
      window: TOTP_SETTINGS.window,
      timestamp,
    });
    if (delta === null) return null;
    return TOTP.counter({ period: TOTP_SETTINGS.period, timestamp }) + delta;
  }

  /** The counters of a purpose: activation codes are counted apart from the others (model.ts throttleKeys). */
  function otpKeys(accountId: string, purpose: OtpPurpose | undefined) {
    return purpose === 'activation'
      ? {
          verify: keys.activationOtpAccount(accountId),
          spacing: keys.activationSendSpacing(accountId),
          hourly: keys.activationSendHourly(accountId),
        }
      : {
          verify: keys.otpAccount(accountId),
          spacing: keys.otpSendSpacing(accountId),
          hourly: keys.otpSendHourly(accountId),
        };
  }

  class Throttled extends Error {
    constructor(readonly until: Date) {
      super('throttled');
    }
  }

  /**
   * Stores a challenge and queues its SMS in one transaction (the SMS exists if and only if the
   * challenge does), after the resend throttle. A decoy (`phone: null`) is stored and counted the
   * same way but its hash matches no code and nothing is sent: the caller answers as if it were real.
   */
  async function issueOtp(target: OtpTarget, ctx: LoginContext): Promise<OtpChallenge> {
    const now = clock.now();
    const base = { ...ctxDetail(ctx), purpose: target.purpose };
    const k = otpKeys(target.accountId, target.purpose);
    const decoy = target.phone === null;
    const who = { actor: decoy ? ANONYMOUS : accountActor(target.accountId), subject: target.subject };
    const locked = await lockedUntil(db, [k.verify], now);
    if (locked) {
      await record(
        db,
        'auth.otp.locked',
        'denied',
        { actor: ANONYMOUS, subject: target.subject },
        { ...base, until: locked },
      );
      throw lockedProblem(locked, now);
    }

    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const challengeId = randomUUID();
    const expiresAt = new Date(now.getTime() + policy.otp.ttlMs);
    const key = await otpPepper();
    const spacing: Limit = { max: 1, windowMs: policy.otp.resendIntervalMs, lockMs: policy.otp.resendIntervalMs };
    const hourly: Limit = { max: policy.otp.sendsPerHour, windowMs: HOUR, lockMs: HOUR };
    try {
      await db.transaction().execute(async (trx) => {
        // Resend throttle, counted in the same transaction: a refused send leaves no trace in the counters.
        const a = await take(trx, k.spacing, spacing, now);
        if (!a.allowed) throw new Throttled(a.lockedUntil);
        const b = await take(trx, k.hourly, hourly, now);
        if (!b.allowed) throw new Throttled(b.lockedUntil);
        await insertChallenge(trx, {
          id: challengeId,
          account_id: target.accountId,
          purpose: target.purpose,
          // A decoy's hash is random bytes, not the HMAC of any code: no code can ever match it.
          code_hash: decoy ? randomBytes(32).toString('hex') : codeHash(key, challengeId, code),
          sent_to: target.maskedPhone,
          created_at: now,
          expires_at: expiresAt,
          max_attempts: policy.otp.attemptsPerChallenge,
          ip: ctx.ip || null,
        });
        if (decoy) {
          await record(trx, 'auth.otp.decoy', 'denied', who, {
            ...base,
            challengeId,
            reason: target.decoyReason ?? 'unknown',
          });
          return;
        }
        await notify.enqueue(trx, {
          channel: 'sms',
          recipient: target.phone!,
          accountId: target.accountId,
          template: 'otp',
          params: {
            code,
            minutes: Math.max(1, Math.round(policy.otp.ttlMs / 60_000)),
            ...(target.forName ? { forName: target.forName } : {}),
          },
          locale: ctx.locale,
        });
        await record(trx, 'auth.otp.sent', 'success', who, { ...base, challengeId, sentTo: target.maskedPhone });
      });
    } catch (error) {
      if (!(error instanceof Throttled)) throw error;
      await record(db, 'auth.otp.throttled', 'denied', who, { ...base, until: error.until });
      throw authProblem('AUTH_OTP_THROTTLED', untilParams(error.until, now));
    }
    return { challengeId, expiresAt, maskedPhone: target.maskedPhone };
  }

  /**
   * Counts and compares a code without consuming it (consumeOtp does, possibly in the caller's
   * transaction). Throws AUTH_OTP_INVALID, AUTH_OTP_EXPIRED or AUTH_TEMPORARILY_LOCKED; on a match
   * the attempt is given back and the challenge's purpose returned.
   */
  async function checkOtp(check: OtpCheck): Promise<{ purpose: OtpPurpose }> {
    const { challengeId, accountId, code, ctx, purpose } = check;
    const who = { actor: ANONYMOUS, subject: check.subject };
    const now = clock.now();
    const base = { ...ctxDetail(ctx), challengeId: UUID.test(challengeId) ? challengeId : null };
    const ipKey = keys.otpIp(ctx.ip);
    const accountKey = otpKeys(accountId, purpose).verify;
    const ipTake = await take(db, ipKey, policy.otp.perIp, now);
    if (!ipTake.allowed) {
      await record(db, 'auth.otp.locked', 'denied', who, { ...base, scope: 'ip', until: ipTake.lockedUntil });
      throw lockedProblem(ipTake.lockedUntil, now);
    }
    const accountTake = await take(db, accountKey, policy.otp.perAccount, now);
    if (!accountTake.allowed) {
      await refund(db, ipKey, policy.otp.perIp);
      await record(db, 'auth.otp.locked', 'denied', who, { ...base, scope: 'account', until: accountTake.lockedUntil });
      throw lockedProblem(accountTake.lockedUntil, now);
    }
    const giveBack = async () => {
      await refund(db, ipKey, policy.otp.perIp);
      await refund(db, accountKey, policy.otp.perAccount);
    };

    // The attempt is spent before the code is compared: a challenge takes at most
    // `attemptsPerChallenge` guesses however many arrive at once.
    const spent = UUID.test(challengeId) ? await spendAttempt(db, challengeId, accountId, now, purpose) : undefined;
    if (!spent) {
      // Not a guess at a live code: expired, used, exhausted, another account's or another purpose's.
      await giveBack();
      const state = UUID.test(challengeId) ? await challengeState(db, challengeId, accountId) : undefined;
      const reason = !state
        ? 'unknown'
        : state.consumed_at
          ? 'used'
          : state.expires_at <= now
            ? 'expired'
            : state.attempts >= state.max_attempts
              ? 'exhausted'
              : 'wrong_purpose';
      await record(db, 'auth.otp.failure', 'failure', who, { ...base, reason });
      throw authProblem('AUTH_OTP_EXPIRED');
    }
    const expected = Buffer.from(spent.code_hash, 'hex');
    const given = Buffer.from(/^\d{6}$/.test(code) ? codeHash(await otpPepper(), challengeId, code) : '', 'hex');
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      await giveBack();
      return { purpose: spent.purpose };
    }
    const attemptsLeft = spent.max_attempts - spent.attempts;
    await record(db, 'auth.otp.failure', 'failure', who, {
      ...base,
      reason: 'wrong_code',
      attemptsLeft,
      ...(accountTake.lockedUntil ? { lockedUntil: accountTake.lockedUntil } : {}),
    });
    const until = [accountTake.lockedUntil, ipTake.lockedUntil].filter((d): d is Date => d !== null);
    if (until.length > 0) throw lockedProblem(new Date(Math.max(...until.map((d) => d.getTime()))), now);
    throw authProblem('AUTH_OTP_INVALID', { attemptsLeft });
  }

  /**
   * Single use: consumes a checked challenge in `executor` (the caller's transaction, so the code
   * is spent only if what it authorises commits) and audits the success there. False when another
   * request consumed it first: the caller reports it with `otpUsed` once its transaction is over
   * (an audit append on the same subject from outside the transaction would wait for it).
   */
  async function consumeOtp(executor: Executor, used: OtpUse): Promise<boolean> {
    if (!(await consumeChallenge(executor, used.challengeId, clock.now()))) return false;
    await record(
      executor,
      'auth.otp.success',
      'success',
      { actor: accountActor(used.accountId), subject: accountSubject(used.accountId) },
      { ...ctxDetail(used.ctx), challengeId: used.challengeId, purpose: used.purpose },
    );
    return true;
  }

  async function otpUsed(used: OtpUse): Promise<Problem> {
    await record(
      db,
      'auth.otp.failure',
      'failure',
      { actor: ANONYMOUS, subject: accountSubject(used.accountId) },
      { ...ctxDetail(used.ctx), challengeId: used.challengeId, reason: 'used' },
    );
    return authProblem('AUTH_OTP_EXPIRED');
  }

  /** The account a code may be checked for: active, or pending for an activation code (Art 14.1). */
  async function accountFor(
    accountId: string,
    purpose: OtpPurpose | undefined,
    options: LockedViewOption = {},
  ): Promise<Account> {
    // Only a login code serves the locked view: a code for a device or a sensitive action does not.
    if (purpose !== 'activation') return activeAccount(accountId, purpose === 'login' ? options : {});
    const account = UUID.test(accountId) ? await identity.get(accountId) : undefined;
    if (!account) throw platformProblem('NOT_FOUND', { what: 'account' });
    if (account.status !== 'pending_activation') throw notPendingProblem(account.status);
    return account;
  }

  async function verifyOtpFor(
    challengeId: string,
    accountId: string,
    code: string,
    ctx: LoginContext,
    purpose: OtpPurpose | undefined,
    options: LockedViewOption = {},
  ): Promise<void> {
    const account = await accountFor(accountId, purpose, options);
    const checked = await checkOtp({
      challengeId,
      accountId: account.id,
      code,
      ctx,
      purpose,
      subject: accountSubject(account.id),
    });
    const used = { challengeId, accountId: account.id, ctx, purpose: checked.purpose };
    if (!(await consumeOtp(db, used))) throw await otpUsed(used);
  }

  const activation = activationFlows({
    db,
    clock,
    policy,
    identity,
    hasher,
    record,
    ctxDetail,
    issueOtp,
    checkOtp,
    consumeOtp,
    otpUsed,
    keyedDigest: async (label) =>
      createHmac('sha256', await otpPepper())
        .update(label)
        .digest(),
  });

  return {
    async checkPassword(identifier, password, ctx, options = {}) {
      const now = clock.now();
      const ident = typeof identifier === 'string' ? identifier.trim() : '';
      const secret = typeof password === 'string' ? password : '';
      const account = ident ? await identity.findByIdentifier(ident) : undefined;
      const subject = account ? accountSubject(account.id) : { kind: 'login_identifier', id: maskIdentifier(ident) };
      const base = { ...ctxDetail(ctx), identifier: maskIdentifier(ident) };
      const limits = policy.password;
      // Unknown identifiers are counted exactly like accounts (per identifier), so probing one is
      // throttled the same way and the answers cannot tell them apart.
      const accountKey = account ? keys.passwordAccount(account.id) : keys.passwordIdentifier(ident);
      const ipKey = keys.passwordIp(ctx.ip);

      const refuse = async (until: Date, scope: string) => {
        await record(db, 'auth.password.locked', 'denied', { actor: ANONYMOUS, subject }, { ...base, scope, until });
        return lockedProblem(until, now);
      };
      const ipTake = await take(db, ipKey, limits.perIp, now);
      if (!ipTake.allowed) throw await refuse(ipTake.lockedUntil, 'ip');
      const accountTake = await take(db, accountKey, limits.perAccount, now);
      if (!accountTake.allowed) {
        await refund(db, ipKey, limits.perIp);
        throw await refuse(accountTake.lockedUntil, 'account');
      }

      // The same queries and exactly one argon2 verification on every path.
      const stored = await hashOf(db, 'auth.passwords', account?.id ?? NIL_UUID);
      const usable = account !== undefined && stored !== undefined;
      const matches = await hasher.verify(usable ? stored : await dummyHash(), secret);

      if (!usable || !matches) {
        const reason = !account ? 'unknown_identifier' : !stored ? 'no_password' : 'wrong_password';
        const until = [accountTake.lockedUntil, ipTake.lockedUntil].filter((d): d is Date => d !== null);
        await record(
          db,
          'auth.password.failure',
          'failure',
          { actor: ANONYMOUS, subject },
          { ...base, reason, failures: accountTake.count, ...(until.length ? { lockedUntil: until[0] } : {}) },
        );
        // Decree 69 Art 9 / DOMAIN.md §7 (policy): after too many failures, a temporary lock with its end time.
        if (until.length > 0) throw lockedProblem(new Date(Math.max(...until.map((d) => d.getTime()))), now);
        throw authProblem('AUTH_INVALID_CREDENTIALS');
      }

      await reset(db, accountKey);
      await refund(db, ipKey, limits.perIp);
      const rehashed = await upgradeHash('auth.passwords', account.id, stored, secret);
      // DOMAIN.md §6 (policy): the holder of a locked identity still reaches the locked view.
      const lockedView = account.status === 'locked' && options.allowLocked === true && lockedViewOpen(account);
      if (account.status !== 'active' && !lockedView) {
        await record(
          db,
          'auth.password.not_active',
          'denied',
          { actor: accountActor(account.id), subject },
          { ...base, status: account.status },
        );
        throw notActiveProblem(account.status, account.lockReasons);
      }
      await record(
        db,
        'auth.password.success',
        'success',
        { actor: accountActor(account.id), subject },
        {
          ...base,
          ...(rehashed ? { rehashed: true } : {}),
          ...(lockedView ? { lockedView: true } : {}),
        },
      );
      return account;
    },

    async startOtp(accountId, purpose, ctx, options = {}) {
      if (!OTP_PURPOSES.includes(purpose)) {
        throw platformProblem(
          'VALIDATION_FAILED',
          { reason: `unknown OTP purpose ${String(purpose)}` },
          { field: 'purpose' },
        );
      }
      const account = UUID.test(accountId) ? await identity.get(accountId) : undefined;
      if (!account) throw platformProblem('NOT_FOUND', { what: 'account' });
      const subject = accountSubject(account.id);
      const base = { ...ctxDetail(ctx), purpose };
      // DOMAIN.md §6 (Law on Identification Art 34; Decree 69 Art 30): no OTP is sent while the
      // account is locked (nor before it is activated, nor once closed), except the activation
      // code, which exists for accounts pending activation only (Art 14.1).
      const wanted = purpose === 'activation' ? 'pending_activation' : 'active';
      // The locked view's login code (DOMAIN.md §6, policy): asked for explicitly, login codes only.
      const lockedView = purpose === 'login' && options.allowLocked === true && lockedViewOpen(account);
      if (account.status !== wanted && !lockedView) {
        await record(
          db,
          'auth.otp.refused',
          'denied',
          { actor: ANONYMOUS, subject },
          { ...base, status: account.status },
        );
        throw purpose === 'activation'
          ? notPendingProblem(account.status)
          : notActiveProblem(account.status, account.lockReasons);
      }
      const phone = codeDestination(account, purpose, options.phone);
      if (options.phone && !phone) {
        throw platformProblem('VALIDATION_FAILED', { reason: 'phone is not a phone number' }, { field: 'phone' });
      }
      if (!phone) throw authProblem('AUTH_NO_PHONE');
      // A code on someone else's phone names whose it is: a parent with two children knows which one asks.
      const forName = phone !== account.phone ? account.fullName : undefined;
      return issueOtp(
        {
          accountId: account.id,
          subject,
          purpose,
          phone,
          maskedPhone: maskPhone(phone),
          ...(forName ? { forName } : {}),
        },
        ctx,
      );
    },

    verifyOtp(challengeId, accountId, code, ctx, options = {}) {
      return verifyOtpFor(challengeId, accountId, code, ctx, options.purpose, { allowLocked: options.allowLocked });
    },

    async verifyTotp(accountId, code, ctx) {
      const account = await activeAccount(accountId);
      const subject = accountSubject(account.id);
      const row = await totpOf(db, account.id);
      if (!row || !row.confirmed_at) throw authProblem('AUTH_TOTP_NOT_ENROLLED');
      const now = clock.now();
      const base = ctxDetail(ctx);
      const key = keys.totpAccount(account.id);
      const attempt = await takeOrRefuse(key, policy.totp.perAccount, 'auth.totp.locked', subject, base, now);
      const step = matchStep(row.sealed_seed, account.id, String(code ?? ''), now);
      // RFC 6238 §5.2: a code is accepted once; its step (or an earlier one) is refused afterwards.
      if (step !== null && (await acceptStep(db, account.id, step, now, false))) {
        await reset(db, key);
        await record(db, 'auth.totp.success', 'success', { actor: accountActor(account.id), subject }, base);
        return;
      }
      await record(
        db,
        'auth.totp.failure',
        'failure',
        { actor: ANONYMOUS, subject },
        {
          ...base,
          reason: step === null ? 'wrong_code' : 'replayed',
          ...(attempt.lockedUntil ? { lockedUntil: attempt.lockedUntil } : {}),
        },
      );
      if (attempt.lockedUntil) throw lockedProblem(attempt.lockedUntil, now);
      throw authProblem('AUTH_TOTP_INVALID');
    },

    async hasTotp(accountId) {
      if (!UUID.test(accountId)) return false;
      const row = await totpOf(db, accountId);
      return Boolean(row?.confirmed_at);
    },

    async verifyPasscode(accountId, passcode, ctx, options = {}) {
      const account = await activeAccount(accountId, { allowLocked: options.allowLocked });
      const subject = accountSubject(account.id);
      const stored = await hashOf(db, 'auth.passcodes', account.id);
      if (!stored) throw authProblem('AUTH_PASSCODE_NOT_SET');
      const now = clock.now();
      const base = ctxDetail(ctx);
      const limit = policy.passcode.perAccount;
      const key = keys.passcodeAccount(account.id);
      const attempt = await takeOrRefuse(key, limit, 'auth.passcode.locked', subject, base, now);
      const value = String(passcode ?? '');
      const ok = /^\d{6}$/.test(value) && (await hasher.verify(stored, value));
      if (ok) {
        await reset(db, key);
        const rehashed = await upgradeHash('auth.passcodes', account.id, stored, value);
        await record(
          db,
          'auth.passcode.success',
          'success',
          { actor: accountActor(account.id), subject },
          {
            ...base,
            ...(rehashed ? { rehashed: true } : {}),
          },
        );
        return;
      }
      const attemptsLeft = Math.max(0, limit.max - attempt.count);
      await record(
        db,
        'auth.passcode.failure',
        'failure',
        { actor: ANONYMOUS, subject },
        {
          ...base,
          attemptsLeft,
          ...(attempt.lockedUntil ? { lockedUntil: attempt.lockedUntil } : {}),
        },
      );
      if (attempt.lockedUntil) throw lockedProblem(attempt.lockedUntil, now);
      throw authProblem('AUTH_PASSCODE_INVALID', { attemptsLeft }, { field: 'passcode' });
    },

    async setPassword(accountId, password, actor) {
      const violations = passwordViolations(typeof password === 'string' ? password : '');
      if (violations.length > 0) throw passwordPolicyProblem(violations);
      const account = UUID.test(accountId) ? await identity.get(accountId) : undefined;
      if (!account || account.status === 'closed') throw platformProblem('NOT_FOUND', { what: 'account' });
      const hash = await hasher.hash(password);
      await db.transaction().execute(async (trx) => {
        await storeHash(trx, 'auth.passwords', account.id, hash, clock.now());
        await record(trx, 'auth.password.set', 'success', { actor, subject: accountSubject(account.id) }, {});
      });
    },

    async setPasscode(accountId, passcode, actor) {
      if (typeof passcode !== 'string' || !/^\d{6}$/.test(passcode)) {
        throw authProblem('AUTH_PASSCODE_FORMAT', {}, { field: 'passcode' });
      }
      const account = UUID.test(accountId) ? await identity.get(accountId) : undefined;
      if (!account || account.status === 'closed') throw platformProblem('NOT_FOUND', { what: 'account' });
      const hash = await hasher.hash(passcode);
      await db.transaction().execute(async (trx) => {
        await storeHash(trx, 'auth.passcodes', account.id, hash, clock.now());
        await record(trx, 'auth.passcode.set', 'success', { actor, subject: accountSubject(account.id) }, {});
      });
    },

    async enrolTotp(accountId, options = {}) {
      const account = UUID.test(accountId) ? await identity.get(accountId) : undefined;
      if (!account || account.status === 'closed') throw platformProblem('NOT_FOUND', { what: 'account' });
      const seed = randomBytes(20);
      const now = clock.now();
      const actor = options.actor ?? accountActor(account.id);
      await db.transaction().execute(async (trx) => {
        const stored = await storeTotp(
          trx,
          {
            account_id: account.id,
            sealed_seed: secrets.seal(seed, `totp:${account.id}`),
            created_at: now,
            confirmed_at: null,
          },
          options.replace === true,
        );
        if (!stored) throw authProblem('AUTH_TOTP_ALREADY_ENROLLED');
        await record(
          trx,
          'auth.totp.enrolled',
          'success',
          { actor, subject: accountSubject(account.id) },
          {
            replaced: options.replace === true,
          },
        );
      });
      const secret = Secret.fromHex(seed.toString('hex'));
      return { uri: totpUri(secret, account.fullName), secret: secret.base32 };
    },

    async confirmTotp(accountId, code, ctx) {
      const account = await activeAccount(accountId);
      const subject = accountSubject(account.id);
      const row = await totpOf(db, account.id);
      if (!row) throw authProblem('AUTH_TOTP_NOT_ENROLLED');
      if (row.confirmed_at) throw authProblem('AUTH_TOTP_ALREADY_ENROLLED');
      const now = clock.now();
      const key = keys.totpAccount(account.id);
      const attempt = await take(db, key, policy.totp.perAccount, now);
      if (!attempt.allowed) throw lockedProblem(attempt.lockedUntil, now);
      const step = matchStep(row.sealed_seed, account.id, String(code ?? ''), now);
      if (step !== null && (await acceptStep(db, account.id, step, now, true))) {
        await reset(db, key);
        await record(
          db,
          'auth.totp.confirmed',
          'success',
          { actor: accountActor(account.id), subject },
          ctxDetail(ctx),
        );
        return;
      }
      await record(
        db,
        'auth.totp.failure',
        'failure',
        { actor: ANONYMOUS, subject },
        {
          ...ctxDetail(ctx),
          reason: 'confirmation_failed',
        },
      );
      if (attempt.lockedUntil) throw lockedProblem(attempt.lockedUntil, now);
      throw authProblem('AUTH_TOTP_INVALID');
    },

    async registerDevice(accountId, input, ctx) {
      const name = typeof input.name === 'string' ? input.name.trim() : '';
      if (!name || [...name].length > 100) throw authProblem('AUTH_DEVICE_INVALID', {}, { field: 'name' });
      const subject = accountSubject(accountId);
      // DOMAIN.md §7: a new device needs an OTP (purpose 'device': a login code does not do).
      try {
        await verifyOtpFor(input.challengeId, accountId, String(input.code ?? ''), ctx, 'device');
      } catch (error) {
        if (error instanceof Problem && UUID.test(accountId)) {
          await record(
            db,
            'auth.device.failure',
            'denied',
            { actor: ANONYMOUS, subject },
            {
              ...ctxDetail(ctx),
              reason: error.code,
            },
          );
        }
        throw error;
      }
      const now = clock.now();
      const id = randomUUID();
      let replaced: DeviceRow[];
      try {
        replaced = await db.transaction().execute(async (trx) => {
          // One active device per account (DOMAIN.md §7): the old one is revoked with the new one's arrival.
          const old = await revokeActiveDevice(trx, accountId, now, 'replaced');
          await insertDevice(trx, { id, account_id: accountId, name, registered_at: now });
          await record(
            trx,
            'auth.device.registered',
            'success',
            { actor: accountActor(accountId), subject },
            {
              ...ctxDetail(ctx),
              deviceId: id,
              replaced: old.map((d) => d.id),
            },
          );
          return old;
        });
      } catch (error) {
        // Two registrations at once: the unique index lets one win.
        if (isUniqueViolation(error, 'devices_one_active')) throw platformProblem('CONFLICT');
        throw error;
      }
      if (replaced.length > 0) {
        // After commit: the old device's sessions (and every other) end.
        try {
          await sessions.endAll(accountId, 'device_replaced');
        } catch (error) {
          log.error({ err: error, accountId }, 'ending sessions after a device change failed');
          await record(
            db,
            'auth.device.sessions_end',
            'failure',
            { actor: { kind: 'system', id: 'auth' }, subject },
            {
              deviceId: id,
            },
          );
          throw error;
        }
      }
      return { id, name, registeredAt: now, revokedAt: null, revokedReason: null };
    },

    async activeDevice(accountId) {
      if (!UUID.test(accountId)) return undefined;
      const row = await activeDevice(db, accountId);
      return row ? deviceFrom(row) : undefined;
    },

    async devicesOf(accountId) {
      if (!UUID.test(accountId)) return [];
      return (await devicesOf(db, accountId)).map(deviceFrom);
    },

    startActivation(identifier, ctx, options = {}) {
      return activation.start(identifier, ctx, options.contactPhoneOf);
    },

    completeActivation(input, ctx) {
      return activation.complete(input, ctx);
    },

    async limitRate(key, limit) {
      const now = clock.now();
      const taken = await take(db, `rate:${key}`, limit, now);
      if (!taken.allowed) {
        throw platformProblem('RATE_LIMITED', { retryAfter: untilParams(taken.lockedUntil ?? now, now).retryAfter });
      }
    },

    async prune() {
      const before = new Date(clock.now().getTime() - DAY);
      return { throttle: await pruneThrottle(db, before), challenges: await pruneChallenges(db, before) };
    },
  };
}
