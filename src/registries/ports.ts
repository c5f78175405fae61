import type {
  BiometricReference,
  Citizen,
  DrivingLicence,
  Family,
  Foreigner,
  ForeignerFamily,
  Guardianship,
  HealthInsuranceCard,
  Organisation,
  RegistryChange,
  RegistryId,
  SubjectKind,
  Subscription,
} from './model.ts';

/**
 * Ports to the national reference databases (DOMAIN.md §2). The platform reads them only through
 * these interfaces; `sandbox/` implements them over the `sandbox` schema, and a real adapter (the
 * national data-sharing platform) will implement them without touching the core. Every method
 * returns domain types (model.ts), never rows. Lookups that find nothing return null or [], and
 * malformed input (a PIN of the wrong length, a phone that is not a mobile number) counts as
 * nothing found: callers validate input with `validatePin` / `normalisePhone` first when they need
 * to say why.
 */

/** National Population DB / Identity DB (CSDL quốc gia về dân cư, CSDL căn cước). */
export interface IdentityRegistry {
  /**
   * The citizen with this PIN. A PIN that was cancelled and re-issued still finds its holder: the
   * result then carries the new `pin`, and the old one in `previousPins`.
   */
  findByPin(pin: string): Promise<Citizen | null>;
  findById(registryId: RegistryId): Promise<Citizen | null>;
  /** Parents, spouses, children, guardians and wards; null when the citizen is unknown. */
  familyOf(registryId: RegistryId): Promise<Family | null>;
  /** The citizen's guardians (in force on `on`, or all when `on` is omitted). */
  guardiansOf(registryId: RegistryId, on?: string): Promise<Guardianship[]>;
  /** Portrait and fingerprints on record. */
  biometricsOf(registryId: RegistryId): Promise<BiometricReference[]>;
}

/** National Immigration DB (CSDL quốc gia về xuất nhập cảnh). */
export interface ImmigrationRegistry {
  /** The foreigner holding this passport (country: ISO 3166-1 alpha-3). */
  findByPassport(country: string, passportNumber: string): Promise<Foreigner | null>;
  /** Every foreigner with this passport number, whatever the issuing country (usually one). */
  findByPassportNumber(passportNumber: string): Promise<Foreigner[]>;
  findById(registryId: RegistryId): Promise<Foreigner | null>;
  familyOf(registryId: RegistryId): Promise<ForeignerFamily | null>;
  biometricsOf(registryId: RegistryId): Promise<BiometricReference[]>;
}

/** National Business Registration DB (CSDL quốc gia về đăng ký doanh nghiệp). */
export interface BusinessRegistry {
  findByEnterpriseCode(enterpriseCode: string): Promise<Organisation | null>;
  findById(registryId: RegistryId): Promise<Organisation | null>;
  /** Organisations (any status) of which the citizen is a legal representative. */
  representedBy(citizenRegistryId: RegistryId): Promise<Organisation[]>;
}

/** Mobile subscriber registry (operators' subscriber information). */
export interface SubscriberRegistry {
  /** Who the number is registered to; accepts national or +84 forms; null if unregistered. */
  ownerOf(phone: string): Promise<Subscription | null>;
  /** Numbers registered in the subject's name. */
  subscriptionsOf(owner: { kind: SubjectKind; registryId: RegistryId }): Promise<Subscription[]>;
}

/** What changed in the registries, in order, for the registry-sync worker. */
export interface RegistryChangeFeed {
  /**
   * Changes after `cursor` (the `id` of the last change already handled; null = from the
   * beginning), oldest first, at most `limit`.
   */
  changesAfter(cursor: string | null, limit: number): Promise<RegistryChange[]>;
}

/**
 * National driving-licence database (CSDL về giấy phép lái xe), read when a citizen asks to
 * integrate their licence into the electronic identity card (Decree 69/2024 Art 15).
 */
export interface DrivingLicenceRegistry {
  /** The licence held by the citizen with this PIN (current or a previous one); null when none. */
  findByPin(pin: string): Promise<DrivingLicence | null>;
}

/**
 * Vietnam Social Security's health-insurance database (CSDL quốc gia về bảo hiểm), read when a
 * citizen asks to integrate their health-insurance card (Decree 69/2024 Art 15).
 */
export interface HealthInsuranceRegistry {
  /** The card of the citizen with this PIN (current or a previous one); null when none. */
  findByPin(pin: string): Promise<HealthInsuranceCard | null>;
}

export interface NationalRegistries {
  identity: IdentityRegistry;
  immigration: ImmigrationRegistry;
  business: BusinessRegistry;
  subscribers: SubscriberRegistry;
  changes: RegistryChangeFeed;
  drivingLicences: DrivingLicenceRegistry;
  healthInsurance: HealthInsuranceRegistry;
}
