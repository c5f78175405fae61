import { sql } from 'kysely';
import { beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { endOfVnDay } from '../calendar/working-days.ts';
import { DEMO_PERSONS } from '../registries/demo.ts';
import type { Foreigner } from '../registries/model.ts';
import { seedSandbox } from '../registries/seed.ts';
import { REJECTION_REASONS } from './model.ts';
import type { CounterForeignerInput } from './service.ts';
import { issuanceKit, noticesAbout, problemOf, type IssuanceKit } from './testing.ts';

/**
 * Foreign nationals (Decree 69/2024 Art 12; DOMAIN.md §§4–5): level 1 in the app with the passport
 * and a face; level 2 at an immigration office, which forwards the request to C06, which decides
 * within 3 working days when the biometrics were already in the Immigration DB, 7 otherwise.
 */

const t = useTestDatabase();
const TODAY = '2026-11-26';
const clock = fixedClock(`${TODAY}T03:00:00Z`); // Thursday, 10:00 in Hà Nội
const used = new Set<string>();
let kit: IssuanceKit;
let xnc: string;
let receiver: string;

beforeAll(async () => {
  // 300 citizens give the two demo foreigners only: ask for generated ones too.
  await seedSandbox(t.database.pool, { citizens: 300, seed: 'issuance', foreigners: 20 });
  kit = await issuanceKit(testPlatform(t.db, { clock }), clock);
  xnc = kit.units['XNC-HNI']!;
  receiver = await kit.officer('XNC-HNI', 'RECEIVER');
});

/** A generated foreigner (not a demo one) aged 14+, with a valid passport and residence card. */
async function foreigner(biometricsOnRecord: boolean): Promise<Foreigner & { phone: string | null }> {
  const { rows } = await sql<{ id: string }>`
    select f.id::text as id from sandbox.foreigners f
    join sandbox.residence_cards r on r.foreigner_id = f.id
    where f.id > 2 and f.date_of_death is null
      and f.passport_expires_on > ${TODAY}::date and r.expires_on > ${TODAY}::date
      and age(${TODAY}::date, f.date_of_birth) >= interval '14 years'
      and exists (select 1 from sandbox.biometric_references b
        where b.subject_kind = 'foreigner' and b.subject_id = f.id) = ${biometricsOnRecord}
    order by f.id`.execute(t.db);
  const id = rows.map((r) => r.id).find((x) => !used.has(x));
  if (!id) throw new Error(`no generated foreigner left with biometricsOnRecord=${biometricsOnRecord}`);
  used.add(id);
  const found = (await kit.services.registries.immigration.findById(id))!;
  const [subscription] = await kit.services.registries.subscribers.subscriptionsOf({
    kind: 'foreigner',
    registryId: id,
  });
  return { ...found, phone: subscription?.phone ?? null };
}

function counter(f: Foreigner, overrides: Partial<CounterForeignerInput> = {}): CounterForeignerInput {
  return {
    passportNumber: f.passport.number,
    passportCountry: f.passport.country,
    email: 'resident@example.com',
    documents: ['Tờ khai TK01', 'Hộ chiếu', 'Thẻ tạm trú'],
    face: kit.face(f.registryId),
    fingerprints: kit.fingerprints(f.registryId),
    ...overrides,
  };
}

describe('foreigner, level 1, in the app (Art 12.1)', () => {
  test('the demo foreigner: approved, account pending activation, notices in English', async () => {
    const d = DEMO_PERSONS.foreigner;
    const record = (await kit.services.registries.immigration.findByPassport(d.passportCountry, d.passportNumber))!;
    expect(await kit.services.identity.findBySubject('foreigner', record.registryId)).toBeUndefined();
    const { application } = await kit.services.issuance.applyForeignerLevel1({
      passportNumber: d.passportNumber.toLowerCase(),
      passportCountry: d.passportCountry.toLowerCase(),
      fullName: d.fullName,
      dateOfBirth: d.dateOfBirth,
      sex: d.sex,
      phone: d.phone,
      face: kit.face(record.registryId),
    });
    expect(application).toMatchObject({
      procedure: 'foreigner_l1_app',
      state: 'approved',
      subjectKind: 'foreigner',
      registryId: record.registryId,
      reasons: [],
      deadline: { days: 1, unit: 'working' },
      dossier: { passport: { country: 'KOR', number: 'M12345678' }, locale: 'en' },
    });
    const account = await kit.services.identity.get(application.accountId!);
    expect(account).toMatchObject({
      subjectKind: 'foreigner',
      level: 1,
      status: 'pending_activation',
      passport: { country: 'KOR', number: 'M12345678' },
      phone: `+84${d.phone.slice(1)}`,
    });
    const notices = await noticesAbout(t.db, application.number);
    expect(notices.map((n) => [n.channel, n.template, n.locale]).sort()).toEqual([
      ['inbox', 'application_approved', 'en'],
      ['sms', 'application_approved', 'en'],
    ]);
    expect(notices[0]!.params).toEqual({ applicationNo: application.number, procedure: 'eid_foreigner' });
  });

  test('an expired residence card (the demo foreignerExpired): residence_card_invalid', async () => {
    const d = DEMO_PERSONS.foreignerExpired;
    const record = (await kit.services.registries.immigration.findByPassport(d.passportCountry, d.passportNumber))!;
    const { application } = await kit.services.issuance.applyForeignerLevel1({
      passportNumber: d.passportNumber,
      passportCountry: d.passportCountry,
      fullName: d.fullName,
      dateOfBirth: d.dateOfBirth,
      email: 'tanaka.yuki@example.jp',
      face: kit.face(record.registryId),
    });
    expect(application.state).toBe('rejected');
    expect(application.reasons).toContainEqual({ code: 'residence_card_invalid' });
    expect(application.accountId).toBeNull();
    const [notice] = await noticesAbout(t.db, application.number);
    expect(notice).toMatchObject({
      channel: 'email',
      recipient: 'tanaka.yuki@example.jp',
      template: 'application_rejected',
      locale: 'en',
    });
    expect(notice!.params.reasons).toContain(REJECTION_REASONS.residence_card_invalid.en);
  });

  test('a passport in no record: registry_not_found', async () => {
    const { application } = await kit.services.issuance.applyForeignerLevel1({
      passportNumber: 'X9999999',
      passportCountry: 'FRA',
      fullName: 'DUPONT JEAN',
      dateOfBirth: '1980-01-01',
      email: 'jean@example.fr',
      face: kit.face('1'),
    });
    expect(application).toMatchObject({
      state: 'rejected',
      registryId: null,
      reasons: [{ code: 'registry_not_found', field: 'passportNumber' }],
    });
  });

  test('neither phone nor e-mail, and a malformed passport: every fault at once', async () => {
    const problem = await problemOf(
      kit.services.issuance.applyForeignerLevel1({
        passportNumber: 'no!',
        passportCountry: 'KOREA',
        fullName: 'KIM',
        dateOfBirth: '1985-07-07',
        face: kit.face('1'),
      }),
    );
    expect(problem).toMatchObject({ code: 'APPLICATION_INVALID', status: 400 });
    expect((problem.extensions as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
      'phone',
      'passportCountry',
      'passportCountry',
      'passportNumber',
    ]);
  });
});

describe('foreigner, level 2, at an immigration office (Art 12.2)', () => {
  test('received at XNC-HNI, forwarded to C06, approved by a C06 approver', async () => {
    const f = await foreigner(true);
    const { application } = await kit.services.issuance.receiveForeigner(receiver, xnc, counter(f));
    expect(application).toMatchObject({
      procedure: 'foreigner_l2_counter',
      state: 'received',
      unitId: xnc,
      receivedBy: receiver,
      reasons: [],
      deadline: { days: 3, unit: 'working' },
    });
    expect(application.checks.notes).toContain('biometrics_on_record');
    // Thursday 26/11 + 3 working days: 27, 30/11, 1/12.
    expect(application.dueAt).toEqual(endOfVnDay('2026-12-01'));

    // Immigration does not decide: it forwards (the flow has no approve from received).
    const localApprover = await kit.officer('XNC-HNI', 'APPROVER');
    expect(
      await problemOf(
        kit.services.issuance.decide(localApprover, application.id, {
          event: 'approve',
          expectedVersion: application.version,
        }),
      ),
    ).toMatchObject({ code: 'APPLICATION_TRANSITION_NOT_ALLOWED', status: 409 });

    const forwarded = await kit.services.issuance.decide(receiver, application.id, {
      event: 'forward',
      expectedVersion: application.version,
    });
    expect(forwarded).toMatchObject({ state: 'forwarded', unitId: kit.units['C06'] });
    expect(forwarded.dueAt).toEqual(application.dueAt);

    // Now C06's: neither the immigration office nor the province may decide.
    const provinceApprover = await kit.officer('PC06-HNI', 'APPROVER');
    for (const officer of [localApprover, provinceApprover]) {
      expect(
        await problemOf(
          kit.services.issuance.decide(officer, application.id, {
            event: 'approve',
            expectedVersion: forwarded.version,
          }),
        ),
      ).toMatchObject({ code: 'OFFICER_ROLE_REQUIRED', status: 403 });
    }
    const c06 = await kit.officer('C06', 'APPROVER');
    const approved = await kit.services.issuance.decide(c06, application.id, {
      event: 'approve',
      expectedVersion: forwarded.version,
    });
    expect(approved).toMatchObject({ state: 'approved', decidedBy: `officer:${c06}` });
    expect(await kit.services.identity.get(approved.accountId!)).toMatchObject({
      subjectKind: 'foreigner',
      registryId: f.registryId,
      level: 2,
      status: 'pending_activation',
      passport: { country: f.passport.country, number: f.passport.number },
      email: 'resident@example.com',
    });
    const history = await kit.services.issuance.history(application.id);
    expect(history.map((e) => [e.event, e.to_state])).toEqual([
      ['submit', 'received'],
      ['forward', 'forwarded'],
      ['approve', 'approved'],
    ]);
    const notices = await noticesAbout(t.db, application.number);
    expect(notices.map((n) => [n.template, n.channel, n.locale]).sort()).toEqual([
      ['application_approved', 'email', 'en'],
      ['application_approved', 'inbox', 'en'],
      ['application_received', 'email', 'en'],
    ]);
  });

  test('deadline: 3 working days with biometrics on record, 7 when they are captured now (Art 12.3)', async () => {
    const onRecord = await foreigner(true);
    const capturedNow = await foreigner(false);
    const a = (await kit.services.issuance.receiveForeigner(receiver, xnc, counter(onRecord))).application;
    const b = (await kit.services.issuance.receiveForeigner(receiver, xnc, counter(capturedNow))).application;
    expect(a).toMatchObject({ state: 'received', deadline: { days: 3, unit: 'working' } });
    expect(b).toMatchObject({ state: 'received', deadline: { days: 7, unit: 'working' } });
    expect(b.checks.notes).toContain('biometrics_captured_now');
    expect(b.checks.biometrics.map((x) => x.decision)).toEqual(['no_reference', 'no_reference']);
    expect(a.dueAt).toEqual(endOfVnDay('2026-12-01'));
    // Thursday 26/11 + 7 working days: 27, 30/11, 1, 2, 3, 4, 7/12.
    expect(b.dueAt).toEqual(endOfVnDay('2026-12-07'));
  });

  test('fingerprints of someone else: manual review, forwarded with it, C06 refuses with reasons', async () => {
    const f = await foreigner(true);
    const { application } = await kit.services.issuance.receiveForeigner(
      receiver,
      xnc,
      counter(f, { fingerprints: kit.fingerprints(f.registryId, true) }),
    );
    expect(application.state).toBe('manual_review');
    const forwarded = await kit.services.issuance.decide(receiver, application.id, {
      event: 'forward',
      expectedVersion: application.version,
    });
    expect(forwarded).toMatchObject({ state: 'forwarded', unitId: kit.units['C06'] });
    const c06 = await kit.officer('C06', 'APPROVER');
    const rejected = await kit.services.issuance.decide(c06, application.id, {
      event: 'reject',
      expectedVersion: forwarded.version,
      reasons: [{ code: 'fingerprint_mismatch', field: 'fingerprints' }],
    });
    expect(rejected).toMatchObject({ state: 'rejected', accountId: null });
    expect(await kit.services.identity.findBySubject('foreigner', f.registryId)).toBeUndefined();
  });

  test('only immigration offices receive foreigners; an unknown passport is refused at once', async () => {
    const f = await foreigner(true);
    const commune = await kit.officer('CAP-HNI-HOANKIEM', 'RECEIVER');
    expect(
      await problemOf(kit.services.issuance.receiveForeigner(commune, kit.units['CAP-HNI-HOANKIEM']!, counter(f))),
    ).toMatchObject({ code: 'APPLICATION_INVALID', status: 400 });
    expect(
      await problemOf(
        kit.services.issuance.receiveForeigner(
          receiver,
          xnc,
          counter(f, { passportNumber: 'Z0000000', passportCountry: 'FRA' }),
        ),
      ),
    ).toMatchObject({ code: 'APPLICATION_INVALID', field: 'passportNumber' });
    expect(await kit.services.issuance.history('00000000-0000-4000-8000-000000000000')).toEqual([]);
  });

  test('an expired residence card at the counter: refused with residence_card_invalid', async () => {
    const d = DEMO_PERSONS.foreignerExpired;
    const record = (await kit.services.registries.immigration.findByPassport(d.passportCountry, d.passportNumber))!;
    const { application } = await kit.services.issuance.receiveForeigner(receiver, xnc, counter(record));
    expect(application).toMatchObject({ state: 'rejected', reasons: [{ code: 'residence_card_invalid' }] });
  });
});
