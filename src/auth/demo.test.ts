import { Secret, TOTP } from 'otpauth';
import { sql } from 'kysely';
import { beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from '../../test/database.ts';
import { Problem } from '../platform/errors.ts';
import { DEMO_PERSONS } from '../registries/demo.ts';
import { seedSandbox } from '../registries/seed.ts';
import { DEMO_PASSCODE, DEMO_PASSWORD, demoTotpSecret, seedDemoAccounts, type DemoLogin } from './demo.ts';
import { authKit, ctx } from './testing.ts';

const t = useTestDatabase();
const clock = fixedClock('2026-03-02T03:00:10Z');
let kit: ReturnType<typeof authKit>;
let logins: DemoLogin[];
const by = (label: string) => logins.find((l) => l.label === label)!;

beforeAll(async () => {
  await seedSandbox(t.database.pool, { citizens: 300, seed: 's' });
  kit = authKit(testPlatform(t.db, { clock }));
  logins = await seedDemoAccounts(kit.platform, kit);
});

async function accountCount(): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from identity.accounts`.execute(t.db);
  return rows[0]!.n;
}

describe('sandbox demo accounts', () => {
  test('citizens, a foreigner, a pending account and six officers, all with the demo password', async () => {
    expect(logins.map((l) => l.label)).toEqual([
      'citizen',
      'spouse',
      'pending',
      'foreigner',
      'officer-receiver-hoankiem',
      'officer-approver-hoankiem',
      'officer-approver-c06',
      'officer-callcenter-c06',
      'officer-admin-c06',
      'officer-receiver-pc06-hcm',
    ]);
    expect(by('citizen')).toMatchObject({
      identifier: DEMO_PERSONS.citizen.pin,
      fullName: 'Nguyễn Văn An',
      level: 2,
      status: 'active',
      password: DEMO_PASSWORD,
      passcode: DEMO_PASSCODE,
    });
    expect(by('spouse')).toMatchObject({ fullName: 'Trần Thị Bình', level: 1, status: 'active' });
    expect(by('foreigner')).toMatchObject({ identifier: 'M12345678', level: 1, status: 'active' });
    expect(by('pending')).toMatchObject({ status: 'pending_activation' });
    const officers = logins.filter((l) => l.label.startsWith('officer-'));
    expect(new Set(officers.map((o) => o.identifier)).size).toBe(6);
    expect(officers.map((o) => o.roles)).toEqual([
      ['RECEIVER@CAP-HNI-HOANKIEM'],
      ['APPROVER@CAP-HNI-HOANKIEM'],
      ['APPROVER@C06'],
      ['CALL_CENTER@C06'],
      ['ADMIN@C06'],
      ['RECEIVER@PC06-HCM'],
    ]);
    for (const o of officers) expect(o.totpUri).toContain(`secret=${demoTotpSecret(o.label)}`);
  });

  test('is idempotent', async () => {
    const before = await accountCount();
    const again = await seedDemoAccounts(kit.platform, kit);
    expect(again.map((l) => l.accountId)).toEqual(logins.map((l) => l.accountId));
    expect(await accountCount()).toBe(before);
  });

  test('the demo logins work as documented', async () => {
    const an = await kit.auth.checkPassword(DEMO_PERSONS.citizen.pin, DEMO_PASSWORD, ctx('198.51.100.40'));
    expect(an.id).toBe(by('citizen').accountId);
    await kit.auth.verifyPasscode(an.id, DEMO_PASSCODE, ctx());
    const kim = await kit.auth.checkPassword('M12345678', DEMO_PASSWORD, ctx('198.51.100.40'));
    expect(kim.subjectKind).toBe('foreigner');
    const pending = await kit.auth
      .checkPassword(by('pending').identifier, DEMO_PASSWORD, ctx('198.51.100.40'))
      .catch((e: unknown) => e);
    expect(pending).toBeInstanceOf(Problem);
    expect(pending).toMatchObject({ code: 'ACCOUNT_NOT_ACTIVE', params: { status: 'pending_activation' } });

    const admin = by('officer-admin-c06');
    const officer = await kit.auth.checkPassword(admin.identifier, DEMO_PASSWORD, ctx('198.51.100.40'));
    expect(await kit.auth.hasTotp(officer.id)).toBe(true);
    const code = TOTP.generate({
      secret: Secret.fromBase32(demoTotpSecret(admin.label)),
      timestamp: clock.now().getTime(),
    });
    await kit.auth.verifyTotp(officer.id, code, ctx());
  });

  test('the officers act in their units only', async () => {
    const hoanKiem = (await kit.backoffice.unitByCode('CAP-HNI-HOANKIEM'))!;
    const benThanh = (await kit.backoffice.unitByCode('CAP-HCM-BENTHANH'))!;
    const receiverHn = by('officer-receiver-hoankiem').accountId;
    const receiverHcm = by('officer-receiver-pc06-hcm').accountId;
    const approverC06 = by('officer-approver-c06').accountId;
    expect(await kit.backoffice.mayAct(receiverHn, 'RECEIVER', hoanKiem.id)).toBe(true);
    expect(await kit.backoffice.mayAct(receiverHn, 'RECEIVER', benThanh.id)).toBe(false);
    expect(await kit.backoffice.mayAct(receiverHcm, 'RECEIVER', benThanh.id)).toBe(true);
    expect(await kit.backoffice.mayAct(receiverHcm, 'RECEIVER', hoanKiem.id)).toBe(false);
    expect(await kit.backoffice.mayAct(approverC06, 'APPROVER', benThanh.id)).toBe(true);
    expect(await kit.backoffice.mayAct(approverC06, 'RECEIVER', benThanh.id)).toBe(false);
  });
});
