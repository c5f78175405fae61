import { sql } from 'kysely';
import { beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import type { Account } from '../identity/service.ts';
import { createGroundKeeper } from './grounds.ts';
import { ctx, lockKit, noticesOf, PASSCODE, problemOf, type LockKit } from './testing.ts';

/**
 * Every lock and unlock case of DOMAIN.md §6 and their combinations, through the lock service
 * over a real database: the holder's own lock (app, passcode) and its lift (app, or TK03 at the
 * counter); a terms-of-use lock set and lifted by a C06 APPROVER with a written reason; an
 * authority's lock through the PC06 → C06 chain; a locked holder's unlock request; and several
 * grounds at once, where the identity is unlocked only when none is left.
 */

const t = useTestDatabase();
const clock = fixedClock('2026-03-02T03:00:00Z');
let kit: LockKit;
let pc06Receiver: string;
let pc06Approver: string;
let c06Approver: string;
let communeReceiver: string;

beforeAll(async () => {
  kit = await lockKit(testPlatform(t.db, { clock }));
  pc06Receiver = await kit.officer('PC06-HNI', 'RECEIVER');
  pc06Approver = await kit.officer('PC06-HNI', 'APPROVER');
  c06Approver = await kit.officer('C06', 'APPROVER');
  communeReceiver = await kit.officer('CAP-HNI-HOANKIEM', 'RECEIVER');
});

const status = async (id: string) => (await kit.services.identity.get(id))!;

/** An authority's lock, received at PC06 Hà Nội, forwarded, approved by C06. */
async function authorityLock(account: Account, documentNo = '12/QĐ-CSĐT') {
  const { request } = await kit.locks.receive(pc06Receiver, kit.units['PC06-HNI']!, {
    origin: 'authority',
    action: 'lock',
    identifier: account.pin!,
    channel: 'post',
    requester: {
      name: 'Cơ quan Cảnh sát điều tra Công an TP Hà Nội',
      kind: 'investigation',
      email: 'csdt@congan.hanoi.gov.vn',
      documentNo,
      documentDate: '2026-02-27',
    },
    statement: 'Phục vụ điều tra vụ án lừa đảo chiếm đoạt tài sản',
  });
  const forwarded = await kit.locks.decide(pc06Approver, request.id, { event: 'forward', expectedVersion: 1 });
  const approved = await kit.locks.decide(c06Approver, request.id, {
    event: 'approve',
    expectedVersion: forwarded.request.version,
  });
  return approved.request;
}

async function authorityUnlock(account: Account, lockNumber: string) {
  const { request } = await kit.locks.receive(pc06Receiver, kit.units['PC06-HNI']!, {
    origin: 'authority',
    action: 'unlock',
    identifier: account.pin!,
    channel: 'counter',
    requester: {
      name: 'Tòa án nhân dân TP Hà Nội',
      kind: 'court',
      documentNo: '3/CV-TA',
      documentDate: '2026-03-01',
    },
    statement: 'Vụ án đã được đình chỉ',
    targetRequestNumber: lockNumber,
  });
  const forwarded = await kit.locks.decide(pc06Approver, request.id, { event: 'forward', expectedVersion: 1 });
  return (
    await kit.locks.decide(c06Approver, request.id, { event: 'approve', expectedVersion: forwarded.request.version })
  ).request;
}

describe("the holder's own lock (Law on Identification Art 34 case a; seed 003 (a))", () => {
  test('in the app with the passcode: locked at once, recorded with its basis, told on every channel, sessions ended', async () => {
    const holder = await kit.holder();
    const change = await kit.locks.lockOwn(holder.id, PASSCODE, ctx);
    expect(change.account).toMatchObject({ status: 'locked', lockReasons: ['holder_request'] });
    expect(change.ground).toMatchObject({
      ground: 'holder_request',
      source: 'holder_app',
      setBy: `subject:${holder.id}`,
      legalBasis: expect.stringContaining('Luật Căn cước 2023 Điều 34'),
      liftedAt: null,
    });
    const notices = await noticesOf(t.db, holder.id, 'account_locked');
    expect(notices.map((n) => n.channel).sort()).toEqual(['email', 'inbox', 'sms']);
    expect(notices[0]!.params).toEqual({ ground: 'holder_request', lockedOn: '2026-03-02' });
    expect(kit.ended).toContain(holder.id);
    // Locked, it cannot lock again (auth refuses a locked account's passcode check).
    expect((await problemOf(kit.locks.lockOwn(holder.id, PASSCODE, ctx))).code).toBe('ACCOUNT_NOT_ACTIVE');
  });

  test('lifted in the app with the passcode: active again, the lift recorded and told', async () => {
    const holder = await kit.holder();
    await kit.locks.lockOwn(holder.id, PASSCODE, ctx);
    const lifted = await kit.locks.unlockOwn(holder.id, PASSCODE, ctx);
    expect(lifted.account.status).toBe('active');
    expect(lifted.ground).toMatchObject({ liftedBy: `subject:${holder.id}`, liftReason: 'holder_app' });
    expect((await noticesOf(t.db, holder.id, 'lock_ground_lifted'))[0]!.params).toEqual({
      ground: 'holder_request',
      liftedOn: '2026-03-02',
      stillLocked: false,
    });
    expect((await problemOf(kit.locks.unlockOwn(holder.id, PASSCODE, ctx))).code).toBe('LOCK_GROUND_NOT_ACTIVE');
  });

  test('at a commune counter with TK03 (holder present): lock and unlock take effect at once', async () => {
    const holder = await kit.holder();
    const unit = kit.units['CAP-HNI-HOANKIEM']!;
    const locked = await kit.locks.receive(communeReceiver, unit, {
      origin: 'holder',
      action: 'lock',
      identifier: holder.pin!,
    });
    expect(locked.request).toMatchObject({ kind: 'holder_counter', state: 'approved', number: /^TK03-2026-\d{6}$/ });
    expect(locked.change?.ground).toMatchObject({ source: 'holder_counter_tk03', reference: locked.request.id });
    expect((await status(holder.id)).status).toBe('locked');
    const unlocked = await kit.locks.receive(communeReceiver, unit, {
      origin: 'holder',
      action: 'unlock',
      identifier: holder.pin!,
    });
    expect(unlocked.request).toMatchObject({ state: 'approved', targetGroundId: locked.change!.ground.id });
    expect((await status(holder.id)).status).toBe('active');
  });

  test('only a RECEIVER of the unit (or above) receives a TK03', async () => {
    const holder = await kit.holder();
    const elsewhere = await kit.officer('PC06-HCM', 'RECEIVER');
    const refused = await problemOf(
      kit.locks.receive(elsewhere, kit.units['CAP-HNI-HOANKIEM']!, {
        origin: 'holder',
        action: 'lock',
        identifier: holder.pin!,
      }),
    );
    expect(refused).toMatchObject({ code: 'LOCK_OFFICER_ROLE_REQUIRED', status: 403 });
    expect((await status(holder.id)).status).toBe('active');
  });
});

describe('terms of use (Law Art 34 case b): a C06 APPROVER, with a written reason', () => {
  test('set and lifted; the holder is told the reason; audited with the officer', async () => {
    const holder = await kit.holder();
    const reason = 'Dùng tài khoản để mạo danh người khác (điều 5 thỏa thuận sử dụng)';
    const set = await kit.locks.setTermsViolation(c06Approver, holder.id, reason);
    expect(set.ground).toMatchObject({ ground: 'terms_violation', source: 'officer', detail: reason });
    expect((await noticesOf(t.db, holder.id, 'account_locked'))[0]!.params).toMatchObject({
      ground: 'terms_violation',
      detail: reason,
    });
    const lifted = await kit.locks.liftTermsViolation(c06Approver, holder.id, 'Đã khắc phục vi phạm');
    expect(lifted.account.status).toBe('active');
    // The ledger answers newest first.
    const history = (await kit.services.audit.historyOf({ kind: 'account', id: holder.id })).reverse();
    expect(history.filter((e) => e.action.startsWith('locks.ground')).map((e) => [e.action, e.actor_id])).toEqual([
      ['locks.ground.set', c06Approver],
      ['locks.ground.lift', c06Approver],
    ]);
  });

  test('refused to a PC06 approver, to a receiver, and without a reason', async () => {
    const holder = await kit.holder();
    for (const officer of [pc06Approver, pc06Receiver]) {
      expect((await problemOf(kit.locks.setTermsViolation(officer, holder.id, 'x'))).code).toBe(
        'LOCK_OFFICER_ROLE_REQUIRED',
      );
    }
    expect((await problemOf(kit.locks.setTermsViolation(c06Approver, holder.id, '  '))).code).toBe(
      'LOCK_REQUEST_INVALID',
    );
    expect((await status(holder.id)).status).toBe('active');
  });
});

describe('several grounds at once: unlocked only when none is left (DOMAIN.md §6)', () => {
  test('authority lock + own lock: the own unlock leaves it locked; the authority’s unlock frees it', async () => {
    const holder = await kit.holder();
    const lock = await authorityLock(holder);
    expect((await status(holder.id)).lockReasons).toEqual(['authority_request']);
    // Locked by the authority, the holder adds their own lock at the counter.
    await kit.locks.receive(communeReceiver, kit.units['CAP-HNI-HOANKIEM']!, {
      origin: 'holder',
      action: 'lock',
      identifier: holder.pin!,
    });
    expect((await status(holder.id)).lockReasons.sort()).toEqual(['authority_request', 'holder_request']);
    const own = await kit.locks.unlockOwn(holder.id, PASSCODE, ctx);
    expect(own.account).toMatchObject({ status: 'locked', lockReasons: ['authority_request'] });
    expect((await noticesOf(t.db, holder.id, 'lock_ground_lifted'))[0]!.params).toMatchObject({ stillLocked: true });
    const unlock = await authorityUnlock(holder, lock.number);
    expect(unlock.state).toBe('approved');
    expect(await status(holder.id)).toMatchObject({ status: 'active', lockReasons: [] });
  });

  test('two authorities each hold a lock: lifting one keeps the identity locked on that ground', async () => {
    const holder = await kit.holder();
    const first = await authorityLock(holder, '1/QĐ');
    await authorityLock(holder, '2/QĐ');
    expect((await kit.locks.activeGroundsOf(holder.id)).map((g) => g.ground)).toEqual([
      'authority_request',
      'authority_request',
    ]);
    await authorityUnlock(holder, first.number);
    expect(await status(holder.id)).toMatchObject({ status: 'locked', lockReasons: ['authority_request'] });
    expect(await kit.locks.activeGroundsOf(holder.id)).toHaveLength(1);
  });

  test('terms violation + own lock + authority lock, lifted one by one in any order', async () => {
    const holder = await kit.holder();
    await kit.locks.lockOwn(holder.id, PASSCODE, ctx);
    await kit.locks.setTermsViolation(c06Approver, holder.id, 'Chia sẻ tài khoản cho người khác');
    const lock = await authorityLock(holder);
    expect((await status(holder.id)).lockReasons.sort()).toEqual([
      'authority_request',
      'holder_request',
      'terms_violation',
    ]);
    await kit.locks.liftTermsViolation(c06Approver, holder.id, 'Đã khắc phục');
    await authorityUnlock(holder, lock.number);
    expect((await status(holder.id)).status).toBe('locked');
    await kit.locks.unlockOwn(holder.id, PASSCODE, ctx);
    expect((await status(holder.id)).status).toBe('active');
  });

  test('a second record of the same ground is refused (one own lock, one terms lock)', async () => {
    const holder = await kit.holder();
    await kit.locks.setTermsViolation(c06Approver, holder.id, 'Vi phạm lần một');
    expect((await problemOf(kit.locks.setTermsViolation(c06Approver, holder.id, 'Vi phạm lần hai'))).code).toBe(
      'LOCK_GROUND_ALREADY_SET',
    );
  });
});

describe("a locked holder's unlock request (policy: locking never makes unlocking impossible)", () => {
  test('terms violation remedied: the holder asks, a C06 APPROVER lifts it; asking twice returns the same request', async () => {
    const holder = await kit.holder();
    const set = await kit.locks.setTermsViolation(c06Approver, holder.id, 'Đăng tải nội dung sai sự thật');
    const request = await kit.locks.requestUnlock(holder.id, {
      groundId: set.ground.id,
      statement: 'Tôi đã gỡ bỏ nội dung và cam kết không tái phạm',
    });
    expect(request).toMatchObject({ kind: 'holder_unlock', state: 'received', unitId: await c06UnitId() });
    expect(
      (await kit.locks.requestUnlock(holder.id, { groundId: set.ground.id, statement: 'Xin lại lần nữa' })).id,
    ).toBe(request.id);
    const queue = await kit.locks.queue(c06Approver);
    expect(queue.find((e) => e.request.id === request.id)).toMatchObject({ workingDaysLeft: 2, overdue: false });
    const { request: approved } = await kit.locks.decide(c06Approver, request.id, {
      event: 'approve',
      expectedVersion: request.version,
    });
    expect(approved).toMatchObject({ state: 'approved', groundId: set.ground.id });
    expect((await status(holder.id)).status).toBe('active');
  });

  test('refused in writing: the holder is told the reasons and stays locked', async () => {
    const holder = await kit.holder();
    const set = await kit.locks.setTermsViolation(c06Approver, holder.id, 'Mua bán tài khoản');
    const request = await kit.locks.requestUnlock(holder.id, { groundId: set.ground.id, statement: 'Xin mở khóa' });
    expect(
      (await problemOf(kit.locks.decide(c06Approver, request.id, { event: 'refuse', expectedVersion: 1 }))).code,
    ).toBe('LOCK_REASONS_REQUIRED');
    await kit.locks.decide(c06Approver, request.id, {
      event: 'refuse',
      expectedVersion: 1,
      reasons: ['Chưa có bằng chứng khắc phục'],
    });
    expect((await noticesOf(t.db, holder.id, 'unlock_request_refused'))[0]!.params).toEqual({
      requestNo: request.number,
      reasons: ['Chưa có bằng chứng khắc phục'],
    });
    expect((await status(holder.id)).status).toBe('locked');
  });

  test('an authority’s lock, the own lock and another holder’s ground cannot be asked for this way', async () => {
    const holder = await kit.holder();
    await authorityLock(holder);
    await kit.locks.receive(communeReceiver, kit.units['CAP-HNI-HOANKIEM']!, {
      origin: 'holder',
      action: 'lock',
      identifier: holder.pin!,
    });
    for (const ground of await kit.locks.activeGroundsOf(holder.id)) {
      const refused = await problemOf(kit.locks.requestUnlock(holder.id, { groundId: ground.id, statement: 'x' }));
      expect(refused).toMatchObject({ code: 'LOCK_GROUND_NOT_LIFTABLE', params: { ground: ground.ground } });
    }
    const other = await kit.holder();
    const theirs = await kit.locks.setTermsViolation(c06Approver, other.id, 'Vi phạm');
    expect(
      (await problemOf(kit.locks.requestUnlock(holder.id, { groundId: theirs.ground.id, statement: 'x' }))).code,
    ).toBe('NOT_FOUND');
  });
});

describe('death (Law on Identification Art 34 case d): never lifted', () => {
  test('no path lifts it, and the database refuses a lift written by hand', async () => {
    const holder = await kit.holder();
    const change = await t.db.transaction().execute(async (trx) => {
      // What the sync worker does (registry-sync.test.ts drives it from the feed).
      const keeper = createGroundKeeper(clock, {
        identity: kit.services.identity,
        notify: kit.services.notify,
        audit: kit.services.audit,
        contactPhoneOf: async (a) => a.phone,
      });
      return keeper.set(trx, {
        accountId: holder.id,
        ground: 'death',
        source: 'registry_sync',
        reference: 'test-death',
        detail: null,
        actor: { kind: 'system', id: 'test' },
        notice: 'never',
      });
    });
    expect(await noticesOf(t.db, holder.id, 'account_locked')).toEqual([]);
    expect(
      (await problemOf(kit.locks.requestUnlock(holder.id, { groundId: change.ground.id, statement: 'x' }))).code,
    ).toBe('LOCK_GROUND_NOT_LIFTABLE');
    await expect(
      sql`update locks.grounds set lifted_at = now(), lifted_by = 'x' where id = ${change.ground.id}`.execute(t.db),
    ).rejects.toThrow(/death_never_lifted/);
    expect((await status(holder.id)).lockReasons).toEqual(['death']);
  });
});

async function c06UnitId() {
  return kit.units.C06!;
}
