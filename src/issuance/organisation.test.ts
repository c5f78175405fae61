import { sql } from 'kysely';
import { beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { endOfVnDay } from '../calendar/working-days.ts';
import type { Account } from '../identity/model.ts';
import { DEMO_PERSONS } from '../registries/demo.ts';
import { seedSandbox } from '../registries/seed.ts';
import { CONSENT_WINDOW_DAYS } from './model.ts';
import { accountFor, issuanceKit, noticesAbout, pickCitizens, problemOf, type IssuanceKit } from './testing.ts';

/**
 * Organisations (Decree 69/2024 Art 13; DOMAIN.md §5): a legal representative with an active
 * level-2 account files in the app after every other legal representative has consented; or the
 * filer brings form TK02 to a counter. The agency checks the Business Registration DB; an
 * organisation in no registry is verified by hand within 15 calendar days.
 */

const t = useTestDatabase();
const TODAY = '2026-11-26';
const NOW = `${TODAY}T03:00:00Z`; // Thursday, 10:00 in Hà Nội
const clock = fixedClock(NOW);
const taken = new Set<string>();
const ORG = DEMO_PERSONS.organisation;
let kit: IssuanceKit;
/** The demo company's two legal representatives (the citizen and his wife), with level-2 accounts. */
let an: Account;
let binh: Account;

beforeAll(async () => {
  // A few generated organisations beside the two demo ones.
  await seedSandbox(t.database.pool, { citizens: 300, seed: 'issuance', organisations: 8 });
  kit = await issuanceKit(testPlatform(t.db, { clock }), clock);
  an = await demoAccount(DEMO_PERSONS.citizen, 2);
  binh = await demoAccount(DEMO_PERSONS.spouse, 2);
});

async function demoAccount(p: { pin: string; phone?: string }, level: 1 | 2) {
  const record = (await kit.services.registries.identity.findByPin(p.pin))!;
  return accountFor(kit, { ...record, phone: p.phone ?? null }, { level });
}

async function strangerAccount(level: 1 | 2) {
  const [c] = await pickCitizens(t.db, { count: 1, minAge: 18, card: 'valid', on: TODAY, taken });
  return accountFor(kit, { ...c!, phone: null }, { level });
}

const e164 = (national: string) => `+84${national.slice(1)}`;

const usedOrganisations = new Set<string>();

/** A generated active organisation (not a demo one) no test used yet, with its representatives' PINs. */
async function generatedOrganisation(representatives?: 1) {
  const { rows } = await sql<{ code: string; name: string; pins: string[] }>`
    select o.enterprise_code as code, o.name,
      array(select p.pin from sandbox.legal_representatives l join sandbox.persons p on p.id = l.person_id
        where l.organisation_id = o.id and p.date_of_death is null order by p.id) as pins
    from sandbox.organisations o
    where o.id > 2 and o.status = 'active'
    order by o.id`.execute(t.db);
  const found = rows.find(
    (r) =>
      !usedOrganisations.has(r.code) && r.pins.length > 0 && (representatives === undefined || r.pins.length === 1),
  );
  if (!found) throw new Error('no generated organisation left');
  usedOrganisations.add(found.code);
  return found;
}

describe('organisation in the app (Art 13.1): consent of the other legal representatives', () => {
  test('a co-representative refuses: the request lapses, both are told', async () => {
    const { application } = await kit.services.issuance.applyOrganisation(an.id, {
      enterpriseCode: ORG.enterpriseCode,
    });
    expect(application).toMatchObject({
      procedure: 'organisation_app',
      state: 'awaiting_consent',
      subjectKind: 'organisation',
      subjectName: ORG.name,
      submittedBy: an.id,
      representativeAccountId: an.id,
      receivedAt: null,
      dueAt: null,
      reasons: [],
    });
    // 7 calendar days from Thursday 26/11: Thursday 3/12, a working day.
    expect(CONSENT_WINDOW_DAYS).toBe(7);
    expect(application.consentDueAt).toEqual(endOfVnDay('2026-12-03'));
    expect(await kit.services.issuance.consents(application.id)).toMatchObject([
      { registry_id: binh.registryId, account_id: binh.id, status: 'pending', decided_at: null },
    ]);
    expect(await kit.services.issuance.pendingConsentsFor(binh.id)).toMatchObject([
      { application_id: application.id, number: application.number, subject_name: ORG.name },
    ]);
    const asked = await noticesAbout(t.db, application.number);
    expect(asked.map((n) => [n.template, n.channel, n.recipient]).sort()).toEqual([
      ['consent_requested', 'inbox', binh.id],
      ['consent_requested', 'sms', e164(DEMO_PERSONS.spouse.phone)],
    ]);
    expect(asked[0]!.params).toEqual({
      applicationNo: application.number,
      organisationName: ORG.name,
      requestedBy: DEMO_PERSONS.citizen.fullName,
      dueOn: '2026-12-03',
    });

    const lapsed = await kit.services.issuance.answerConsent(binh.id, application.id, 'refuse');
    expect(lapsed).toMatchObject({ state: 'lapsed', accountId: null, decidedBy: `subject:${binh.id}` });
    expect(await kit.services.issuance.consents(application.id)).toMatchObject([
      { status: 'refused', account_id: binh.id },
    ]);
    expect(await kit.services.issuance.pendingConsentsFor(binh.id)).toEqual([]);
    const ended = (await noticesAbout(t.db, application.number)).filter(
      (n) => n.template === 'organisation_request_ended',
    );
    expect(ended.map((n) => [n.channel, n.recipient]).sort()).toEqual(
      [
        ['inbox', an.id],
        ['inbox', binh.id],
      ].sort(),
    );
    expect(ended[0]!.params).toEqual({
      applicationNo: application.number,
      organisationName: ORG.name,
      reason: 'refused',
    });
    expect(await kit.services.identity.findBySubject('organisation', application.registryId!)).toBeUndefined();

    expect(await problemOf(kit.services.issuance.answerConsent(binh.id, application.id, 'consent'))).toMatchObject({
      code: 'CONSENT_NOT_EXPECTED',
      status: 409,
    });
  });

  test('the consent window passes: the worker lapses the request', async () => {
    const { application } = await kit.services.issuance.applyOrganisation(an.id, {
      enterpriseCode: ORG.enterpriseCode,
    });
    expect(application.state).toBe('awaiting_consent');
    try {
      expect(await kit.services.issuance.lapseConsents()).toBe(0);
      clock.set('2026-12-03T16:59:59.999Z'); // the window's last instant: still open
      expect(await kit.services.issuance.lapseConsents()).toBe(0);
      clock.set('2026-12-04T01:00:00Z');
      // Closed, even before the worker has run: a late consent does not complete the request.
      expect(await problemOf(kit.services.issuance.answerConsent(binh.id, application.id, 'consent'))).toMatchObject({
        code: 'CONSENT_NOT_EXPECTED',
      });
      expect(await kit.services.issuance.lapseConsents()).toBe(1);
      expect(await kit.services.issuance.lapseConsents()).toBe(0);
      const lapsed = (await kit.services.issuance.get(application.id))!;
      expect(lapsed).toMatchObject({ state: 'lapsed', decidedBy: 'system:consent-window' });
      const ended = (await noticesAbout(t.db, application.number)).filter(
        (n) => n.template === 'organisation_request_ended',
      );
      expect(ended.map((n) => n.recipient).sort()).toEqual([an.id, binh.id].sort());
      expect(ended.map((n) => n.params.reason)).toEqual(['lapsed', 'lapsed']);
      expect(await problemOf(kit.services.issuance.answerConsent(binh.id, application.id, 'consent'))).toMatchObject({
        code: 'CONSENT_NOT_EXPECTED',
      });
    } finally {
      clock.set(NOW);
    }
  });

  test('the filer may withdraw while consents are awaited', async () => {
    const { application } = await kit.services.issuance.applyOrganisation(an.id, {
      enterpriseCode: ORG.enterpriseCode,
    });
    expect(await problemOf(kit.services.issuance.withdraw(binh.id, application.id, application.version))).toMatchObject(
      {
        code: 'NOT_FOUND',
      },
    );
    const withdrawn = await kit.services.issuance.withdraw(an.id, application.id, application.version);
    expect(withdrawn.state).toBe('withdrawn');
    expect(await kit.services.issuance.pendingConsentsFor(binh.id)).toEqual([]);
  });

  test('a dissolved organisation: organisation_inactive', async () => {
    const thu = await demoAccount(DEMO_PERSONS.phoneOfSomeoneElse, 2);
    const { application } = await kit.services.issuance.applyOrganisation(thu.id, {
      enterpriseCode: DEMO_PERSONS.dissolvedOrganisation.enterpriseCode,
    });
    expect(application).toMatchObject({
      state: 'rejected',
      reasons: [{ code: 'organisation_inactive' }],
      accountId: null,
    });
  });

  test('a filer who is not a legal representative: not_a_representative; with a level-1 account: representative_level_too_low', async () => {
    const stranger = await strangerAccount(2);
    const refused = await kit.services.issuance.applyOrganisation(stranger.id, { enterpriseCode: ORG.enterpriseCode });
    expect(refused.application).toMatchObject({ state: 'rejected', reasons: [{ code: 'not_a_representative' }] });
    expect(await kit.services.issuance.consents(refused.application.id)).toEqual([]);
    expect(await kit.services.issuance.pendingConsentsFor(binh.id)).toEqual([]);

    const level1 = await strangerAccount(1);
    const tooLow = await kit.services.issuance.applyOrganisation(level1.id, { enterpriseCode: ORG.enterpriseCode });
    expect(tooLow.application).toMatchObject({
      state: 'rejected',
      reasons: [{ code: 'representative_level_too_low' }],
    });
  });

  test('an enterprise code in no registry, or malformed', async () => {
    const unknown = await kit.services.issuance.applyOrganisation(an.id, { enterpriseCode: '0109999999' });
    expect(unknown.application).toMatchObject({
      state: 'rejected',
      reasons: [{ code: 'registry_not_found', field: 'enterpriseCode' }],
    });
    expect(
      await problemOf(kit.services.issuance.applyOrganisation(an.id, { enterpriseCode: '12-34', email: 'x' })),
    ).toMatchObject({
      code: 'APPLICATION_INVALID',
      extensions: { errors: [{ field: 'enterpriseCode' }, { field: 'email' }] },
    });
  });

  test('every other representative consents: approved, the organisation account is pending activation', async () => {
    const { application } = await kit.services.issuance.applyOrganisation(an.id, {
      enterpriseCode: ORG.enterpriseCode,
      email: 'info@saomai.example.vn',
    });
    expect(application.state).toBe('awaiting_consent');
    // Only the representatives asked may answer.
    const stranger = await strangerAccount(2);
    for (const who of [stranger.id, an.id]) {
      expect(await problemOf(kit.services.issuance.answerConsent(who, application.id, 'consent'))).toMatchObject({
        code: 'CONSENT_NOT_EXPECTED',
      });
    }
    // Nor may an officer complete the consents in their place.
    const c06 = await kit.officer('C06', 'APPROVER');
    for (const event of ['consents_complete', 'approve'] as const) {
      expect(
        await problemOf(
          kit.services.issuance.decide(c06, application.id, {
            event: event as 'approve',
            expectedVersion: application.version,
          }),
        ),
      ).toMatchObject({ code: 'APPLICATION_TRANSITION_NOT_ALLOWED', status: 409 });
    }
    expect((await kit.services.issuance.get(application.id))!.state).toBe('awaiting_consent');
    const approved = await kit.services.issuance.answerConsent(binh.id, application.id, 'consent');
    expect(approved).toMatchObject({ state: 'approved', decidedBy: `subject:${binh.id}` });
    // The dossier is complete with the last consent: the 3 working days run from then (Art 13.3).
    expect(approved.receivedAt).toEqual(clock.now());
    expect(approved.dueAt).toEqual(endOfVnDay('2026-12-01'));
    const account = await kit.services.identity.get(approved.accountId!);
    expect(account).toMatchObject({
      subjectKind: 'organisation',
      registryId: application.registryId,
      enterpriseCode: ORG.enterpriseCode,
      fullName: ORG.name,
      level: null,
      status: 'pending_activation',
      phone: null,
      email: 'info@saomai.example.vn',
    });
    const notices = (await noticesAbout(t.db, application.number)).filter((n) => n.template === 'application_approved');
    expect(notices.map((n) => [n.channel, n.recipient]).sort()).toEqual(
      [
        ['email', 'info@saomai.example.vn'],
        ['inbox', account!.id],
        ['inbox', an.id],
        ['sms', e164(DEMO_PERSONS.citizen.phone)],
      ].sort(),
    );
    expect((await kit.services.issuance.history(application.id)).map((e) => [e.event, e.to_state])).toEqual([
      ['submit', 'awaiting_consent'],
      ['consents_complete', 'approved'],
    ]);

    const again = await kit.services.issuance.applyOrganisation(binh.id, { enterpriseCode: ORG.enterpriseCode });
    expect(again.application).toMatchObject({ state: 'rejected', reasons: [{ code: 'account_exists' }] });
  });

  test('a sole legal representative: approved at once', async () => {
    const sole = await generatedOrganisation(1);
    const rep = await demoAccount({ pin: sole.pins[0]! }, 2);
    const { application } = await kit.services.issuance.applyOrganisation(rep.id, { enterpriseCode: sole.code });
    expect(application).toMatchObject({ state: 'approved', consentDueAt: null });
    expect(await kit.services.identity.get(application.accountId!)).toMatchObject({
      subjectKind: 'organisation',
      enterpriseCode: sole.code,
      status: 'pending_activation',
    });
  });
});

describe('organisation at a counter with TK02 (Art 13.2)', () => {
  test('an organisation in no registry: manual review within 15 calendar days, then approved', async () => {
    const receiver = await kit.officer('CAP-HNI-YENHOA', 'RECEIVER');
    const approver = await kit.officer('CAP-HNI-YENHOA', 'APPROVER');
    const [filer] = await pickCitizens(t.db, { count: 1, minAge: 18, card: 'valid', on: TODAY, taken });
    // The filer (an authorised person) has an account: the result goes to it too.
    const filerAccount = await accountFor(kit, { ...filer!, phone: null }, { level: 2 });
    const { application } = await kit.services.issuance.receiveOrganisation(receiver, kit.units['CAP-HNI-YENHOA']!, {
      enterpriseCode: '0109999999',
      organisationName: 'Hợp tác xã Nông nghiệp Yên Hòa',
      filerPin: filer!.pin,
      email: 'htx.yenhoa@example.vn',
      documents: ['Tờ khai TK02', 'Quyết định thành lập'],
    });
    expect(application).toMatchObject({
      procedure: 'organisation_counter',
      state: 'manual_review',
      registryId: 'manual:0109999999',
      subjectName: 'Hợp tác xã Nông nghiệp Yên Hòa',
      deadline: { days: 15, unit: 'calendar' },
      reasons: [],
      representativeAccountId: filerAccount.id,
      dossier: { representative: { accountId: filerAccount.id, basis: 'authorised' } },
    });
    // Thursday 26/11 + 15 calendar days = Friday 11/12, a working day: no roll-forward.
    expect(application.dueAt).toEqual(endOfVnDay('2026-12-11'));
    const received = (await noticesAbout(t.db, application.number)).find((n) => n.channel === 'email');
    expect(received).toMatchObject({
      channel: 'email',
      recipient: 'htx.yenhoa@example.vn',
      template: 'application_received',
      params: { procedure: 'eid_organisation', receivedOn: TODAY, dueOn: '2026-12-11' },
    });

    const approved = await kit.services.issuance.decide(approver, application.id, {
      event: 'approve',
      expectedVersion: application.version,
      note: 'verified against the founding decision',
    });
    expect(approved.state).toBe('approved');
    // No registry states the authorisation: the account is created without a representation link
    // (an officer records the authorisation document in the representation context).
    expect(
      await t.db
        .selectFrom('representation.links')
        .select('id')
        .where('dependant_account_id', '=', approved.accountId!)
        .execute(),
    ).toEqual([]);
    expect(
      (await noticesAbout(t.db, application.number))
        .filter((n) => n.template === 'application_approved')
        .map((n) => n.recipient),
    ).toContain(filerAccount.id);
    expect(await kit.services.identity.get(approved.accountId!)).toMatchObject({
      subjectKind: 'organisation',
      registryId: 'manual:0109999999',
      enterpriseCode: '0109999999',
      fullName: 'Hợp tác xã Nông nghiệp Yên Hòa',
      status: 'pending_activation',
    });
  });

  test('found in the Business Registration DB: received, 3 working days, then approved', async () => {
    const receiver = await kit.officer('CAP-HNI-YENHOA', 'RECEIVER');
    const approver = await kit.officer('PC06-HNI', 'APPROVER');
    const org = await generatedOrganisation();
    const filer = await demoAccount({ pin: org.pins[0]! }, 2);
    const { application } = await kit.services.issuance.receiveOrganisation(receiver, kit.units['CAP-HNI-YENHOA']!, {
      enterpriseCode: org.code,
      organisationName: 'as the filer wrote it',
      filerPin: org.pins[0]!,
    });
    expect(application).toMatchObject({
      procedure: 'organisation_counter',
      state: 'received',
      subjectName: org.name,
      representativeAccountId: filer.id,
      deadline: { days: 3, unit: 'working' },
      dossier: { representative: { accountId: filer.id, basis: 'legal_representative' } },
    });
    expect(application.dueAt).toEqual(endOfVnDay('2026-12-01'));
    const approved = await kit.services.issuance.decide(approver, application.id, {
      event: 'approve',
      expectedVersion: application.version,
    });
    expect(await kit.services.identity.get(approved.accountId!)).toMatchObject({
      subjectKind: 'organisation',
      enterpriseCode: org.code,
      fullName: org.name,
      status: 'pending_activation',
    });
    expect(
      (await noticesAbout(t.db, application.number))
        .filter((n) => n.template === 'application_approved')
        .map((n) => n.recipient),
    ).toContain(filer.id);
  });

  test('refused at the counter: dissolved, filer not a representative; manual review refused with reasons', async () => {
    const receiver = await kit.officer('CAP-HNI-YENHOA', 'RECEIVER');
    const approver = await kit.officer('CAP-HNI-YENHOA', 'APPROVER');
    const unit = kit.units['CAP-HNI-YENHOA']!;
    const dissolved = DEMO_PERSONS.dissolvedOrganisation;
    const inactive = await kit.services.issuance.receiveOrganisation(receiver, unit, {
      enterpriseCode: dissolved.enterpriseCode,
      organisationName: dissolved.name,
      filerPin: DEMO_PERSONS.phoneOfSomeoneElse.pin,
    });
    expect(inactive.application).toMatchObject({ state: 'rejected', reasons: [{ code: 'organisation_inactive' }] });

    const org = await generatedOrganisation();
    const notRep = await kit.services.issuance.receiveOrganisation(receiver, unit, {
      enterpriseCode: org.code,
      organisationName: org.name,
      filerPin: DEMO_PERSONS.guardian.pin,
    });
    expect(notRep.application).toMatchObject({ state: 'rejected', reasons: [{ code: 'not_a_representative' }] });

    const manual = await kit.services.issuance.receiveOrganisation(receiver, unit, {
      enterpriseCode: '0109999998',
      organisationName: 'Công ty chưa đăng ký',
      filerPin: DEMO_PERSONS.guardian.pin,
    });
    expect(manual.application.state).toBe('manual_review');
    const rejected = await kit.services.issuance.decide(approver, manual.application.id, {
      event: 'reject',
      expectedVersion: manual.application.version,
      reasons: [{ code: 'officer_decision', note: 'không có quyết định thành lập' }],
    });
    expect(rejected).toMatchObject({ state: 'rejected', accountId: null });
    expect(await kit.services.identity.findBySubject('organisation', 'manual:0109999998')).toBeUndefined();
  });
});
