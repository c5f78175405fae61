import { ageOn, daysFromIso, type IsoDate } from '../registries/dates.ts';
import {
  cardStateOn,
  type Citizen,
  type Foreigner,
  type Organisation,
  type Subscription,
} from '../registries/model.ts';
import type { Reason } from './model.ts';

/**
 * Eligibility and matching rules (DOMAIN.md §4; Decree 69/2024 Arts 7, 10–13), as pure functions
 * of what the registries returned and what the applicant declared. Each returns every reason that
 * applies, not just the first, so a refusal lists them all.
 */

export function ageOf(dateOfBirth: IsoDate, on: IsoDate): number {
  return ageOn(daysFromIso(dateOfBirth), daysFromIso(on));
}

/** Names compared as people type them: Unicode NFC, case and spacing ignored, diacritics kept. */
export function sameName(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('vi');
  return norm(a) === norm(b);
}

export interface Declared {
  fullName?: string;
  dateOfBirth?: string;
  sex?: 'male' | 'female';
}

/** The declared fields that differ from the registry (Art 10.1: the agency checks the declared data). */
export function mismatchedFields(
  declared: Declared,
  registry: { fullName: string; dateOfBirth: string; sex: string },
): string[] {
  const fields: string[] = [];
  if (declared.fullName !== undefined && !sameName(declared.fullName, registry.fullName)) fields.push('fullName');
  if (declared.dateOfBirth !== undefined && declared.dateOfBirth !== registry.dateOfBirth) fields.push('dateOfBirth');
  if (declared.sex !== undefined && declared.sex !== registry.sex) fields.push('sex');
  return fields;
}

export type Filing = 'self' | 'representative';

/**
 * Whether a citizen may have an account of `level` (DOMAIN.md §4 table):
 * - 14 and over with a valid card: levels 1 and 2 in their own name;
 * - under 14: only through a representative (Art 10.1(b)); level 2 from 6 with a card, in person
 *   with the representative; no level 2 under 6 (no biometrics under 6, Law on Identification Art 23.2);
 * - no account for a person recorded as dead.
 * `withCard`: the level-2 application is made together with the card application (Art 11.2), so a
 * missing or expired card is not a refusal.
 */
export function citizenEligibility(
  citizen: Citizen,
  options: { level: 1 | 2; filing: Filing; on: IsoDate; withCard?: boolean },
): Reason[] {
  const reasons: Reason[] = [];
  if (citizen.dateOfDeath !== null) return [{ code: 'deceased' }];
  const age = ageOf(citizen.dateOfBirth, options.on);
  if (age < 14 && options.filing === 'self') reasons.push({ code: 'needs_representative' });
  if (options.level === 2 && age < 6) reasons.push({ code: 'under_minimum_age' });
  const needsCard = options.level === 2 || age >= 14;
  if (needsCard && !options.withCard) {
    if (citizen.idCard === null) reasons.push({ code: options.level === 2 ? 'no_id_card' : 'id_card_invalid' });
    else if (cardStateOn(citizen.idCard, options.on) !== 'valid') reasons.push({ code: 'id_card_invalid' });
  }
  return reasons;
}

/** Whether the citizen's card is valid today (decides between the TK01 procedures). */
export function hasValidCard(citizen: Citizen, on: IsoDate): boolean {
  return citizen.idCard !== null && cardStateOn(citizen.idCard, on) === 'valid';
}

/**
 * Foreigners (DOMAIN.md §4; Art 12): a valid passport; from 6, a valid permanent or temporary
 * residence card; under 6 only level 1 through a representative; 6–13 through a representative.
 */
export function foreignerEligibility(
  foreigner: Foreigner,
  options: { level: 1 | 2; filing: Filing; on: IsoDate },
): Reason[] {
  if (foreigner.dateOfDeath !== null) return [{ code: 'deceased' }];
  const reasons: Reason[] = [];
  const age = ageOf(foreigner.dateOfBirth, options.on);
  if (foreigner.passport.expiresOn <= options.on) reasons.push({ code: 'passport_expired', field: 'passport' });
  if (age < 14 && options.filing === 'self') reasons.push({ code: 'needs_representative' });
  if (options.level === 2 && age < 6) reasons.push({ code: 'under_minimum_age' });
  if (age >= 6 && (foreigner.residenceCard === null || foreigner.residenceCard.expiresOn <= options.on)) {
    reasons.push({ code: 'residence_card_invalid' });
  }
  return reasons;
}

/** Organisations (Art 13): active in the registry, and the filer one of its legal representatives. */
export function organisationEligibility(organisation: Organisation, filer: { registryId: string } | null): Reason[] {
  const reasons: Reason[] = [];
  if (organisation.status !== 'active') reasons.push({ code: 'organisation_inactive' });
  if (filer && !organisation.legalRepresentatives.some((r) => r.person.registryId === filer.registryId)) {
    reasons.push({ code: 'not_a_representative' });
  }
  return reasons;
}

/**
 * The phone must be registered in the applicant's own name (thuê bao chính chủ, Art 10.1), or in
 * the representative's for a dependant (DOMAIN.md §4).
 */
export function phoneOwned(
  subscription: Subscription | null,
  owner: { kind: 'citizen' | 'foreigner' | 'organisation'; registryId: string },
): boolean {
  return (
    subscription !== null &&
    subscription.owner.kind === owner.kind &&
    subscription.owner.registryId === owner.registryId
  );
}
