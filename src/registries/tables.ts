import type { Generated } from 'kysely';

/**
 * Row types of the tables this context owns, keyed 'schema.table' for Kysely. The sandbox
 * registries live in their own schema, `sandbox`: they stand in for external national databases
 * and nothing outside `src/registries/sandbox/` reads them. The generator (generator.ts) emits
 * these same rows; dates are 'YYYY-MM-DD' strings, bigint ids are numbers.
 */
export interface RegistriesTables {
  'sandbox.seed_info': SeedInfoRow;
  'sandbox.persons': PersonRow;
  'sandbox.pin_history': PinHistoryRow;
  'sandbox.id_cards': IdCardRow;
  'sandbox.kinships': KinshipRow;
  'sandbox.guardianships': GuardianshipRow;
  'sandbox.foreigners': ForeignerRow;
  'sandbox.residence_cards': ResidenceCardRow;
  'sandbox.foreigner_kinships': ForeignerKinshipRow;
  'sandbox.organisations': OrganisationRow;
  'sandbox.legal_representatives': LegalRepresentativeRow;
  'sandbox.subscribers': SubscriberRow;
  'sandbox.biometric_references': BiometricReferenceRow;
  'sandbox.changes': ChangeRow;
}

export interface SeedInfoRow {
  id: number;
  seed: string;
  citizens: number;
  foreigners: number;
  organisations: number;
  as_of: string;
  generator_version: number;
  counts: unknown;
  seeded_at: Generated<Date>;
}

/** A citizen in the Identity / Population DB. */
export interface PersonRow {
  id: number;
  pin: string;
  family_name: string;
  middle_name: string;
  given_name: string;
  full_name: string;
  sex: 'male' | 'female';
  date_of_birth: string;
  /** Pre-2025 province code where the birth was registered (the PIN's first three digits). */
  birth_province: string;
  nationality: string;
  residence_line: string;
  residence_ward: string;
  residence_province: string;
  date_of_death: string | null;
}

/** A PIN that was cancelled and replaced by the person's current one. */
export interface PinHistoryRow {
  old_pin: string;
  person_id: number;
  replaced_on: string;
  reason: string;
}

export interface IdCardRow {
  person_id: number;
  number: string;
  issued_on: string;
  expires_on: string | null;
  chip: boolean;
  status: 'valid' | 'revoked' | 'held';
  status_since: string;
  issuing_authority: string;
}

/** `relative_id` is `person_id`'s father, mother or spouse (spouses are recorded both ways). */
export interface KinshipRow {
  person_id: number;
  relative_id: number;
  relation: 'father' | 'mother' | 'spouse';
}

/** The same for foreigners in the Immigration DB (accompanying spouses and children). */
export interface ForeignerKinshipRow {
  foreigner_id: number;
  relative_id: number;
  relation: 'father' | 'mother' | 'spouse';
}

export interface GuardianshipRow {
  id: number;
  ward_id: number;
  guardian_id: number;
  basis: 'court_appointed' | 'by_law';
  court: string | null;
  decision_number: string | null;
  since: string;
  until: string | null;
}

export interface ForeignerRow {
  id: number;
  passport_number: string;
  passport_country: string;
  passport_issued_on: string;
  passport_expires_on: string;
  family_name: string;
  given_names: string;
  full_name: string;
  sex: 'male' | 'female';
  date_of_birth: string;
  nationality: string;
  address_line: string | null;
  address_ward: string | null;
  address_province: string | null;
  date_of_death: string | null;
}

export interface ResidenceCardRow {
  foreigner_id: number;
  number: string;
  kind: 'temporary' | 'permanent';
  issued_on: string;
  expires_on: string;
}

export interface OrganisationRow {
  id: number;
  enterprise_code: string;
  name: string;
  legal_form: string;
  founded_on: string;
  head_office_line: string;
  head_office_ward: string;
  head_office_province: string;
  status: 'active' | 'suspended' | 'dissolved';
  status_since: string;
}

export interface LegalRepresentativeRow {
  organisation_id: number;
  person_id: number;
  title: string;
  since: string;
}

export interface SubscriberRow {
  phone: string;
  operator: string;
  owner_kind: 'citizen' | 'foreigner' | 'organisation';
  owner_id: number;
  registered_on: string;
  /**
   * Sandbox ground truth, not part of any real registry: the citizen who actually uses a SIM
   * registered in someone else's name (null when the owner uses it). Tests and demos use it to
   * stage "this phone is not yours" cases.
   */
  actual_user_id: number | null;
}

export interface BiometricReferenceRow {
  subject_kind: 'citizen' | 'foreigner';
  subject_id: number;
  kind: 'face' | 'fingerprint';
  /** Opaque reference to a sample; null until the biometrics context fills the sandbox. */
  sample_ref: string | null;
  captured_on: string;
}

export interface ChangeRow {
  id: Generated<number>;
  subject_kind: 'citizen' | 'foreigner' | 'organisation';
  subject_id: number;
  kind: string;
  occurred_on: string;
  recorded_at: Generated<Date>;
  detail: unknown;
}
