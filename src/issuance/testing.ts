import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { makeAccount } from '../auth/testing.ts';
import type { OfficerRole } from '../backoffice/model.ts';
import { seedUnits } from '../backoffice/service.ts';
import type { Clock } from '../platform/clock.ts';
import type { Platform } from '../platform/context.ts';
import type { Db } from '../platform/database.ts';
import { Problem } from '../platform/errors.ts';
import { DEMO_RESERVED } from '../registries/demo.ts';
import { createServices, type Services } from '../services.ts';
import { SandboxVerifier } from './sandbox-verifier.ts';

/**
 * Test support for issuance (not a test file): the real services over a seeded sandbox, officers
 * with roles in the seeded units, sandbox citizens picked by what a test needs (no account yet, a
 * phone in their own name, a valid card or none), and capture images from the shared labelled
 * samples that the sandbox verifier matches (or not) against each person.
 */
export interface IssuanceKit {
  platform: Platform;
  services: Services;
  verifier: SandboxVerifier;
  units: Record<string, string>;
  officer(unitCode: string, role: OfficerRole): Promise<string>;
  /** A face image the sandbox matches to this person; `impostor` gives someone else's. */
  face(registryId: string, impostor?: boolean): Buffer;
  fingerprints(registryId: string, impostor?: boolean): Buffer[];
}

export async function issuanceKit(platform: Platform, clock: Clock): Promise<IssuanceKit> {
  void clock;
  const services = createServices(platform);
  const units: Record<string, string> = {};
  for (const [code, unit] of Object.entries(await seedUnits(platform.db))) units[code] = unit.id;
  const verifier = new SandboxVerifier(services.registries);
  const read = (files: string[]) => {
    if (files.length === 0) throw new Error('no shared biometric samples (../shared/data/biometrics)');
    return files.map((f) => readFileSync(f));
  };
  return {
    platform,
    services,
    verifier,
    units,
    async officer(unitCode, role) {
      const account = await makeAccount(services.identity, platform.db, { level: 2, status: 'active' });
      await services.backoffice.assign(
        platform.db,
        { accountId: account.id, unitId: units[unitCode]!, role },
        { kind: 'test', id: 'kit' },
      );
      return account.id;
    },
    face(registryId, impostor = false) {
      const files = impostor ? verifier.impostorSamples('face', registryId) : verifier.samplesOf('face', registryId);
      return read(files)[0]!;
    },
    fingerprints(registryId, impostor = false) {
      const files = impostor
        ? verifier.impostorSamples('fingerprint', registryId)
        : verifier.samplesOf('fingerprint', registryId);
      return read(files).slice(0, 2);
    },
  };
}

const DEMO_PINS = new Set(DEMO_RESERVED.pins);

export interface SandboxCitizen {
  registryId: string;
  pin: string;
  fullName: string;
  dateOfBirth: string;
  sex: 'male' | 'female';
  phone: string | null;
}

/**
 * Sandbox citizens without an account, filtered as a test needs. `taken` collects the ones already
 * handed out so tests in one file never share a person.
 */
export async function pickCitizens(
  db: Db,
  want: {
    count: number;
    minAge?: number;
    maxAge?: number;
    card?: 'valid' | 'none' | 'any';
    ownPhone?: boolean;
    /**
     * Portrait and fingerprints on record. Default: required, except with `card: 'none'` (they are
     * captured with the card, so a citizen who never had one has none on record).
     */
    biometrics?: boolean;
    on: string;
    taken: Set<string>;
  },
): Promise<SandboxCitizen[]> {
  const biometrics = want.biometrics ?? want.card !== 'none';
  const rows = await sql<{
    id: string;
    pin: string;
    full_name: string;
    date_of_birth: string;
    sex: 'male' | 'female';
    phone: string | null;
  }>`
    select p.id::text as id, p.pin, p.full_name, p.date_of_birth::text as date_of_birth, p.sex,
      (select s.phone from sandbox.subscribers s
        where s.owner_kind = 'citizen' and s.owner_id = p.id and s.actual_user_id is null
        order by s.phone limit 1) as phone
    from sandbox.persons p
    left join sandbox.id_cards c on c.person_id = p.id
    where p.date_of_death is null
      and age(${want.on}::date, p.date_of_birth) >= make_interval(years => ${want.minAge ?? 0})
      and age(${want.on}::date, p.date_of_birth) < make_interval(years => ${want.maxAge ?? 200})
      and (${want.card ?? 'any'} = 'any'
        or (${want.card ?? 'any'} = 'valid' and c.status = 'valid' and (c.expires_on is null or c.expires_on > ${want.on}::date))
        or (${want.card ?? 'any'} = 'none' and c.person_id is null))
      and not exists (select 1 from identity.accounts a where a.subject_kind = 'citizen' and a.registry_id = p.id::text)
      and (not ${biometrics} or exists (select 1 from sandbox.biometric_references b
        where b.subject_kind = 'citizen' and b.subject_id = p.id))
    order by p.id
    limit 400`.execute(db);
  const picked: SandboxCitizen[] = [];
  for (const r of rows.rows) {
    if (picked.length === want.count) break;
    // The demo subjects are kept for the tests that name them (DEMO_PERSONS).
    if (want.taken.has(r.id) || DEMO_PINS.has(r.pin) || (want.ownPhone && !r.phone)) continue;
    if (
      r.phone &&
      (
        await sql`select 1 from identity.accounts where phone = ${`+84${r.phone.slice(1)}`} and status <> 'closed'`.execute(
          db,
        )
      ).rows.length > 0
    )
      continue;
    want.taken.add(r.id);
    picked.push({
      registryId: r.id,
      pin: r.pin,
      fullName: r.full_name,
      dateOfBirth: r.date_of_birth,
      sex: r.sex,
      phone: r.phone,
    });
  }
  if (picked.length < want.count)
    throw new Error(
      `only ${picked.length} sandbox citizens fit ${JSON.stringify({ ...want, taken: want.taken.size })}`,
    );
  return picked;
}

/**
 * An account for a subject of the registries, as if it had been issued earlier (a representative,
 * a co-representative, a level-1 holder who comes to upgrade). The phone is given in national form.
 */
export async function accountFor(
  kit: IssuanceKit,
  subject: { registryId: string; pin: string; fullName: string; phone?: string | null },
  options: { level: 1 | 2; status?: 'active' | 'pending_activation' },
) {
  return makeAccount(kit.services.identity, kit.platform.db, {
    registryId: subject.registryId,
    pin: subject.pin,
    fullName: subject.fullName,
    phone: subject.phone ? `+84${subject.phone.slice(1)}` : null,
    level: options.level,
    status: options.status ?? 'active',
  });
}

export interface QueuedNotice {
  channel: 'inbox' | 'email' | 'sms';
  recipient: string;
  template: string;
  locale: 'vi' | 'en';
  params: Record<string, unknown>;
}

/** The notices queued about an application (read from the outbox), oldest first. */
export async function noticesAbout(db: Db, applicationNo: string): Promise<QueuedNotice[]> {
  const rows = await db
    .selectFrom('notify.outbox')
    .select(['channel', 'recipient', 'template', 'locale', 'params'])
    .where(sql<boolean>`params->>'applicationNo' = ${applicationNo}`)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, params: r.params as Record<string, unknown> }));
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
