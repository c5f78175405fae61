import { beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { authKit, makeAccount, uniqueSubject } from '../auth/testing.ts';
import { Problem } from '../platform/errors.ts';
import { DEMO_PERSONS } from '../registries/demo.ts';
import { seedSandbox } from '../registries/seed.ts';

const t = useTestDatabase();
const officer = { kind: 'account', id: 'test-officer' };

beforeAll(async () => {
  await seedSandbox(t.database.pool, { citizens: 300, seed: 's' });
});

function kit(clock = fixedClock('2026-03-02T03:00:00Z')) {
  return { clock, ...authKit(testPlatform(t.db, { clock })) };
}

async function problemOf(promise: Promise<unknown>): Promise<Problem> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Problem);
  return error as Problem;
}

describe('phone numbers (DOMAIN.md §4: one account per phone)', () => {
  test('a phone bound to an account cannot be bound to another: PHONE_ALREADY_BOUND (409)', async () => {
    const { identity } = kit();
    const first = await makeAccount(identity, t.db);
    const second = uniqueSubject();
    const refused = await problemOf(
      identity.createAccount(t.db, {
        subjectKind: 'citizen',
        registryId: second.registryId,
        pin: second.pin,
        fullName: 'Lê Văn Hai',
        level: 1,
        // the same number in national format
        phone: `0${first.phone!.slice(3)}`,
      }),
    );
    expect(refused.code).toBe('PHONE_ALREADY_BOUND');
    expect(refused.status).toBe(409);
    expect(await identity.findByIdentifier(second.pin)).toBeUndefined();

    const other = await makeAccount(identity, t.db);
    const onChange = await problemOf(
      identity.setPhone(t.db, other.id, first.phone, { expectedVersion: other.version, actor: officer }),
    );
    expect(onChange.code).toBe('PHONE_ALREADY_BOUND');
    expect((await identity.get(other.id))?.phone).toBe(other.phone);
  });

  test('the database refuses a second binding even when the check is bypassed (a race)', async () => {
    const { identity } = kit();
    const a = await makeAccount(identity, t.db);
    const b = await makeAccount(identity, t.db);
    await expect(
      t.db.updateTable('identity.accounts').set({ phone: a.phone }).where('id', '=', b.id).execute(),
    ).rejects.toThrow(/accounts_phone_bound/);
  });

  test('closing an account releases its phone', async () => {
    const { identity } = kit();
    const a = await makeAccount(identity, t.db);
    await identity.close(t.db, a.id, { expectedVersion: a.version, actor: officer });
    const b = await makeAccount(identity, t.db, { phone: a.phone });
    expect(b.phone).toBe(a.phone);
  });

  test('rejects what is not a phone number', async () => {
    const { identity } = kit();
    const refused = await problemOf(makeAccount(identity, t.db, { phone: '12-34' }));
    expect(refused).toMatchObject({ code: 'ACCOUNT_INVALID', field: 'phone', status: 400 });
  });
});

describe('one live account per subject', () => {
  test('a second account for the same registry subject is refused; after closing, a new one is possible', async () => {
    const { identity } = kit();
    const a = await makeAccount(identity, t.db);
    const again = await problemOf(
      identity.createAccount(t.db, {
        subjectKind: 'citizen',
        registryId: a.registryId,
        pin: a.pin,
        fullName: a.fullName,
        level: 1,
      }),
    );
    expect(again.code).toBe('ACCOUNT_ALREADY_EXISTS');
    await identity.close(t.db, a.id, { expectedVersion: a.version, actor: officer });
    const renewed = await identity.createAccount(t.db, {
      subjectKind: 'citizen',
      registryId: a.registryId,
      pin: a.pin,
      fullName: a.fullName,
      level: 1,
    });
    expect(renewed.id).not.toBe(a.id);
    expect((await identity.findByIdentifier(a.pin!))?.id).toBe(renewed.id);
  });

  test('organisations have no level; persons need one (Decree 69 Art 7)', async () => {
    const { identity } = kit();
    const org = await identity.createAccount(t.db, {
      subjectKind: 'organisation',
      registryId: `org-${Date.now()}`,
      enterpriseCode: '0109999999',
      fullName: 'Công ty TNHH Kiểm Thử',
      level: 2,
    });
    expect(org.level).toBeNull();
    const s = uniqueSubject();
    const refused = await problemOf(
      identity.createAccount(t.db, {
        subjectKind: 'citizen',
        registryId: s.registryId,
        pin: s.pin,
        fullName: 'X',
        level: null,
      }),
    );
    expect(refused).toMatchObject({ code: 'ACCOUNT_INVALID', field: 'level' });
  });
});

describe('state changes are conditional updates', () => {
  test('two concurrent changes from the same version: one wins, the other gets CONFLICT', async () => {
    const { identity } = kit();
    const a = await makeAccount(identity, t.db);
    const results = await Promise.allSettled([
      identity.lock(t.db, a.id, 'holder_request', { expectedVersion: a.version, actor: officer }),
      identity.lock(t.db, a.id, 'authority_request', { expectedVersion: a.version, actor: officer }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT', status: 409 });
    const now = await identity.get(a.id);
    expect(now).toMatchObject({ status: 'locked', version: a.version + 1 });
    expect(now!.lockReasons).toHaveLength(1);
  });

  test('a change from a stale version gets CONFLICT and changes nothing', async () => {
    const { identity } = kit();
    const a = await makeAccount(identity, t.db);
    const locked = await identity.lock(t.db, a.id, 'holder_request', { expectedVersion: a.version, actor: officer });
    const stale = await problemOf(identity.close(t.db, a.id, { expectedVersion: a.version, actor: officer }));
    expect(stale.code).toBe('CONFLICT');
    expect(await identity.get(a.id)).toEqual(locked);
  });

  test('lock and unlock are audited in the same transaction; death has no unlock', async () => {
    const { identity, audit } = kit();
    const a = await makeAccount(identity, t.db);
    const locked = await identity.lock(t.db, a.id, 'death', { expectedVersion: a.version, actor: officer });
    const refused = await problemOf(
      identity.unlock(t.db, a.id, 'death', { expectedVersion: locked.version, actor: officer }),
    );
    expect(refused).toMatchObject({
      code: 'ACCOUNT_TRANSITION_NOT_ALLOWED',
      extensions: { reason: 'death_has_no_unlock' },
    });
    const history = await audit.historyOf({ kind: 'account', id: a.id });
    expect(history.map((e) => e.action).sort()).toEqual(['identity.account.create', 'identity.account.lock']);
    expect(history.find((e) => e.action === 'identity.account.lock')).toMatchObject({
      actor_id: 'test-officer',
      detail: { from: 'active', to: 'locked', reason: 'death' },
    });
  });

  test('a change that fails leaves neither the change nor its audit entry', async () => {
    const { identity, audit } = kit();
    const a = await makeAccount(identity, t.db);
    await expect(
      t.db.transaction().execute(async (trx) => {
        await identity.lock(trx, a.id, 'holder_request', { expectedVersion: a.version, actor: officer });
        throw new Error('the caller failed');
      }),
    ).rejects.toThrow('the caller failed');
    expect((await identity.get(a.id))?.status).toBe('active');
    expect((await audit.historyOf({ kind: 'account', id: a.id })).map((e) => e.action)).toEqual([
      'identity.account.create',
    ]);
  });
});

describe('activation (Decree 69 Art 14)', () => {
  test('in the app within 7 days; expired afterwards by the job; then only by the call centre', async () => {
    const { identity, clock } = kit(fixedClock('2026-03-02T03:00:00Z'));
    const a = await makeAccount(identity, t.db, { status: 'pending_activation' });
    expect(a.activationDueAt?.toISOString()).toBe('2026-03-09T16:59:59.999Z');
    const b = await makeAccount(identity, t.db, { status: 'pending_activation' });
    const activated = await identity.activate(t.db, b.id, { expectedVersion: b.version, actor: officer, via: 'app' });
    expect(activated).toMatchObject({ status: 'active', activationDueAt: null });
    expect(activated.activatedAt?.toISOString()).toBe('2026-03-02T03:00:00.000Z');

    clock.set('2026-03-09T16:59:59.000Z');
    expect(await identity.expireDueActivations()).toBe(0);
    clock.set('2026-03-09T17:00:00.000Z');
    const late = await problemOf(
      identity.activate(t.db, a.id, { expectedVersion: a.version, actor: { kind: 'account', id: a.id }, via: 'app' }),
    );
    expect(late.code).toBe('ACCOUNT_TRANSITION_NOT_ALLOWED');
    expect(await identity.expireDueActivations()).toBeGreaterThanOrEqual(1);
    const expired = await identity.get(a.id);
    expect(expired?.status).toBe('activation_expired');
    const byHotline = await identity.activate(t.db, a.id, {
      expectedVersion: expired!.version,
      actor: officer,
      via: 'call_centre',
    });
    expect(byHotline.status).toBe('active');
  });
});

describe('reissue of activation by the call centre (Decree 69 Art 14.2)', () => {
  const verification = {
    method: 'video_call' as const,
    note: 'Gọi video, khuôn mặt khớp ảnh thẻ CCCD 001090048213, số điện thoại 0912345678',
  };

  async function expiredAccount(identity: ReturnType<typeof kit>['identity'], clock: ReturnType<typeof fixedClock>) {
    const pending = await makeAccount(identity, t.db, { status: 'pending_activation' });
    clock.set('2026-03-10T01:00:00Z');
    await identity.expireDueActivations();
    const expired = (await identity.get(pending.id))!;
    expect(expired.status).toBe('activation_expired');
    return expired;
  }

  test('an expired account is pending again with a new 7-day period, audited without the note', async () => {
    const { identity, audit, clock } = kit(fixedClock('2026-03-02T03:00:00Z'));
    const expired = await expiredAccount(identity, clock);
    clock.set('2026-03-12T02:00:00Z');
    const reissued = await identity.reissueActivation(t.db, expired.id, {
      expectedVersion: expired.version,
      actor: officer,
      reason: 'Công dân gọi tổng đài: chưa kịp kích hoạt',
      verification,
    });
    expect(reissued).toMatchObject({ status: 'pending_activation', version: expired.version + 1 });
    expect(reissued.activationDueAt?.toISOString()).toBe('2026-03-19T16:59:59.999Z');

    const entry = (await audit.historyOf({ kind: 'account', id: expired.id })).find(
      (e) => e.action === 'identity.account.reissue_activation',
    );
    expect(entry).toMatchObject({
      actor_id: 'test-officer',
      detail: {
        from: 'activation_expired',
        to: 'pending_activation',
        reason: 'Công dân gọi tổng đài: chưa kịp kích hoạt',
        verification: { method: 'video_call', noteSha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
        activationDueAt: '2026-03-19T16:59:59.999Z',
      },
    });
    const stored = JSON.stringify(entry);
    expect(stored).not.toContain('001090048213');
    expect(stored).not.toContain('0912345678');
    expect(stored).not.toContain('Gọi video');

    // The new period runs out like the first one did.
    clock.set('2026-03-19T17:00:00Z');
    expect(await identity.expireDueActivations()).toBeGreaterThanOrEqual(1);
    expect((await identity.get(expired.id))?.status).toBe('activation_expired');
  });

  test('only from activation_expired, from the version read, with a reason and a known method', async () => {
    const { identity, clock } = kit(fixedClock('2026-03-02T03:00:00Z'));
    const pending = await makeAccount(identity, t.db, { status: 'pending_activation' });
    const notExpired = await problemOf(
      identity.reissueActivation(t.db, pending.id, {
        expectedVersion: pending.version,
        actor: officer,
        reason: 'x',
        verification,
      }),
    );
    expect(notExpired).toMatchObject({
      code: 'ACCOUNT_TRANSITION_NOT_ALLOWED',
      status: 409,
      extensions: { reason: 'not_expired' },
    });

    const expired = await expiredAccount(identity, clock);
    const stale = await problemOf(
      identity.reissueActivation(t.db, expired.id, {
        expectedVersion: expired.version - 1,
        actor: officer,
        reason: 'x',
        verification,
      }),
    );
    expect(stale).toMatchObject({ code: 'CONFLICT', status: 409 });
    const noReason = await problemOf(
      identity.reissueActivation(t.db, expired.id, {
        expectedVersion: expired.version,
        actor: officer,
        reason: '  ',
        verification,
      }),
    );
    expect(noReason).toMatchObject({ code: 'ACCOUNT_INVALID', field: 'reason' });
    const badMethod = await problemOf(
      identity.reissueActivation(t.db, expired.id, {
        expectedVersion: expired.version,
        actor: officer,
        reason: 'x',
        verification: { method: 'trust_me' as never, note: 'n' },
      }),
    );
    expect(badMethod).toMatchObject({ code: 'ACCOUNT_INVALID', field: 'verification.method' });
    expect(await identity.get(expired.id)).toMatchObject({ status: 'activation_expired', version: expired.version });
  });
});

describe('lookup and profile (through the registry ports)', () => {
  test('finds accounts by PIN, passport (with or without country) and enterprise code', async () => {
    const { identity, registries } = kit();
    const an = (await registries.identity.findByPin(DEMO_PERSONS.citizen.pin))!;
    const account = await identity.createAccount(t.db, {
      subjectKind: 'citizen',
      registryId: an.registryId,
      pin: an.pin,
      fullName: an.fullName,
      level: 2,
      status: 'active',
      phone: DEMO_PERSONS.citizen.phone,
    });
    expect((await identity.findByIdentifier(an.pin))?.id).toBe(account.id);

    const f = DEMO_PERSONS.foreigner;
    const kim = (await registries.immigration.findByPassport(f.passportCountry, f.passportNumber))!;
    const foreign = await identity.createAccount(t.db, {
      subjectKind: 'foreigner',
      registryId: kim.registryId,
      passport: { country: f.passportCountry, number: f.passportNumber },
      fullName: kim.fullName,
      level: 1,
      status: 'active',
    });
    expect((await identity.findByIdentifier('m12345678'))?.id).toBe(foreign.id);
    expect((await identity.findByIdentifier('KOR:M12345678'))?.id).toBe(foreign.id);
    expect(await identity.findByIdentifier('JPN:M12345678')).toBeUndefined();
    expect(await identity.findByIdentifier('999999999999')).toBeUndefined();
    expect(await identity.findByIdentifier('x'.repeat(500))).toBeUndefined();

    const profile = await identity.profileOf(account.id);
    expect(profile).toEqual({
      accountId: account.id,
      fullName: 'Nguyễn Văn An',
      familyName: 'Nguyễn',
      middleName: 'Văn',
      givenName: 'An',
      birthdate: '1990-05-15',
      gender: 'male',
      pin: '001090048213',
      nationality: 'VNM',
      address: expect.stringContaining('Phường Yên Hòa'),
      phone: '+84912345678',
      email: null,
      level: 2,
    });
    expect(await identity.profileOf(foreign.id)).toMatchObject({
      fullName: 'KIM MIN JUN',
      familyName: 'KIM',
      givenName: 'MIN JUN',
      birthdate: '1985-07-07',
      gender: 'male',
      pin: null,
      nationality: 'KOR',
      level: 1,
    });
    expect(await identity.profileOf('00000000-0000-0000-0000-000000000000')).toBeUndefined();
  });

  test('an organisation profile comes from the business registry', async () => {
    const { identity, registries } = kit();
    const org = (await registries.business.findByEnterpriseCode(DEMO_PERSONS.organisation.enterpriseCode))!;
    const account = await identity.createAccount(t.db, {
      subjectKind: 'organisation',
      registryId: org.registryId,
      enterpriseCode: org.enterpriseCode,
      fullName: org.name,
      level: null,
      status: 'active',
    });
    expect((await identity.findByIdentifier(org.enterpriseCode))?.id).toBe(account.id);
    expect(await identity.profileOf(account.id)).toMatchObject({
      fullName: 'Công ty Cổ phần Công nghệ Sao Mai',
      address: expect.stringContaining('Phạm Hùng'),
      level: null,
      gender: null,
      birthdate: null,
    });
  });
});

describe('a PIN re-issued by the Identity DB (Decree 70/2024 Art 11.7)', () => {
  test('the account keeps its key and takes the new PIN; the ledger keeps the last digits only', async () => {
    const { identity, audit } = kit();
    const a = await makeAccount(identity, t.db);
    const fresh = uniqueSubject().pin;
    const changed = await identity.setPin(t.db, a.id, fresh, { expectedVersion: a.version, actor: officer });
    expect(changed).toMatchObject({ id: a.id, pin: fresh, version: a.version + 1, status: 'active' });
    expect((await identity.findByIdentifier(fresh))?.id).toBe(a.id);
    expect(await identity.findByIdentifier(a.pin!)).toBeUndefined();
    const entry = (await audit.historyOf({ kind: 'account', id: a.id })).find(
      (e) => e.action === 'identity.account.set_pin',
    );
    expect(entry?.detail).toEqual({
      previousPinEnd: a.pin!.slice(-3),
      pinEnd: fresh.slice(-3),
      version: a.version + 1,
    });
  });

  test('refuses a malformed PIN, one another live account holds, a non-citizen and a stale version', async () => {
    const { identity, registries } = kit();
    const a = await makeAccount(identity, t.db);
    const b = await makeAccount(identity, t.db);
    const options = { expectedVersion: a.version, actor: officer };
    expect((await problemOf(identity.setPin(t.db, a.id, '12345', options))).code).toBe('ACCOUNT_INVALID');
    expect(await problemOf(identity.setPin(t.db, a.id, b.pin!, options))).toMatchObject({
      code: 'ACCOUNT_INVALID',
      field: 'pin',
    });
    const stale = await problemOf(
      identity.setPin(t.db, a.id, uniqueSubject().pin, { expectedVersion: a.version + 5, actor: officer }),
    );
    expect(stale.code).toBe('CONFLICT');
    const org = (await registries.business.findByEnterpriseCode(DEMO_PERSONS.organisation.enterpriseCode))!;
    const company =
      (await identity.findByIdentifier(org.enterpriseCode)) ??
      (await identity.createAccount(t.db, {
        subjectKind: 'organisation',
        registryId: org.registryId,
        enterpriseCode: org.enterpriseCode,
        fullName: org.name,
        level: null,
        status: 'active',
      }));
    const refused = await problemOf(
      identity.setPin(t.db, company.id, uniqueSubject().pin, { expectedVersion: company.version, actor: officer }),
    );
    expect(refused.code).toBe('ACCOUNT_TRANSITION_NOT_ALLOWED');
    expect((await identity.get(a.id))?.pin).toBe(a.pin);
  });
});
