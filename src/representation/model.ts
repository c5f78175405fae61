import { defineProblems } from '../platform/errors.ts';
import { ageOn, birthdayAt, daysFromIso, isoFromDays, type IsoDate } from '../registries/dates.ts';
import type {
  Citizen,
  Family,
  Foreigner,
  ForeignerFamily,
  Guardianship,
  Organisation,
  SubjectKind,
} from '../registries/model.ts';

/**
 * Representation (đại diện, giám hộ): who may act for whom on the platform. Minors under 14,
 * wards and represented persons use their electronic identity account only with the consent or
 * confirmation of their representative in the app, and the representative uses it in their
 * interest (Decree 69/2024, the paragraph after activation in Art 14, seed 002; DOMAIN.md §5).
 * Representation of a minor ends at 14 and the young person takes the account over (policy,
 * DOMAIN.md §5). Article numbers are the Civil Code 2015 (Bộ luật Dân sự, 91/2015/QH13) unless said
 * otherwise.
 */

export type { IsoDate, SubjectKind };

/**
 * Grounds of a link: a parent of a minor (Art 136.1), a guardian of a ward (Arts 46–63, 136.2),
 * the legal representative of an organisation (Art 137) or a person authorised (Art 138).
 */
export type Basis = 'parent' | 'guardian' | 'legal_representative' | 'authorised';
export const BASES: readonly Basis[] = ['parent', 'guardian', 'legal_representative', 'authorised'];

/** Why a link ended. */
export type EndReason = 'dependant_turned_14' | 'guardianship_ended' | 'authorisation_expired' | 'revoked';

/** What a dependant's account asks its representative to confirm in the app. */
export type ConfirmationAction = 'sign_in' | 'share_data' | 'change_contact' | 'lock' | 'unlock' | 'other';
export const CONFIRMATION_ACTIONS: readonly ConfirmationAction[] = [
  'sign_in',
  'share_data',
  'change_contact',
  'lock',
  'unlock',
  'other',
];

export type ConfirmationStatus = 'pending' | 'confirmed' | 'refused' | 'expired';
export type Decision = 'confirm' | 'refuse';

/** A subject in a national registry, as the accounts name it. */
export interface SubjectRef {
  kind: SubjectKind;
  registryId: string;
}

export interface Link {
  id: string;
  representativeAccountId: string;
  dependantAccountId: string;
  basis: Basis;
  /** Where the basis comes from: registry relation, court and decision number, title… */
  evidence: Record<string, unknown>;
  validFrom: IsoDate;
  /** Exclusive: the link holds on days before it (a minor's 14th birthday; a guardianship's end). */
  validUntil: IsoDate | null;
  endedAt: Date | null;
  endReason: EndReason | null;
  createdAt: Date;
  version: number;
}

export interface Confirmation {
  id: string;
  linkId: string;
  dependantAccountId: string;
  representativeAccountId: string;
  action: ConfirmationAction;
  detail: Record<string, unknown>;
  /** As stored; a pending one past `expiresAt` reads as 'expired' (see effectiveStatus). */
  status: ConfirmationStatus;
  requestedAt: Date;
  expiresAt: Date;
  decidedAt: Date | null;
  version: number;
}

/** Who asks for a change (recorded in the audit ledger). */
export interface Actor {
  kind: string;
  id: string;
}

// ---------------------------------------------------------------------------------------------
// Policy

/**
 * How long a representative has to answer (policy: the law is silent). Sign-in and data sharing
 * happen while the dependant waits in front of a relying party, so they expire quickly; the other
 * actions can wait a day.
 */
export type ConfirmationTtl = Record<ConfirmationAction, number>;

const MINUTE = 60_000;
export const DEFAULT_CONFIRMATION_TTL_MS: Readonly<ConfirmationTtl> = {
  // No longer than the login interaction that waits for it (src/oidc/provider.ts: 10 minutes).
  sign_in: 10 * MINUTE,
  share_data: 10 * MINUTE,
  change_contact: 24 * 60 * MINUTE,
  lock: 24 * 60 * MINUTE,
  unlock: 24 * 60 * MINUTE,
  other: 24 * 60 * MINUTE,
};

/**
 * The TTLs from the environment (all optional, in minutes): `REPRESENTATION_CONFIRM_FAST_MIN` for
 * sign_in and share_data, `REPRESENTATION_CONFIRM_SLOW_MIN` for the others.
 */
export function confirmationTtlFromEnv(env: Record<string, string | undefined> = process.env): ConfirmationTtl {
  const minutes = (name: string, fallback: number) => {
    const value = Number(env[name]);
    return Number.isInteger(value) && value > 0 && value <= 7 * 24 * 60 ? value * MINUTE : fallback;
  };
  const fast = minutes('REPRESENTATION_CONFIRM_FAST_MIN', DEFAULT_CONFIRMATION_TTL_MS.sign_in);
  const slow = minutes('REPRESENTATION_CONFIRM_SLOW_MIN', DEFAULT_CONFIRMATION_TTL_MS.other);
  return { sign_in: fast, share_data: fast, change_contact: slow, lock: slow, unlock: slow, other: slow };
}

/** Age at which a minor's representation ends and the account passes to them (DOMAIN.md §5, policy). */
export const HANDOVER_AGE = 14;
/** Age of majority: full civil act capacity (Art 20.1). */
export const MAJORITY_AGE = 18;

/** Largest `detail` a confirmation may carry, as JSON (it is shown to the representative). */
export const MAX_DETAIL_BYTES = 4096;

// ---------------------------------------------------------------------------------------------
// Problems

export const representationProblem = defineProblems({
  REPRESENTATION_NONE: {
    status: 409,
    vi: 'Tài khoản này không có người đại diện, người giám hộ còn hiệu lực.',
    en: 'This account has no representative or guardian in force.',
  },
  REPRESENTATION_NOT_ESTABLISHED: {
    status: 409,
    vi: 'Không xác lập được quan hệ đại diện: {reasonVi}.',
    en: 'The representation cannot be established: {reasonEn}.',
  },
  REPRESENTATION_EXISTS: {
    status: 409,
    vi: 'Quan hệ đại diện giữa hai tài khoản này đã tồn tại.',
    en: 'These two accounts are already linked by a representation.',
  },
  REPRESENTATION_ENDED: {
    status: 409,
    vi: 'Quan hệ đại diện đã chấm dứt; yêu cầu xác nhận không còn giá trị.',
    en: 'The representation has ended; the confirmation request is void.',
  },
  REPRESENTATION_INVALID: {
    status: 400,
    vi: 'Thông tin đại diện không hợp lệ: {reason}',
    en: 'The representation data is not valid: {reason}',
  },
  CONFIRMATION_EXPIRED: {
    status: 409,
    vi: 'Yêu cầu xác nhận đã hết hạn lúc {expiresAt}.',
    en: 'The confirmation request expired at {expiresAt}.',
  },
  CONFIRMATION_ALREADY_DECIDED: {
    status: 409,
    vi: 'Yêu cầu xác nhận đã được xử lý ({status}).',
    en: 'The confirmation request was already answered ({status}).',
  },
});

// ---------------------------------------------------------------------------------------------
// Pure rules: may R represent D on a date?

/** Stable codes of a refusal (the issuance engine shows them; the API returns them). */
export type RefusalCode =
  | 'representative_unknown'
  | 'dependant_unknown'
  | 'same_person'
  | 'representative_deceased'
  | 'dependant_deceased'
  | 'representative_minor'
  | 'representative_under_guardianship'
  | 'not_related'
  | 'dependant_too_old'
  | 'guardian_appointed'
  | 'guardianship_ended'
  | 'guardianship_not_started'
  | 'organisation_dissolved'
  | 'not_yet_legal_representative';

/** What each refusal means, for REPRESENTATION_NOT_ESTABLISHED. */
export const REFUSALS: Record<RefusalCode, { vi: string; en: string }> = {
  representative_unknown: {
    vi: 'không tìm thấy người đại diện trong cơ sở dữ liệu quốc gia',
    en: 'the representative is not in the national databases',
  },
  dependant_unknown: {
    vi: 'không tìm thấy người được đại diện trong cơ sở dữ liệu quốc gia',
    en: 'the represented person is not in the national databases',
  },
  same_person: { vi: 'một người không thể tự đại diện cho mình', en: 'a person cannot represent themselves' },
  representative_deceased: { vi: 'người đại diện đã chết', en: 'the representative has died' },
  dependant_deceased: { vi: 'người được đại diện đã chết', en: 'the represented person has died' },
  representative_minor: {
    vi: 'người đại diện chưa thành niên',
    en: 'the representative is a minor',
  },
  representative_under_guardianship: {
    vi: 'người đại diện đang được giám hộ',
    en: 'the representative is under guardianship',
  },
  not_related: {
    vi: 'cơ sở dữ liệu quốc gia không ghi nhận quan hệ cha, mẹ, giám hộ hoặc đại diện theo pháp luật',
    en: 'the national databases record no parent, guardian or legal-representative relation',
  },
  dependant_too_old: {
    vi: 'người con đã đủ 14 tuổi và tự sử dụng tài khoản',
    en: 'the child is 14 or older and uses the account themselves',
  },
  guardian_appointed: {
    vi: 'người con đang có người giám hộ; người giám hộ là người đại diện',
    en: 'the child has a guardian, who is the representative',
  },
  guardianship_ended: { vi: 'việc giám hộ đã chấm dứt', en: 'the guardianship has ended' },
  guardianship_not_started: { vi: 'việc giám hộ chưa bắt đầu', en: 'the guardianship has not started yet' },
  organisation_dissolved: { vi: 'tổ chức đã giải thể', en: 'the organisation is dissolved' },
  not_yet_legal_representative: {
    vi: 'người này chưa là người đại diện theo pháp luật của tổ chức vào ngày đó',
    en: 'the person was not yet a legal representative of the organisation on that day',
  },
};

/** What the registries say about the representative. */
export type RepresentativeFacts =
  | { kind: 'citizen'; person: Citizen | null; guardians: Guardianship[] }
  | { kind: 'foreigner'; person: Foreigner | null }
  | { kind: 'organisation' };

/** What the registries say about the dependant. */
export type DependantFacts =
  | { kind: 'citizen'; person: Citizen | null; family: Family | null; guardians: Guardianship[] }
  | { kind: 'foreigner'; person: Foreigner | null; family: ForeignerFamily | null }
  | { kind: 'organisation'; organisation: Organisation | null };

export interface Established {
  basis: Basis;
  validFrom: IsoDate;
  validUntil: IsoDate | null;
  evidence: Record<string, unknown>;
}

export type BasisResult = Established | { refused: RefusalCode };

/** A guardianship is in force from `since` to the day before `until` (the registry's convention). */
export function inForce(g: Pick<Guardianship, 'since' | 'until'>, on: IsoDate): boolean {
  return g.since <= on && (g.until === null || on < g.until);
}

/** Whether a link holds on a day: from `validFrom` to the day before `validUntil`, unless ended. */
export function validOn(link: Pick<Link, 'validFrom' | 'validUntil' | 'endedAt'>, on: IsoDate): boolean {
  return link.endedAt === null && link.validFrom <= on && (link.validUntil === null || on < link.validUntil);
}

/** The day someone born on `dateOfBirth` reaches `age` (29 February: 28 February, see dates.ts). */
export function birthday(dateOfBirth: IsoDate, age: number): IsoDate {
  return isoFromDays(birthdayAt(daysFromIso(dateOfBirth), age));
}

export function ageAt(dateOfBirth: IsoDate, on: IsoDate): number {
  return ageOn(daysFromIso(dateOfBirth), daysFromIso(on));
}

const dead = (person: { dateOfDeath: IsoDate | null }, on: IsoDate) =>
  person.dateOfDeath !== null && person.dateOfDeath <= on;

const earlier = (a: IsoDate | null, b: IsoDate | null): IsoDate | null =>
  a === null ? b : b === null ? a : a < b ? a : b;

/**
 * Whether R may represent D on `on`, and on what basis and until when. Pure: the service reads
 * the registries through their ports and hands the facts here.
 */
export function findBasis(representative: RepresentativeFacts, dependant: DependantFacts, on: IsoDate): BasisResult {
  const refusal = representativeUnfit(representative, on);
  if (refusal) return { refused: refusal };
  switch (dependant.kind) {
    case 'organisation':
      return organisationBasis(representative, dependant.organisation, on);
    case 'citizen':
      return citizenBasis(representative, dependant, on);
    case 'foreigner':
      return foreignChildBasis(representative, dependant, on);
  }
}

/**
 * A representative must be a living adult with full civil act capacity: a guardian must be
 * (Art 49.1), a legal representative acts with full capacity (Arts 134, 138.3), and the app asks
 * the representative for their own level-2 account and registered phone (seed 002), which a
 * ward under guardianship does not act on alone (Art 47.1(b)).
 */
function representativeUnfit(r: RepresentativeFacts, on: IsoDate): RefusalCode | undefined {
  if (r.kind === 'organisation') return 'not_related';
  if (!r.person) return 'representative_unknown';
  if (dead(r.person, on)) return 'representative_deceased';
  if (ageAt(r.person.dateOfBirth, on) < MAJORITY_AGE) return 'representative_minor';
  if (r.kind === 'citizen' && r.guardians.some((g) => inForce(g, on))) return 'representative_under_guardianship';
  return undefined;
}

/** Art 137.1: the legal representative registered in the Business Registration DB acts for it. */
function organisationBasis(r: RepresentativeFacts, org: Organisation | null, on: IsoDate): BasisResult {
  if (!org) return { refused: 'dependant_unknown' };
  if (r.kind !== 'citizen' || !r.person) return { refused: 'not_related' };
  if (org.status === 'dissolved' && org.statusSince <= on) return { refused: 'organisation_dissolved' };
  const registryId = r.person.registryId;
  const entry = org.legalRepresentatives.find((lr) => lr.person.registryId === registryId);
  if (!entry) return { refused: 'not_related' };
  if (entry.since > on) return { refused: 'not_yet_legal_representative' };
  return {
    basis: 'legal_representative',
    validFrom: on,
    // Lasts while the registration does; a change of representative is the registry-sync's to end.
    validUntil: null,
    evidence: {
      registry: 'business',
      enterpriseCode: org.enterpriseCode,
      organisation: org.name,
      title: entry.title,
      since: entry.since,
    },
  };
}

function citizenBasis(
  r: RepresentativeFacts,
  d: Extract<DependantFacts, { kind: 'citizen' }>,
  on: IsoDate,
): BasisResult {
  if (!d.person) return { refused: 'dependant_unknown' };
  if (r.kind !== 'citizen' || !r.person) return { refused: 'not_related' };
  const child = d.person;
  const registryId = r.person.registryId;
  if (child.registryId === registryId) return { refused: 'same_person' };
  if (dead(child, on)) return { refused: 'dependant_deceased' };

  // Art 136.2: a guardian is the legal representative of the ward (a minor without parents able
  // to act, or an adult who lost or has limited capacity), by law (Arts 52–53) or appointed (Art 54).
  const mine = d.guardians.filter((g) => g.guardian.registryId === registryId);
  const current = mine.find((g) => inForce(g, on));
  if (current) return guardianBasis(current, child, on);

  const relation =
    d.family?.father?.registryId === registryId
      ? 'father'
      : d.family?.mother?.registryId === registryId
        ? 'mother'
        : null;
  if (relation) {
    // Art 136.1: parents represent their minor children; on the platform until 14 (DOMAIN.md §5:
    // the account then passes to the young person, policy).
    if (ageAt(child.dateOfBirth, on) >= HANDOVER_AGE) return { refused: 'dependant_too_old' };
    // Art 47.1(a): a child has a guardian only when the parents cannot act; then the guardian,
    // not the parent, represents (Art 136.2).
    if (d.guardians.some((g) => inForce(g, on))) return { refused: 'guardian_appointed' };
    return {
      basis: 'parent',
      validFrom: on,
      validUntil: birthday(child.dateOfBirth, HANDOVER_AGE),
      evidence: { registry: 'identity', relation },
    };
  }
  if (mine.some((g) => g.until !== null && g.until <= on)) return { refused: 'guardianship_ended' };
  if (mine.some((g) => g.since > on)) return { refused: 'guardianship_not_started' };
  return { refused: 'not_related' };
}

/**
 * Until the guardianship's end as recorded. A minor ward's guardianship also ends at majority
 * (Art 62.1(a): the ward acquires full civil act capacity, Art 20), whatever the record says.
 */
function guardianBasis(g: Guardianship, ward: Citizen, on: IsoDate): Established {
  const majority = ageAt(ward.dateOfBirth, on) < MAJORITY_AGE ? birthday(ward.dateOfBirth, MAJORITY_AGE) : null;
  return {
    basis: 'guardian',
    validFrom: on,
    validUntil: earlier(g.until, majority),
    evidence: {
      registry: 'identity',
      guardianship: g.basis,
      court: g.court,
      decisionNumber: g.decisionNumber,
      since: g.since,
      until: g.until,
    },
  };
}

/**
 * A foreign child under 14: a parent recorded in the Immigration DB files and confirms for them
 * (Decree 69 Art 11, seed 001/002: "người nước ngoài dưới 14 tuổi"; Art 136.1).
 */
function foreignChildBasis(
  r: RepresentativeFacts,
  d: Extract<DependantFacts, { kind: 'foreigner' }>,
  on: IsoDate,
): BasisResult {
  if (!d.person) return { refused: 'dependant_unknown' };
  if (r.kind !== 'foreigner' || !r.person) return { refused: 'not_related' };
  const child = d.person;
  const registryId = r.person.registryId;
  if (child.registryId === registryId) return { refused: 'same_person' };
  if (dead(child, on)) return { refused: 'dependant_deceased' };
  const relation =
    d.family?.father?.registryId === registryId
      ? 'father'
      : d.family?.mother?.registryId === registryId
        ? 'mother'
        : null;
  if (!relation) return { refused: 'not_related' };
  if (ageAt(child.dateOfBirth, on) >= HANDOVER_AGE) return { refused: 'dependant_too_old' };
  return {
    basis: 'parent',
    validFrom: on,
    validUntil: birthday(child.dateOfBirth, HANDOVER_AGE),
    evidence: {
      registry: 'immigration',
      relation,
      passport: { country: child.passport.country, number: child.passport.number },
    },
  };
}

/**
 * An authorisation (Art 138) checked by an officer: the registries do not hold them. Without a
 * term, it lasts one year from the day it was given (Art 140.2(b)).
 */
export function authorisedBasis(
  authorisation: { document: string; issuedOn: IsoDate; validUntil?: IsoDate | null; grantedBy?: string },
  on: IsoDate,
): BasisResult | { invalid: string } {
  if (!authorisation.document?.trim()) return { invalid: 'the authorisation document is required' };
  try {
    daysFromIso(authorisation.issuedOn);
    if (authorisation.validUntil) daysFromIso(authorisation.validUntil);
  } catch {
    return { invalid: 'authorisation dates must be YYYY-MM-DD' };
  }
  const until = authorisation.validUntil ?? birthday(authorisation.issuedOn, 1);
  if (authorisation.issuedOn > on) return { invalid: 'the authorisation is dated in the future' };
  if (until <= on) return { invalid: 'the authorisation has expired' };
  return {
    basis: 'authorised',
    validFrom: on,
    validUntil: until,
    evidence: {
      document: authorisation.document.trim(),
      issuedOn: authorisation.issuedOn,
      ...(authorisation.grantedBy ? { grantedBy: authorisation.grantedBy } : {}),
    },
  };
}

/** Why a link whose `validUntil` has come ends (the job's `end_reason`). */
export function endReasonOf(basis: Basis): EndReason {
  switch (basis) {
    case 'parent':
      return 'dependant_turned_14';
    case 'guardian':
      return 'guardianship_ended';
    default:
      return 'authorisation_expired';
  }
}

/** The status a reader sees: a pending request past its expiry is expired, even before the sweep. */
export function effectiveStatus(c: Pick<Confirmation, 'status' | 'expiresAt'>, now: Date): ConfirmationStatus {
  return c.status === 'pending' && now.getTime() >= c.expiresAt.getTime() ? 'expired' : c.status;
}
