import type { Account } from '../identity/model.ts';
import { ageOn, daysFromIso } from '../registries/dates.ts';
import type { Citizen, DrivingLicence, HealthInsuranceCard, IsoDate } from '../registries/model.ts';
import { defineProblems } from '../platform/errors.ts';

/**
 * The electronic identity card (căn cước điện tử; Law on Identification 2023 Arts 31–34, Decree
 * 69/2024 Art 15; DOMAIN.md §6): the card each citizen holding a level-2 account has, built from
 * the Identity DB at every view, its short-lived signed presentations, their verification, the
 * usage history and the documents integrated at the holder's request. Pure types and rules; the
 * service applies them. docs/eid.md says it for humans.
 */

// ---------------------------------------------------------------------------------------------
// Policy

export interface EidPolicy {
  /** Life of a presentation credential (exp − iat), seconds. Policy: 120 s. */
  presentationTtlSec: number;
  /** Life of the passcode proof that opens the card in the app, seconds. Policy: 5 minutes. */
  proofTtlSec: number;
  /** Usage history kept this many years (DOMAIN.md §§6, 9: 5 years). */
  historyRetentionYears: number;
  /** Signing keys: a `next` key is published this long before it signs (verifiers refresh their copy). */
  keyPublishForMs: number;
  /** A retired key stays published this long (≥ a credential's life, so none it signed stops verifying). */
  keyRetainForMs: number;
  /** Age of the current key after which a rotation is staged (0: never). */
  keyRotateEveryMs: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const DEFAULT_EID_POLICY: EidPolicy = {
  presentationTtlSec: 120,
  proofTtlSec: 300,
  historyRetentionYears: 5,
  // Offline verifiers (a bank counter's reader, a hotel's app) refresh the published keys at
  // least weekly (docs/eid.md): a new key is published a week before it signs.
  keyPublishForMs: 7 * DAY,
  keyRetainForMs: DAY,
  keyRotateEveryMs: 90 * DAY,
};

/** The policy with overrides, checked: a key must outlive every credential it signed. */
export function resolveEidPolicy(overrides: Partial<EidPolicy> = {}): EidPolicy {
  const policy = { ...DEFAULT_EID_POLICY, ...overrides };
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`eid policy ${name} must be a non-negative integer`);
  }
  if (policy.presentationTtlSec < 10 || policy.presentationTtlSec > 3600) {
    throw new Error('eid policy presentationTtlSec must be between 10 and 3600 seconds');
  }
  if (policy.keyRetainForMs <= policy.presentationTtlSec * 1000) {
    throw new Error('eid policy keyRetainForMs must exceed the life of a credential');
  }
  if (policy.historyRetentionYears < 5) {
    // DOMAIN.md §6: the usage history is kept 5 years; a shorter setting would break the law.
    throw new Error('eid policy historyRetentionYears cannot be below 5');
  }
  return policy;
}

/** EID_PRESENTATION_TTL_SEC, EID_PROOF_TTL_SEC, EID_HISTORY_RETENTION_YEARS, EID_KEY_ROTATE_DAYS (all optional). */
export function eidPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): EidPolicy {
  const int = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
    return n;
  };
  const overrides: Partial<EidPolicy> = {};
  const ttl = int('EID_PRESENTATION_TTL_SEC');
  if (ttl !== undefined) overrides.presentationTtlSec = ttl;
  const proof = int('EID_PROOF_TTL_SEC');
  if (proof !== undefined) overrides.proofTtlSec = proof;
  const years = int('EID_HISTORY_RETENTION_YEARS');
  if (years !== undefined) overrides.historyRetentionYears = years;
  const rotate = int('EID_KEY_ROTATE_DAYS');
  if (rotate !== undefined) overrides.keyRotateEveryMs = rotate * DAY;
  return resolveEidPolicy(overrides);
}

// ---------------------------------------------------------------------------------------------
// The card

/**
 * Status of an electronic identity card: `active`; `locked` (a lock ground holds: Law on
 * Identification Art 34 — the holder's request, terms broken, the ID card revoked or held, an
 * authority's request); `revoked` (no card any more: death, the account closed or no longer level
 * 2, not a citizen).
 */
export type EidStatus = 'active' | 'locked' | 'revoked';

/** What the card shows (Law on Identification Art 31.2: the Identity DB's data; no portrait here). */
export interface EidCard {
  pin: string;
  fullName: string;
  familyName: string;
  middleName: string;
  givenName: string;
  dateOfBirth: IsoDate;
  sex: 'male' | 'female';
  /** ISO 3166-1 alpha-3. */
  nationality: string;
  placeOfBirthRegistration: { code: string; name: string };
  residence: string;
  /** The physical ID card (thẻ căn cước) on record; null only for a card that is `revoked`. */
  idCard: { number: string; issuedOn: IsoDate; expiresOn: IsoDate | null } | null;
  level: 2;
  status: EidStatus;
  /** When the data were read from the Identity DB. */
  readAt: Date;
}

/** Why an account has no electronic identity card, or null when it has one. */
export function ineligibility(account: Pick<Account, 'subjectKind' | 'level'>): 'not_citizen' | 'level_1' | null {
  // Law on Identification Art 31.1: the căn cước điện tử is a citizen's; DOMAIN.md §4: level 2 gives it.
  if (account.subjectKind !== 'citizen') return 'not_citizen';
  if (account.level !== 2) return 'level_1';
  return null;
}

/**
 * The card's status now, from the account and the Identity DB read at this moment (never a copy):
 * death revokes it for good (Law Art 34: no unlock); a revoked or held ID card locks it (Art 34.1(c))
 * even before the registry-sync worker has locked the account.
 */
export function eidStatusOf(
  account: Pick<Account, 'subjectKind' | 'level' | 'status'> | undefined,
  citizen: Pick<Citizen, 'dateOfDeath' | 'idCard'> | null,
): EidStatus {
  if (!account || ineligibility(account) !== null || account.status === 'closed') return 'revoked';
  if (!citizen || citizen.dateOfDeath !== null || citizen.idCard === null) return 'revoked';
  if (account.status === 'locked') return 'locked';
  if (account.status !== 'active') return 'revoked';
  if (citizen.idCard.status !== 'valid') return 'locked';
  return 'active';
}

/** Builds the card from the Identity DB's record, as read now. */
export function cardFrom(citizen: Citizen, status: EidStatus, readAt: Date): EidCard {
  const card = citizen.idCard;
  return {
    pin: citizen.pin,
    fullName: citizen.fullName,
    familyName: citizen.familyName,
    middleName: citizen.middleName,
    givenName: citizen.givenName,
    dateOfBirth: citizen.dateOfBirth,
    sex: citizen.sex,
    nationality: citizen.nationality,
    placeOfBirthRegistration: { ...citizen.birthRegistration },
    residence: citizen.residence.full,
    idCard: card ? { number: card.number, issuedOn: card.issuedOn, expiresOn: card.expiresOn } : null,
    level: 2,
    status,
    readAt,
  };
}

// ---------------------------------------------------------------------------------------------
// Presentations

/** The credential's JOSE `typ` (RFC 8725 §3.11: explicit typing, so it is never taken for another JWT). */
export const EID_TYP = 'vn-eid+jwt';

/**
 * Claims of a presentation, by name: the card's data (snake_case) plus `age_over_18`. Each purpose
 * releases only its list (Law 91/2025 on Personal Data Protection: data minimisation).
 */
export const CARD_CLAIMS = [
  'pin',
  'full_name',
  'family_name',
  'middle_name',
  'given_name',
  'date_of_birth',
  'sex',
  'nationality',
  'place_of_birth_registration',
  'residence',
  'id_card',
  'level',
  'eid_status',
] as const;
export type CardClaim = (typeof CARD_CLAIMS)[number];
export type ReleasedClaim = CardClaim | 'age_over_18';

/** Purposes a holder may choose; the default shows the whole card (it counts as showing the physical card). */
export const PURPOSES: Readonly<Record<string, readonly ReleasedClaim[]>> = {
  full: CARD_CLAIMS,
  age_over_18: ['age_over_18'],
};
export type Purpose = keyof typeof PURPOSES & string;
export const PURPOSE_NAMES = Object.keys(PURPOSES);

export type ClaimValue = string | number | boolean | null | { [key: string]: string | null };

/** Whether someone born on `dateOfBirth` is 18 or older on `today` (both ISO dates, Vietnam's calendar day). */
export function ageOver18(dateOfBirth: IsoDate, today: IsoDate): boolean {
  return ageOn(daysFromIso(dateOfBirth), daysFromIso(today)) >= 18;
}

/** Every releasable claim's value from the card, on `today`. */
export function allClaims(card: EidCard, today: IsoDate): Record<ReleasedClaim, ClaimValue> {
  return {
    pin: card.pin,
    full_name: card.fullName,
    family_name: card.familyName,
    middle_name: card.middleName,
    given_name: card.givenName,
    date_of_birth: card.dateOfBirth,
    sex: card.sex,
    nationality: card.nationality,
    place_of_birth_registration: { ...card.placeOfBirthRegistration },
    residence: card.residence,
    id_card: card.idCard
      ? { number: card.idCard.number, issued_on: card.idCard.issuedOn, expires_on: card.idCard.expiresOn }
      : null,
    level: card.level,
    eid_status: card.status,
    age_over_18: ageOver18(card.dateOfBirth, today),
  };
}

/** The claims a purpose releases, and their names (the names go to the usage history, never the values). */
export function claimsFor(
  card: EidCard,
  purpose: string,
  today: IsoDate,
): { names: ReleasedClaim[]; claims: Partial<Record<ReleasedClaim, ClaimValue>> } {
  const names = PURPOSES[purpose];
  if (!names)
    throw eidProblem('EID_PURPOSE_UNKNOWN', { purpose, known: PURPOSE_NAMES.join(', ') }, { field: 'purpose' });
  const values = allClaims(card, today);
  return { names: [...names], claims: Object.fromEntries(names.map((n) => [n, values[n]])) };
}

/** The answer of online verification (docs/eid.md). */
export type OnlineStatus = 'active' | 'locked' | 'revoked' | 'expired' | 'invalid';

/**
 * The instant `years` calendar years before `now` (UTC fields; 29 February falls back to 28):
 * history rows created before it are past their retention.
 */
export function retentionCutoff(now: Date, years: number): Date {
  const cutoff = new Date(now.getTime());
  const month = cutoff.getUTCMonth();
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - years);
  if (cutoff.getUTCMonth() !== month) cutoff.setUTCDate(0); // 29 Feb → 28 Feb of a common year
  return cutoff;
}

// ---------------------------------------------------------------------------------------------
// Integrated documents (Decree 69/2024 Art 15: at the holder's request)

export const DOCUMENT_KINDS = ['driving_licence', 'health_insurance'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export const DOCUMENT_NAMES: Record<DocumentKind, { vi: string; en: string }> = {
  driving_licence: { vi: 'giấy phép lái xe', en: 'driving licence' },
  health_insurance: { vi: 'thẻ bảo hiểm y tế', en: 'health-insurance card' },
};

export type RegistryDocument =
  { kind: 'driving_licence'; licence: DrivingLicence } | { kind: 'health_insurance'; card: HealthInsuranceCard };

/** The number that identifies a document in its registry (the stored reference). */
export function referenceOf(doc: RegistryDocument): string {
  return doc.kind === 'driving_licence' ? doc.licence.number : doc.card.number;
}

export interface IntegratedDocument {
  kind: DocumentKind;
  /** The document's number when it was integrated or last refreshed. */
  reference: string;
  /** The Vietnam date the registry was last checked for it. */
  snapshotOn: IsoDate;
  integratedAt: Date;
  /** Read from the registry at this view; null when the registry no longer has it. */
  current: RegistryDocument | null;
}

// ---------------------------------------------------------------------------------------------
// Problems

export const eidProblem = defineProblems({
  EID_CITIZENS_ONLY: {
    status: 403,
    vi: 'Căn cước điện tử chỉ cấp cho công dân Việt Nam có tài khoản định danh điện tử mức độ 2.',
    en: 'The electronic identity card is issued only to Vietnamese citizens with a level-2 electronic identity account.',
  },
  EID_LEVEL2_REQUIRED: {
    status: 403,
    vi: 'Căn cước điện tử chỉ có với tài khoản định danh điện tử mức độ 2. Vui lòng mang thẻ căn cước gắn chíp đến cơ quan công an cấp xã hoặc cơ quan quản lý căn cước để nâng cấp lên mức độ 2.',
    en: 'The electronic identity card comes with a level-2 electronic identity account. Bring your chip ID card to a commune police office or identity agency to upgrade to level 2.',
  },
  EID_PASSCODE_REQUIRED: {
    status: 401,
    vi: 'Vui lòng nhập mã bảo vệ (passcode) để mở căn cước điện tử.',
    en: 'Enter your passcode to open the electronic identity card.',
  },
  EID_PROOF_INVALID: {
    status: 401,
    vi: 'Phiên mở căn cước điện tử không hợp lệ hoặc đã hết hạn. Vui lòng nhập lại mã bảo vệ (passcode).',
    en: 'The card session is not valid or has expired. Enter your passcode again.',
  },
  EID_NOT_ACTIVE: {
    status: 403,
    vi: 'Căn cước điện tử {statusVi}, không thể xuất trình.',
    en: 'The electronic identity card {statusEn} and cannot be presented.',
  },
  EID_NOT_IN_REGISTRY: {
    status: 404,
    vi: 'Không tìm thấy dữ liệu căn cước của bạn trong Cơ sở dữ liệu căn cước.',
    en: 'Your identity data were not found in the Identity Database.',
  },
  EID_PURPOSE_UNKNOWN: {
    status: 400,
    vi: 'Mục đích xuất trình "{purpose}" không được hỗ trợ. Các mục đích: {known}.',
    en: 'The purpose "{purpose}" is not supported. Purposes: {known}.',
  },
  EID_DOCUMENT_NOT_IN_REGISTRY: {
    status: 404,
    vi: 'Không tìm thấy {documentVi} của bạn trong cơ sở dữ liệu quản lý; chưa thể tích hợp vào căn cước điện tử.',
    en: 'No {documentEn} of yours was found in its national database; it cannot be integrated into the electronic identity card.',
  },
  EID_DOCUMENT_NOT_INTEGRATED: {
    status: 404,
    vi: 'Chưa có {documentVi} nào được tích hợp vào căn cước điện tử.',
    en: 'No {documentEn} is integrated into the electronic identity card.',
  },
});

const STATUS_PHRASES: Record<EidStatus, { vi: string; en: string }> = {
  active: { vi: 'đang hoạt động', en: 'is active' },
  locked: { vi: 'đang bị khóa', en: 'is locked' },
  revoked: { vi: 'không còn hiệu lực', en: 'is no longer valid' },
};

export function notActiveProblem(status: EidStatus) {
  return eidProblem(
    'EID_NOT_ACTIVE',
    { status, statusVi: STATUS_PHRASES[status].vi, statusEn: STATUS_PHRASES[status].en },
    { detail: { eid_status: status } },
  );
}

export function documentParams(kind: DocumentKind) {
  return { documentVi: DOCUMENT_NAMES[kind].vi, documentEn: DOCUMENT_NAMES[kind].en };
}
