import { sql } from 'kysely';
import { beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { endOfVnDay } from '../calendar/working-days.ts';
import type { Account } from '../identity/service.ts';
import type { CounterInput } from './service.ts';
import { lockKit, noticesOf, problemOf, type LockKit } from './testing.ts';
import { holderGroundView } from './views.ts';

/**
 * An authority's request (seed 003 (b); Decree 69/2024 Art 30): received by PC06, which reviews
 * and forwards it within 1 working day to the head of C06, who approves or refuses it within 2
 * working days; the result goes to the authority (stored, and e-mailed) and to the subject (unless
 * the authority asks for a later notice); a return or a refusal is written, with reasons; an
 * overdue step is escalated once. Deadlines are counted with the calendar as the Civil Code does
 * (Arts 147–148): the day of receipt does not count, a period ends at 24:00 Vietnam time of its
 * last day, weekends, holidays and days off do not count.
 *
 * The calendar around 30 April 2026 (src/calendar/model.ts, holidaySchedule(2026)):
 *   Fri 24/4 working · Sat 25/4, Sun 26/4 weekend (Sun 26/4 is also Hùng Kings' day, 10/3 lunar)
 *   Mon 27/4 day off in lieu of Hùng Kings' day · Tue 28/4, Wed 29/4 working
 *   Thu 30/4 Victory Day, Fri 1/5 Labour Day (holidays) · Sat 2/5, Sun 3/5 weekend
 *   Mon 4/5, Tue 5/5 working
 * So a request received on Friday 24 April at 10:00 must be forwarded by the end of Tuesday 28
 * April (its first working day after the day of receipt); forwarded on Tuesday 28 April, it must be
 * decided by the end of Monday 4 May (Wed 29/4 is the first working day, Mon 4/5 the second).
 */

const t = useTestDatabase();
const clock = fixedClock('2026-04-24T03:00:00Z');
let kit: LockKit;
let pc06Receiver: string;
let pc06Approver: string;
let hcmApprover: string;
let c06Approver: string;
let c06Approver2: string;

beforeAll(async () => {
  kit = await lockKit(testPlatform(t.db, { clock }));
  pc06Receiver = await kit.officer('PC06-HNI', 'RECEIVER');
  pc06Approver = await kit.officer('PC06-HNI', 'APPROVER');
  hcmApprover = await kit.officer('PC06-HCM', 'APPROVER');
  c06Approver = await kit.officer('C06', 'APPROVER');
  c06Approver2 = await kit.officer('C06', 'APPROVER');
});

/** 10:00 (or another hour) in Hà Nội on a civil date. */
const vn = (date: string, hour = 10) => `${date}T${String(hour - 7).padStart(2, '0')}:00:00Z`;

const AUTHORITY_EMAIL = 'vks.hanoi@vksndtc.gov.vn';

function paperRequest(holder: Account, overrides: Partial<Extract<CounterInput, { origin: 'authority' }>> = {}) {
  return {
    origin: 'authority' as const,
    action: 'lock' as const,
    identifier: holder.pin!,
    channel: 'counter' as const,
    requester: {
      name: 'Viện kiểm sát nhân dân TP Hà Nội',
      kind: 'procuracy' as const,
      email: AUTHORITY_EMAIL,
      documentNo: '77/VKS-P2',
      documentDate: '2026-04-23',
    },
    statement: 'Đề nghị khóa căn cước điện tử để phục vụ truy tố',
    ...overrides,
  };
}

async function receivedAt(when: string, overrides: Parameters<typeof paperRequest>[1] = {}) {
  clock.set(when);
  const holder = await kit.holder();
  const { request } = await kit.locks.receive(pc06Receiver, kit.units['PC06-HNI']!, paperRequest(holder, overrides));
  return { holder, request };
}

async function decidedMail(requestNo: string) {
  const { rows } = await sql<{ recipient: string; params: Record<string, unknown> }>`
    select recipient, params from notify.outbox
    where template = 'lock_request_decided' and params->>'requestNo' = ${requestNo}`.execute(t.db);
  return rows;
}

describe('deadlines across a weekend and the 30/4–1/5 holidays', () => {
  test('the calendar is the one the comment above describes', async () => {
    const days: Record<string, boolean> = {};
    for (const d of ['24', '25', '26', '27', '28', '29', '30']) {
      days[`2026-04-${d}`] = await kit.services.calendar.isWorkingDay(`2026-04-${d}`);
    }
    for (const d of ['01', '02', '03', '04'])
      days[`2026-05-${d}`] = await kit.services.calendar.isWorkingDay(`2026-05-${d}`);
    expect(days).toEqual({
      '2026-04-24': true,
      '2026-04-25': false,
      '2026-04-26': false,
      '2026-04-27': false,
      '2026-04-28': true,
      '2026-04-29': true,
      '2026-04-30': false,
      '2026-05-01': false,
      '2026-05-02': false,
      '2026-05-03': false,
      '2026-05-04': true,
    });
  });

  test('received Friday 24/4: forward by the end of Tuesday 28/4; forwarded then: decide by the end of Monday 4/5', async () => {
    const { holder, request } = await receivedAt(vn('2026-04-24'));
    expect(request).toMatchObject({ kind: 'authority', state: 'received', channel: 'counter', version: 1 });
    expect(request.dueAt).toEqual(endOfVnDay('2026-04-28'));
    expect(request.dueAt!.toISOString()).toBe('2026-04-28T16:59:59.999Z');
    const onFriday = (await kit.locks.queue(pc06Approver)).find((e) => e.request.id === request.id)!;
    expect(onFriday).toMatchObject({ dueOn: '2026-04-28', workingDaysLeft: 1, overdue: false });
    expect(onFriday.actions.map((a) => a.event)).toEqual(['forward', 'return']);
    // Nothing happens to the subject while the request is reviewed.
    expect((await kit.services.identity.get(holder.id))!.status).toBe('active');

    clock.set(vn('2026-04-28', 15));
    const { request: forwarded } = await kit.locks.decide(pc06Approver, request.id, {
      event: 'forward',
      expectedVersion: 1,
    });
    expect(forwarded).toMatchObject({ state: 'forwarded', unitId: kit.units.C06, forwardedBy: pc06Approver });
    expect(forwarded.dueAt).toEqual(endOfVnDay('2026-05-04'));
    // PC06 no longer acts; C06 sees it, with two working days left (Wed 29/4, Mon 4/5).
    expect((await kit.locks.queue(pc06Approver)).some((e) => e.request.id === request.id)).toBe(false);
    expect((await kit.locks.queue(c06Approver)).find((e) => e.request.id === request.id)).toMatchObject({
      dueOn: '2026-05-04',
      workingDaysLeft: 2,
    });

    clock.set(vn('2026-05-04', 23));
    expect(await kit.locks.escalateOverdue()).toBe(0);
    const { request: approved, change } = await kit.locks.decide(c06Approver, request.id, {
      event: 'approve',
      expectedVersion: forwarded.version,
    });
    expect(approved).toMatchObject({ state: 'approved', decidedBy: `officer:${c06Approver}`, escalatedStep: null });
    expect(change?.ground).toMatchObject({
      ground: 'authority_request',
      source: 'authority_request',
      reference: request.id,
    });
    expect(await kit.services.identity.get(holder.id)).toMatchObject({
      status: 'locked',
      lockReasons: ['authority_request'],
    });
    // The authority gets the result; the subject is told at once, with the ground.
    expect(await decidedMail(request.number)).toEqual([
      {
        recipient: AUTHORITY_EMAIL,
        params: {
          requestNo: request.number,
          documentNo: '77/VKS-P2',
          action: 'lock',
          outcome: 'approved',
          decidedOn: '2026-05-04',
        },
      },
    ]);
    expect((await noticesOf(t.db, holder.id, 'account_locked')).map((n) => [n.channel, n.params.ground])).toEqual(
      expect.arrayContaining([
        ['inbox', 'authority_request'],
        ['sms', 'authority_request'],
      ]),
    );
    expect(kit.ended).toContain(holder.id);
    const history = await kit.locks.history(request.id);
    expect(history.map((h) => [h.event, h.to_state])).toEqual([
      ['submit', 'received'],
      ['forward', 'forwarded'],
      ['approve', 'approved'],
    ]);
  });
});

describe('escalation of overdue steps', () => {
  test('PC06 misses its day: escalated once on Wednesday 29/4, PC06 and C06 approvers told; then C06 misses its two', async () => {
    const { request } = await receivedAt(vn('2026-04-24', 16));
    clock.set(vn('2026-04-28', 23));
    expect(await kit.locks.escalateOverdue()).toBe(0);
    clock.set('2026-04-28T17:00:01Z'); // 00:00:01 on Wednesday 29/4 in Hà Nội
    expect(await kit.locks.escalateOverdue()).toBe(1);
    expect(await kit.locks.escalateOverdue()).toBe(0);
    const after = (await kit.locks.readable(pc06Approver, request.id))!;
    // Escalation is no decision: the version an officer read stays valid.
    expect(after).toMatchObject({ escalatedStep: 'received', version: 1, state: 'received' });
    const told = await sql<{ recipient: string; params: Record<string, unknown> }>`
      select recipient, params from notify.outbox
      where template = 'lock_request_overdue' and params->>'requestNo' = ${request.number}`.execute(t.db);
    const recipients = told.rows.map((r) => r.recipient);
    expect(recipients).toEqual(expect.arrayContaining([pc06Approver, c06Approver, c06Approver2]));
    expect(recipients).not.toContain(pc06Receiver);
    expect(recipients).not.toContain(hcmApprover);
    expect(told.rows[0]!.params).toEqual({ requestNo: request.number, step: 'forward', dueOn: '2026-04-28' });
    expect((await kit.locks.queue(pc06Approver)).find((e) => e.request.id === request.id)).toMatchObject({
      overdue: true,
      workingDaysLeft: -1,
    });

    // Late, PC06 still forwards: C06's two working days run from then (Mon 4/5, Tue 5/5).
    clock.set(vn('2026-04-29', 9));
    const { request: forwarded } = await kit.locks.decide(pc06Approver, request.id, {
      event: 'forward',
      expectedVersion: 1,
    });
    expect(forwarded.dueAt).toEqual(endOfVnDay('2026-05-05'));
    clock.set(vn('2026-05-06', 8));
    expect(await kit.locks.escalateOverdue()).toBe(1);
    const decideStep = await sql<{ recipient: string }>`
      select recipient from notify.outbox
      where template = 'lock_request_overdue' and params->>'requestNo' = ${request.number}
        and params->>'step' = 'decide'`.execute(t.db);
    expect(decideStep.rows.map((r) => r.recipient).sort()).toEqual(
      [c06Approver, c06Approver2, ...(await approversOf('C06'))].filter(unique).sort(),
    );
    const events = (await kit.locks.history(request.id)).map((h) => h.event);
    expect(events).toEqual(['submit', 'escalate', 'forward', 'escalate']);
    const audit = await kit.services.audit.historyOf({ kind: 'lock_request', id: request.id });
    expect(audit.filter((e) => e.action === 'locks.request.escalate')).toHaveLength(2);
  });
});

describe('returns and refusals are written, with reasons', () => {
  test('PC06 returns it: the authority is told why; the subject hears nothing', async () => {
    const { holder, request } = await receivedAt(vn('2026-04-24'));
    expect(
      (await problemOf(kit.locks.decide(pc06Approver, request.id, { event: 'return', expectedVersion: 1 }))).code,
    ).toBe('LOCK_REASONS_REQUIRED');
    const { request: returned } = await kit.locks.decide(pc06Approver, request.id, {
      event: 'return',
      expectedVersion: 1,
      reasons: ['Văn bản đề nghị chưa có chữ ký của thủ trưởng cơ quan'],
    });
    expect(returned).toMatchObject({
      state: 'returned',
      reasons: ['Văn bản đề nghị chưa có chữ ký của thủ trưởng cơ quan'],
    });
    expect((await decidedMail(request.number))[0]!.params).toMatchObject({
      outcome: 'returned',
      reasons: ['Văn bản đề nghị chưa có chữ ký của thủ trưởng cơ quan'],
    });
    expect(await noticesOf(t.db, holder.id)).toEqual([]);
  });

  test('C06 refuses a lock: the authority is told; the subject is not (nothing changed for them)', async () => {
    const { holder, request } = await receivedAt(vn('2026-04-24'));
    const { request: forwarded } = await kit.locks.decide(pc06Approver, request.id, {
      event: 'forward',
      expectedVersion: 1,
    });
    await kit.locks.decide(c06Approver, request.id, {
      event: 'refuse',
      expectedVersion: forwarded.version,
      reasons: ['Không thuộc trường hợp khóa căn cước điện tử'],
    });
    expect((await decidedMail(request.number))[0]!.params).toMatchObject({ outcome: 'refused' });
    expect(await noticesOf(t.db, holder.id)).toEqual([]);
    expect((await kit.services.identity.get(holder.id))!.status).toBe('active');
  });

  test('C06 refuses an unlock: the authority and the subject are both told, with the reasons', async () => {
    const { holder, request } = await receivedAt(vn('2026-04-24'));
    const { request: f1 } = await kit.locks.decide(pc06Approver, request.id, { event: 'forward', expectedVersion: 1 });
    await kit.locks.decide(c06Approver, request.id, { event: 'approve', expectedVersion: f1.version });
    const { request: unlock } = await kit.locks.receive(
      pc06Receiver,
      kit.units['PC06-HNI']!,
      paperRequest(holder, { action: 'unlock', targetRequestNumber: request.number, statement: 'Đề nghị mở khóa' }),
    );
    const { request: f2 } = await kit.locks.decide(pc06Approver, unlock.id, { event: 'forward', expectedVersion: 1 });
    await kit.locks.decide(c06Approver, unlock.id, {
      event: 'refuse',
      expectedVersion: f2.version,
      reasons: ['Cơ quan điều tra chưa đồng ý mở khóa'],
    });
    expect((await decidedMail(unlock.number))[0]!.params).toMatchObject({ action: 'unlock', outcome: 'refused' });
    expect((await noticesOf(t.db, holder.id, 'unlock_request_refused'))[0]!.params).toEqual({
      requestNo: unlock.number,
      reasons: ['Cơ quan điều tra chưa đồng ý mở khóa'],
    });
    expect((await kit.services.identity.get(holder.id))!.status).toBe('locked');
  });
});

describe('who acts at each step', () => {
  test('a receiver does not forward, another province does not, PC06 does not approve, who forwarded does not decide', async () => {
    const { request } = await receivedAt(vn('2026-04-24'));
    for (const officer of [pc06Receiver, hcmApprover]) {
      expect(
        await problemOf(kit.locks.decide(officer, request.id, { event: 'forward', expectedVersion: 1 })),
      ).toMatchObject({ code: officer === hcmApprover ? 'NOT_FOUND' : 'LOCK_OFFICER_ROLE_REQUIRED' });
    }
    expect(
      (await problemOf(kit.locks.decide(c06Approver, request.id, { event: 'approve', expectedVersion: 1 }))).code,
    ).toBe('LOCK_REQUEST_TRANSITION_NOT_ALLOWED');
    // A C06 approver covers PC06 too and may forward; then another must decide (two levels of review).
    // PC06 still sees the request it received, but only C06 decides.
    const { request: forwarded } = await kit.locks.decide(c06Approver, request.id, {
      event: 'forward',
      expectedVersion: 1,
    });
    expect(
      (
        await problemOf(
          kit.locks.decide(pc06Approver, request.id, { event: 'approve', expectedVersion: forwarded.version }),
        )
      ).code,
    ).toBe('LOCK_OFFICER_ROLE_REQUIRED');
    expect(
      (
        await problemOf(
          kit.locks.decide(c06Approver, request.id, { event: 'approve', expectedVersion: forwarded.version }),
        )
      ).code,
    ).toBe('LOCK_SAME_OFFICER');
    const { request: approved } = await kit.locks.decide(c06Approver2, request.id, {
      event: 'approve',
      expectedVersion: forwarded.version,
    });
    expect(approved.state).toBe('approved');
  });

  test('an authority’s request is received at a PC06 only, from a dated document, for a known subject', async () => {
    clock.set(vn('2026-04-24'));
    const holder = await kit.holder();
    const commune = await kit.officer('CAP-HNI-HOANKIEM', 'RECEIVER');
    expect(
      (await problemOf(kit.locks.receive(commune, kit.units['CAP-HNI-HOANKIEM']!, paperRequest(holder)))).code,
    ).toBe('LOCK_REQUEST_INVALID');
    const unknown = paperRequest(holder);
    unknown.requester = {
      ...unknown.requester,
      authorityId: '00000000-0000-4000-8000-000000000000',
    } as typeof unknown.requester;
    expect(await problemOf(kit.locks.receive(pc06Receiver, kit.units['PC06-HNI']!, unknown))).toMatchObject({
      code: 'LOCK_REQUEST_INVALID',
      field: 'authority.authorityId',
    });
    const future = paperRequest(holder);
    future.requester.documentDate = '2026-05-30';
    expect(await problemOf(kit.locks.receive(pc06Receiver, kit.units['PC06-HNI']!, future))).toMatchObject({
      code: 'LOCK_REQUEST_INVALID',
      field: 'documentDate',
    });
    expect(
      (
        await problemOf(
          kit.locks.receive(pc06Receiver, kit.units['PC06-HNI']!, paperRequest(holder, { identifier: '001099999999' })),
        )
      ).code,
    ).toBe('NOT_FOUND');
    expect(
      (
        await problemOf(
          kit.locks.receive(
            pc06Receiver,
            kit.units['PC06-HNI']!,
            paperRequest(holder, { action: 'unlock', targetRequestNumber: 'TK03-2026-999999' }),
          ),
        )
      ).code,
    ).toBe('LOCK_REQUEST_INVALID');
  });
});

describe('a later notice to the subject (the law allows it)', () => {
  test('locked now; the holder sees no ground and gets no notice until the date, then the worker sends it', async () => {
    const later = new Date('2026-05-20T01:00:00Z');
    const { holder, request } = await receivedAt(vn('2026-04-24'), { notifySubjectAfter: later });
    expect(request.notifySubjectAfter).toEqual(later);
    const { request: f } = await kit.locks.decide(pc06Approver, request.id, { event: 'forward', expectedVersion: 1 });
    await kit.locks.decide(c06Approver, request.id, { event: 'approve', expectedVersion: f.version });
    expect((await kit.services.identity.get(holder.id))!.status).toBe('locked');
    expect(await noticesOf(t.db, holder.id)).toEqual([]);
    const [ground] = await kit.locks.activeGroundsOf(holder.id);
    expect(holderGroundView(ground!, 'vi', clock.now())).toMatchObject({ ground: 'undisclosed', legal_basis: null });
    expect(await kit.locks.releaseDeferredNotices()).toBe(0);

    clock.set('2026-05-20T01:00:00Z');
    expect(await kit.locks.releaseDeferredNotices()).toBe(1);
    expect(await kit.locks.releaseDeferredNotices()).toBe(0);
    const notices = await noticesOf(t.db, holder.id, 'account_locked');
    expect(notices.map((n) => n.channel).sort()).toEqual(['email', 'inbox', 'sms']);
    expect(notices[0]!.params).toEqual({ ground: 'authority_request', lockedOn: '2026-04-24' });
    expect(holderGroundView(ground!, 'vi', clock.now()).ground).toBe('authority_request');
  });

  test('a deferral must name a future instant', async () => {
    clock.set(vn('2026-04-24'));
    const holder = await kit.holder();
    expect(
      await problemOf(
        kit.locks.receive(
          pc06Receiver,
          kit.units['PC06-HNI']!,
          paperRequest(holder, { notifySubjectAfter: new Date('2026-04-01') }),
        ),
      ),
    ).toMatchObject({ code: 'LOCK_REQUEST_INVALID', field: 'notifySubjectAfter' });
  });
});

describe("through the API, from an authority's own system", () => {
  test('an administrator registers it; its key files requests to its PC06; it reads back only its own', async () => {
    clock.set(vn('2026-04-24'));
    const admin = { kind: 'admin', id: 'admin-token' };
    const { authority, apiKey } = await kit.locks.registerAuthority(admin, {
      code: 'csdt-hcm',
      name: 'Cơ quan Cảnh sát điều tra Công an TP Hồ Chí Minh',
      kind: 'investigation',
      email: 'csdt@congan.hochiminhcity.gov.vn',
      unitCode: 'PC06-HCM',
    });
    expect(authority).toMatchObject({ code: 'CSDT-HCM', unitId: kit.units['PC06-HCM'], keyHint: apiKey.slice(0, 11) });
    expect(apiKey).toMatch(/^ddak_[A-Za-z0-9_-]{43}$/);
    const stored = await sql<{
      key_hash: string;
    }>`select key_hash from locks.authorities where id = ${authority.id}`.execute(t.db);
    expect(stored.rows[0]!.key_hash).not.toContain(apiKey.slice(5));
    expect((await problemOf(kit.locks.registerAuthority(admin, { ...authority, unitCode: 'PC06-HCM' }))).code).toBe(
      'LOCK_AUTHORITY_CODE_TAKEN',
    );

    const holder = await kit.holder();
    const me = await kit.locks.authenticateAuthority(apiKey);
    const { request } = await kit.locks.receiveFromAuthority(me, {
      action: 'lock',
      identifier: holder.pin!,
      documentNo: '501/CSĐT',
      documentDate: '2026-04-24',
      statement: 'Phục vụ điều tra',
    });
    expect(request).toMatchObject({
      channel: 'api',
      state: 'received',
      receivingUnitId: kit.units['PC06-HCM'],
      requester: { authorityId: authority.id, email: 'csdt@congan.hochiminhcity.gov.vn', documentNo: '501/CSĐT' },
    });
    expect(request.dueAt).toEqual(endOfVnDay('2026-04-28'));
    expect((await kit.locks.requestOfAuthority(me, request.id)).id).toBe(request.id);

    const other = await kit.locks.registerAuthority(admin, {
      code: 'TAND-HCM',
      name: 'Tòa án nhân dân TP Hồ Chí Minh',
      kind: 'court',
      unitCode: 'PC06-HCM',
    });
    expect((await problemOf(kit.locks.requestOfAuthority(other.authority, request.id))).code).toBe('NOT_FOUND');

    for (const key of ['', 'ddak_wrong', apiKey.slice(0, -1), `${apiKey}x`]) {
      expect((await problemOf(kit.locks.authenticateAuthority(key))).code).toBe('LOCK_AUTHORITY_KEY_INVALID');
    }
    await kit.locks.disableAuthority(admin, authority.id);
    expect((await problemOf(kit.locks.authenticateAuthority(apiKey))).code).toBe('LOCK_AUTHORITY_KEY_INVALID');
  });
});

async function approversOf(code: string): Promise<string[]> {
  return (await kit.services.backoffice.officersOf(kit.units[code]!))
    .filter((o) => o.role === 'APPROVER')
    .map((o) => o.accountId);
}

function unique<T>(value: T, index: number, all: T[]): boolean {
  return all.indexOf(value) === index;
}
