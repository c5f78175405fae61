import { defineProblems } from '../platform/errors.ts';

/**
 * Electronic identity accounts (tài khoản định danh điện tử, Decree 69/2024 Arts 7, 9, 14): who the
 * account belongs to (a subject in a national registry), its level, its status and its contact
 * points. The state diagram is in docs/accounts.md.
 */

export type SubjectKind = 'citizen' | 'foreigner' | 'organisation';
export type AccountStatus = 'pending_activation' | 'active' | 'locked' | 'activation_expired' | 'closed';

export const ACCOUNT_STATUSES: readonly AccountStatus[] = [
  'pending_activation',
  'active',
  'locked',
  'activation_expired',
  'closed',
];

export interface Account {
  /** uuid, the stable key (never the PIN: a PIN can be re-issued, Decree 70/2024 Art 11.7). */
  id: string;
  subjectKind: SubjectKind;
  /** The subject's stable id in its national registry (person / foreigner / organisation id). */
  registryId: string;
  /** Citizens: looked-up attribute. */
  pin: string | null;
  /** Foreigners (country: ISO 3166-1 alpha-3). */
  passport: { country: string; number: string } | null;
  /** Organisations. */
  enterpriseCode: string | null;
  fullName: string;
  /** Null for organisations (one account, no levels: Decree 69 Art 7.3). */
  level: 1 | 2 | null;
  status: AccountStatus;
  /** Empty unless status = 'locked'. */
  lockReasons: string[];
  /** E.164, e.g. '+84912345678'; bound to at most one live account (Art 9, DOMAIN.md §4). */
  phone: string | null;
  email: string | null;
  createdAt: Date;
  activatedAt: Date | null;
  version: number;
  /**
   * Added to the contract (optional so that fakes built against the contract still type-check;
   * always filled by this service): end of the in-app activation period (Art 14); null once activated.
   */
  activationDueAt?: Date | null;
}

/** What a relying party may receive, read from the registries through their ports. */
export interface SubjectProfile {
  accountId: string;
  fullName: string;
  familyName?: string;
  givenName?: string;
  /** Added to the contract: Vietnamese middle name(s) ("Văn", "Thị Minh"), when the registry has them. */
  middleName?: string;
  /** 'YYYY-MM-DD' */
  birthdate: string | null;
  gender: 'male' | 'female' | null;
  pin: string | null;
  nationality: string | null;
  /** Formatted permanent residence (head office for an organisation). */
  address: string | null;
  phone: string | null;
  email: string | null;
  level: 1 | 2 | null;
}

/** Who asks for a change (recorded in the audit ledger). */
export interface Actor {
  kind: string;
  id: string;
}

export interface NewAccount {
  subjectKind: SubjectKind;
  registryId: string;
  pin?: string | null;
  passport?: { country: string; number: string } | null;
  enterpriseCode?: string | null;
  fullName: string;
  level: 1 | 2 | null;
  /** 'pending_activation' (default: the agency approved, the subject activates in the app) or 'active'. */
  status?: 'pending_activation' | 'active';
  phone?: string | null;
  email?: string | null;
  actor?: Actor;
}

/**
 * Grounds for locking an account (DOMAIN.md §6; Law on Identification Arts 31–34, Decree 69 Arts
 * 28–30): (a) the holder asks; (b) terms of use broken; (c) ID card revoked or held; (d) death;
 * (đ) an authority asks; plus the foreigner and organisation cases and suspected takeover.
 */
export const LOCK_REASONS = [
  'holder_request',
  'terms_violation',
  'card_revoked_or_held',
  'death',
  'authority_request',
  'document_expired',
  'organisation_dissolved',
  'suspected_misuse',
] as const;
export type LockReason = (typeof LOCK_REASONS)[number];

export const identityProblem = defineProblems({
  PHONE_ALREADY_BOUND: {
    status: 409,
    vi: 'Số điện thoại này đã được dùng cho một tài khoản định danh điện tử khác.',
    en: 'This phone number is already linked to another electronic identity account.',
  },
  ACCOUNT_ALREADY_EXISTS: {
    status: 409,
    vi: 'Chủ thể này đã có tài khoản định danh điện tử.',
    en: 'This subject already has an electronic identity account.',
  },
  ACCOUNT_TRANSITION_NOT_ALLOWED: {
    status: 409,
    vi: 'Không thể thực hiện thao tác "{action}" khi tài khoản ở trạng thái {status}.',
    en: 'The action "{action}" is not possible while the account is {status}.',
  },
  ACCOUNT_NOT_ACTIVE: {
    status: 403,
    vi: 'Tài khoản định danh điện tử {statusVi}.',
    en: 'The electronic identity account {statusEn}.',
  },
  ACCOUNT_INVALID: {
    status: 400,
    vi: 'Thông tin tài khoản không hợp lệ: {reason}',
    en: 'The account data is not valid: {reason}',
  },
});

/** Phrases for ACCOUNT_NOT_ACTIVE, per status. */
export const STATUS_PHRASES: Record<AccountStatus, { vi: string; en: string }> = {
  pending_activation: {
    vi: 'chưa được kích hoạt; vui lòng kích hoạt trong ứng dụng',
    en: 'is not activated yet; activate it in the app',
  },
  active: { vi: 'đang hoạt động', en: 'is active' },
  // DOMAIN.md §6 (policy): locking never makes unlocking impossible.
  locked: {
    vi: 'đang bị khóa; bạn vẫn có thể gửi yêu cầu mở khóa',
    en: 'is locked; you can still ask for it to be unlocked',
  },
  activation_expired: {
    vi: 'đã quá hạn kích hoạt; vui lòng liên hệ tổng đài để được kích hoạt',
    en: 'was not activated in time; call the hotline to activate it',
  },
  closed: { vi: 'đã bị đóng', en: 'is closed' },
};

/** Death closes the way to an unlock for good (Law on Identification Art 34): no "ask to unlock" there. */
const LOCKED_FOR_DEATH = { vi: 'đã bị khóa vĩnh viễn', en: 'is locked for good' };

export function notActiveProblem(status: AccountStatus, lockReasons: readonly string[] = []) {
  const phrase = status === 'locked' && lockReasons.includes('death') ? LOCKED_FOR_DEATH : STATUS_PHRASES[status];
  return identityProblem('ACCOUNT_NOT_ACTIVE', { status, statusVi: phrase.vi, statusEn: phrase.en });
}

// ---------------------------------------------------------------------------------------------
// Pure rules

/** A phone number as E.164 (`+84912345678`), or null when it is not one. */
export function toE164(input: string): string | null {
  const compact = input.replace(/[\s.()-]/g, '');
  let e164: string;
  if (/^0\d{9}$/.test(compact)) e164 = `+84${compact.slice(1)}`;
  else if (/^84\d{9}$/.test(compact)) e164 = `+${compact}`;
  else if (/^\+\d+$/.test(compact)) e164 = compact;
  else return null;
  return /^\+[1-9]\d{6,14}$/.test(e164) ? e164 : null;
}

const EMAIL =
  /^[^\s@]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

/** A login identifier, classified: a PIN, a passport (optionally `KOR:M12345678`), an enterprise code. */
export type Identifier =
  | { kind: 'pin'; pin: string }
  | { kind: 'passport'; number: string; country: string | null }
  | { kind: 'enterprise'; code: string }
  | { kind: 'invalid' };

export function parseIdentifier(input: string): Identifier {
  const value = input.trim().toUpperCase().replace(/\s+/g, '');
  if (/^\d{12}$/.test(value)) return { kind: 'pin', pin: value };
  if (/^\d{10}(-\d{3})?$/.test(value)) return { kind: 'enterprise', code: value };
  const prefixed = /^([A-Z]{3})[:/]([A-Z0-9]{5,20})$/.exec(value);
  if (prefixed) return { kind: 'passport', country: prefixed[1]!, number: prefixed[2]! };
  if (/^[A-Z0-9]{5,20}$/.test(value) && /[A-Z]/.test(value)) return { kind: 'passport', number: value, country: null };
  return { kind: 'invalid' };
}

/**
 * The identifier as one string whatever way it was typed (spaces, case, a passport's country
 * prefix): every spelling that finds the same account gives the same string.
 */
export function canonicalIdentifier(input: string): string {
  const id = parseIdentifier(input);
  switch (id.kind) {
    case 'pin':
      return `pin:${id.pin}`;
    case 'enterprise':
      return `ent:${id.code}`;
    case 'passport':
      return `pp:${id.number}`;
    default:
      return `raw:${input.trim().toUpperCase().replace(/\s+/g, '')}`;
  }
}

/** Masks a phone for display: '+84912345678' → '0912***678'. */
export function maskPhone(e164: string): string {
  const national = e164.startsWith('+84') ? `0${e164.slice(3)}` : e164;
  if (national.length < 8) return '*'.repeat(national.length);
  return `${national.slice(0, 4)}${'*'.repeat(national.length - 7)}${national.slice(-3)}`;
}

const VN_OFFSET_MS = 7 * 3600_000;

/**
 * End of the in-app activation period: the subject activates within 7 calendar days of the result
 * notice (Decree 69/2024 Art 14.1); the day of the notice is not counted and the period ends at
 * 24:00 Vietnam time of its last day (Civil Code 2015 Arts 147–148).
 */
export function activationDeadline(noticeAt: Date, days = 7): Date {
  const local = new Date(noticeAt.getTime() + VN_OFFSET_MS);
  const end = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + days, 23, 59, 59, 999);
  return new Date(end - VN_OFFSET_MS);
}

/**
 * How the call centre made sure the caller is the account's subject before reopening activation
 * (Decree 69 Art 14.2 leaves the means to the agency; policy): questions on data only the subject
 * knows, a video call comparing the face with the card, or calling back the phone bound to the account.
 */
export const ACTIVATION_VERIFICATION_METHODS = [
  'knowledge_questions',
  'video_call',
  'callback_registered_phone',
] as const;
export type ActivationVerificationMethod = (typeof ACTIVATION_VERIFICATION_METHODS)[number];

export interface ActivationVerification {
  method: ActivationVerificationMethod;
  /** The officer's note on the check. It may hold personal data: never logged, never in the ledger (only its digest). */
  note: string;
}

/** A change to an account's status, as the pure rule below sees it. */
export type StatusEvent =
  | { type: 'activate'; via: 'app' | 'call_centre'; at: Date }
  | { type: 'expire_activation'; at: Date }
  | { type: 'reissue_activation'; at: Date }
  | { type: 'lock'; reason: LockReason }
  | { type: 'unlock'; reason: LockReason }
  | { type: 'close' };

export type StatusPatch = {
  status: AccountStatus;
  lockReasons: string[];
  activatedAt?: Date;
  /** A new end of the activation period (reissue), or null once activated; absent: unchanged. */
  activationDueAt?: Date | null;
};

/**
 * The next status of an account, or the reason the event is not allowed. Pure: the service
 * applies the result with a conditional update.
 */
export function nextStatus(
  account: Pick<Account, 'status' | 'lockReasons' | 'activationDueAt'>,
  event: StatusEvent,
): StatusPatch | { refused: string } {
  const { status } = account;
  if (status === 'closed') return { refused: 'closed' };
  switch (event.type) {
    case 'activate':
      if (status === 'pending_activation') {
        // Art 14.1: in the app within 7 days of the notice; after that only through the hotline.
        const due = account.activationDueAt ?? null;
        const late = due !== null && event.at > due;
        if (late && event.via === 'app') return { refused: 'activation_period_over' };
        return { status: 'active', lockReasons: [], activatedAt: event.at, activationDueAt: null };
      }
      // Art 14.2: an account not activated in time is activated by the call centre.
      if (status === 'activation_expired' && event.via === 'call_centre') {
        return { status: 'active', lockReasons: [], activatedAt: event.at, activationDueAt: null };
      }
      return { refused: 'not_pending' };
    case 'expire_activation':
      if (status !== 'pending_activation') return { refused: 'not_pending' };
      if (!account.activationDueAt || event.at <= account.activationDueAt) return { refused: 'not_due' };
      return { status: 'activation_expired', lockReasons: [] };
    case 'reissue_activation':
      // Art 14.2: once the 7 days are over, only the agency's hotline reopens activation; the
      // subject then activates in the app within a new period of 7 calendar days (policy: the same
      // length as the first, counted like it from the day after the reissue).
      if (status !== 'activation_expired') return { refused: 'not_expired' };
      return { status: 'pending_activation', lockReasons: [], activationDueAt: activationDeadline(event.at) };
    case 'lock': {
      if (status !== 'active' && status !== 'locked') return { refused: 'not_active' };
      const reasons = account.lockReasons.includes(event.reason)
        ? account.lockReasons
        : [...account.lockReasons, event.reason];
      return { status: 'locked', lockReasons: reasons };
    }
    case 'unlock': {
      if (status !== 'locked' || !account.lockReasons.includes(event.reason))
        return { refused: 'not_locked_for_reason' };
      // Law on Identification Art 34 / Decree 69 Art 30: death has no unlock.
      if (event.reason === 'death') return { refused: 'death_has_no_unlock' };
      const reasons = account.lockReasons.filter((r) => r !== event.reason);
      return reasons.length === 0 ? { status: 'active', lockReasons: [] } : { status: 'locked', lockReasons: reasons };
    }
    case 'close':
      return { status: 'closed', lockReasons: [] };
  }
}
