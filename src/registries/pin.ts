import { birthProvince, type BirthProvince } from './provinces.ts';
import type { IsoDate } from './dates.ts';

/**
 * Personal identification number (số định danh cá nhân), Law on Identification 2023 Art 12 and
 * Circular 07/2016/TT-BCA (DOMAIN.md §3): 12 digits `PPP G YY NNNNNN`.
 *
 * - `PPP` the province (pre-2025 code) where the birth was registered;
 * - `G` century and sex: 1900s 0 male / 1 female, 2000s 2/3, 2100s 4/5, 2200s 6/7, 2300s 8/9;
 * - `YY` the last two digits of the birth year;
 * - `NNNNNN` a random serial. There is no check digit.
 *
 * A PIN can be cancelled and re-issued (Decree 70/2024 Art 11.7): never use it as a key.
 */

export type Sex = 'male' | 'female';

export type PinReason =
  | 'LENGTH'
  | 'NOT_DIGITS'
  | 'UNKNOWN_PROVINCE'
  | 'CENTURY_SEX_DIGIT'
  | 'YEAR_MISMATCH'
  | 'SEX_MISMATCH'
  | 'CENTURY_MISMATCH';

export interface ValidPin {
  ok: true;
  pin: string;
  province: Pick<BirthProvince, 'code' | 'name' | 'now'>;
  /** First year of the birth century: 1900, 2000… */
  century: number;
  sex: Sex;
  /** Last two digits of the birth year (0–99). */
  birthYearSuffix: number;
  /** century + birthYearSuffix. */
  birthYear: number;
  /** The six-digit serial. */
  serial: string;
}

export interface InvalidPin {
  ok: false;
  reason: PinReason;
  /** What is wrong, in English, naming the offending part. */
  detail: string;
}

export type PinCheck = ValidPin | InvalidPin;

export interface PinExpectation {
  /** Date of birth recorded in the registry, 'YYYY-MM-DD'. */
  dateOfBirth: IsoDate;
  sex: Sex;
}

const DIGITS = /^\d+$/;

/** The century and sex a `G` digit stands for. Every digit 0–9 decodes (1900s to 2300s). */
export function decodeCenturySexDigit(digit: number): { century: number; sex: Sex } {
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) throw new RangeError(`not a digit: ${digit}`);
  return { century: 1900 + Math.floor(digit / 2) * 100, sex: digit % 2 === 0 ? 'male' : 'female' };
}

/** The `G` digit for a birth year and sex; only years 1900–2399 have one. */
export function centurySexDigit(birthYear: number, sex: Sex): number {
  const century = Math.floor(birthYear / 100) * 100;
  if (century < 1900 || century > 2300) throw new RangeError(`no century digit for birth year ${birthYear}`);
  return ((century - 1900) / 100) * 2 + (sex === 'female' ? 1 : 0);
}

/**
 * Checks a PIN and says why it is wrong. Without `expected` it checks the form (digits, length,
 * province, century digit); with the registry's date of birth and sex it also checks that the
 * number encodes them. `options.today` sharpens the century check: a number whose birth year lies
 * after today cannot exist. Without it, the 2100s and later (digits 4–9) are refused, which is
 * right until 2100.
 */
export function validatePin(pin: string, expected?: PinExpectation, options: { today?: IsoDate } = {}): PinCheck {
  if (typeof pin !== 'string' || !DIGITS.test(pin)) {
    return { ok: false, reason: 'NOT_DIGITS', detail: 'a PIN is made of the digits 0–9 only' };
  }
  if (pin.length !== 12) {
    return { ok: false, reason: 'LENGTH', detail: `a PIN has 12 digits, this one has ${pin.length}` };
  }
  const code = pin.slice(0, 3);
  const province = birthProvince(code);
  if (!province) {
    return { ok: false, reason: 'UNKNOWN_PROVINCE', detail: `${code} is not a province code of birth registration` };
  }
  const g = Number(pin[3]);
  const { century, sex } = decodeCenturySexDigit(g);
  const birthYearSuffix = Number(pin.slice(4, 6));
  const birthYear = century + birthYearSuffix;
  const currentYear = options.today ? Number(options.today.slice(0, 4)) : 2099;
  if (birthYear > currentYear) {
    return {
      ok: false,
      reason: 'CENTURY_SEX_DIGIT',
      detail: options.today
        ? `digit ${g} with year ${pin.slice(4, 6)} means born in ${birthYear}, after today`
        : `digit ${g} stands for births in the ${century}s, which have not happened`,
    };
  }
  if (expected) {
    const year = Number(expected.dateOfBirth.slice(0, 4));
    const expectedCentury = Math.floor(year / 100) * 100;
    if (expectedCentury !== century) {
      return {
        ok: false,
        reason: 'CENTURY_MISMATCH',
        detail: `digit ${g} stands for births in the ${century}s, the registry has ${year}`,
      };
    }
    if (year % 100 !== birthYearSuffix) {
      return {
        ok: false,
        reason: 'YEAR_MISMATCH',
        detail: `digits 5–6 say the birth year ends in ${pin.slice(4, 6)}, the registry has ${year}`,
      };
    }
    if (expected.sex !== sex) {
      return {
        ok: false,
        reason: 'SEX_MISMATCH',
        detail: `digit ${g} stands for a ${sex} person, the registry has ${expected.sex}`,
      };
    }
  }
  return {
    ok: true,
    pin,
    province: { code: province.code, name: province.name, now: province.now },
    century,
    sex,
    birthYearSuffix,
    birthYear,
    serial: pin.slice(6),
  };
}

/** Messages for each reason, Vietnamese first (DESIGN.md: vi default, en second). */
export const PIN_REASON_MESSAGES: Record<PinReason, { vi: string; en: string }> = {
  NOT_DIGITS: { vi: 'Số định danh cá nhân chỉ gồm chữ số.', en: 'A personal identification number has digits only.' },
  LENGTH: { vi: 'Số định danh cá nhân phải có 12 chữ số.', en: 'A personal identification number has 12 digits.' },
  UNKNOWN_PROVINCE: {
    vi: 'Ba chữ số đầu không phải mã tỉnh nơi đăng ký khai sinh.',
    en: 'The first three digits are not a province code of birth registration.',
  },
  CENTURY_SEX_DIGIT: {
    vi: 'Chữ số thứ tư (thế kỷ và giới tính) không hợp lệ.',
    en: 'The fourth digit (century and sex) is not valid.',
  },
  CENTURY_MISMATCH: {
    vi: 'Chữ số thế kỷ không khớp với năm sinh.',
    en: 'The century digit does not match the year of birth.',
  },
  YEAR_MISMATCH: {
    vi: 'Hai chữ số năm sinh không khớp với ngày sinh.',
    en: 'The year digits do not match the date of birth.',
  },
  SEX_MISMATCH: { vi: 'Chữ số giới tính không khớp với giới tính.', en: 'The sex digit does not match the sex.' },
};

/**
 * Builds a PIN. `province` is a three-digit code of birth registration, `serial` 0–999999.
 * Throws on an unknown province, a birth year without a century digit, or a bad serial.
 */
export function makePin(province: string, dateOfBirth: IsoDate, sex: Sex, serial: number): string {
  if (!birthProvince(province)) throw new RangeError(`unknown province code ${province}`);
  if (!Number.isInteger(serial) || serial < 0 || serial > 999_999) throw new RangeError(`serial ${serial}`);
  const year = Number(dateOfBirth.slice(0, 4));
  const g = centurySexDigit(year, sex);
  return `${province}${g}${String(year % 100).padStart(2, '0')}${String(serial).padStart(6, '0')}`;
}

/** The PIN prefix `PPPGYY` shared by everyone of one province, century, sex and birth year. */
export function pinPrefix(province: string, birthYear: number, sex: Sex): string {
  return `${province}${centurySexDigit(birthYear, sex)}${String(birthYear % 100).padStart(2, '0')}`;
}
