import { ageOn, birthdayAt, daysFromIso, isoFromDays, type IsoDate } from './dates.ts';
import type { Sex } from './pin.ts';

/**
 * What the national reference databases tell the platform (DOMAIN.md §2), as domain types: the
 * ports (ports.ts) return these, never database rows, so a real adapter can replace the sandbox
 * without touching the core. Dates are ISO 'YYYY-MM-DD' strings (legal dates have no time zone).
 */
export type { IsoDate, Sex };

/** An opaque, stable identifier of a record in one registry (a PIN is not one: it can be re-issued). */
export type RegistryId = string;

export interface Address {
  /** House number and street, or hamlet. */
  line: string;
  /** Ward (phường), commune (xã) or special zone (đặc khu): the level below the province since 2025. */
  ward: string;
  /** One of the 34 provinces / centrally-run cities. */
  province: string;
  /** The whole address as printed. */
  full: string;
}

// ---------------------------------------------------------------------------------------------
// Identity / Population DB (CSDL quốc gia về dân cư, CSDL căn cước)

export type CardStatus = 'valid' | 'revoked' | 'held';
/** A card's state on a given day: its recorded status, or 'expired' once past its expiry date. */
export type CardState = CardStatus | 'expired';

/** Identity card (thẻ căn cước / CCCD). Its number is the holder's PIN. */
export interface IdCard {
  number: string;
  issuedOn: IsoDate;
  /** Null: valid for life (issued at 58 or later, Law on Identification Art 21). */
  expiresOn: IsoDate | null;
  chip: boolean;
  /** Recorded status: revoked (thu hồi, Law Art 28.1) and held (tạm giữ, Art 28.2) are decisions. */
  status: CardStatus;
  /** Day the status last changed (issue day for a valid card). */
  statusSince: IsoDate;
  issuingAuthority: string;
}

export interface Citizen {
  registryId: RegistryId;
  /** The current PIN. */
  pin: string;
  /** PINs cancelled and replaced by the current one (Decree 70/2024 Art 11.7), oldest first. */
  previousPins: string[];
  fullName: string;
  familyName: string;
  /** Zero, one or more middle names ("Văn", "Thị Minh"), '' when none. */
  middleName: string;
  givenName: string;
  sex: Sex;
  dateOfBirth: IsoDate;
  /** ISO 3166-1 alpha-3. */
  nationality: string;
  /** Province (pre-2025 code and name) where the birth was registered: the PIN's first digits. */
  birthRegistration: { code: string; name: string };
  residence: Address;
  idCard: IdCard | null;
  dateOfDeath: IsoDate | null;
}

/** A short reference to a person, used in relations. */
export interface CitizenRef {
  registryId: RegistryId;
  pin: string;
  fullName: string;
  sex: Sex;
  dateOfBirth: IsoDate;
  dateOfDeath: IsoDate | null;
}

export type GuardianshipBasis = 'court_appointed' | 'by_law';

/**
 * Guardianship (giám hộ, Civil Code 2015 Arts 46–63): of a minor without parents able to act
 * (by law: grandparents, siblings) or of an adult who lost or has limited capacity, appointed by
 * a court decision.
 */
export interface Guardianship {
  guardian: CitizenRef;
  ward: CitizenRef;
  basis: GuardianshipBasis;
  court: string | null;
  decisionNumber: string | null;
  since: IsoDate;
  until: IsoDate | null;
}

export interface Family {
  father: CitizenRef | null;
  mother: CitizenRef | null;
  spouses: CitizenRef[];
  children: CitizenRef[];
  /** Guardians of this person (in force or past). */
  guardians: Guardianship[];
  /** Persons this person is guardian of. */
  wards: Guardianship[];
}

export type BiometricKind = 'face' | 'fingerprint';

/**
 * A biometric sample the registry holds (portrait, fingerprints). `sampleRef` is opaque and may be
 * null until the biometrics context fills the sandbox with samples.
 */
export interface BiometricReference {
  kind: BiometricKind;
  sampleRef: string | null;
  capturedOn: IsoDate;
}

// ---------------------------------------------------------------------------------------------
// Immigration DB (CSDL quốc gia về xuất nhập cảnh)

export interface Passport {
  number: string;
  /** Issuing state, ISO 3166-1 alpha-3 as in the passport's machine-readable zone. */
  country: string;
  issuedOn: IsoDate;
  expiresOn: IsoDate;
}

export type ResidenceCardKind = 'temporary' | 'permanent';

/** Residence card: thẻ tạm trú (temporary) or thẻ thường trú (permanent). */
export interface ResidenceCard {
  number: string;
  kind: ResidenceCardKind;
  issuedOn: IsoDate;
  expiresOn: IsoDate;
}

export interface Foreigner {
  registryId: RegistryId;
  passport: Passport;
  familyName: string;
  givenNames: string;
  /** As printed in the passport: family name then given names. */
  fullName: string;
  sex: Sex;
  dateOfBirth: IsoDate;
  /** ISO 3166-1 alpha-3. */
  nationality: string;
  residenceCard: ResidenceCard | null;
  address: Address | null;
  dateOfDeath: IsoDate | null;
  /** Whether portrait and fingerprints were already captured (decides the 3- or 7-day deadline). */
  biometricsOnRecord: { face: boolean; fingerprints: boolean };
}

export interface ForeignerRef {
  registryId: RegistryId;
  passport: { number: string; country: string };
  fullName: string;
  sex: Sex;
  dateOfBirth: IsoDate;
}

export interface ForeignerFamily {
  father: ForeignerRef | null;
  mother: ForeignerRef | null;
  spouses: ForeignerRef[];
  children: ForeignerRef[];
}

// ---------------------------------------------------------------------------------------------
// Business Registration DB (CSDL quốc gia về đăng ký doanh nghiệp)

export type OrganisationStatus = 'active' | 'suspended' | 'dissolved';

export interface LegalRepresentative {
  person: CitizenRef;
  /** Title as registered: Giám đốc, Tổng giám đốc, Chủ tịch Hội đồng quản trị… */
  title: string;
  since: IsoDate;
}

export interface Organisation {
  registryId: RegistryId;
  /** Enterprise code (mã số doanh nghiệp), which is also the tax code: 10 digits. */
  enterpriseCode: string;
  name: string;
  /** Legal form: Công ty TNHH một thành viên, Công ty cổ phần… */
  legalForm: string;
  foundedOn: IsoDate;
  headOffice: Address;
  status: OrganisationStatus;
  statusSince: IsoDate;
  legalRepresentatives: LegalRepresentative[];
}

// ---------------------------------------------------------------------------------------------
// Mobile subscriber registry (telecom operators)

export type SubscriberOwner =
  | { kind: 'citizen'; registryId: RegistryId; pin: string; fullName: string }
  | { kind: 'foreigner'; registryId: RegistryId; passport: { number: string; country: string }; fullName: string }
  | { kind: 'organisation'; registryId: RegistryId; enterpriseCode: string; name: string };

export interface Subscription {
  /** National format, 10 digits starting with 0. */
  phone: string;
  operator: string;
  registeredOn: IsoDate;
  owner: SubscriberOwner;
}

// ---------------------------------------------------------------------------------------------
// Change feed for the registry-sync worker

export type ChangeKind =
  | 'card_issued'
  | 'card_revoked'
  | 'card_held'
  | 'card_returned'
  | 'death'
  | 'pin_reissued'
  | 'passport_expired'
  | 'residence_card_expired'
  | 'organisation_suspended'
  | 'organisation_resumed'
  | 'organisation_dissolved';

export type SubjectKind = 'citizen' | 'foreigner' | 'organisation';

export interface RegistryChange {
  /** Monotonic position in the feed (a decimal string: it may exceed 2^53 one day). */
  id: string;
  subject: { kind: SubjectKind; registryId: RegistryId };
  kind: ChangeKind;
  /** The legal date the change took effect. */
  occurredOn: IsoDate;
  /** When the registry recorded it. */
  recordedAt: Date;
  detail: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Pure rules

/** Ages at which an identity card must be renewed (Law on Identification 2023 Art 21.1). */
export const CARD_RENEWAL_AGES = [14, 25, 40, 60] as const;

/**
 * Expiry of an identity card issued on `issuedOn` to someone born on `dateOfBirth` (Law on
 * Identification 2023 Art 21): the card is valid until the holder's birthday at the next renewal
 * age (14, 25, 40, 60); a card issued within the two years before a renewal age stays valid until
 * the renewal age after it; after the last one (60) it does not expire. Null = no expiry.
 */
export function cardExpiry(dateOfBirth: IsoDate, issuedOn: IsoDate): IsoDate | null {
  const dob = daysFromIso(dateOfBirth);
  const days = cardExpiryDays(dob, daysFromIso(issuedOn));
  return days === null ? null : isoFromDays(days);
}

/** cardExpiry on day numbers (for the generator's hot path). */
export function cardExpiryDays(dob: number, issued: number): number | null {
  const age = ageOn(dob, issued);
  for (const renewal of CARD_RENEWAL_AGES) {
    if (age < renewal - 2) return birthdayAt(dob, renewal);
  }
  return null;
}

/** The state of a card on a day: revoked and held win over expiry; expiry ends on its date. */
export function cardStateOn(card: Pick<IdCard, 'status' | 'expiresOn'>, on: IsoDate): CardState {
  if (card.status !== 'valid') return card.status;
  if (card.expiresOn !== null && on >= card.expiresOn) return 'expired';
  return 'valid';
}

/** Mobile prefixes (03x, 05x, 07x, 08x, 09x) and the operator that owns each. */
export const MOBILE_PREFIXES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    ['032', '033', '034', '035', '036', '037', '038', '039', '086', '096', '097', '098'].map((p) => [p, 'Viettel']),
  ),
  ...Object.fromEntries(['081', '082', '083', '084', '085', '088', '091', '094'].map((p) => [p, 'VinaPhone'])),
  ...Object.fromEntries(['070', '076', '077', '078', '079', '089', '090', '093'].map((p) => [p, 'MobiFone'])),
  ...Object.fromEntries(['052', '056', '058', '092'].map((p) => [p, 'Vietnamobile'])),
  ...Object.fromEntries(['059', '099'].map((p) => [p, 'Gmobile'])),
  '087': 'Itelecom',
  '055': 'Wintel',
};

/**
 * A Vietnamese mobile number in national form ('0912345678'), from '0912 345 678', '+84912345678'
 * or '84912345678'; null when it is not a mobile number with a known prefix.
 */
export function normalisePhone(input: string): string | null {
  const compact = input.replace(/[\s.\-()]/g, '');
  let national: string;
  if (/^\+84\d{9}$/.test(compact)) national = `0${compact.slice(3)}`;
  else if (/^84\d{9}$/.test(compact)) national = `0${compact.slice(2)}`;
  else if (/^0\d{9}$/.test(compact)) national = compact;
  else return null;
  return national.slice(0, 3) in MOBILE_PREFIXES ? national : null;
}

export function operatorOf(phone: string): string | null {
  return MOBILE_PREFIXES[phone.slice(0, 3)] ?? null;
}

// ---------------------------------------------------------------------------------------------
// Documents a citizen may integrate into the electronic identity card at their request (Decree
// 69/2024 Art 15; seed 002: "thông tin khác đề nghị tích hợp vào căn cước điện tử"): the driving
// licence and the health-insurance card, read from their own sectoral databases.

/**
 * Driving-licence classes of the Law on Road Traffic Order and Safety 2024 (Law 36/2024/QH15)
 * Art 57.1, in force since 1 January 2025.
 */
export const LICENCE_CLASSES = [
  'A1',
  'A',
  'B1',
  'B',
  'C1',
  'C',
  'D1',
  'D2',
  'D',
  'BE',
  'C1E',
  'CE',
  'D1E',
  'D2E',
  'DE',
] as const;
export type LicenceClass = (typeof LICENCE_CLASSES)[number];

export interface LicenceCategory {
  class: LicenceClass;
  issuedOn: IsoDate;
  /** Null: no expiry (A1, A, B1: Law 36/2024 Art 57.5(a)). */
  expiresOn: IsoDate | null;
}

/** Driving licence (giấy phép lái xe) from the national driving-licence database. */
export interface DrivingLicence {
  /** 12 digits. */
  number: string;
  holderPin: string;
  fullName: string;
  dateOfBirth: IsoDate;
  /** One entry per class held, each with its own issue and expiry dates. */
  categories: LicenceCategory[];
  issuingAuthority: string;
}

/** Health-insurance card (thẻ bảo hiểm y tế) from Vietnam Social Security's database. */
export interface HealthInsuranceCard {
  /** Social-insurance code (mã số BHXH), 10 digits: the card's number since 2021. */
  number: string;
  /** Beneficiary group, benefit level, province and number as printed on older cards, e.g. 'DN4010123456789'. */
  cardCode: string;
  holderPin: string;
  fullName: string;
  dateOfBirth: IsoDate;
  /** Beneficiary group (đối tượng), e.g. DN employees, HC civil servants, HT retirees, HS pupils, SV students, GD households, TE children under 6. */
  group: string;
  /** Benefit level 1–5 (mức hưởng). */
  benefitLevel: number;
  /** Where the holder registered for primary care (nơi đăng ký khám chữa bệnh ban đầu). */
  primaryCareFacility: string;
  validFrom: IsoDate;
  validTo: IsoDate;
}
