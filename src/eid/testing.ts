import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { authKit, ctx } from '../auth/testing.ts';
import type { Account } from '../identity/model.ts';
import type { Platform } from '../platform/context.ts';
import type { Citizen } from '../registries/model.ts';
import { seedSandbox } from '../registries/seed.ts';
import type { EidPolicy } from './model.ts';
import { createEidService, type Holder } from './service.ts';

/**
 * Test support for the eid context (not a test file): the service over a seeded sandbox with the
 * real identity, auth and audit services, accounts for sandbox citizens with a passcode, and the
 * route plugin for the HTTP harness until the composition root wires the context.
 */
export const TEST_PASSCODE = '246802';

export async function eidKit(platform: Platform, pool: pg.Pool, options: { policy?: Partial<EidPolicy> } = {}) {
  await seedSandbox(pool, { citizens: 200, seed: 'eid' });
  const kit = authKit(platform);
  const eid = createEidService(platform, kit, options.policy ? { policy: options.policy } : {});

  /** Sandbox citizens (registry ids from 1) that pass `fits`, up to `count`. */
  async function citizens(fits: (c: Citizen) => boolean, count = 1): Promise<Citizen[]> {
    const found: Citizen[] = [];
    for (let id = 1; id < 400 && found.length < count; id++) {
      const c = await kit.registries.identity.findById(String(id));
      if (c && fits(c) && !(await kit.identity.findBySubject('citizen', c.registryId))) found.push(c);
    }
    if (found.length < count) throw new Error('not enough sandbox citizens fit');
    return found;
  }

  /** An active account of `level` for the citizen, with TEST_PASSCODE, and an app session of it. */
  async function holderFor(citizen: Citizen, level: 1 | 2 = 2): Promise<{ holder: Holder; account: Account }> {
    const account = await kit.identity.createAccount(platform.db, {
      subjectKind: 'citizen',
      registryId: citizen.registryId,
      pin: citizen.pin,
      fullName: citizen.fullName,
      level,
      status: 'active',
    });
    await kit.auth.setPasscode(account.id, TEST_PASSCODE, { kind: 'system', id: 'test' });
    return { holder: { accountId: account.id, clientId: 'citizen-app', session: randomUUID() }, account };
  }

  /** Opens the card with the right passcode; returns the proof. */
  async function open(holder: Holder): Promise<string> {
    return (await eid.unlock(holder, TEST_PASSCODE, ctx())).proof;
  }

  return { ...kit, platform, eid, citizens, holderFor, open };
}

/** A living adult with a valid, unexpired ID card on `today`. */
export function adultWithCard(today: string) {
  return (c: Citizen) =>
    c.dateOfDeath === null &&
    c.idCard?.status === 'valid' &&
    (c.idCard.expiresOn === null || c.idCard.expiresOn > today) &&
    c.dateOfBirth <= `${Number(today.slice(0, 4)) - 19}${today.slice(4)}`;
}
