import type {
  Address,
  BiometricReference,
  Citizen,
  CitizenRef,
  Foreigner,
  ForeignerRef,
  IdCard,
  RegistryId,
} from '../model.ts';
import { birthProvince } from '../provinces.ts';
import type { BiometricReferenceRow, ForeignerRow, IdCardRow, PersonRow, ResidenceCardRow } from '../tables.ts';

/** Rows of the sandbox schema → the domain types the ports promise. */

/** A registry id from the outside: a positive integer in decimal, else null (finds nothing). */
export function parseRegistryId(registryId: RegistryId): number | null {
  if (!/^[1-9]\d{0,15}$/.test(registryId)) return null;
  const id = Number(registryId);
  return Number.isSafeInteger(id) ? id : null;
}

export function address(line: string, ward: string, province: string): Address {
  return { line, ward, province, full: `${line}, ${ward}, ${province}` };
}

export function idCardFrom(row: IdCardRow): IdCard {
  return {
    number: row.number,
    issuedOn: row.issued_on,
    expiresOn: row.expires_on,
    chip: row.chip,
    status: row.status,
    statusSince: row.status_since,
    issuingAuthority: row.issuing_authority,
  };
}

export function citizenFrom(p: PersonRow, card: IdCardRow | null, previousPins: string[]): Citizen {
  return {
    registryId: String(p.id),
    pin: p.pin,
    previousPins,
    fullName: p.full_name,
    familyName: p.family_name,
    middleName: p.middle_name,
    givenName: p.given_name,
    sex: p.sex,
    dateOfBirth: p.date_of_birth,
    nationality: p.nationality,
    birthRegistration: { code: p.birth_province, name: birthProvince(p.birth_province)?.name ?? p.birth_province },
    residence: address(p.residence_line, p.residence_ward, p.residence_province),
    idCard: card ? idCardFrom(card) : null,
    dateOfDeath: p.date_of_death,
  };
}

export function citizenRefFrom(
  p: Pick<PersonRow, 'id' | 'pin' | 'full_name' | 'sex' | 'date_of_birth' | 'date_of_death'>,
): CitizenRef {
  return {
    registryId: String(p.id),
    pin: p.pin,
    fullName: p.full_name,
    sex: p.sex,
    dateOfBirth: p.date_of_birth,
    dateOfDeath: p.date_of_death,
  };
}

export function foreignerFrom(
  f: ForeignerRow,
  card: Omit<ResidenceCardRow, 'foreigner_id'> | null,
  biometrics: Pick<BiometricReferenceRow, 'kind'>[],
): Foreigner {
  return {
    registryId: String(f.id),
    passport: {
      number: f.passport_number,
      country: f.passport_country,
      issuedOn: f.passport_issued_on,
      expiresOn: f.passport_expires_on,
    },
    familyName: f.family_name,
    givenNames: f.given_names,
    fullName: f.full_name,
    sex: f.sex,
    dateOfBirth: f.date_of_birth,
    nationality: f.nationality,
    residenceCard: card
      ? { number: card.number, kind: card.kind, issuedOn: card.issued_on, expiresOn: card.expires_on }
      : null,
    address:
      f.address_line !== null && f.address_ward !== null && f.address_province !== null
        ? address(f.address_line, f.address_ward, f.address_province)
        : null,
    dateOfDeath: f.date_of_death,
    biometricsOnRecord: {
      face: biometrics.some((b) => b.kind === 'face'),
      fingerprints: biometrics.some((b) => b.kind === 'fingerprint'),
    },
  };
}

export function foreignerRefFrom(
  f: Pick<ForeignerRow, 'id' | 'passport_number' | 'passport_country' | 'full_name' | 'sex' | 'date_of_birth'>,
): ForeignerRef {
  return {
    registryId: String(f.id),
    passport: { number: f.passport_number, country: f.passport_country },
    fullName: f.full_name,
    sex: f.sex,
    dateOfBirth: f.date_of_birth,
  };
}

export function biometricFrom(
  row: Pick<BiometricReferenceRow, 'kind' | 'sample_ref' | 'captured_on'>,
): BiometricReference {
  return { kind: row.kind, sampleRef: row.sample_ref, capturedOn: row.captured_on };
}
