import { beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { endOfVnDay } from '../calendar/working-days.ts';
import { seedSandbox } from '../registries/seed.ts';
import type { Application } from './model.ts';
import type { CounterCitizenInput } from './service.ts';
import {
  issuanceKit,
  noticesAbout,
  pickCitizens,
  problemOf,
  type IssuanceKit,
  type SandboxCitizen,
} from './testing.ts';

/**
 * Deadlines (DOMAIN.md §§5, 8): counted in working days from the receipt of a complete dossier;
 * the day of receipt is not counted (Civil Code Art 147); a period ends at 24:00 of its last day
 * (stored as 23:59:59.999+07:00); working days are Monday–Friday less holidays and days off, plus
 * the make-up Saturdays the government announces. Every expected date below is worked out by hand
 * from the seeded calendar (src/calendar/model.ts: rule defaults plus the official schedules).
 */

const t = useTestDatabase();
const clock = fixedClock('2026-11-26T03:00:00Z');
const taken = new Set<string>();
let kit: IssuanceKit;

beforeAll(async () => {
  await seedSandbox(t.database.pool, { citizens: 300, seed: 'issuance' });
  kit = await issuanceKit(testPlatform(t.db, { clock }), clock);
});

/** 10:00 in Hà Nội on a civil date. */
const at10 = (date: string) => `${date}T03:00:00Z`;

async function citizen(on: string, card: 'valid' | 'none' = 'valid'): Promise<SandboxCitizen> {
  const [c] = await pickCitizens(t.db, { count: 1, minAge: 18, card, ownPhone: true, on, taken });
  return c!;
}

function tk01(c: SandboxCitizen): CounterCitizenInput {
  return {
    pin: c.pin,
    phone: c.phone,
    face: kit.face(c.registryId),
    fingerprints: kit.fingerprints(c.registryId),
  };
}

async function receiveAt(
  unitCode: string,
  when: string,
  card: 'valid' | 'none' = 'valid',
  receiver?: string,
): Promise<Application> {
  clock.set(when);
  const c = await citizen(when.slice(0, 10), card);
  const officer = receiver ?? (await kit.officer(unitCode, 'RECEIVER'));
  const { application } = await kit.services.issuance.receiveCitizen(officer, kit.units[unitCode]!, tk01(c));
  expect(application.state).toBe(card === 'valid' ? 'received' : 'awaiting_card');
  return application;
}

async function workingDays(dates: string[]): Promise<Record<string, boolean>> {
  const out: Record<string, boolean> = {};
  for (const d of dates) out[d] = await kit.services.calendar.isWorkingDay(d);
  return out;
}

describe('due dates (3 working days at the counter, 7 with the card)', () => {
  test('received on the eve of Tết 2027', async () => {
    // The 2027 calendar holds the rule defaults (no government decision was entered for Tết Đinh
    // Mùi): holidays Friday 5/2 (29 tháng Chạp), Saturday 6/2 (mùng 1) to Tuesday 9/2 (mùng 4), and
    // days off in lieu of Saturday 6/2 and Sunday 7/2 on Wednesday 10/2 and Thursday 11/2. The eve
    // is Thursday 4/2, the last working day before the block.
    expect(
      await workingDays([
        '2027-02-04',
        '2027-02-05',
        '2027-02-08',
        '2027-02-09',
        '2027-02-10',
        '2027-02-11',
        '2027-02-12',
      ]),
    ).toEqual({
      '2027-02-04': true,
      '2027-02-05': false,
      '2027-02-08': false,
      '2027-02-09': false,
      '2027-02-10': false,
      '2027-02-11': false,
      '2027-02-12': true,
    });
    // Received Thursday 4/2 (not counted): Friday 12/2 (1), Monday 15/2 (2), Tuesday 16/2 (3).
    const counter = await receiveAt('CAP-HNI-HOANKIEM', at10('2027-02-04'));
    expect(counter.dueAt).toEqual(endOfVnDay('2027-02-16'));
    expect(counter.dueAt!.toISOString()).toBe('2027-02-16T16:59:59.999Z');
    // With the card, 7 working days: 12/2, 15, 16, 17, 18, 19 (6), Monday 22/2 (7).
    const withCard = await receiveAt('CAP-HNI-HOANKIEM', at10('2027-02-04'), 'none');
    expect(withCard.dueAt).toEqual(endOfVnDay('2027-02-22'));
    // The receipt notice gives the appointment date.
    expect((await noticesAbout(t.db, counter.number))[0]!.params).toMatchObject({
      receivedOn: '2027-02-04',
      dueOn: '2027-02-16',
    });
  });

  test('a calendar-day deadline that ends in Tết rolls to the next working day (Civil Code Art 148.5)', async () => {
    // TK02 for an organisation in no registry, received Friday 22/1/2027: + 15 calendar days =
    // Saturday 6/2 (mùng 1 Tết); 7–11/2 are not working days either: the period ends Friday 12/2.
    clock.set(at10('2027-01-22'));
    const [filer] = await pickCitizens(t.db, { count: 1, minAge: 18, card: 'valid', on: '2027-01-22', taken });
    const receiver = await kit.officer('CAP-HNI-HOANKIEM', 'RECEIVER');
    const { application } = await kit.services.issuance.receiveOrganisation(receiver, kit.units['CAP-HNI-HOANKIEM']!, {
      enterpriseCode: '0108888888',
      organisationName: 'Hội Khuyến học phường Hoàn Kiếm',
      filerPin: filer!.pin,
    });
    expect(application).toMatchObject({ state: 'manual_review', deadline: { days: 15, unit: 'calendar' } });
    expect(application.dueAt).toEqual(endOfVnDay('2027-02-12'));
  });

  test('received on a Saturday: counting starts on Monday, as for the Friday before', async () => {
    // Saturday 28/11/2026 (counters open Monday to Saturday): Monday 30/11 (1), Tuesday 1/12 (2),
    // Wednesday 2/12 (3). Received on Friday 27/11 the count is the same days.
    const saturday = await receiveAt('CAP-HNI-HOANKIEM', at10('2026-11-28'));
    expect(saturday.dueAt).toEqual(endOfVnDay('2026-12-02'));
    const friday = await receiveAt('CAP-HNI-HOANKIEM', at10('2026-11-27'));
    expect(friday.dueAt).toEqual(endOfVnDay('2026-12-02'));
    // Late on Saturday night is still Saturday in Hà Nội (23:30+07:00 = 16:30Z).
    const late = await receiveAt('CAP-HNI-HOANKIEM', '2026-11-28T16:30:00Z');
    expect(late.dueAt).toEqual(endOfVnDay('2026-12-02'));
  });

  test('a make-up working Saturday counts; a dossier received on it starts counting the next working day', async () => {
    // The only make-up Saturday in the seeded calendar: 26/4/2025, worked in exchange for Friday
    // 2/5/2025 (day_off); 30/4 and 1/5 are holidays.
    expect(
      await workingDays(['2025-04-26', '2025-04-30', '2025-05-01', '2025-05-02', '2025-05-03', '2025-05-05']),
    ).toEqual({
      '2025-04-26': true,
      '2025-04-30': false,
      '2025-05-01': false,
      '2025-05-02': false,
      '2025-05-03': false,
      '2025-05-05': true,
    });
    // Received Friday 25/4: Saturday 26/4 (1, make-up), Monday 28/4 (2), Tuesday 29/4 (3).
    const friday = await receiveAt('CAP-HNI-HOANKIEM', at10('2025-04-25'));
    expect(friday.dueAt).toEqual(endOfVnDay('2025-04-29'));
    // Received on the make-up Saturday itself (not counted): Monday 28/4 (1), Tuesday 29/4 (2),
    // then 30/4, 1/5 (holidays), 2/5 (day off), the weekend, Monday 5/5 (3).
    const saturday = await receiveAt('CAP-HNI-HOANKIEM', at10('2025-04-26'));
    expect(saturday.dueAt).toEqual(endOfVnDay('2025-05-05'));
    // With the card from the Friday: 26/4, 28, 29 (3), 5/5, 6, 7 (6), Thursday 8/5 (7).
    const withCard = await receiveAt('CAP-HNI-HOANKIEM', at10('2025-04-25'), 'none');
    expect(withCard.dueAt).toEqual(endOfVnDay('2025-05-08'));
  });
});

describe('deadline flags (worker)', () => {
  test('near within 24 hours, then overdue; the unit’s officers are told once even when the worker runs twice', async () => {
    const receiver = await kit.officer('CAP-HNI-YENHOA', 'RECEIVER');
    const approver = await kit.officer('CAP-HNI-YENHOA', 'APPROVER');
    const callCentre = await kit.officer('CAP-HNI-YENHOA', 'CALL_CENTER');
    const app = await receiveAt('CAP-HNI-YENHOA', at10('2026-11-26'), 'valid', receiver);
    // Thursday 26/11 + 3 working days: Tuesday 1/12, ending 23:59:59.999+07:00.
    expect(app.dueAt!.toISOString()).toBe('2026-12-01T16:59:59.999Z');
    const deadlineNotices = async () =>
      (await noticesAbout(t.db, app.number))
        .filter((n) => n.template === 'application_deadline')
        .map((n) => [n.recipient, n.params.state, n.params.dueOn])
        .sort();

    await kit.services.issuance.flagDeadlines();
    expect((await kit.services.issuance.get(app.id))!.flag).toBeNull();

    clock.set('2026-11-30T16:59:59.998Z'); // a hair more than 24 hours before the end
    await kit.services.issuance.flagDeadlines();
    expect((await kit.services.issuance.get(app.id))!.flag).toBeNull();

    clock.set('2026-11-30T17:00:00Z'); // Tuesday 1/12, 00:00 in Hà Nội: due today
    expect(await kit.services.issuance.flagDeadlines()).toBeGreaterThanOrEqual(1);
    await kit.services.issuance.flagDeadlines();
    const near = (await kit.services.issuance.get(app.id))!;
    expect(near).toMatchObject({ flag: 'near', state: 'received', version: app.version });
    expect(await deadlineNotices()).toEqual(
      [
        [receiver, 'near', '2026-12-01'],
        [approver, 'near', '2026-12-01'],
      ].sort(),
    );

    clock.set('2026-12-01T17:00:00Z'); // Wednesday 2/12, 00:00: past the deadline
    await kit.services.issuance.flagDeadlines();
    await kit.services.issuance.flagDeadlines();
    expect((await kit.services.issuance.get(app.id))!.flag).toBe('overdue');
    expect(await deadlineNotices()).toEqual(
      [
        [receiver, 'near', '2026-12-01'],
        [approver, 'near', '2026-12-01'],
        [receiver, 'overdue', '2026-12-01'],
        [approver, 'overdue', '2026-12-01'],
      ].sort(),
    );
    expect((await deadlineNotices()).map(([r]) => r)).not.toContain(callCentre);

    // A flag does not change the version: the approver's copy is still current; deciding clears it.
    const approved = await kit.services.issuance.decide(approver, app.id, {
      event: 'approve',
      expectedVersion: app.version,
    });
    expect(approved).toMatchObject({ state: 'approved', flag: null });
    await kit.services.issuance.flagDeadlines();
    expect(await deadlineNotices()).toHaveLength(4);
  });
});

describe('queue and report', () => {
  test('queue: open applications of the officer’s units, soonest deadline first, with working days left', async () => {
    const unit = kit.units['CAP-HCM-SAIGON']!;
    const receiver = await kit.officer('CAP-HCM-SAIGON', 'RECEIVER');
    const approver = await kit.officer('CAP-HCM-SAIGON', 'APPROVER');
    // Monday 23/11: due Thursday 26/11. Thursday 26/11: due Tuesday 1/12, and with the card Monday 7/12.
    const a = await receiveAt('CAP-HCM-SAIGON', at10('2026-11-23'), 'valid', receiver);
    const c = await receiveAt('CAP-HCM-SAIGON', at10('2026-11-26'), 'none', receiver);
    const b = await receiveAt('CAP-HCM-SAIGON', at10('2026-11-26'), 'valid', receiver);
    expect([a, b, c].map((x) => x.dueAt)).toEqual([
      endOfVnDay('2026-11-26'),
      endOfVnDay('2026-12-01'),
      endOfVnDay('2026-12-07'),
    ]);

    clock.set(at10('2026-11-27')); // Friday
    const queue = await kit.services.issuance.queue(approver);
    expect(queue.map((e) => [e.application.id, e.dueOn, e.workingDaysLeft, e.overdue])).toEqual([
      // Due yesterday (Thursday, a working day): one working day late.
      [a.id, '2026-11-26', -1, true],
      // Friday → Tuesday: Monday 30/11 and Tuesday 1/12 are left after today.
      [b.id, '2026-12-01', 2, false],
      // Friday → Monday 7/12: 30/11, 1, 2, 3, 4, 7/12.
      [c.id, '2026-12-07', 6, false],
    ]);
    // The province sees its wards' queues; a ward officer may not read another unit's.
    const province = await kit.officer('PC06-HCM', 'APPROVER');
    expect((await kit.services.issuance.queue(province)).map((e) => e.application.id)).toEqual([a.id, b.id, c.id]);
    expect((await kit.services.issuance.queue(province, { unitId: unit })).map((e) => e.application.id)).toEqual([
      a.id,
      b.id,
      c.id,
    ]);
    expect(
      await problemOf(kit.services.issuance.queue(approver, { unitId: kit.units['CAP-HCM-BENTHANH']! })),
    ).toMatchObject({ code: 'FORBIDDEN' });

    // Decided today: b on time, a a day late; c stays open.
    await kit.services.issuance.decide(approver, b.id, { event: 'approve', expectedVersion: b.version });
    await kit.services.issuance.decide(approver, a.id, { event: 'approve', expectedVersion: a.version });
    expect((await kit.services.issuance.queue(approver)).map((e) => e.application.id)).toEqual([c.id]);

    const range = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') };
    const row = (await kit.services.issuance.report(range)).find((r) => r.unitCode === 'CAP-HCM-SAIGON');
    expect(row).toEqual({
      unitId: unit,
      unitCode: 'CAP-HCM-SAIGON',
      unitName: 'Công an phường Sài Gòn',
      decided: 2,
      onTime: 1,
      onTimeRate: 0.5,
      open: 1,
      openOverdue: 0,
    });
    clock.set(at10('2026-12-08')); // c is now past its deadline
    expect((await kit.services.issuance.report(range)).find((r) => r.unitCode === 'CAP-HCM-SAIGON')).toMatchObject({
      decided: 2,
      onTime: 1,
      open: 1,
      openOverdue: 1,
    });
    const [late] = await kit.services.issuance.queue(approver);
    expect(late).toMatchObject({ dueOn: '2026-12-07', workingDaysLeft: -1, overdue: true });
  });
});
