import { createHmac } from 'node:crypto';
import { Secret } from 'otpauth';
import type { AuditService } from '../audit/service.ts';
import type { BackofficeService } from '../backoffice/service.ts';
import { seedUnits } from '../backoffice/service.ts';
import type { OfficerRole } from '../backoffice/model.ts';
import type { Account, NewAccount } from '../identity/model.ts';
import type { IdentityService } from '../identity/service.ts';
import type { Platform } from '../platform/context.ts';
import { Problem } from '../platform/errors.ts';
import { DEMO_PERSONS } from '../registries/demo.ts';
import type { Citizen } from '../registries/model.ts';
import type { NationalRegistries } from '../registries/ports.ts';
import { argon2Hasher, type PasswordHasher } from './passwords.ts';
import { hashOf, storeHash, storeTotp } from './repository.ts';
import { totpUri } from './service.ts';

/**
 * Demo accounts for the sandbox. THE SANDBOX IS NOT PRODUCTION: these credentials exist only in a
 * database the sandbox seeded (`seedDemoAccounts` is called from the sandbox start-up, never in
 * production), and everyone who reads the README knows them.
 */
export const DEMO_PASSWORD = 'Demo@2026';
export const DEMO_PASSCODE = '123456';

/** Derivation key of the demo officers' TOTP seeds: public on purpose, so tests and the README compute codes. */
const DEMO_TOTP_KEY = 'dinhdanh sandbox demo TOTP seed v1';

/** The TOTP seed (base32) of a demo officer, from its label: HMAC-SHA256(fixed key, label), first 20 bytes. */
export function demoTotpSecret(label: string): string {
  const seed = createHmac('sha256', DEMO_TOTP_KEY).update(label).digest().subarray(0, 20);
  return Secret.fromHex(seed.toString('hex')).base32;
}

export interface DemoLogin {
  label: string;
  /** What to type as the login identifier: a PIN, or a passport number. */
  identifier: string;
  password: string;
  passcode: string;
  fullName: string;
  accountId: string;
  status: Account['status'];
  level: Account['level'];
  /** Officers: the otpauth:// URI of their authenticator (seed = demoTotpSecret(label)). */
  totpUri?: string;
  /** Officers: roles, as 'ROLE@UNIT-CODE'. */
  roles?: string[];
}

interface OfficerSlot {
  label: string;
  role: OfficerRole;
  unitCode: string;
  /** Residence province preferred for the person picked (an officer living where they work). */
  province: string;
}

const HANOI = 'Thành phố Hà Nội';
const HCMC = 'Thành phố Hồ Chí Minh';

export const DEMO_OFFICER_SLOTS: readonly OfficerSlot[] = [
  { label: 'officer-receiver-hoankiem', role: 'RECEIVER', unitCode: 'CAP-HNI-HOANKIEM', province: HANOI },
  { label: 'officer-approver-hoankiem', role: 'APPROVER', unitCode: 'CAP-HNI-HOANKIEM', province: HANOI },
  { label: 'officer-approver-c06', role: 'APPROVER', unitCode: 'C06', province: HANOI },
  { label: 'officer-callcenter-c06', role: 'CALL_CENTER', unitCode: 'C06', province: HANOI },
  { label: 'officer-admin-c06', role: 'ADMIN', unitCode: 'C06', province: HANOI },
  { label: 'officer-receiver-pc06-hcm', role: 'RECEIVER', unitCode: 'PC06-HCM', province: HCMC },
];

const SANDBOX_ACTOR = { kind: 'system', id: 'sandbox' };

export interface DemoServices {
  identity: IdentityService;
  backoffice: BackofficeService;
  registries: NationalRegistries;
  audit: AuditService;
}

function ageOn(dateOfBirth: string, today: string): number {
  const [y, m, d] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  return ty - y - (tm < m || (tm === m && td < d) ? 1 : 0);
}

/** An adult of working age, alive, with a valid, unexpired card: fit to be an officer in the sandbox. */
function fitForOfficer(c: Citizen, today: string): boolean {
  const age = ageOn(c.dateOfBirth, today);
  return (
    c.dateOfDeath === null &&
    age >= 25 &&
    age <= 58 &&
    c.idCard !== null &&
    c.idCard.status === 'valid' &&
    (c.idCard.expiresOn === null || c.idCard.expiresOn > today)
  );
}

/**
 * Picks the demo officers among the generated sandbox citizens (registry ids after the fixed
 * demo persons, in order; the sandbox adapter numbers people from 1), preferring residents of
 * the unit's city. Deterministic for a given sandbox seed. Sandbox-only: it relies on the sandbox
 * adapter's numbering, which no production registry has.
 */
async function pickOfficers(registries: NationalRegistries, today: string): Promise<Map<string, Citizen>> {
  const reserved = new Set<string>(Object.values(DEMO_PERSONS).flatMap((p) => ('pin' in p ? [p.pin] : [])));
  const picked = new Map<string, Citizen>();
  const spare: Citizen[] = [];
  let misses = 0;
  for (let id = 1; id < 5000 && picked.size < DEMO_OFFICER_SLOTS.length; id++) {
    const c = await registries.identity.findById(String(id));
    if (!c) {
      if (++misses > 50) break;
      continue;
    }
    misses = 0;
    if (reserved.has(c.pin) || !fitForOfficer(c, today)) continue;
    const slot = DEMO_OFFICER_SLOTS.find((s) => !picked.has(s.label) && s.province === c.residence.province);
    if (slot) picked.set(slot.label, c);
    else if (spare.length < DEMO_OFFICER_SLOTS.length) spare.push(c);
  }
  for (const slot of DEMO_OFFICER_SLOTS) {
    if (!picked.has(slot.label) && spare.length > 0) picked.set(slot.label, spare.shift()!);
  }
  return picked;
}

/**
 * Seeds the sandbox's demo accounts (idempotent: what exists is kept): an active level-2 account
 * for Nguyễn Văn An, active level-1 accounts for Trần Thị Bình and the foreigner KIM MIN JUN, a
 * pending-activation account for Đặng Thị Mai, and six officers (RECEIVER and APPROVER at Công an
 * phường Hoàn Kiếm; APPROVER, CALL_CENTER and ADMIN at C06; RECEIVER at PC06 TP Hồ Chí Minh) with
 * TOTP. All share DEMO_PASSWORD and DEMO_PASSCODE. Also seeds the units (seedUnits). Returns the
 * logins for the start banner.
 */
export async function seedDemoAccounts(
  platform: Platform,
  services: DemoServices,
  options: { hasher?: PasswordHasher } = {},
): Promise<DemoLogin[]> {
  const { db, clock, secrets } = platform;
  const { identity, backoffice, registries, audit } = services;
  const hasher = options.hasher ?? argon2Hasher();
  const now = clock.now();
  const today = new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
  const units = await seedUnits(db);

  async function ensureAccount(input: NewAccount): Promise<Account> {
    const existing = await identity.findBySubject(input.subjectKind, input.registryId);
    if (existing) return existing;
    try {
      return await identity.createAccount(db, { ...input, actor: SANDBOX_ACTOR });
    } catch (error) {
      // Another process seeded it meanwhile, or the phone is someone else's already: keep going.
      if (error instanceof Problem && error.code === 'ACCOUNT_ALREADY_EXISTS') {
        const raced = await identity.findBySubject(input.subjectKind, input.registryId);
        if (raced) return raced;
      }
      if (error instanceof Problem && error.code === 'PHONE_ALREADY_BOUND') {
        return ensureAccount({ ...input, phone: null });
      }
      throw error;
    }
  }

  async function ensureCredentials(account: Account) {
    for (const [table, secret] of [
      ['auth.passwords', DEMO_PASSWORD],
      ['auth.passcodes', DEMO_PASSCODE],
    ] as const) {
      if (await hashOf(db, table, account.id)) continue;
      const hash = await hasher.hash(secret);
      await db.transaction().execute(async (trx) => {
        await storeHash(trx, table, account.id, hash, now);
        await audit.append(trx, {
          actor: SANDBOX_ACTOR,
          action: table === 'auth.passwords' ? 'auth.password.set' : 'auth.passcode.set',
          subject: { kind: 'account', id: account.id },
          outcome: 'success',
          detail: { sandbox: true },
        });
      });
    }
  }

  const logins: DemoLogin[] = [];
  const login = (label: string, identifier: string, account: Account, extra: Partial<DemoLogin> = {}) =>
    logins.push({
      label,
      identifier,
      password: DEMO_PASSWORD,
      passcode: DEMO_PASSCODE,
      fullName: account.fullName,
      accountId: account.id,
      status: account.status,
      level: account.level,
      ...extra,
    });

  const citizens: {
    label: string;
    person: { pin: string; phone: string };
    level: 1 | 2;
    status: 'active' | 'pending_activation';
  }[] = [
    { label: 'citizen', person: DEMO_PERSONS.citizen, level: 2, status: 'active' },
    { label: 'spouse', person: DEMO_PERSONS.spouse, level: 1, status: 'active' },
    { label: 'pending', person: DEMO_PERSONS.guardian, level: 1, status: 'pending_activation' },
  ];
  for (const c of citizens) {
    const person = await registries.identity.findByPin(c.person.pin);
    if (!person) continue; // the registries sandbox is not seeded
    const account = await ensureAccount({
      subjectKind: 'citizen',
      registryId: person.registryId,
      pin: person.pin,
      fullName: person.fullName,
      level: c.level,
      status: c.status,
      phone: c.person.phone,
    });
    await ensureCredentials(account);
    login(c.label, person.pin, account);
  }

  const f = DEMO_PERSONS.foreigner;
  const foreigner = await registries.immigration.findByPassport(f.passportCountry, f.passportNumber);
  if (foreigner) {
    const account = await ensureAccount({
      subjectKind: 'foreigner',
      registryId: foreigner.registryId,
      passport: { country: foreigner.passport.country, number: foreigner.passport.number },
      fullName: foreigner.fullName,
      level: 1,
      status: 'active',
      phone: f.phone,
    });
    await ensureCredentials(account);
    login('foreigner', foreigner.passport.number, account);
  }

  const officers = await pickOfficers(registries, today);
  for (const slot of DEMO_OFFICER_SLOTS) {
    const person = officers.get(slot.label);
    const unit = units[slot.unitCode];
    if (!person || !unit) continue;
    const phones = await registries.subscribers.subscriptionsOf({ kind: 'citizen', registryId: person.registryId });
    const account = await ensureAccount({
      subjectKind: 'citizen',
      registryId: person.registryId,
      pin: person.pin,
      fullName: person.fullName,
      level: 2,
      status: 'active',
      phone: phones[0]?.phone ?? null,
    });
    await ensureCredentials(account);
    await backoffice.assign(db, { accountId: account.id, unitId: unit.id, role: slot.role }, SANDBOX_ACTOR);
    const secret = Secret.fromBase32(demoTotpSecret(slot.label));
    await storeTotp(
      db,
      {
        account_id: account.id,
        sealed_seed: secrets.seal(Buffer.from(secret.bytes), `totp:${account.id}`),
        created_at: now,
        confirmed_at: now,
      },
      false,
    );
    const roles = (await backoffice.assignmentsOf(account.id)).map((a) => `${a.role}@${a.unit.code}`);
    login(slot.label, person.pin, account, { totpUri: totpUri(secret, person.fullName), roles });
  }
  return logins;
}
