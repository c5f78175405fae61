import { sql } from 'kysely';
import { beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import type { Account } from '../identity/model.ts';
import { DEMO_PERSONS } from '../registries/demo.ts';
import { seedSandbox } from '../registries/seed.ts';
import { accountFor, issuanceKit, noticesAbout, pickCitizens, problemOf, type IssuanceKit } from './testing.ts';

/**
 * Level 1 filed by a representative (Decree 69/2024 Art 10.1(b); DOMAIN.md §§4–5): a parent or
 * guardian with an active level-2 account files for a child under 14, a ward or a represented
 * person; the representative's phone is used, and the new account is linked to the representative
 * (representation context). The basis is read from the registries by the representation context:
 * these tests need it wired into the services (createServices → issuance deps.representation).
 */

const t = useTestDatabase();
const TODAY = '2026-11-26';
const clock = fixedClock(`${TODAY}T03:00:00Z`);
const taken = new Set<string>();
let kit: IssuanceKit;
/** The demo family: Nguyễn Văn An and Trần Thị Bình, parents of Khôi (10) and Hân (5). */
let an: Account;
let binh: Account;

beforeAll(async () => {
  await seedSandbox(t.database.pool, { citizens: 300, seed: 'issuance' });
  kit = await issuanceKit(testPlatform(t.db, { clock }), clock);
  an = await demoAccount(DEMO_PERSONS.citizen, 2);
  binh = await demoAccount(DEMO_PERSONS.spouse, 2);
});

async function record(pin: string) {
  const found = await kit.services.registries.identity.findByPin(pin);
  if (!found) throw new Error(`no citizen ${pin}`);
  return found;
}

async function demoAccount(p: { pin: string; phone?: string }, level: 1 | 2) {
  return accountFor(kit, { ...(await record(p.pin)), phone: p.phone ?? null }, { level });
}

async function linksOf(dependantAccountId: string) {
  return t.db
    .selectFrom('representation.links')
    .select(['representative_account_id', 'basis', 'valid_until', 'ended_at'])
    .where('dependant_account_id', '=', dependantAccountId)
    .execute();
}

describe('a representative files level 1 for a dependant (Art 10.1(b))', () => {
  test('a father for his son of 10: approved, the account uses no phone of its own and is linked to him', async () => {
    const child = DEMO_PERSONS.child;
    const { application } = await kit.services.issuance.applyForDependant(an.id, {
      pin: child.pin,
      fullName: child.fullName,
      dateOfBirth: child.dateOfBirth,
      sex: child.sex,
    });
    expect(application).toMatchObject({
      procedure: 'citizen_l1_representative',
      state: 'approved',
      reasons: [],
      submittedBy: an.id,
      representativeAccountId: an.id,
      dossier: {
        phone: DEMO_PERSONS.citizen.phone,
        representative: { accountId: an.id, basis: 'parent', validUntil: '2030-03-12' },
      },
    });
    const account = await kit.services.identity.get(application.accountId!);
    expect(account).toMatchObject({
      subjectKind: 'citizen',
      level: 1,
      status: 'pending_activation',
      pin: child.pin,
      phone: null,
    });
    // The link ends on his 14th birthday (exclusive end).
    expect(await linksOf(account!.id)).toEqual([
      { representative_account_id: an.id, basis: 'parent', valid_until: '2030-03-12', ended_at: null },
    ]);
    expect(await kit.services.representation.representativesOf(account!.id)).toMatchObject([
      { representativeAccountId: an.id, basis: 'parent' },
    ]);
    const notices = await noticesAbout(t.db, application.number);
    expect(notices.map((n) => [n.channel, n.template, n.recipient]).sort()).toEqual(
      [
        ['inbox', 'application_approved', account!.id],
        ['inbox', 'application_approved', an.id],
        ['sms', 'application_approved', `+84${DEMO_PERSONS.citizen.phone.slice(1)}`],
      ].sort(),
    );
  });

  test('a mother for her daughter under 6: approved without a portrait on record', async () => {
    const young = DEMO_PERSONS.youngChild;
    const { application } = await kit.services.issuance.applyForDependant(binh.id, {
      pin: young.pin,
      fullName: young.fullName,
      dateOfBirth: young.dateOfBirth,
      face: kit.face((await record(young.pin)).registryId),
    });
    expect(application.state).toBe('approved');
    expect(application.checks.biometrics).toMatchObject([{ kind: 'face', decision: 'no_reference' }]);
    expect(await linksOf(application.accountId!)).toMatchObject([
      { representative_account_id: binh.id, basis: 'parent' },
    ]);
  });

  test('a court-appointed guardian for an adult ward', async () => {
    const guardian = await demoAccount(DEMO_PERSONS.guardian, 2);
    const ward = DEMO_PERSONS.ward;
    const { application } = await kit.services.issuance.applyForDependant(guardian.id, {
      pin: ward.pin,
      fullName: ward.fullName,
      dateOfBirth: ward.dateOfBirth,
      face: kit.face((await record(ward.pin)).registryId),
    });
    expect(application).toMatchObject({
      state: 'approved',
      dossier: { representative: { basis: 'guardian' } },
    });
    expect(await kit.services.identity.get(application.accountId!)).toMatchObject({ level: 1, phone: null });
    expect(await linksOf(application.accountId!)).toMatchObject([
      { representative_account_id: guardian.id, basis: 'guardian' },
    ]);
  });

  test('a parent for a child of 14 or more: dependant_too_old', async () => {
    const { rows } = await sql<{ parent_pin: string; child_pin: string; full_name: string; date_of_birth: string }>`
      select pp.pin as parent_pin, cp.pin as child_pin, cp.full_name, cp.date_of_birth::text as date_of_birth
      from sandbox.kinships k
      join sandbox.persons cp on cp.id = k.person_id
      join sandbox.persons pp on pp.id = k.relative_id
      where k.relation in ('father', 'mother') and cp.id > 11 and pp.id > 11
        and cp.date_of_death is null and pp.date_of_death is null
        and age(${TODAY}::date, cp.date_of_birth) between interval '14 years' and interval '17 years'
        and not exists (select 1 from sandbox.guardianships g where g.ward_id = cp.id)
      order by cp.id limit 1`.execute(t.db);
    const family = rows[0]!;
    const parent = await demoAccount({ pin: family.parent_pin }, 2);
    const { application } = await kit.services.issuance.applyForDependant(parent.id, {
      pin: family.child_pin,
      fullName: family.full_name,
      dateOfBirth: family.date_of_birth,
    });
    expect(application.state).toBe('rejected');
    expect(application.reasons.map((r) => r.code)).toContain('dependant_too_old');
  });

  test('someone who is not the child’s parent or guardian: not_a_representative', async () => {
    const [stranger, child] = [
      (await pickCitizens(t.db, { count: 1, minAge: 30, card: 'valid', on: TODAY, taken }))[0]!,
      (
        await pickCitizens(t.db, { count: 1, minAge: 6, maxAge: 14, card: 'any', biometrics: false, on: TODAY, taken })
      )[0]!,
    ];
    const account = await accountFor(kit, { ...stranger, phone: null }, { level: 2 });
    const { application } = await kit.services.issuance.applyForDependant(account.id, {
      pin: child.pin,
      fullName: child.fullName,
      dateOfBirth: child.dateOfBirth,
    });
    expect(application).toMatchObject({ state: 'rejected', accountId: null });
    expect(application.reasons.map((r) => r.code)).toContain('not_a_representative');
    expect(await kit.services.identity.findBySubject('citizen', child.registryId)).toBeUndefined();
  });

  test('a representative with only a level-1 account: representative_level_too_low', async () => {
    const [adult] = await pickCitizens(t.db, { count: 1, minAge: 30, card: 'valid', on: TODAY, taken });
    const level1 = await accountFor(kit, { ...adult!, phone: null }, { level: 1 });
    const young = DEMO_PERSONS.youngChild;
    const { application } = await kit.services.issuance.applyForDependant(level1.id, {
      pin: young.pin,
      fullName: young.fullName,
      dateOfBirth: young.dateOfBirth,
    });
    expect(application.state).toBe('rejected');
    expect(application.reasons.map((r) => r.code)).toContain('representative_level_too_low');
  });

  test('an unknown representative account: NOT_FOUND; malformed input: every field', async () => {
    expect(
      await problemOf(
        kit.services.issuance.applyForDependant('00000000-0000-4000-8000-000000000000', {
          pin: DEMO_PERSONS.child.pin,
          fullName: DEMO_PERSONS.child.fullName,
          dateOfBirth: DEMO_PERSONS.child.dateOfBirth,
        }),
      ),
    ).toMatchObject({ code: 'NOT_FOUND' });
    const problem = await problemOf(
      kit.services.issuance.applyForDependant(an.id, {
        pin: 'x',
        fullName: '',
        dateOfBirth: 'yesterday',
        sex: 'boy' as never,
      }),
    );
    expect((problem.extensions as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
      'pin',
      'fullName',
      'dateOfBirth',
      'sex',
    ]);
  });
});
