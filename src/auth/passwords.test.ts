import { hash, parseOptions } from '@node-rs/argon2';
import { describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { Problem } from '../platform/errors.ts';
import { formatVnTime, networkOf, passwordViolations, resolvePolicy } from './model.ts';
import { argon2Hasher } from './passwords.ts';
import { hashOf, storeHash } from './repository.ts';
import { authKit, countingHasher, ctx, makeAccount } from './testing.ts';

const t = useTestDatabase();

async function attempt(promise: Promise<unknown>): Promise<Problem | 'ok'> {
  return promise.then(
    () => 'ok' as const,
    (e: unknown) => {
      if (e instanceof Problem) return e;
      throw e;
    },
  );
}

describe('password policy (DOMAIN.md §7)', () => {
  test('returns every rule broken, in both languages', () => {
    expect(passwordViolations('Dung@2026')).toEqual([]);
    expect(passwordViolations('abc').map((v) => v.code)).toEqual(['too_short', 'no_upper', 'no_digit', 'no_symbol']);
    expect(passwordViolations('A'.repeat(21)).map((v) => v.code)).toEqual([
      'too_long',
      'no_lower',
      'no_digit',
      'no_symbol',
    ]);
    expect(passwordViolations('')).toHaveLength(5);
    const v = passwordViolations('abcdefgh1!')[0]!;
    expect(v).toEqual({ code: 'no_upper', vi: 'có ít nhất một chữ in hoa', en: 'at least one upper-case letter' });
    // Vietnamese letters count as one character each and as letters.
    expect(passwordViolations('Đường@2026')).toEqual([]);
    expect(passwordViolations('Ấ1@aaaa').map((x) => x.code)).toEqual(['too_short']);
  });

  test('setPassword refuses a weak password with every reason', async () => {
    const kit = authKit(testPlatform(t.db));
    const account = await makeAccount(kit.identity, t.db);
    const refused = (await attempt(kit.auth.setPassword(account.id, 'short', { kind: 'system', id: 't' }))) as Problem;
    expect(refused).toMatchObject({ code: 'AUTH_PASSWORD_POLICY', status: 400, field: 'password' });
    expect(refused.messageIn('vi')).toBe(
      'Mật khẩu chưa đạt yêu cầu: có ít nhất 8 ký tự; có ít nhất một chữ in hoa; có ít nhất một chữ số; có ít nhất một ký tự đặc biệt (ví dụ @ # $ !).',
    );
    expect((refused.extensions as { violations: unknown[] }).violations).toHaveLength(4);
    expect(await hashOf(t.db, 'auth.passwords', account.id)).toBeUndefined();
  });
});

describe('argon2id hashes', () => {
  test('are PHC strings with the OWASP parameters', async () => {
    const kit = authKit(testPlatform(t.db));
    const account = await makeAccount(kit.identity, t.db);
    await kit.auth.setPassword(account.id, 'Dung@2026x', { kind: 'system', id: 't' });
    const stored = (await hashOf(t.db, 'auth.passwords', account.id))!;
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(parseOptions(stored)).toMatchObject({ memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 });
  });

  test('a hash weaker than the configured parameters is rehashed at the next successful login', async () => {
    const hasher = countingHasher();
    const kit = authKit(testPlatform(t.db), { hasher });
    const account = await makeAccount(kit.identity, t.db);
    const weak = await hash('Dung@2026x', { algorithm: 2, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    await storeHash(t.db, 'auth.passwords', account.id, weak, new Date());
    expect(argon2Hasher().needsRehash(weak)).toBe(true);

    // A failed login proves nothing: the weak hash stays.
    expect(await attempt(kit.auth.checkPassword(account.pin!, 'Wrong@1xx', ctx('198.51.100.20')))).toMatchObject({
      code: 'AUTH_INVALID_CREDENTIALS',
    });
    expect(await hashOf(t.db, 'auth.passwords', account.id)).toBe(weak);

    await kit.auth.checkPassword(account.pin!, 'Dung@2026x', ctx('198.51.100.20'));
    const upgraded = (await hashOf(t.db, 'auth.passwords', account.id))!;
    expect(upgraded).not.toBe(weak);
    expect(parseOptions(upgraded)).toMatchObject({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    // The new hash still takes the same password, and is not rehashed again.
    const hashes = hasher.calls.hash;
    await kit.auth.checkPassword(account.pin!, 'Dung@2026x', ctx('198.51.100.20'));
    expect(hasher.calls.hash).toBe(hashes);
    const success = (await kit.audit.historyOf({ kind: 'account', id: account.id }, 20)).filter(
      (e) => e.action === 'auth.password.success',
    );
    expect(success.map((e) => (e.detail as { rehashed?: boolean }).rehashed ?? false).sort()).toEqual([false, true]);
  });

  test('raising the configured parameters marks today’s hashes for rehash', async () => {
    const today = await argon2Hasher().hash('Dung@2026x');
    expect(argon2Hasher().needsRehash(today)).toBe(false);
    expect(argon2Hasher({ memoryCost: 65536, timeCost: 3, parallelism: 1 }).needsRehash(today)).toBe(true);
    expect(argon2Hasher().needsRehash('not a hash')).toBe(true);
    expect(await argon2Hasher().verify('not a hash', 'x')).toBe(false);
  });
});

describe('login outcomes', () => {
  test('a correct password on a locked account says so, only after the password is proven; audited', async () => {
    const kit = authKit(testPlatform(t.db));
    const account = await makeAccount(kit.identity, t.db);
    await kit.auth.setPassword(account.id, 'Dung@2026x', { kind: 'system', id: 't' });
    const locked = await kit.identity.lock(t.db, account.id, 'holder_request', {
      expectedVersion: account.version,
      actor: { kind: 'account', id: account.id },
    });
    expect(locked.status).toBe('locked');
    expect(await attempt(kit.auth.checkPassword(account.pin!, 'Wrong@1xx', ctx('198.51.100.30')))).toMatchObject({
      code: 'AUTH_INVALID_CREDENTIALS',
    });
    const refused = (await attempt(
      kit.auth.checkPassword(account.pin!, 'Dung@2026x', ctx('198.51.100.30')),
    )) as Problem;
    expect(refused).toMatchObject({ code: 'ACCOUNT_NOT_ACTIVE', status: 403, params: { status: 'locked' } });
    expect(refused.messageIn('vi')).toBe(
      'Tài khoản định danh điện tử đang bị khóa; bạn vẫn có thể gửi yêu cầu mở khóa.',
    );
    const actions = (await kit.audit.historyOf({ kind: 'account', id: account.id }, 20)).map((e) => e.action);
    expect(actions).toContain('auth.password.not_active');
    expect(actions).toContain('auth.password.failure');
  });

  test('audit entries carry no secret', async () => {
    const kit = authKit(testPlatform(t.db));
    const account = await makeAccount(kit.identity, t.db);
    await kit.auth.setPassword(account.id, 'Dung@2026x', { kind: 'system', id: 't' });
    await attempt(kit.auth.checkPassword(account.pin!, 'Secret@Guess1', ctx('198.51.100.31')));
    await kit.auth.checkPassword(account.pin!, 'Dung@2026x', ctx('198.51.100.31'));
    const text = JSON.stringify(await kit.audit.historyOf({ kind: 'account', id: account.id }, 20));
    expect(text).not.toContain('Dung@2026x');
    expect(text).not.toContain('Secret@Guess1');
    expect(text).not.toContain(account.pin!);
  });
});

describe('passcode (DOMAIN.md §7: 6 digits for sensitive actions)', () => {
  test('is 6 digits, hashed, checked with its own limit', async () => {
    const clock = fixedClock('2026-03-02T03:00:00Z');
    const kit = authKit(testPlatform(t.db, { clock }));
    const account = await makeAccount(kit.identity, t.db);
    expect(await attempt(kit.auth.verifyPasscode(account.id, '123456', ctx()))).toMatchObject({
      code: 'AUTH_PASSCODE_NOT_SET',
    });
    expect(await attempt(kit.auth.setPasscode(account.id, '12345', { kind: 'system', id: 't' }))).toMatchObject({
      code: 'AUTH_PASSCODE_FORMAT',
    });
    await kit.auth.setPasscode(account.id, '246810', { kind: 'system', id: 't' });
    expect(await hashOf(t.db, 'auth.passcodes', account.id)).toMatch(/^\$argon2id\$/);
    expect(await attempt(kit.auth.verifyPasscode(account.id, '246810', ctx()))).toBe('ok');
    const left = [];
    for (let i = 0; i < 4; i++) {
      const p = (await attempt(kit.auth.verifyPasscode(account.id, '000000', ctx()))) as Problem;
      left.push(p.params.attemptsLeft);
    }
    expect(left).toEqual([4, 3, 2, 1]);
    expect(await attempt(kit.auth.verifyPasscode(account.id, '000000', ctx()))).toMatchObject({
      code: 'AUTH_TEMPORARILY_LOCKED',
      params: { until: '2026-03-02T03:30:00.000Z' },
    });
    expect(await attempt(kit.auth.verifyPasscode(account.id, '246810', ctx()))).toMatchObject({
      code: 'AUTH_TEMPORARILY_LOCKED',
    });
  });
});

describe('helpers', () => {
  test('Vietnam time, networks and policy overrides', () => {
    expect(formatVnTime(new Date('2026-12-31T17:30:00Z'))).toBe('00:30 01/01/2027');
    expect(networkOf('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(networkOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(networkOf('2001:DB8:0:0:ffff::2')).toBe('2001:db8:0:0::/64');
    expect(networkOf('')).toBe('unknown');
    const p = resolvePolicy({ password: { perAccount: { max: 3 } }, otp: { ttlMs: 120_000 } });
    expect(p.password.perAccount).toEqual({ max: 3, windowMs: 900_000, lockMs: 900_000 });
    expect(p.password.perIp.max).toBe(20);
    expect(p.otp.ttlMs).toBe(120_000);
    expect(p.otp.attemptsPerChallenge).toBe(5);
  });
});
