import { describe, expect, test } from 'vitest';
import { newKeyringText, parseKeyring, secretBox } from './crypto.ts';

describe('secrets at rest', () => {
  const old = newKeyringText('old');
  const box = secretBox(parseKeyring(old));

  test('a sealed value opens in its own context only', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'totp:account-1');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, 'totp:account-1').toString()).toBe('JBSWY3DPEHPK3PXP');
    expect(() => box.open(sealed, 'totp:account-2')).toThrow();
  });

  test('a tampered value does not open', () => {
    const sealed = box.seal('secret', 'ctx');
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[3] = ct.toString('base64url');
    expect(() => box.open(parts.join('.'), 'ctx')).toThrow();
  });

  test('after rotation new values use the new key and old ones still open', () => {
    const sealedWithOld = box.seal('seed', 'ctx');
    const rotated = secretBox(parseKeyring(`${newKeyringText('new')},${old}`));
    expect(rotated.open(sealedWithOld, 'ctx').toString()).toBe('seed');
    expect(rotated.isStale(sealedWithOld)).toBe(true);
    const fresh = rotated.seal('seed', 'ctx');
    expect(fresh.split('.')[1]).toBe('new');
    expect(rotated.isStale(fresh)).toBe(false);
    expect(() => box.open(fresh, 'ctx')).toThrow(/unknown master key/);
  });

  test('malformed keyrings are refused', () => {
    expect(() => parseKeyring('')).toThrow();
    expect(() => parseKeyring('a:c2hvcnQ=')).toThrow(/32 bytes/);
  });
});
