import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { createAuditService } from '../audit/service.ts';
import { createBackofficeService } from '../backoffice/service.ts';
import type { NewAccount } from '../identity/model.ts';
import { createIdentityService, type IdentityService } from '../identity/service.ts';
import { createNotifyService } from '../notify/service.ts';
import type { Clock } from '../platform/clock.ts';
import type { Platform } from '../platform/context.ts';
import type { Db } from '../platform/database.ts';
import { createRegistries } from '../registries/service.ts';
import type { LoginContext, PolicyOverrides } from './model.ts';
import { argon2Hasher, type PasswordHasher } from './passwords.ts';
import { createAuthService } from './service.ts';

/**
 * Test support for the auth and identity contexts (not a test file): the services wired as the
 * composition root will wire them, over a test database, with a sessions hook that records calls
 * and a hasher that counts its work.
 */
export interface CountingHasher extends PasswordHasher {
  calls: { hash: number; verify: number };
}

export function countingHasher(inner: PasswordHasher = argon2Hasher()): CountingHasher {
  const calls = { hash: 0, verify: 0 };
  return {
    calls,
    hash(secret) {
      calls.hash++;
      return inner.hash(secret);
    },
    verify(phc, secret) {
      calls.verify++;
      return inner.verify(phc, secret);
    },
    needsRehash: (phc) => inner.needsRehash(phc),
  };
}

export function authKit(
  platform: Platform,
  options: {
    policy?: PolicyOverrides;
    hasher?: PasswordHasher;
    endAll?: (accountId: string, reason: string) => Promise<void>;
  } = {},
) {
  const audit = createAuditService(platform);
  const registries = createRegistries(platform);
  const identity = createIdentityService(platform, { registries, audit });
  const notify = createNotifyService(platform);
  const backoffice = createBackofficeService(platform, { audit });
  const ended: { accountId: string; reason: string }[] = [];
  const sessions = {
    async endAll(accountId: string, reason: string) {
      ended.push({ accountId, reason });
      await options.endAll?.(accountId, reason);
    },
  };
  const auth = createAuthService(platform, {
    identity,
    audit,
    notify,
    sessions,
    ...(options.hasher ? { hasher: options.hasher } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
  });
  return { platform, audit, registries, identity, notify, backoffice, auth, ended };
}

export const ctx = (ip = '203.0.113.7', locale: 'vi' | 'en' = 'vi'): LoginContext => ({
  ip,
  userAgent: 'vitest',
  locale,
});

let serial = randomInt(0, 100_000);

/** A fresh, unique PIN-shaped number and phone for a synthetic account (no registry record needed). */
export function uniqueSubject() {
  serial++;
  const n = String(serial).padStart(6, '0');
  return {
    registryId: `t${serial}-${randomInt(0, 1e9)}`,
    pin: `0010900${n.slice(-5)}`,
    phone: `+8491${String(serial).padStart(7, '0')}`,
  };
}

export async function makeAccount(identity: IdentityService, db: Db, overrides: Partial<NewAccount> = {}) {
  const s = uniqueSubject();
  return identity.createAccount(db, {
    subjectKind: 'citizen',
    registryId: s.registryId,
    pin: s.pin,
    fullName: 'Nguyễn Thị Kiểm Thử',
    level: 2,
    status: 'active',
    phone: s.phone,
    ...overrides,
  });
}

/** The code of the latest OTP SMS queued for an account, read from the outbox (before the worker erases it). */
export async function lastOtp(db: Db, accountId: string): Promise<{ code: string; recipient: string; count: number }> {
  const { rows } = await sql<{ params: { code: string }; recipient: string; n: number }>`
    select params, recipient, count(*) over ()::int as n from notify.outbox
    where account_id = ${accountId} and template = 'otp' and channel = 'sms'
    order by created_at desc, id desc limit 1`.execute(db);
  const row = rows[0];
  if (!row) throw new Error(`no OTP queued for ${accountId}`);
  return { code: row.params.code, recipient: row.recipient, count: row.n };
}

export type { Clock };
