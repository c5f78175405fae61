import Fastify, { type FastifyInstance } from 'fastify';
import { parseOptions } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { localeOf, sendProblem } from '../http/problem.ts';
import { Problem } from '../platform/errors.ts';
import { argon2Hasher, type PasswordHasher } from './passwords.ts';
import { authKit, makeAccount } from './testing.ts';

/**
 * Threat: learning which identifiers have accounts by asking. An unknown identifier, a known one
 * with a wrong password, and a known one without a password must give byte-identical problem
 * bodies with the same status and headers, and do the same work: exactly one argon2 verification
 * against a hash of the configured strength (so the answer takes as long). The work is measured
 * structurally, through the injected hasher, not with a stopwatch.
 */
const t = useTestDatabase();
const clock = fixedClock('2026-03-02T03:00:00Z');
const verified: string[] = [];
const real = argon2Hasher();
const hasher: PasswordHasher = {
  hash: (s) => real.hash(s),
  verify: (phc, s) => {
    verified.push(phc);
    return real.verify(phc, s);
  },
  needsRehash: (phc) => real.needsRehash(phc),
};
let kit: ReturnType<typeof authKit>;
let app: FastifyInstance;
let known: { pin: string };
let withoutPassword: { pin: string };

beforeAll(async () => {
  kit = authKit(testPlatform(t.db, { clock }), { hasher });
  const a = await makeAccount(kit.identity, t.db);
  await kit.auth.setPassword(a.id, 'Dung@2026x', { kind: 'system', id: 'test' });
  known = { pin: a.pin! };
  withoutPassword = { pin: (await makeAccount(kit.identity, t.db)).pin! };

  // The HTTP layer as the server renders problems (problem+json in the caller's language).
  app = Fastify();
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof Problem) return sendProblem(request, reply, error);
    return reply.status(500).send({ error: String(error) });
  });
  app.post<{ Body: { identifier: string; password: string } }>('/login', async (request) => {
    await kit.auth.checkPassword(request.body.identifier, request.body.password, {
      ip: request.ip,
      locale: localeOf(request),
    });
    return { ok: true };
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
});

async function login(identifier: string, password: string, ip: string, language = 'vi') {
  const before = verified.length;
  const response = await app.inject({
    method: 'POST',
    url: '/login',
    remoteAddress: ip,
    headers: { 'accept-language': language },
    payload: { identifier, password },
  });
  return {
    status: response.statusCode,
    body: response.body,
    type: response.headers['content-type'],
    language: response.headers['content-language'],
    verifiedHashes: verified.slice(before),
  };
}

describe('wrong credentials', () => {
  test('unknown identifier, wrong password and no password give the same bytes, status and headers', async () => {
    for (const language of ['vi', 'en']) {
      const answers = [
        await login('001099123456', 'Wrong@1xx', '198.51.100.1', language), // well-formed, no account
        await login('Z9999999', 'Wrong@1xx', '198.51.100.2', language), // passport-shaped, no account
        await login('garbage; drop table', 'Wrong@1xx', '198.51.100.3', language), // not an identifier at all
        await login(known.pin, 'Wrong@1xx', '198.51.100.4', language), // account, wrong password
        await login(withoutPassword.pin, 'Wrong@1xx', '198.51.100.5', language), // account, no password yet
      ];
      const first = answers[0]!;
      expect(first.status).toBe(401);
      expect(JSON.parse(first.body)).toMatchObject({ code: 'AUTH_INVALID_CREDENTIALS' });
      for (const a of answers) {
        expect({ status: a.status, body: a.body, type: a.type, language: a.language }).toEqual({
          status: first.status,
          body: first.body,
          type: first.type,
          language: first.language,
        });
      }
      // The same work on every path: one argon2id verification with the configured parameters.
      for (const a of answers) {
        expect(a.verifiedHashes).toHaveLength(1);
        expect(parseOptions(a.verifiedHashes[0]!)).toMatchObject({
          algorithm: 2,
          memoryCost: 19456,
          timeCost: 2,
          parallelism: 1,
        });
      }
    }
  });

  test('the lockout answer does not tell them apart either', async () => {
    const ip = '198.51.100.9';
    let unknownAnswer: Awaited<ReturnType<typeof login>> | undefined;
    let knownAnswer: Awaited<ReturnType<typeof login>> | undefined;
    // Both have 2 failures from the first test (vi and en); the 3rd more locks them, the 4th is refused.
    for (let i = 0; i < 4; i++) {
      unknownAnswer = await login('001099123456', 'Wrong@2xx', ip, 'vi');
      knownAnswer = await login(known.pin, 'Wrong@2xx', ip, 'vi');
    }
    expect(unknownAnswer!.status).toBe(429);
    expect(JSON.parse(unknownAnswer!.body)).toMatchObject({ code: 'AUTH_TEMPORARILY_LOCKED' });
    expect(knownAnswer!.body).toBe(unknownAnswer!.body);
    expect(knownAnswer!.status).toBe(unknownAnswer!.status);
  });
});
