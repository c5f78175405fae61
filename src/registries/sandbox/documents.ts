import { createHash } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import { ageOn, birthdayAt, civilDate, daysFromIso, isoFromDays, vietnamDate } from '../dates.ts';
import type { Citizen, DrivingLicence, HealthInsuranceCard, LicenceCategory, LicenceClass } from '../model.ts';
import type { DrivingLicenceRegistry, HealthInsuranceRegistry, IdentityRegistry } from '../ports.ts';

/**
 * Sandbox stand-ins for the driving-licence and health-insurance databases. They need no tables:
 * each document is derived from the person in the sandbox Identity DB and a SHA-256 of their
 * registry id, so the same person always has the same document (numbers, classes, dates) and a
 * real adapter can replace these without anyone noticing but the data. "Today" is the injected
 * clock's date in Vietnam, which decides ages and validity.
 */

/** Share of living adults with a driving licence in the sandbox (percent; policy, for variety). */
export const SANDBOX_LICENCE_SHARE = 45;

function digest(kind: string, registryId: string): Buffer {
  return createHash('sha256').update(`dinhdanh sandbox ${kind} v1:${registryId}`).digest();
}

function u32(bytes: Buffer, at: number): number {
  return bytes.readUInt32BE(at);
}

/** `count` decimal digits drawn from the digest, starting at byte `at` (deterministic). */
function digits(bytes: Buffer, at: number, count: number): string {
  let out = '';
  for (let i = 0; out.length < count; i++)
    out += String(u32(bytes, (at + 4 * i) % 28))
      .padStart(10, '0')
      .slice(-5);
  return out.slice(0, count);
}

/** Two digits of the province where the birth was registered (the PIN's '001' → '01'). */
function provinceDigits(pin: string): string {
  return pin.slice(1, 3);
}

/**
 * A class held since `firstIssued`, renewed at each expiry up to today: A1, A, B1 have no expiry;
 * B and C1 last 10 years; C and the heavier classes 5 years (Law 36/2024/QH15 Art 57.5).
 */
function category(cls: LicenceClass, firstIssued: number, today: number): LicenceCategory {
  const years = cls === 'B' || cls === 'C1' ? 10 : cls === 'A1' || cls === 'A' || cls === 'B1' ? null : 5;
  if (years === null) return { class: cls, issuedOn: isoFromDays(firstIssued), expiresOn: null };
  let issued = firstIssued;
  while (birthdayAt(issued, years) <= today) issued = birthdayAt(issued, years);
  return { class: cls, issuedOn: isoFromDays(issued), expiresOn: isoFromDays(birthdayAt(issued, years)) };
}

/**
 * The licence of a citizen in the sandbox, or null. Minimum ages (Law 36/2024/QH15 Art 59.1): 18
 * for A1 and B, 21 for C. About SANDBOX_LICENCE_SHARE % of living adults hold A1 (motorcycles);
 * half of them also B (cars); a fifth of those also C (trucks).
 */
export function sandboxLicenceOf(c: Citizen, today: number): DrivingLicence | null {
  if (c.dateOfDeath !== null) return null;
  const h = digest('driving-licence', c.registryId);
  const dob = daysFromIso(c.dateOfBirth);
  const at18 = birthdayAt(dob, 18);
  if (at18 > today || u32(h, 0) % 100 >= SANDBOX_LICENCE_SHARE) return null;
  const first = at18 + (u32(h, 4) % Math.min(today - at18 + 1, 3650));
  const categories = [category('A1', first, today)];
  if (h[8]! % 2 === 0) {
    categories.push(category('B', Math.min(today, first + (u32(h, 9) % 730)), today));
    const at21 = Math.max(first, birthdayAt(dob, 21));
    if (h[13]! % 5 === 0 && at21 <= today) {
      categories.push(category('C', Math.min(today, at21 + (u32(h, 14) % 365)), today));
    }
  }
  return {
    number: `${provinceDigits(c.pin)}${digits(h, 18, 10)}`,
    holderPin: c.pin,
    fullName: c.fullName,
    dateOfBirth: c.dateOfBirth,
    categories,
    // Since 1 March 2025 the traffic police issue driving licences (Law 36/2024/QH15).
    issuingAuthority: `Phòng Cảnh sát giao thông, Công an ${c.residence.province}`,
  };
}

/**
 * Beneficiary group and benefit level by age (Law on Health Insurance, Art 12 groups, Art 22
 * levels): children under 6 TE (level 1, 100 %), pupils HS, students SV or household GD, workers
 * DN / HC / GD (level 4, 80 %), retirees HT (level 3, 95 %).
 */
function insuranceGroup(age: number, pick: number): { group: string; level: number } {
  if (age < 6) return { group: 'TE', level: 1 };
  if (age < 18) return { group: 'HS', level: 4 };
  if (age < 23) return { group: pick % 2 === 0 ? 'SV' : 'GD', level: 4 };
  if (age < 60) return { group: (['DN', 'HC', 'GD'] as const)[pick % 3]!, level: 4 };
  return { group: 'HT', level: 3 };
}

/**
 * The health-insurance card of a citizen in the sandbox: every living citizen with an ID card has
 * one (policy: universal coverage in the sandbox), valid for the calendar year; a child's TE card
 * runs from birth to the day before the 6th birthday.
 */
export function sandboxInsuranceOf(c: Citizen, today: number): HealthInsuranceCard | null {
  if (c.dateOfDeath !== null || c.idCard === null) return null;
  const h = digest('health-insurance', c.registryId);
  const dob = daysFromIso(c.dateOfBirth);
  const { group, level } = insuranceGroup(ageOn(dob, today), h[0]!);
  const year = civilDate(today).year;
  const child = group === 'TE';
  const number = `${provinceDigits(c.pin)}${digits(h, 1, 8)}`;
  return {
    number,
    cardCode: `${group}${level}${provinceDigits(c.pin)}${number}`,
    holderPin: c.pin,
    fullName: c.fullName,
    dateOfBirth: c.dateOfBirth,
    group,
    benefitLevel: level,
    primaryCareFacility: `Trạm Y tế ${c.residence.ward}`,
    validFrom: child ? c.dateOfBirth : `${year}-01-01`,
    validTo: child ? isoFromDays(birthdayAt(dob, 6) - 1) : `${year}-12-31`,
  };
}

function todayIn(clock: Clock): number {
  return daysFromIso(vietnamDate(clock.now()));
}

export function sandboxDrivingLicenceRegistry(identity: IdentityRegistry, clock: Clock): DrivingLicenceRegistry {
  return {
    async findByPin(pin) {
      const citizen = await identity.findByPin(pin);
      return citizen ? sandboxLicenceOf(citizen, todayIn(clock)) : null;
    },
  };
}

export function sandboxHealthInsuranceRegistry(identity: IdentityRegistry, clock: Clock): HealthInsuranceRegistry {
  return {
    async findByPin(pin) {
      const citizen = await identity.findByPin(pin);
      return citizen ? sandboxInsuranceOf(citizen, todayIn(clock)) : null;
    },
  };
}
