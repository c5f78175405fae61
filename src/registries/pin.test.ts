import { describe, expect, it } from 'vitest';
import {
  centurySexDigit,
  decodeCenturySexDigit,
  makePin,
  pinPrefix,
  PIN_REASON_MESSAGES,
  validatePin,
  type PinReason,
} from './pin.ts';
import { BIRTH_PROVINCES, PROVINCES_2025 } from './provinces.ts';

function reasonOf(check: ReturnType<typeof validatePin>): PinReason | 'OK' {
  return check.ok ? 'OK' : check.reason;
}

describe('validatePin: form', () => {
  it('accepts a well-formed number and decodes it', () => {
    const check = validatePin('001090123456');
    expect(check).toEqual({
      ok: true,
      pin: '001090123456',
      province: { code: '001', name: 'Hà Nội', now: 'Thành phố Hà Nội' },
      century: 1900,
      sex: 'male',
      birthYearSuffix: 90,
      birthYear: 1990,
      serial: '123456',
    });
  });

  it('decodes a woman born in the 2000s in Hồ Chí Minh City', () => {
    const check = validatePin('079305000001');
    expect(check.ok && [check.province.name, check.century, check.sex, check.birthYear]).toEqual([
      'Hồ Chí Minh',
      2000,
      'female',
      2005,
    ]);
  });

  it('refuses anything but digits, before looking at the length', () => {
    for (const pin of ['00109012345a', '001 090 123456', '', '+01090123456', '００１０９０１２３４５６']) {
      const check = validatePin(pin);
      expect(reasonOf(check), pin).toBe('NOT_DIGITS');
    }
  });

  it('says the length is wrong, with the count', () => {
    const short = validatePin('00109012345');
    expect(short).toEqual({ ok: false, reason: 'LENGTH', detail: 'a PIN has 12 digits, this one has 11' });
    expect(reasonOf(validatePin('0010901234567'))).toBe('LENGTH');
    // The old 9-digit identity card (CMND) number is not a PIN.
    expect(reasonOf(validatePin('012345678'))).toBe('LENGTH');
  });

  it('refuses province codes that do not exist, including gaps in the table', () => {
    for (const code of ['000', '003', '005', '097', '099', '123', '999']) {
      const check = validatePin(`${code}090123456`);
      expect(reasonOf(check), code).toBe('UNKNOWN_PROVINCE');
      expect(check.ok || check.detail).toContain(code);
    }
  });

  it('accepts every one of the 63 province codes', () => {
    expect(BIRTH_PROVINCES).toHaveLength(63);
    for (const p of BIRTH_PROVINCES) expect(reasonOf(validatePin(`${p.code}090123456`)), p.code).toBe('OK');
  });

  it('maps every former province to one of the 34 post-2025 provinces, each used', () => {
    expect(PROVINCES_2025).toHaveLength(34);
    expect(new Set(BIRTH_PROVINCES.map((p) => p.now))).toEqual(new Set(PROVINCES_2025));
  });

  it('refuses century digits for births that cannot have happened yet', () => {
    for (const g of ['4', '5', '6', '7', '8', '9']) {
      expect(reasonOf(validatePin(`001${g}00123456`)), g).toBe('CENTURY_SEX_DIGIT');
    }
    // With today's date, a 2000s number whose year is still to come is refused too.
    const future = validatePin('001230123456', undefined, { today: '2026-11-26' });
    expect(future).toMatchObject({ ok: false, reason: 'CENTURY_SEX_DIGIT' });
    expect(reasonOf(validatePin('001226123456', undefined, { today: '2026-11-26' }))).toBe('OK');
  });
});

describe('the century and sex digit', () => {
  it('follows the table: 1900s 0/1, 2000s 2/3, 2100s 4/5, 2200s 6/7, 2300s 8/9', () => {
    const table: [number, number, 'male' | 'female'][] = [
      [0, 1900, 'male'],
      [1, 1900, 'female'],
      [2, 2000, 'male'],
      [3, 2000, 'female'],
      [4, 2100, 'male'],
      [5, 2100, 'female'],
      [6, 2200, 'male'],
      [7, 2200, 'female'],
      [8, 2300, 'male'],
      [9, 2300, 'female'],
    ];
    for (const [digit, century, sex] of table) {
      expect(decodeCenturySexDigit(digit)).toEqual({ century, sex });
      expect(centurySexDigit(century + 37, sex)).toBe(digit);
    }
    expect(() => centurySexDigit(1899, 'male')).toThrow(RangeError);
    expect(() => centurySexDigit(2400, 'female')).toThrow(RangeError);
  });
});

describe('validatePin against the registry record', () => {
  const pin = '038185004217'; // Thanh Hóa, woman, 1985

  it('accepts a number consistent with the date of birth and sex', () => {
    expect(reasonOf(validatePin(pin, { dateOfBirth: '1985-07-01', sex: 'female' }))).toBe('OK');
  });

  it('says the year digits disagree with the date of birth', () => {
    const check = validatePin(pin, { dateOfBirth: '1986-07-01', sex: 'female' });
    expect(check).toMatchObject({ ok: false, reason: 'YEAR_MISMATCH' });
    expect(check.ok || check.detail).toContain('1986');
  });

  it('says the sex digit disagrees with the recorded sex', () => {
    expect(validatePin(pin, { dateOfBirth: '1985-07-01', sex: 'male' })).toMatchObject({
      ok: false,
      reason: 'SEX_MISMATCH',
    });
  });

  it('says the century digit disagrees with the year, before comparing the last two digits', () => {
    // Same last two digits, other century: a 2085 birth would need digit 2/3.
    expect(validatePin('038185004217', { dateOfBirth: '2085-07-01', sex: 'female' })).toMatchObject({
      ok: false,
      reason: 'CENTURY_MISMATCH',
    });
    // A child born 2012 whose number was typed with the 1900s digit.
    expect(validatePin('001012123456', { dateOfBirth: '2012-03-04', sex: 'male' })).toMatchObject({
      ok: false,
      reason: 'CENTURY_MISMATCH',
    });
  });

  it('checks the form before the record', () => {
    expect(reasonOf(validatePin('003185004217', { dateOfBirth: '1990-01-01', sex: 'male' }))).toBe('UNKNOWN_PROVINCE');
  });

  it('has a Vietnamese and an English message for every reason', () => {
    const reasons: PinReason[] = [
      'LENGTH',
      'NOT_DIGITS',
      'UNKNOWN_PROVINCE',
      'CENTURY_SEX_DIGIT',
      'YEAR_MISMATCH',
      'SEX_MISMATCH',
      'CENTURY_MISMATCH',
    ];
    for (const r of reasons) {
      expect(PIN_REASON_MESSAGES[r].vi.length).toBeGreaterThan(10);
      expect(PIN_REASON_MESSAGES[r].en.length).toBeGreaterThan(10);
    }
  });
});

describe('makePin', () => {
  it('builds numbers that validate against the same person', () => {
    const cases: [string, string, 'male' | 'female', number][] = [
      ['001', '1990-05-15', 'male', 123456],
      ['096', '1999-12-31', 'female', 0],
      ['079', '2000-01-01', 'male', 999_999],
      ['046', '2016-03-12', 'female', 42],
      ['012', '1905-06-06', 'female', 7],
    ];
    for (const [province, dob, sex, serial] of cases) {
      const pin = makePin(province, dob, sex, serial);
      expect(pin).toMatch(/^\d{12}$/);
      expect(pin.slice(0, 3)).toBe(province);
      expect(pin.slice(6)).toBe(String(serial).padStart(6, '0'));
      expect(reasonOf(validatePin(pin, { dateOfBirth: dob, sex }))).toBe('OK');
      expect(pin.startsWith(pinPrefix(province, Number(dob.slice(0, 4)), sex))).toBe(true);
    }
    expect(makePin('079', '2000-01-01', 'male', 5)).toBe('079200000005');
  });

  it('refuses what cannot be encoded', () => {
    expect(() => makePin('003', '1990-01-01', 'male', 1)).toThrow(/province/);
    expect(() => makePin('001', '1990-01-01', 'male', 1_000_000)).toThrow(/serial/);
    expect(() => makePin('001', '1890-01-01', 'male', 1)).toThrow(/century/);
  });
});
