import { sql } from 'kysely';
import { makeAccount } from '../auth/testing.ts';
import type { OfficerRole } from '../backoffice/model.ts';
import { seedUnits } from '../backoffice/service.ts';
import type { NewAccount } from '../identity/model.ts';
import type { Account } from '../identity/service.ts';
import type { Platform } from '../platform/context.ts';
import type { Db } from '../platform/database.ts';
import { Problem } from '../platform/errors.ts';
import { sandboxControl, type SandboxControl } from '../registries/sandbox/control.ts';
import { createServices, type Services } from '../services.ts';
import { createLockService, type LockService } from './service.ts';

/**
 * Test support for locks (not a test file): the real services over the test database, the lock
 * service wired as the composition root is to wire it, officers in the seeded units, holders with
 * a passcode, and the sandbox control that makes registry changes happen.
 */
export interface LockKit {
  platform: Platform;
  services: Services;
  locks: LockService;
  control: SandboxControl;
  units: Record<string, string>;
  /** Accounts whose sessions the lock service asked to end, in order. */
  ended: string[];
  officer(unitCode: string, role: OfficerRole): Promise<string>;
  /** An active level-2 account with the passcode PASSCODE (synthetic subject unless overridden). */
  holder(overrides?: Partial<NewAccount>): Promise<Account>;
}

export const PASSCODE = '135790';

export async function lockKit(platform: Platform): Promise<LockKit> {
  const services = createServices(platform);
  const units: Record<string, string> = {};
  for (const [code, unit] of Object.entries(await seedUnits(platform.db))) units[code] = unit.id;
  const ended: string[] = [];
  const locks = createLockService(platform, {
    identity: services.identity,
    backoffice: services.backoffice,
    calendar: services.calendar,
    notify: services.notify,
    audit: services.audit,
    registries: services.registries,
    passcode: services.auth,
    contactPhoneOf: (account) => services.contactPhoneOf(account),
    sessions: {
      async endAll(accountId, reason) {
        ended.push(accountId);
        await services.oidc.sessions.endAll(accountId, reason);
      },
    },
  });
  return {
    platform,
    services,
    locks,
    control: sandboxControl(platform.db),
    units,
    ended,
    async officer(unitCode, role) {
      const account = await makeAccount(services.identity, platform.db, { level: 2, status: 'active' });
      await services.backoffice.assign(
        platform.db,
        { accountId: account.id, unitId: units[unitCode]!, role },
        { kind: 'test', id: 'kit' },
      );
      return account.id;
    },
    async holder(overrides = {}) {
      const account = await makeAccount(services.identity, platform.db, {
        level: 2,
        status: 'active',
        email: 'chu.the@example.vn',
        ...overrides,
      });
      await services.auth.setPasscode(account.id, PASSCODE, { kind: 'test', id: 'kit' });
      return account;
    },
  };
}

export const ctx = { ip: '203.0.113.9', userAgent: 'vitest', locale: 'vi' as const };

export interface QueuedNotice {
  channel: string;
  recipient: string;
  template: string;
  params: Record<string, unknown>;
}

/** The notices queued about an account (read from the outbox), oldest first. */
export async function noticesOf(db: Db, accountId: string, template?: string): Promise<QueuedNotice[]> {
  const { rows } = await sql<QueuedNotice>`
    select channel, recipient, template, params from notify.outbox
    where account_id = ${accountId} ${template ? sql`and template = ${template}` : sql``}
    order by created_at, id`.execute(db);
  return rows;
}

/** The problem a promise is rejected with (fails the test when it resolves). */
export async function problemOf(promise: Promise<unknown>): Promise<Problem> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Problem) return error;
    throw error;
  }
  throw new Error('expected a problem, but the call succeeded');
}
