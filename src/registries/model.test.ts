import { describe, expect, it } from 'vitest';
import { cardExpiry, cardStateOn, normalisePhone, operatorOf } from './model.ts';

describe('cardExpiry (Law on Identification 2023 Art 21)', () => {
  const dob = '1990-05-15';
  it('runs to the birthday at the next renewal age: 14, 25, 40, 60', () => {
    expect(cardExpiry('2016-03-12', '2024-08-01')).toBe('2030-03-12'); // issued at 8 → 14
    expect(cardExpiry(dob, '2004-06-01')).toBe('2015-05-15'); // at 14 → 25
    expect(cardExpiry(dob, '2012-05-14')).toBe('2015-05-15'); // at 21 → 25
    expect(cardExpiry(dob, '2021-06-10')).toBe('2030-05-15'); // at 31 → 40
    expect(cardExpiry(dob, '2035-01-01')).toBe('2050-05-15'); // at 44 → 60
  });

  it('keeps a card issued within two years before a renewal age until the next one', () => {
    expect(cardExpiry(dob, '2013-05-15')).toBe('2030-05-15'); // at 23 → skips 25 → 40
    expect(cardExpiry(dob, '2013-05-14')).toBe('2015-05-15'); // a day before turning 23 → 25
    expect(cardExpiry(dob, '2028-05-15')).toBe('2050-05-15'); // at 38 → skips 40 → 60
    expect(cardExpiry('2012-01-01', '2024-07-01')).toBe('2037-01-01'); // at 12 → skips 14 → 25
  });

  it('has no expiry for a card issued at 58 or later', () => {
    expect(cardExpiry(dob, '2048-05-15')).toBeNull();
    expect(cardExpiry(dob, '2048-05-14')).toBe('2050-05-15');
    expect(cardExpiry('1940-11-30', '2021-03-15')).toBeNull();
  });

  it('is valid until the day before expiry; revoked and held win over dates', () => {
    const card = { status: 'valid' as const, expiresOn: '2024-02-03' };
    expect(cardStateOn(card, '2024-02-02')).toBe('valid');
    expect(cardStateOn(card, '2024-02-03')).toBe('expired');
    expect(cardStateOn({ status: 'valid', expiresOn: null }, '2199-01-01')).toBe('valid');
    expect(cardStateOn({ status: 'held', expiresOn: null }, '2026-01-01')).toBe('held');
    expect(cardStateOn({ status: 'revoked', expiresOn: '2020-01-01' }, '2026-01-01')).toBe('revoked');
  });
});

describe('phones', () => {
  it('normalises Vietnamese mobile numbers to the national form', () => {
    expect(normalisePhone('0912345678')).toBe('0912345678');
    expect(normalisePhone('+84 912 345 678')).toBe('0912345678');
    expect(normalisePhone('84912345678')).toBe('0912345678');
    expect(normalisePhone('0912.345.678')).toBe('0912345678');
    expect(normalisePhone('(+84) 35-678-9012')).toBe('0356789012');
  });

  it('refuses landlines, unknown prefixes and wrong lengths', () => {
    for (const bad of ['02438123456', '0212345678', '091234567', '09123456789', '+1 912 345 678', 'abc', '']) {
      expect(normalisePhone(bad), bad).toBeNull();
    }
  });

  it('knows the operator of each prefix', () => {
    expect(operatorOf('0987654321')).toBe('Viettel');
    expect(operatorOf('0912345678')).toBe('VinaPhone');
    expect(operatorOf('0901234567')).toBe('MobiFone');
    expect(operatorOf('0921234567')).toBe('Vietnamobile');
    expect(operatorOf('0211234567')).toBeNull();
  });
});
