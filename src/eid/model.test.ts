import { describe, expect, test } from 'vitest';
import type { Citizen } from '../registries/model.ts';
import {
  ageOver18,
  cardFrom,
  claimsFor,
  eidStatusOf,
  ineligibility,
  resolveEidPolicy,
  retentionCutoff,
  DEFAULT_EID_POLICY,
} from './model.ts';

const citizen: Citizen = {
  registryId: '7',
  pin: '001090048213',
  previousPins: [],
  fullName: 'Nguyễn Văn An',
  familyName: 'Nguyễn',
  middleName: 'Văn',
  givenName: 'An',
  sex: 'male',
  dateOfBirth: '2008-02-29',
  nationality: 'VNM',
  birthRegistration: { code: '001', name: 'Hà Nội' },
  residence: {
    line: 'Số 1',
    ward: 'Phường Hoàn Kiếm',
    province: 'Thành phố Hà Nội',
    full: 'Số 1, Phường Hoàn Kiếm, Thành phố Hà Nội',
  },
  idCard: {
    number: '001090048213',
    issuedOn: '2024-07-01',
    expiresOn: '2033-02-28',
    chip: true,
    status: 'valid',
    statusSince: '2024-07-01',
    issuingAuthority: 'Bộ Công an',
  },
  dateOfDeath: null,
};

const level2 = { subjectKind: 'citizen', level: 2, status: 'active' } as const;

describe('who has a card (Law on Identification Art 31; DOMAIN.md §4)', () => {
  test('citizens at level 2 only', () => {
    expect(ineligibility({ subjectKind: 'citizen', level: 2 })).toBeNull();
    expect(ineligibility({ subjectKind: 'citizen', level: 1 })).toBe('level_1');
    expect(ineligibility({ subjectKind: 'foreigner', level: 2 })).toBe('not_citizen');
    expect(ineligibility({ subjectKind: 'organisation', level: null })).toBe('not_citizen');
  });
});

describe("the card's status now (Law on Identification Art 34)", () => {
  test('active; locked with the account or with a revoked or held ID card; revoked when the card is gone', () => {
    expect(eidStatusOf(level2, citizen)).toBe('active');
    expect(eidStatusOf({ ...level2, status: 'locked' }, citizen)).toBe('locked');
    for (const status of ['revoked', 'held'] as const) {
      expect(eidStatusOf(level2, { ...citizen, idCard: { ...citizen.idCard!, status } })).toBe('locked');
    }
    expect(eidStatusOf({ ...level2, status: 'closed' }, citizen)).toBe('revoked');
    expect(eidStatusOf({ ...level2, level: 1 }, citizen)).toBe('revoked');
    expect(eidStatusOf(undefined, citizen)).toBe('revoked');
    expect(eidStatusOf(level2, null)).toBe('revoked');
    // Death: no unlock, ever, whatever the account says.
    expect(eidStatusOf(level2, { ...citizen, dateOfDeath: '2026-01-02' })).toBe('revoked');
    expect(eidStatusOf({ ...level2, status: 'locked' }, { ...citizen, dateOfDeath: '2026-01-02' })).toBe('revoked');
  });
});

describe('claims released per purpose (data minimisation)', () => {
  const card = cardFrom(citizen, 'active', new Date('2026-11-26T00:00:00Z'));

  test('the default shows the whole card', () => {
    const { names, claims } = claimsFor(card, 'full', '2026-11-26');
    expect(names).toContain('pin');
    expect(names).not.toContain('age_over_18');
    expect(claims).toMatchObject({
      pin: '001090048213',
      full_name: 'Nguyễn Văn An',
      date_of_birth: '2008-02-29',
      sex: 'male',
      nationality: 'VNM',
      place_of_birth_registration: { code: '001', name: 'Hà Nội' },
      residence: 'Số 1, Phường Hoàn Kiếm, Thành phố Hà Nội',
      id_card: { number: '001090048213', issued_on: '2024-07-01', expires_on: '2033-02-28' },
      level: 2,
      eid_status: 'active',
    });
  });

  test('age_over_18 releases that boolean and nothing else', () => {
    expect(claimsFor(card, 'age_over_18', '2026-02-27')).toEqual({
      names: ['age_over_18'],
      claims: { age_over_18: false },
    });
    // Born 29 February 2008: 18 on 28 February 2026 (a common year).
    expect(claimsFor(card, 'age_over_18', '2026-02-28').claims).toEqual({ age_over_18: true });
  });

  test('an unknown purpose is refused with the known ones', () => {
    expect(() => claimsFor(card, 'everything', '2026-11-26')).toThrow(/purpose "everything".*full, age_over_18/);
  });

  test('ageOver18 on the birthday, not the day before', () => {
    expect(ageOver18('2008-11-26', '2026-11-25')).toBe(false);
    expect(ageOver18('2008-11-26', '2026-11-26')).toBe(true);
  });
});

describe('policy', () => {
  test('presentations live 120 s and the history 5 years by default', () => {
    expect(DEFAULT_EID_POLICY).toMatchObject({ presentationTtlSec: 120, historyRetentionYears: 5 });
  });

  test('a history shorter than 5 years, or a key retired before its credentials expire, is refused', () => {
    expect(() => resolveEidPolicy({ historyRetentionYears: 4 })).toThrow(/below 5/);
    expect(() => resolveEidPolicy({ presentationTtlSec: 600, keyRetainForMs: 300_000 })).toThrow(/keyRetainForMs/);
    expect(resolveEidPolicy({ presentationTtlSec: 60 }).presentationTtlSec).toBe(60);
  });

  test('the retention cutoff is the same instant 5 calendar years earlier', () => {
    expect(retentionCutoff(new Date('2031-11-26T10:00:00Z'), 5).toISOString()).toBe('2026-11-26T10:00:00.000Z');
    expect(retentionCutoff(new Date('2032-02-29T00:00:00Z'), 5).toISOString()).toBe('2027-02-28T00:00:00.000Z');
  });
});
