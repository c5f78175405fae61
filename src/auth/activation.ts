import { randomUUID } from 'node:crypto';
import type { Outcome } from '../audit/model.ts';
import { canonicalIdentifier, maskPhone, toE164, type Account } from '../identity/model.ts';
import type { IdentityService, ReissueOptions } from '../identity/service.ts';
import type { NotifyService } from '../notify/service.ts';
import type { Clock } from '../platform/clock.ts';
import { isUniqueViolation, type Db, type Executor, type Trx } from '../platform/database.ts';
import { platformProblem, Problem } from '../platform/errors.ts';
import {
  authProblem,
  maskIdentifier,
  passwordPolicyProblem,
  passwordViolations,
  throttleKeys as keys,
  untilParams,
  type AuthPolicy,
  type LoginContext,
  type OtpChallenge,
  type OtpCheck,
  type OtpPurpose,
  type OtpTarget,
  type OtpUse,
} from './model.ts';
import type { PasswordHasher } from './passwords.ts';
import { insertDevice, revokeActiveDevice, storeHash, take } from './repository.ts';

/**
 * Activation of an electronic identity account (Decree 69/2024 Art 14).
 *
 * - In the app (Art 14.1): the subject of an approved application (account `pending_activation`)
 *   proves the phone with an SMS code of purpose `activation`, then sets a password and a 6-digit
 *   passcode and binds the device; the account becomes `active`. A dependant's code goes to the
 *   phone the representation context resolves (`contactPhoneOf`, DOMAIN.md §4).
 * - After the 7 calendar days (Art 14.2) the account is `activation_expired`; only the agency's
 *   hotline reopens it, after verifying the caller: `reissueActivation` below, which also tells
 *   the subject by SMS and in the app inbox in the same transaction.
 *
 * Threat: account enumeration. Starting answers alike for every identifier: an unknown one, an
 * active, expired or closed account, a pending account without a phone all get a decoy challenge
 * (stored and counted like a real one, matching no code) and a made-up masked phone derived from
 * the identifier (the same one every time). Completing a decoy fails exactly like a wrong code.
 */

/** The phone an activation code goes to: the account's own, or, for a dependant, the representative's. */
export type ContactPhoneOf = (account: Account) => Promise<string | null>;

/** Default resolver: the account's own phone. */
export const ownPhone: ContactPhoneOf = async (account) => account.phone;

export interface ActivationInput {
  identifier: string;
  challengeId: string;
  code: string;
  password: string;
  passcode: string;
  deviceName: string;
}

type Recorder = (
  executor: Executor,
  action: string,
  outcome: Outcome,
  who: { actor: { kind: string; id: string }; subject?: { kind: string; id: string } | undefined },
  detail: Record<string, unknown>,
) => Promise<void>;

/** What the activation flows use of the auth service's internals (built in service.ts). */
export interface ActivationKernel {
  db: Db;
  clock: Clock;
  policy: AuthPolicy;
  identity: Pick<IdentityService, 'findByIdentifier' | 'activate'>;
  hasher: PasswordHasher;
  record: Recorder;
  ctxDetail(ctx: LoginContext): Record<string, unknown>;
  issueOtp(target: OtpTarget, ctx: LoginContext): Promise<OtpChallenge>;
  checkOtp(check: OtpCheck): Promise<{ purpose: OtpPurpose }>;
  consumeOtp(executor: Executor, use: OtpUse): Promise<boolean>;
  otpUsed(use: OtpUse): Promise<Problem>;
  /** HMAC-SHA256 under the OTP pepper: decoys are derived from the identifier, unguessably. */
  keyedDigest(label: string): Promise<Buffer>;
}

const ANONYMOUS = { kind: 'anonymous', id: 'anonymous' };
const accountRef = (id: string) => ({ kind: 'account', id });
const identifierSubject = (identifier: string) => ({ kind: 'login_identifier', id: maskIdentifier(identifier) });

// ---------------------------------------------------------------------------------------------
// Decoys

/** Vietnamese mobile prefixes (after the network renumbering of 2018), for made-up masked phones. */
// prettier-ignore
const MOBILE_PREFIXES = [
  '032', '033', '034', '035', '036', '037', '038', '039', '056', '058', '059', '070', '076', '077', '078', '079',
  '081', '082', '083', '084', '085', '086', '088', '089', '090', '091', '093', '094', '096', '097', '098', '099',
];

/** A masked phone as maskPhone writes one ('0912***678'), made up from a digest. */
export function decoyMaskedPhone(digest: Buffer): string {
  const prefix = MOBILE_PREFIXES[digest[0]! % MOBILE_PREFIXES.length]!;
  const digit = (i: number) => String(digest[i]! % 10);
  return `${prefix}${digit(1)}***${digit(2)}${digit(3)}${digit(4)}`;
}

/** A uuid (version 4 layout) made from a digest: the account id a decoy challenge is bound to. */
export function uuidFrom(digest: Buffer): string {
  const b = Buffer.from(digest.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ---------------------------------------------------------------------------------------------
// Rules

/** The form's checks that need no secret (DOMAIN.md §7): all before any attempt is spent or code consumed. */
export function checkActivationForm(input: Pick<ActivationInput, 'password' | 'passcode' | 'deviceName'>): string {
  const violations = passwordViolations(typeof input.password === 'string' ? input.password : '');
  if (violations.length > 0) throw passwordPolicyProblem(violations);
  if (typeof input.passcode !== 'string' || !/^\d{6}$/.test(input.passcode)) {
    throw authProblem('AUTH_PASSCODE_FORMAT', {}, { field: 'passcode' });
  }
  const name = typeof input.deviceName === 'string' ? input.deviceName.trim() : '';
  if (!name || [...name].length > 100) throw authProblem('AUTH_DEVICE_INVALID', {}, { field: 'device_name' });
  return name;
}

/** Art 14: the in-app period is over (the job may not have marked the account expired yet). */
export function activationPeriodOver(account: Pick<Account, 'status' | 'activationDueAt'>, now: Date): boolean {
  if (account.status === 'activation_expired') return true;
  return account.status === 'pending_activation' && !!account.activationDueAt && now > account.activationDueAt;
}

function isPeriodOverRefusal(error: unknown): boolean {
  return (
    error instanceof Problem &&
    error.code === 'ACCOUNT_TRANSITION_NOT_ALLOWED' &&
    error.extensions?.reason === 'activation_period_over'
  );
}

class CodeUsed extends Error {}

// ---------------------------------------------------------------------------------------------
// In the app (Art 14.1)

export function activationFlows(k: ActivationKernel) {
  const { db, clock } = k;

  /** The decoy account id of an identifier without an account: stable, so it is throttled like one. */
  async function decoyAccountId(identifier: string): Promise<string> {
    return uuidFrom(await k.keyedDigest(`activation-decoy-account:${canonicalIdentifier(identifier)}`));
  }

  async function start(identifier: string, ctx: LoginContext, contactPhoneOf: ContactPhoneOf = ownPhone) {
    const ident = typeof identifier === 'string' ? identifier.trim() : '';
    const now = clock.now();
    const account = ident ? await k.identity.findByIdentifier(ident) : undefined;
    const subject = account ? accountRef(account.id) : identifierSubject(ident);
    // No password comes before this step: starts are limited per network too (SMS pumping, decoys).
    const ipTake = await take(db, keys.activationStartIp(ctx.ip), k.policy.otp.perIp, now);
    if (!ipTake.allowed) {
      await k.record(
        db,
        'auth.activation.locked',
        'denied',
        { actor: ANONYMOUS, subject },
        { ...k.ctxDetail(ctx), scope: 'ip', until: ipTake.lockedUntil },
      );
      throw authProblem('AUTH_TEMPORARILY_LOCKED', untilParams(ipTake.lockedUntil, now));
    }

    const pending = account?.status === 'pending_activation' ? account : undefined;
    const phone = pending ? toE164((await contactPhoneOf(pending)) ?? '') : null;
    if (pending && phone) {
      return k.issueOtp(
        { accountId: pending.id, subject, purpose: 'activation', phone, maskedPhone: maskPhone(phone) },
        ctx,
      );
    }
    const digest = await k.keyedDigest(`activation-decoy-phone:${canonicalIdentifier(ident)}`);
    return k.issueOtp(
      {
        accountId: account?.id ?? (await decoyAccountId(ident)),
        subject,
        purpose: 'activation',
        phone: null,
        maskedPhone: decoyMaskedPhone(digest),
        decoyReason: !account ? 'unknown_identifier' : !pending ? `status_${account.status}` : 'no_phone',
      },
      ctx,
    );
  }

  /** Password, passcode and the first device, in the activation's transaction (DOMAIN.md §7). */
  async function storeCredentials(
    trx: Trx,
    accountId: string,
    credentials: { passwordHash: string; passcodeHash: string; deviceName: string },
    ctx: LoginContext,
    now: Date,
  ) {
    const who = { actor: accountRef(accountId), subject: accountRef(accountId) };
    await storeHash(trx, 'auth.passwords', accountId, credentials.passwordHash, now);
    await k.record(trx, 'auth.password.set', 'success', who, { activation: true });
    await storeHash(trx, 'auth.passcodes', accountId, credentials.passcodeHash, now);
    await k.record(trx, 'auth.passcode.set', 'success', who, { activation: true });
    // One active device per account: a pending account has none, but a leftover is revoked all the same.
    const replaced = await revokeActiveDevice(trx, accountId, now, 'replaced');
    const deviceId = randomUUID();
    await insertDevice(trx, { id: deviceId, account_id: accountId, name: credentials.deviceName, registered_at: now });
    await k.record(trx, 'auth.device.registered', 'success', who, {
      ...k.ctxDetail(ctx),
      deviceId,
      replaced: replaced.map((d) => d.id),
      activation: true,
    });
  }

  async function periodOver(accountId: string, ctx: LoginContext, dueAt: Date | null | undefined): Promise<Problem> {
    await k.record(
      db,
      'auth.activation.refused',
      'denied',
      { actor: accountRef(accountId), subject: accountRef(accountId) },
      { ...k.ctxDetail(ctx), reason: 'activation_period_over', activationDueAt: dueAt ?? null },
    );
    return authProblem('AUTH_ACTIVATION_PERIOD_OVER', {}, { detail: { hotline: true } });
  }

  async function complete(input: ActivationInput, ctx: LoginContext): Promise<Account> {
    // Everything checkable without a secret first: a refused form spends no attempt, consumes no code.
    const deviceName = checkActivationForm(input);
    const ident = typeof input.identifier === 'string' ? input.identifier.trim() : '';
    const challengeId = typeof input.challengeId === 'string' ? input.challengeId : '';
    const found = ident ? await k.identity.findByIdentifier(ident) : undefined;
    const accountId = found?.id ?? (await decoyAccountId(ident));
    const checked = await k.checkOtp({
      challengeId,
      accountId,
      code: String(input.code ?? ''),
      ctx,
      purpose: 'activation',
      subject: found ? accountRef(found.id) : identifierSubject(ident),
    });
    // A code matched, so the challenge is a real one: sent for this account while it was pending.
    if (!found) throw platformProblem('NOT_FOUND', { what: 'account' });
    const account = found;
    const use: OtpUse = { challengeId, accountId: account.id, ctx, purpose: checked.purpose };
    const now = clock.now();
    // Art 14.2: told only to whoever just proved the phone; the code stays unconsumed (it is of no use).
    if (activationPeriodOver(account, now)) throw await periodOver(account.id, ctx, account.activationDueAt);

    // argon2 outside the transaction: it holds no connection while hashing.
    const [passwordHash, passcodeHash] = await Promise.all([
      k.hasher.hash(input.password),
      k.hasher.hash(input.passcode),
    ]);
    try {
      return await db.transaction().execute(async (trx) => {
        // First: a second request with the same code waits here, then finds it consumed.
        if (!(await k.consumeOtp(trx, use))) throw new CodeUsed();
        const activated = await k.identity.activate(trx, account.id, {
          expectedVersion: account.version,
          actor: accountRef(account.id),
          via: 'app',
        });
        await storeCredentials(trx, account.id, { passwordHash, passcodeHash, deviceName }, ctx, now);
        return activated;
      });
    } catch (error) {
      if (error instanceof CodeUsed) throw await k.otpUsed(use);
      // The period ended between the check above and the transaction.
      if (isPeriodOverRefusal(error)) throw await periodOver(account.id, ctx, account.activationDueAt);
      if (isUniqueViolation(error, 'devices_one_active')) throw platformProblem('CONFLICT');
      throw error;
    }
  }

  return { start, complete };
}

// ---------------------------------------------------------------------------------------------
// By the hotline (Art 14.2)

const VN_OFFSET_MS = 7 * 3600_000;

/** The civil date in Vietnam (UTC+7) of an instant: the last day of an activation period. */
export function vnCivilDate(instant: Date): string {
  return new Date(instant.getTime() + VN_OFFSET_MS).toISOString().slice(0, 10);
}

export interface ReissueDeps {
  identity: Pick<IdentityService, 'reissueActivation'>;
  notify: Pick<NotifyService, 'enqueue'>;
  contactPhoneOf?: ContactPhoneOf;
}

/**
 * The call centre reopens activation of an `activation_expired` account after verifying the
 * caller (Art 14.2): identity.reissueActivation (status, new 7-day period, audit entry with the
 * reason and verification method) and, in the same transaction, `activation_reissued` by SMS to
 * the contact phone (when there is one) and to the account's inbox: the subject learns of it,
 * and would notice a reissue they did not ask for. Messages are in English for foreigners,
 * Vietnamese otherwise (policy: the officer's language is not the subject's).
 */
export async function reissueActivation(
  deps: ReissueDeps,
  executor: Executor,
  accountId: string,
  options: ReissueOptions,
): Promise<Account> {
  const run = async (trx: Trx) => {
    const account = await deps.identity.reissueActivation(trx, accountId, options);
    const params = { expiresOn: vnCivilDate(account.activationDueAt!) };
    const locale = account.subjectKind === 'foreigner' ? 'en' : 'vi';
    const phone = await (deps.contactPhoneOf ?? ownPhone)(account);
    if (phone) {
      await deps.notify.enqueue(trx, {
        channel: 'sms',
        recipient: phone,
        accountId: account.id,
        template: 'activation_reissued',
        params,
        locale,
      });
    }
    await deps.notify.enqueue(trx, {
      channel: 'inbox',
      recipient: account.id,
      template: 'activation_reissued',
      params,
      locale,
    });
    return account;
  };
  return executor.isTransaction ? run(executor as Trx) : executor.transaction().execute(run);
}
