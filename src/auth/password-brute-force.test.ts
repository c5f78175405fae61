import { describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { Problem } from '../platform/errors.ts';
import { authKit, countingHasher, ctx, makeAccount } from './testing.ts';

/**
 * Threat: guessing passwords online. Failures are counted in PostgreSQL per account (or per
 * unknown identifier) and per network; the attempt that reaches the limit locks for 15 minutes
 * and the answer says until when, in Vietnam time. Attempts are counted before the hash is
 * checked, so parallel guesses cannot slip past the limit.
 */
const t = useTestDatabase();
const PASSWORD = 'Dung@2026x';
const MINUTE = 60_000;

async function setup(start = '2026-03-02T03:00:00Z') {
  const clock = fixedClock(start);
  const hasher = countingHasher();
  const kit = authKit(testPlatform(t.db, { clock }), { hasher });
  const account = await makeAccount(kit.identity, t.db);
  await kit.auth.setPassword(account.id, PASSWORD, { kind: 'system', id: 'test' });
  return { ...kit, clock, hasher, account, pin: account.pin! };
}

async function attempt(promise: Promise<unknown>): Promise<Problem | 'ok'> {
  return promise.then(
    () => 'ok' as const,
    (e: unknown) => {
      if (e instanceof Problem) return e;
      throw e;
    },
  );
}

describe('per account', () => {
  test('the 5th failure locks the account for 15 minutes and says until when (Vietnam time)', async () => {
    const { auth, pin, clock, hasher, audit, account } = await setup();
    const ip = '198.51.100.1';
    for (let i = 1; i <= 4; i++) {
      expect(await attempt(auth.checkPassword(pin, `Wrong@${i}xx`, ctx(ip)))).toMatchObject({
        code: 'AUTH_INVALID_CREDENTIALS',
        status: 401,
      });
    }
    const fifth = (await attempt(auth.checkPassword(pin, 'Wrong@5xx', ctx(ip)))) as Problem;
    expect(fifth).toMatchObject({ code: 'AUTH_TEMPORARILY_LOCKED', status: 429 });
    expect(fifth.params).toEqual({ until: '2026-03-02T03:15:00.000Z', retryAfter: 900, untilVn: '10:15 02/03/2026' });
    expect(fifth.messageIn('vi')).toBe(
      'Bạn đã nhập sai quá nhiều lần. Chức năng này tạm thời bị khóa đến 10:15 02/03/2026 (giờ Việt Nam).',
    );
    expect(fifth.messageIn('en')).toBe(
      'Too many failed attempts. This is blocked until 10:15 02/03/2026 (Vietnam time).',
    );

    // While locked, even the right password is refused, from any network, without hashing work.
    clock.advance(5 * MINUTE);
    const verifies = hasher.calls.verify;
    const locked = (await attempt(auth.checkPassword(pin, PASSWORD, ctx('192.0.2.99')))) as Problem;
    expect(locked).toMatchObject({ code: 'AUTH_TEMPORARILY_LOCKED' });
    expect(locked.params).toMatchObject({ until: '2026-03-02T03:15:00.000Z', retryAfter: 600 });
    expect(hasher.calls.verify).toBe(verifies);

    clock.set('2026-03-02T03:15:00Z');
    expect(await attempt(auth.checkPassword(pin, PASSWORD, ctx(ip)))).toBe('ok');

    const actions = (await audit.historyOf({ kind: 'account', id: account.id })).map((e) => e.action);
    expect(actions.filter((a) => a === 'auth.password.failure')).toHaveLength(5);
    expect(actions.filter((a) => a === 'auth.password.locked')).toHaveLength(1);
    expect(actions.filter((a) => a === 'auth.password.success')).toHaveLength(1);
  });

  test('an unknown identifier is throttled exactly like a known one', async () => {
    const { auth } = await setup();
    const ip = '198.51.100.2';
    const unknown = '001099000777';
    const answers = [];
    for (let i = 1; i <= 6; i++) answers.push(await attempt(auth.checkPassword(unknown, `Wrong@${i}xx`, ctx(ip))));
    expect(answers.map((a) => (a as Problem).code)).toEqual([
      'AUTH_INVALID_CREDENTIALS',
      'AUTH_INVALID_CREDENTIALS',
      'AUTH_INVALID_CREDENTIALS',
      'AUTH_INVALID_CREDENTIALS',
      'AUTH_TEMPORARILY_LOCKED',
      'AUTH_TEMPORARILY_LOCKED',
    ]);
    expect((answers[4] as Problem).params.until).toBe('2026-03-02T03:15:00.000Z');
  });

  test('every spelling of an identifier shares one counter, known or not', async () => {
    const { auth, pin } = await setup();
    const ip = '198.51.100.4';
    const spaced = (id: string) => `${id.slice(0, 3)} ${id.slice(3, 6)} ${id.slice(6, 9)} ${id.slice(9)}`;
    for (const id of [pin, '001099000888']) {
      const answers = [];
      for (const spelling of [id, spaced(id), ` ${id}`, spaced(id), id]) {
        answers.push(((await attempt(auth.checkPassword(spelling, 'Wrong@1xx', ctx(ip)))) as Problem).code);
      }
      expect(answers).toEqual([...Array(4).fill('AUTH_INVALID_CREDENTIALS'), 'AUTH_TEMPORARILY_LOCKED']);
    }
  });

  test('a successful login clears the account’s failures', async () => {
    const { auth, pin } = await setup();
    const ip = '198.51.100.3';
    for (let i = 0; i < 4; i++) await attempt(auth.checkPassword(pin, 'Wrong@1xx', ctx(ip)));
    expect(await attempt(auth.checkPassword(pin, PASSWORD, ctx(ip)))).toBe('ok');
    for (let i = 0; i < 4; i++) {
      expect(await attempt(auth.checkPassword(pin, 'Wrong@1xx', ctx(ip)))).toMatchObject({
        code: 'AUTH_INVALID_CREDENTIALS',
      });
    }
  });

  test('parallel guesses cannot exceed the limit: exactly 5 are checked', async () => {
    const { auth, pin, hasher } = await setup();
    const before = hasher.calls.verify;
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        attempt(auth.checkPassword(pin, `Guess@${i}xx`, ctx(`198.51.100.${10 + i}`))),
      ),
    );
    expect(hasher.calls.verify - before).toBe(5);
    const codes = answers.map((a) => (a as Problem).code);
    expect(codes.filter((c) => c === 'AUTH_INVALID_CREDENTIALS')).toHaveLength(4);
    expect(codes.filter((c) => c === 'AUTH_TEMPORARILY_LOCKED')).toHaveLength(8);
  });
});

describe('per network', () => {
  test('20 failures from one IP lock that IP for everyone’s accounts; another IP is unaffected', async () => {
    const { auth, identity, pin } = await setup();
    const ip = '203.0.113.50';
    // 20 failures spread over 5 identifiers (4 each, under the per-account limit).
    const others = await Promise.all(Array.from({ length: 4 }, () => makeAccount(identity, t.db)));
    const identifiers = [pin, ...others.map((a) => a.pin!)];
    const answers: (Problem | 'ok')[] = [];
    for (let round = 0; round < 4; round++) {
      for (const id of identifiers) answers.push(await attempt(auth.checkPassword(id, 'Wrong@1xx', ctx(ip))));
    }
    expect(answers.slice(0, 19).every((a) => (a as Problem).code === 'AUTH_INVALID_CREDENTIALS')).toBe(true);
    expect(answers[19]).toMatchObject({
      code: 'AUTH_TEMPORARILY_LOCKED',
      params: { until: '2026-03-02T03:15:00.000Z' },
    });
    // The right password from that IP is refused; from another IP it works.
    expect(await attempt(auth.checkPassword(pin, PASSWORD, ctx(ip)))).toMatchObject({
      code: 'AUTH_TEMPORARILY_LOCKED',
    });
    expect(await attempt(auth.checkPassword(pin, PASSWORD, ctx('203.0.113.51')))).toBe('ok');
  });

  test('IPv6 addresses count per /64, so rotating addresses inside one subnet does not help', async () => {
    const { auth, identity } = await setup();
    const accounts = await Promise.all(Array.from({ length: 5 }, () => makeAccount(identity, t.db)));
    let n = 0;
    const answers: (Problem | 'ok')[] = [];
    for (let round = 0; round < 4; round++) {
      for (const a of accounts) {
        answers.push(
          await attempt(auth.checkPassword(a.pin!, 'Wrong@1xx', ctx(`2001:db8:aa:1::${(++n).toString(16)}`))),
        );
      }
    }
    expect(answers.slice(0, 19).every((a) => (a as Problem).code === 'AUTH_INVALID_CREDENTIALS')).toBe(true);
    expect(answers[19]).toMatchObject({ code: 'AUTH_TEMPORARILY_LOCKED' });
    const fresh = await makeAccount(identity, t.db);
    // Any address of the same /64 is locked; the next /64 is another network.
    expect(await attempt(auth.checkPassword(fresh.pin!, 'Wrong@1xx', ctx('2001:db8:aa:1:ffff::9')))).toMatchObject({
      code: 'AUTH_TEMPORARILY_LOCKED',
    });
    expect(await attempt(auth.checkPassword(fresh.pin!, 'Wrong@1xx', ctx('2001:db8:aa:2::1')))).toMatchObject({
      code: 'AUTH_INVALID_CREDENTIALS',
    });
  });
});
