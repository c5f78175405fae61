import { createHash, randomUUID } from 'node:crypto';
import type { AuditService } from '../audit/service.ts';
import type { Platform } from '../platform/context.ts';
import { isUniqueViolation, type Executor, type Trx } from '../platform/database.ts';
import { platformProblem, Problem } from '../platform/errors.ts';
import type { NationalRegistries } from '../registries/ports.ts';
import {
  ACTIVATION_VERIFICATION_METHODS,
  activationDeadline,
  identityProblem,
  isEmail,
  LOCK_REASONS,
  maskPhone,
  nextStatus,
  parseIdentifier,
  toE164,
  type Account,
  type ActivationVerification,
  type Actor,
  type LockReason,
  type NewAccount,
  type StatusEvent,
  type SubjectProfile,
} from './model.ts';
import {
  dueForExpiry,
  findById,
  findLiveBy,
  findLiveBySubject,
  insertAccount,
  updateIfUnchanged,
} from './repository.ts';

export type { Account, ActivationVerification, Actor, LockReason, NewAccount, SubjectProfile };

/** Every change names the version the caller read: a change made meanwhile wins, this one gets CONFLICT. */
export interface ChangeOptions {
  expectedVersion: number;
  actor: Actor;
}

/** What the call centre states when it reopens activation (Decree 69 Art 14.2). */
export interface ReissueOptions extends ChangeOptions {
  /** Why (free text, audited; 1–500 characters). */
  reason: string;
  verification: ActivationVerification;
}

export interface IdentityService {
  get(accountId: string): Promise<Account | undefined>;
  /** Login identifier: a 12-digit PIN (citizen) or a passport number (foreigner). */
  findByIdentifier(identifier: string): Promise<Account | undefined>;
  profileOf(accountId: string): Promise<SubjectProfile | undefined>;
  /** Used by the sandbox now, issuance later. Throws PHONE_ALREADY_BOUND, ACCOUNT_ALREADY_EXISTS (409). */
  createAccount(executor: Executor, input: NewAccount): Promise<Account>;

  // Added to the contract.
  /** The subject's live (not closed) account. */
  findBySubject(subjectKind: Account['subjectKind'], registryId: string): Promise<Account | undefined>;
  /** The live account a phone is bound to (national or E.164 form), if any (Art 9: one account per phone). */
  findByPhone(phone: string): Promise<Account | undefined>;
  /** In the app within the activation period, or by the call centre after it (Decree 69 Art 14). */
  activate(
    executor: Executor,
    accountId: string,
    options: ChangeOptions & { via: 'app' | 'call_centre' },
  ): Promise<Account>;
  lock(executor: Executor, accountId: string, reason: LockReason, options: ChangeOptions): Promise<Account>;
  /** Removes one lock ground; the account is active again when none is left. Death has no unlock. */
  unlock(executor: Executor, accountId: string, reason: LockReason, options: ChangeOptions): Promise<Account>;
  close(executor: Executor, accountId: string, options: ChangeOptions): Promise<Account>;
  /** Binds (or removes, with null) the account's phone. Throws PHONE_ALREADY_BOUND (409). */
  setPhone(executor: Executor, accountId: string, phone: string | null, options: ChangeOptions): Promise<Account>;
  setEmail(executor: Executor, accountId: string, email: string | null, options: ChangeOptions): Promise<Account>;
  /** Level 1 → 2 at the counter: the same account, not a new one (DOMAIN.md §4, policy). */
  upgradeToLevel2(executor: Executor, accountId: string, options: ChangeOptions): Promise<Account>;
  /** Job: pending accounts past their activation period become `activation_expired`. Returns how many. */
  expireDueActivations(limit?: number): Promise<number>;
  /**
   * Added to the contract. The hotline reopens activation of an `activation_expired` account after
   * verifying the caller (Decree 69 Art 14.2): back to `pending_activation` with a new 7-day period
   * (`activationDueAt`). Audited with the reason and the verification method; the note itself is
   * neither stored nor logged (personal data), only its SHA-256 digest, which ties the entry to
   * the call centre's own record of the call. ACCOUNT_TRANSITION_NOT_ALLOWED (409) from another
   * status, CONFLICT (409) on a stale version, ACCOUNT_INVALID (400) on a bad reason or method.
   * Notifying the subject is the caller's (same transaction): see src/auth/activation.ts.
   */
  reissueActivation(executor: Executor, accountId: string, options: ReissueOptions): Promise<Account>;
  /**
   * Added to the contract. The Identity DB cancelled the citizen's PIN and issued a new one
   * (Decree 70/2024 Art 11.7): the account keeps its key and history, and its login identifier
   * follows the registry (called by the registry-sync worker, src/locks). ACCOUNT_INVALID (400)
   * for a malformed PIN, a non-citizen or a PIN another live account holds; CONFLICT (409) on a
   * stale version. The ledger keeps the last three digits only.
   */
  setPin(executor: Executor, accountId: string, pin: string, options: ChangeOptions): Promise<Account>;
}

export const ACCOUNT_SUBJECT = (id: string) => ({ kind: 'account', id });

type Computed = { patch: Parameters<typeof updateIfUnchanged>[3]; detail: Record<string, unknown> };

function inTransaction<T>(executor: Executor, run: (trx: Trx) => Promise<T>): Promise<T> {
  return executor.isTransaction ? run(executor as Trx) : executor.transaction().execute(run);
}

function invalid(reason: string, field: string): Problem {
  return identityProblem('ACCOUNT_INVALID', { reason }, { field });
}

export function createIdentityService(
  platform: Platform,
  deps: { registries: NationalRegistries; audit: AuditService },
): IdentityService {
  const { db, clock } = platform;
  const { registries, audit } = deps;

  /** Reads, checks the expected version, applies `compute` with a conditional update, audits. */
  async function change(
    executor: Executor,
    accountId: string,
    options: ChangeOptions,
    action: string,
    compute: (current: Account, trx: Trx) => Computed | Promise<Computed>,
  ): Promise<Account> {
    return inTransaction(executor, async (trx) => {
      const current = await findById(trx, accountId);
      if (!current) throw platformProblem('NOT_FOUND', { what: 'account' });
      if (current.version !== options.expectedVersion) throw platformProblem('CONFLICT');
      const { patch, detail } = await compute(current, trx);
      let updated: Account | undefined;
      try {
        updated = await updateIfUnchanged(trx, accountId, current, patch);
      } catch (error) {
        if (isUniqueViolation(error, 'accounts_phone_bound')) throw identityProblem('PHONE_ALREADY_BOUND');
        throw error;
      }
      // Another transaction changed the row after we read it.
      if (!updated) throw platformProblem('CONFLICT');
      await audit.append(trx, {
        actor: options.actor,
        action,
        subject: ACCOUNT_SUBJECT(accountId),
        outcome: 'success',
        detail: { ...detail, version: updated.version },
      });
      return updated;
    });
  }

  function statusChange(
    executor: Executor,
    accountId: string,
    options: ChangeOptions,
    event: StatusEvent,
    extraDetail: Record<string, unknown> = {},
  ) {
    const action = `identity.account.${event.type}`;
    return change(executor, accountId, options, action, (current) => {
      const next = nextStatus(current, event);
      if ('refused' in next) {
        throw identityProblem(
          'ACCOUNT_TRANSITION_NOT_ALLOWED',
          { action: event.type, status: current.status },
          { detail: { reason: next.refused } },
        );
      }
      return {
        patch: {
          status: next.status,
          lock_reasons: next.lockReasons,
          ...(next.activatedAt ? { activated_at: next.activatedAt } : {}),
          ...(next.activationDueAt !== undefined ? { activation_due_at: next.activationDueAt } : {}),
        },
        detail: {
          from: current.status,
          to: next.status,
          ...('reason' in event ? { reason: event.reason } : {}),
          ...('via' in event ? { via: event.via } : {}),
          ...(next.activationDueAt ? { activationDueAt: next.activationDueAt.toISOString() } : {}),
          ...extraDetail,
        },
      };
    });
  }

  function checkLockReason(reason: string): asserts reason is LockReason {
    if (!(LOCK_REASONS as readonly string[]).includes(reason)) throw invalid(`unknown lock reason ${reason}`, 'reason');
  }

  async function phoneFree(executor: Executor, phone: string, accountId?: string) {
    const holders = await findLiveBy(executor, 'phone', phone);
    if (holders.some((a) => a.id !== accountId)) throw identityProblem('PHONE_ALREADY_BOUND', {}, { field: 'phone' });
  }

  function normalisedPhone(phone: string | null | undefined): string | null {
    if (phone === null || phone === undefined || phone === '') return null;
    const e164 = toE164(phone);
    if (!e164) throw invalid('phone is not a phone number', 'phone');
    return e164;
  }

  function normalisedEmail(email: string | null | undefined): string | null {
    if (email === null || email === undefined || email === '') return null;
    const value = email.trim();
    if (!isEmail(value)) throw invalid('email is not an e-mail address', 'email');
    const at = value.lastIndexOf('@');
    return `${value.slice(0, at)}@${value.slice(at + 1).toLowerCase()}`;
  }

  return {
    get(accountId) {
      return findById(db, accountId);
    },

    async findByIdentifier(identifier) {
      if (typeof identifier !== 'string' || identifier.length > 64) return undefined;
      const id = parseIdentifier(identifier);
      switch (id.kind) {
        case 'pin':
          return (await findLiveBy(db, 'pin', id.pin))[0];
        case 'enterprise':
          return (await findLiveBy(db, 'enterprise_code', id.code))[0];
        case 'passport': {
          const found = (await findLiveBy(db, 'passport_number', id.number)).filter(
            (a) => id.country === null || a.passport?.country === id.country,
          );
          // The same number from two countries: the user must add the country (`KOR:M12345678`).
          return found.length === 1 ? found[0] : undefined;
        }
        default:
          return undefined;
      }
    },

    async findByPhone(phone) {
      const e164 = typeof phone === 'string' ? toE164(phone) : null;
      return e164 ? (await findLiveBy(db, 'phone', e164))[0] : undefined;
    },

    findBySubject(subjectKind, registryId) {
      return findLiveBySubject(db, subjectKind, registryId);
    },

    async profileOf(accountId) {
      const account = await findById(db, accountId);
      if (!account) return undefined;
      const base: SubjectProfile = {
        accountId,
        fullName: account.fullName,
        birthdate: null,
        gender: null,
        pin: account.pin,
        nationality: null,
        address: null,
        phone: account.phone,
        email: account.email,
        level: account.level,
      };
      // The registries are the source of the subject's data (Decree 69 Art 9): read through the ports.
      if (account.subjectKind === 'citizen') {
        const c = await registries.identity.findById(account.registryId);
        if (!c) return base;
        return {
          ...base,
          fullName: c.fullName,
          familyName: c.familyName,
          givenName: c.givenName,
          ...(c.middleName ? { middleName: c.middleName } : {}),
          birthdate: c.dateOfBirth,
          gender: c.sex,
          pin: c.pin,
          nationality: c.nationality,
          address: c.residence.full,
        };
      }
      if (account.subjectKind === 'foreigner') {
        const f = await registries.immigration.findById(account.registryId);
        if (!f) return base;
        return {
          ...base,
          fullName: f.fullName,
          familyName: f.familyName,
          givenName: f.givenNames,
          birthdate: f.dateOfBirth,
          gender: f.sex,
          nationality: f.nationality,
          address: f.address?.full ?? null,
        };
      }
      const o = await registries.business.findById(account.registryId);
      if (!o) return base;
      return { ...base, fullName: o.name, address: o.headOffice.full };
    },

    async createAccount(executor, input) {
      const now = clock.now();
      const kind = input.subjectKind;
      if (!['citizen', 'foreigner', 'organisation'].includes(kind))
        throw invalid('unknown subject kind', 'subjectKind');
      if (!input.registryId?.trim()) throw invalid('registryId is required', 'registryId');
      if (!input.fullName?.trim()) throw invalid('fullName is required', 'fullName');
      const pin = kind === 'citizen' ? (input.pin ?? '') : null;
      if (pin !== null && !/^\d{12}$/.test(pin)) throw invalid('a citizen account needs a 12-digit PIN', 'pin');
      const passport =
        kind === 'foreigner' && input.passport
          ? { country: input.passport.country.toUpperCase(), number: input.passport.number.toUpperCase() }
          : null;
      if (
        kind === 'foreigner' &&
        (!passport || !/^[A-Z]{3}$/.test(passport.country) || !/^[A-Z0-9]{5,20}$/.test(passport.number))
      ) {
        throw invalid('a foreigner account needs a passport country and number', 'passport');
      }
      const enterpriseCode = kind === 'organisation' ? (input.enterpriseCode ?? '') : null;
      if (enterpriseCode !== null && !/^\d{10}(-\d{3})?$/.test(enterpriseCode)) {
        throw invalid('an organisation account needs its enterprise code', 'enterpriseCode');
      }
      // Decree 69 Art 7: organisations have one account without levels; persons have level 1 or 2.
      const level = kind === 'organisation' ? null : input.level;
      if (kind !== 'organisation' && level !== 1 && level !== 2) throw invalid('level must be 1 or 2', 'level');
      const phone = normalisedPhone(input.phone);
      const email = normalisedEmail(input.email);
      const status = input.status ?? 'pending_activation';
      if (status !== 'pending_activation' && status !== 'active')
        throw invalid('a new account is pending or active', 'status');

      return inTransaction(executor, async (trx) => {
        if (phone) await phoneFree(trx, phone);
        const account = await insertAccount(trx, {
          id: randomUUID(),
          subject_kind: kind,
          registry_id: input.registryId.trim(),
          pin,
          passport_country: passport?.country ?? null,
          passport_number: passport?.number ?? null,
          enterprise_code: enterpriseCode,
          full_name: input.fullName.trim(),
          level,
          status,
          phone,
          email,
          created_at: now,
          activated_at: status === 'active' ? now : null,
          activation_due_at: status === 'pending_activation' ? activationDeadline(now) : null,
        });
        if (!account) {
          // A unique index refused the row: say which rule (the phone, or the subject's live account).
          if (phone && (await findLiveBy(trx, 'phone', phone)).length > 0) {
            throw identityProblem('PHONE_ALREADY_BOUND', {}, { field: 'phone' });
          }
          throw identityProblem('ACCOUNT_ALREADY_EXISTS');
        }
        await audit.append(trx, {
          actor: input.actor ?? { kind: 'system', id: 'identity' },
          action: 'identity.account.create',
          subject: ACCOUNT_SUBJECT(account.id),
          outcome: 'success',
          detail: {
            subjectKind: kind,
            level,
            status,
            ...(phone ? { phone: maskPhone(phone) } : {}),
          },
        });
        return account;
      });
    },

    activate(executor, accountId, options) {
      return statusChange(executor, accountId, options, { type: 'activate', via: options.via, at: clock.now() });
    },

    lock(executor, accountId, reason, options) {
      checkLockReason(reason);
      return statusChange(executor, accountId, options, { type: 'lock', reason });
    },

    unlock(executor, accountId, reason, options) {
      checkLockReason(reason);
      return statusChange(executor, accountId, options, { type: 'unlock', reason });
    },

    close(executor, accountId, options) {
      return statusChange(executor, accountId, options, { type: 'close' });
    },

    async setPhone(executor, accountId, phone, options) {
      const e164 = normalisedPhone(phone);
      return change(executor, accountId, options, 'identity.account.set_phone', async (current, trx) => {
        if (current.status === 'closed') {
          throw identityProblem('ACCOUNT_TRANSITION_NOT_ALLOWED', { action: 'set_phone', status: current.status });
        }
        // DOMAIN.md §4 (Decree 69 Art 9): a phone linked to another account cannot be used again.
        // The check gives the clear answer; the unique index settles a race.
        if (e164) await phoneFree(trx, e164, accountId);
        return { patch: { phone: e164 }, detail: { phone: e164 ? maskPhone(e164) : null } };
      });
    },

    async setEmail(executor, accountId, email, options) {
      const value = normalisedEmail(email);
      return change(executor, accountId, options, 'identity.account.set_email', (current) => {
        if (current.status === 'closed') {
          throw identityProblem('ACCOUNT_TRANSITION_NOT_ALLOWED', { action: 'set_email', status: current.status });
        }
        return { patch: { email: value }, detail: { email: value !== null } };
      });
    },

    async setPin(executor, accountId, pin, options) {
      if (typeof pin !== 'string' || !/^\d{12}$/.test(pin)) throw invalid('a PIN has 12 digits', 'pin');
      return change(executor, accountId, options, 'identity.account.set_pin', async (current, trx) => {
        if (current.subjectKind !== 'citizen' || current.status === 'closed') {
          throw identityProblem('ACCOUNT_TRANSITION_NOT_ALLOWED', { action: 'set_pin', status: current.status });
        }
        // One live account per PIN (index accounts_live_pin): say so rather than fail on the index.
        if ((await findLiveBy(trx, 'pin', pin)).some((a) => a.id !== accountId)) {
          throw invalid('another account holds this PIN', 'pin');
        }
        return {
          patch: { pin },
          detail: { previousPinEnd: current.pin?.slice(-3) ?? null, pinEnd: pin.slice(-3) },
        };
      });
    },

    upgradeToLevel2(executor, accountId, options) {
      return change(executor, accountId, options, 'identity.account.upgrade', (current) => {
        if (current.subjectKind === 'organisation' || current.level !== 1 || current.status === 'closed') {
          throw identityProblem('ACCOUNT_TRANSITION_NOT_ALLOWED', { action: 'upgrade', status: current.status });
        }
        return { patch: { level: 2 }, detail: { from: 1, to: 2 } };
      });
    },

    async reissueActivation(executor, accountId, options) {
      const reason = typeof options.reason === 'string' ? options.reason.trim() : '';
      if (!reason || [...reason].length > 500) throw invalid('a reason of 1 to 500 characters is required', 'reason');
      const { method, note } = options.verification ?? {};
      if (!(ACTIVATION_VERIFICATION_METHODS as readonly string[]).includes(method)) {
        throw invalid(`unknown verification method ${String(method)}`, 'verification.method');
      }
      const text = typeof note === 'string' ? note.trim() : '';
      if (!text || [...text].length > 2000) {
        throw invalid('a verification note of 1 to 2000 characters is required', 'verification.note');
      }
      return statusChange(
        executor,
        accountId,
        options,
        { type: 'reissue_activation', at: clock.now() },
        {
          reason,
          verification: { method, noteSha256: createHash('sha256').update(text.normalize('NFC')).digest('hex') },
        },
      );
    },

    async expireDueActivations(limit = 500) {
      const now = clock.now();
      let expired = 0;
      for (const account of await dueForExpiry(db, now, limit)) {
        try {
          await statusChange(
            db,
            account.id,
            { expectedVersion: account.version, actor: { kind: 'system', id: 'activation-expiry' } },
            { type: 'expire_activation', at: now },
          );
          expired++;
        } catch (error) {
          // Activated (or otherwise changed) meanwhile: nothing to expire.
          if (
            error instanceof Problem &&
            (error.code === 'CONFLICT' || error.code === 'ACCOUNT_TRANSITION_NOT_ALLOWED')
          ) {
            continue;
          }
          throw error;
        }
      }
      return expired;
    },
  };
}
