import { describe, expect, test } from 'vitest';
import type { Citizen, CitizenRef, Family, Foreigner, Guardianship, Organisation } from '../registries/model.ts';
import {
  authorisedBasis,
  birthday,
  confirmationTtlFromEnv,
  DEFAULT_CONFIRMATION_TTL_MS,
  effectiveStatus,
  endReasonOf,
  findBasis,
  validOn,
  type DependantFacts,
  type RepresentativeFacts,
} from './model.ts';

/** Registry records built by hand: the rules are pure, the registries are read by the service. */
function citizen(registryId: string, dateOfBirth: string, extra: Partial<Citizen> = {}): Citizen {
  return {
    registryId,
    pin: `001${registryId.padStart(9, '0')}`,
    previousPins: [],
    fullName: `Người ${registryId}`,
    familyName: 'Nguyễn',
    middleName: '',
    givenName: registryId,
    sex: 'male',
    dateOfBirth,
    nationality: 'VNM',
    birthRegistration: { code: '001', name: 'Hà Nội' },
    residence: { line: 'Số 1', ward: 'Phường Yên Hòa', province: 'Thành phố Hà Nội', full: 'Số 1, Yên Hòa, Hà Nội' },
    idCard: null,
    dateOfDeath: null,
    ...extra,
  };
}

const ref = (c: Citizen): CitizenRef => ({
  registryId: c.registryId,
  pin: c.pin,
  fullName: c.fullName,
  sex: c.sex,
  dateOfBirth: c.dateOfBirth,
  dateOfDeath: c.dateOfDeath,
});

function family(parts: Partial<Family> = {}): Family {
  return { father: null, mother: null, spouses: [], children: [], guardians: [], wards: [], ...parts };
}

function guardianship(guardian: Citizen, ward: Citizen, parts: Partial<Guardianship> = {}): Guardianship {
  return {
    guardian: ref(guardian),
    ward: ref(ward),
    basis: 'court_appointed',
    court: 'Tòa án nhân dân khu vực 1, Hà Nội',
    decisionNumber: '07/2024/QĐST-DS',
    since: '2024-01-10',
    until: null,
    ...parts,
  };
}

const rep = (person: Citizen | null, guardians: Guardianship[] = []): RepresentativeFacts => ({
  kind: 'citizen',
  person,
  guardians,
});
const dep = (person: Citizen | null, fam: Family | null = null, guardians: Guardianship[] = []): DependantFacts => ({
  kind: 'citizen',
  person,
  family: fam,
  guardians,
});

const father = citizen('1', '1985-02-01');
const mother = citizen('2', '1987-06-15', { sex: 'female' });
const child = citizen('3', '2016-03-12');
const childFamily = family({ father: ref(father), mother: ref(mother) });

describe('findBasis: parents (Civil Code Art 136.1; DOMAIN.md §5: until 14)', () => {
  test('a parent represents a child under 14 until the 14th birthday', () => {
    expect(findBasis(rep(father), dep(child, childFamily), '2026-03-02')).toEqual({
      basis: 'parent',
      validFrom: '2026-03-02',
      validUntil: '2030-03-12',
      evidence: { registry: 'identity', relation: 'father' },
    });
    expect(findBasis(rep(mother), dep(child, childFamily), '2030-03-11')).toMatchObject({
      basis: 'parent',
      evidence: { relation: 'mother' },
    });
  });

  test('not from the 14th birthday on', () => {
    expect(findBasis(rep(father), dep(child, childFamily), '2030-03-12')).toEqual({ refused: 'dependant_too_old' });
  });

  test('a 29 February child turns 14 on 28 February of a common year', () => {
    const leap = citizen('4', '2012-02-29');
    const result = findBasis(rep(father), dep(leap, family({ father: ref(father) })), '2025-01-01');
    expect(result).toMatchObject({ basis: 'parent', validUntil: '2026-02-28' });
    expect(birthday('2012-02-29', 14)).toBe('2026-02-28');
  });

  test('a parent does not represent a child who has a guardian (Art 47.1(a), 136.2)', () => {
    const grandmother = citizen('9', '1950-01-01', { sex: 'female' });
    const g = guardianship(grandmother, child, { basis: 'by_law', court: null, decisionNumber: null });
    expect(findBasis(rep(father), dep(child, childFamily, [g]), '2026-03-02')).toEqual({
      refused: 'guardian_appointed',
    });
  });

  test('someone unrelated is refused', () => {
    const stranger = citizen('8', '1980-01-01');
    expect(findBasis(rep(stranger), dep(child, childFamily), '2026-03-02')).toEqual({ refused: 'not_related' });
  });
});

describe('findBasis: guardians (Civil Code Arts 46–63)', () => {
  const ward = citizen('10', '1988-04-10');
  const guardian = citizen('11', '1962-12-05', { sex: 'female' });

  test('a court-appointed guardian of an adult ward, for as long as the guardianship', () => {
    const g = guardianship(guardian, ward);
    expect(findBasis(rep(guardian), dep(ward, family({ mother: ref(guardian) }), [g]), '2026-03-02')).toEqual({
      basis: 'guardian',
      validFrom: '2026-03-02',
      validUntil: null,
      evidence: {
        registry: 'identity',
        guardianship: 'court_appointed',
        court: 'Tòa án nhân dân khu vực 1, Hà Nội',
        decisionNumber: '07/2024/QĐST-DS',
        since: '2024-01-10',
        until: null,
      },
    });
    const ending = guardianship(guardian, ward, { until: '2027-01-01' });
    expect(findBasis(rep(guardian), dep(ward, null, [ending]), '2026-03-02')).toMatchObject({
      validUntil: '2027-01-01',
    });
  });

  test('a minor ward’s guardianship ends at 18 at the latest (Art 62.1(a))', () => {
    const orphan = citizen('12', '2015-07-01');
    const g = guardianship(guardian, orphan, { basis: 'by_law', court: null, decisionNumber: null });
    expect(findBasis(rep(guardian), dep(orphan, null, [g]), '2026-03-02')).toMatchObject({
      basis: 'guardian',
      validUntil: '2033-07-01',
    });
  });

  test('an ended guardianship, and one not started yet, are refused', () => {
    const ended = guardianship(guardian, ward, { since: '2020-01-01', until: '2025-06-30' });
    expect(findBasis(rep(guardian), dep(ward, null, [ended]), '2025-06-30')).toEqual({ refused: 'guardianship_ended' });
    expect(findBasis(rep(guardian), dep(ward, null, [ended]), '2025-06-29')).toMatchObject({
      basis: 'guardian',
      validUntil: '2025-06-30',
    });
    const future = guardianship(guardian, ward, { since: '2027-01-01' });
    expect(findBasis(rep(guardian), dep(ward, null, [future]), '2026-03-02')).toEqual({
      refused: 'guardianship_not_started',
    });
  });
});

describe('findBasis: who may be a representative (Art 49.1)', () => {
  test('deceased, minor, or under guardianship: refused', () => {
    const dead = citizen('1', '1985-02-01', { dateOfDeath: '2025-10-01' });
    expect(findBasis(rep(dead), dep(child, childFamily), '2026-03-02')).toEqual({ refused: 'representative_deceased' });
    const youngFather = citizen('1', '2009-01-01');
    expect(findBasis(rep(youngFather), dep(child, childFamily), '2026-03-02')).toEqual({
      refused: 'representative_minor',
    });
    const g = guardianship(citizen('20', '1950-01-01'), father);
    expect(findBasis(rep(father, [g]), dep(child, childFamily), '2026-03-02')).toEqual({
      refused: 'representative_under_guardianship',
    });
  });

  test('unknown subjects, the same person and a deceased dependant', () => {
    expect(findBasis(rep(null), dep(child, childFamily), '2026-03-02')).toEqual({ refused: 'representative_unknown' });
    expect(findBasis(rep(father), dep(null), '2026-03-02')).toEqual({ refused: 'dependant_unknown' });
    expect(findBasis(rep(father), dep(father, childFamily), '2026-03-02')).toEqual({ refused: 'same_person' });
    const gone = citizen('3', '2016-03-12', { dateOfDeath: '2026-01-01' });
    expect(findBasis(rep(father), dep(gone, childFamily), '2026-03-02')).toEqual({ refused: 'dependant_deceased' });
  });
});

describe('findBasis: foreign children and organisations', () => {
  function foreigner(registryId: string, dateOfBirth: string): Foreigner {
    return {
      registryId,
      passport: {
        number: `M${registryId.padStart(7, '0')}`,
        country: 'KOR',
        issuedOn: '2020-01-01',
        expiresOn: '2030-01-01',
      },
      familyName: 'KIM',
      givenNames: registryId,
      fullName: `KIM ${registryId}`,
      sex: 'female',
      dateOfBirth,
      nationality: 'KOR',
      residenceCard: null,
      address: null,
      dateOfDeath: null,
      biometricsOnRecord: { face: false, fingerprints: false },
    };
  }
  const parent = foreigner('1', '1985-07-07');
  const kid = foreigner('5', '2018-05-05');
  const fref = (f: Foreigner) => ({
    registryId: f.registryId,
    passport: { number: f.passport.number, country: f.passport.country },
    fullName: f.fullName,
    sex: f.sex,
    dateOfBirth: f.dateOfBirth,
  });
  const kidFamily = { father: fref(parent), mother: null, spouses: [], children: [] };

  test('a foreign parent of a foreign child under 14 (Immigration DB)', () => {
    const result = findBasis(
      { kind: 'foreigner', person: parent },
      { kind: 'foreigner', person: kid, family: kidFamily },
      '2026-03-02',
    );
    expect(result).toMatchObject({ basis: 'parent', validUntil: '2032-05-05', evidence: { registry: 'immigration' } });
    expect(
      findBasis(
        { kind: 'foreigner', person: parent },
        { kind: 'foreigner', person: kid, family: kidFamily },
        '2032-05-05',
      ),
    ).toEqual({ refused: 'dependant_too_old' });
    // The Immigration DB records foreign relatives only: a citizen is not found related.
    expect(findBasis(rep(father), { kind: 'foreigner', person: kid, family: kidFamily }, '2026-03-02')).toEqual({
      refused: 'not_related',
    });
  });

  const org = (status: Organisation['status']): Organisation => ({
    registryId: '1',
    enterpriseCode: '0101234567',
    name: 'Công ty Cổ phần Công nghệ Sao Mai',
    legalForm: 'Công ty cổ phần',
    foundedOn: '2015-09-01',
    headOffice: { line: 'Tầng 5', ward: 'Phường Cầu Giấy', province: 'Thành phố Hà Nội', full: 'Tầng 5, Cầu Giấy' },
    status,
    statusSince: status === 'active' ? '2015-09-01' : '2024-12-31',
    legalRepresentatives: [{ person: ref(father), title: 'Tổng giám đốc', since: '2015-09-01' }],
  });

  test('a legal representative registered in the Business Registration DB (Art 137)', () => {
    expect(findBasis(rep(father), { kind: 'organisation', organisation: org('active') }, '2026-03-02')).toEqual({
      basis: 'legal_representative',
      validFrom: '2026-03-02',
      validUntil: null,
      evidence: {
        registry: 'business',
        enterpriseCode: '0101234567',
        organisation: 'Công ty Cổ phần Công nghệ Sao Mai',
        title: 'Tổng giám đốc',
        since: '2015-09-01',
      },
    });
    expect(findBasis(rep(mother), { kind: 'organisation', organisation: org('active') }, '2026-03-02')).toEqual({
      refused: 'not_related',
    });
    expect(findBasis(rep(father), { kind: 'organisation', organisation: org('dissolved') }, '2026-03-02')).toEqual({
      refused: 'organisation_dissolved',
    });
  });
});

describe('other rules', () => {
  test('an authorisation without a term lasts one year (Civil Code Art 140.2(b))', () => {
    expect(authorisedBasis({ document: 'Giấy ủy quyền số 12/UQ', issuedOn: '2026-01-15' }, '2026-03-02')).toEqual({
      basis: 'authorised',
      validFrom: '2026-03-02',
      validUntil: '2027-01-15',
      evidence: { document: 'Giấy ủy quyền số 12/UQ', issuedOn: '2026-01-15' },
    });
    expect(authorisedBasis({ document: 'x', issuedOn: '2024-01-15' }, '2026-03-02')).toEqual({
      invalid: 'the authorisation has expired',
    });
    expect(authorisedBasis({ document: ' ', issuedOn: '2026-01-15' }, '2026-03-02')).toHaveProperty('invalid');
  });

  test('a link holds from valid_from to the day before valid_until, unless ended', () => {
    const link = { validFrom: '2026-03-02', validUntil: '2030-03-12', endedAt: null };
    expect(validOn(link, '2026-03-01')).toBe(false);
    expect(validOn(link, '2026-03-02')).toBe(true);
    expect(validOn(link, '2030-03-11')).toBe(true);
    expect(validOn(link, '2030-03-12')).toBe(false);
    expect(validOn({ ...link, endedAt: new Date() }, '2027-01-01')).toBe(false);
    expect(endReasonOf('parent')).toBe('dependant_turned_14');
    expect(endReasonOf('guardian')).toBe('guardianship_ended');
  });

  test('confirmation TTLs: 10 minutes (the login interaction) for sign-in and sharing, a day otherwise, configurable', () => {
    expect(DEFAULT_CONFIRMATION_TTL_MS.sign_in).toBe(10 * 60_000);
    expect(DEFAULT_CONFIRMATION_TTL_MS.share_data).toBe(10 * 60_000);
    expect(DEFAULT_CONFIRMATION_TTL_MS.lock).toBe(24 * 3_600_000);
    const ttl = confirmationTtlFromEnv({ REPRESENTATION_CONFIRM_FAST_MIN: '5', REPRESENTATION_CONFIRM_SLOW_MIN: 'x' });
    expect(ttl.sign_in).toBe(5 * 60_000);
    expect(ttl.other).toBe(24 * 3_600_000);
  });

  test('a pending request past its expiry reads as expired', () => {
    const c = { status: 'pending' as const, expiresAt: new Date('2026-03-02T03:15:00Z') };
    expect(effectiveStatus(c, new Date('2026-03-02T03:14:59.999Z'))).toBe('pending');
    expect(effectiveStatus(c, new Date('2026-03-02T03:15:00Z'))).toBe('expired');
    expect(effectiveStatus({ ...c, status: 'confirmed' }, new Date('2027-01-01'))).toBe('confirmed');
  });
});
