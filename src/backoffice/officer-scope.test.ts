import { beforeAll, describe, expect, test } from 'vitest';
import { testPlatform, useTestDatabase } from '../../test/database.ts';
import { authKit, makeAccount } from '../auth/testing.ts';
import { Problem } from '../platform/errors.ts';
import { hierarchyProblem } from './model.ts';
import { SEED_UNITS, seedUnits, type Unit } from './service.ts';

/**
 * Threat: an officer reaches records outside their unit (issue: "an officer of one province
 * cannot read another's records"). Roles are held in a unit and cover its descendants only.
 */
const t = useTestDatabase();
const admin = { kind: 'admin', id: 'test-admin' };
let units: Record<string, Unit>;

beforeAll(async () => {
  units = await seedUnits(t.db);
});

function kit() {
  return authKit(testPlatform(t.db));
}

const u = (code: string) => units[code]!;

describe('the seeded hierarchy', () => {
  test('C06 at the top, PC06 of each city under it, ward police under their PC06, immigration under C06 or a PC06', async () => {
    expect(u('C06')).toMatchObject({ kind: 'c06', parentId: null, provinceCode: null });
    expect(u('PC06-HNI')).toMatchObject({ kind: 'pc06', parentId: u('C06').id, provinceCode: '01' });
    expect(u('PC06-HCM')).toMatchObject({ kind: 'pc06', parentId: u('C06').id, provinceCode: '79' });
    expect(u('CAP-HNI-HOANKIEM')).toMatchObject({
      kind: 'commune',
      nameVi: 'Công an phường Hoàn Kiếm',
      parentId: u('PC06-HNI').id,
      provinceCode: '01',
    });
    expect(u('CAP-HCM-BENTHANH')).toMatchObject({
      nameVi: 'Công an phường Bến Thành',
      parentId: u('PC06-HCM').id,
      provinceCode: '79',
    });
    expect(u('XNC')).toMatchObject({
      kind: 'immigration',
      nameVi: 'Cục Quản lý xuất nhập cảnh, Bộ Công an',
      parentId: u('C06').id,
    });
    expect(u('XNC-HNI')).toMatchObject({ kind: 'immigration', parentId: u('PC06-HNI').id, provinceCode: '01' });
    // Idempotent: a second run finds the same units.
    const again = await seedUnits(t.db);
    expect(Object.keys(again)).toHaveLength(SEED_UNITS.length);
    expect(again['C06']!.id).toBe(u('C06').id);
  });

  test('the hierarchy rules refuse a misplaced unit', async () => {
    expect(hierarchyProblem({ kind: 'commune', provinceCode: null }, { kind: 'c06', provinceCode: null })).toMatch(
      /cannot sit under/,
    );
    expect(hierarchyProblem({ kind: 'pc06', provinceCode: '01' }, null)).toMatch(/needs a parent/);
    expect(hierarchyProblem({ kind: 'c06' }, { kind: 'c06', provinceCode: null })).toMatch(/no parent/);
    const { backoffice } = kit();
    const refused = await backoffice
      .createUnit(
        t.db,
        { code: 'CAP-X', kind: 'commune', nameVi: 'Công an xã X', nameEn: 'X', parentCode: 'C06' },
        admin,
      )
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Problem);
    expect(refused).toMatchObject({ code: 'UNIT_HIERARCHY_INVALID' });
    const second = await backoffice
      .createUnit(t.db, { code: 'C06-BIS', kind: 'c06', nameVi: 'Hai C06', nameEn: 'Two C06' }, admin)
      .catch((e: unknown) => e);
    expect(second).toBeInstanceOf(Error); // the partial unique index: one C06
  });
});

describe('role and unit scope', () => {
  test('an officer of PC06 Hà Nội cannot act in a Hồ Chí Minh City ward; C06 can act everywhere', async () => {
    const { backoffice, identity } = kit();
    const hanoi = await makeAccount(identity, t.db);
    const central = await makeAccount(identity, t.db);
    await backoffice.assign(t.db, { accountId: hanoi.id, unitId: u('PC06-HNI').id, role: 'APPROVER' }, admin);
    await backoffice.assign(t.db, { accountId: central.id, unitId: u('C06').id, role: 'APPROVER' }, admin);

    expect(await backoffice.mayAct(hanoi.id, 'APPROVER', u('CAP-HNI-HOANKIEM').id)).toBe(true);
    expect(await backoffice.mayAct(hanoi.id, 'APPROVER', u('PC06-HNI').id)).toBe(true);
    expect(await backoffice.mayAct(hanoi.id, 'APPROVER', u('XNC-HNI').id)).toBe(true);
    expect(await backoffice.mayAct(hanoi.id, 'APPROVER', u('CAP-HCM-BENTHANH').id)).toBe(false);
    expect(await backoffice.mayAct(hanoi.id, 'APPROVER', u('PC06-HCM').id)).toBe(false);
    expect(await backoffice.mayAct(hanoi.id, 'APPROVER', u('C06').id)).toBe(false);

    for (const code of Object.keys(units)) {
      expect(await backoffice.mayAct(central.id, 'APPROVER', u(code).id)).toBe(true);
    }
  });

  test('a role covers only itself, and a ward officer does not reach the PC06 above', async () => {
    const { backoffice, identity } = kit();
    const receiver = await makeAccount(identity, t.db);
    await backoffice.assign(
      t.db,
      { accountId: receiver.id, unitId: u('CAP-HNI-HOANKIEM').id, role: 'RECEIVER' },
      admin,
    );
    expect(await backoffice.mayAct(receiver.id, 'RECEIVER', u('CAP-HNI-HOANKIEM').id)).toBe(true);
    expect(await backoffice.mayAct(receiver.id, 'APPROVER', u('CAP-HNI-HOANKIEM').id)).toBe(false);
    expect(await backoffice.mayAct(receiver.id, 'RECEIVER', u('CAP-HNI-YENHOA').id)).toBe(false);
    expect(await backoffice.mayAct(receiver.id, 'RECEIVER', u('PC06-HNI').id)).toBe(false);
    expect(await backoffice.scopeOf(receiver.id)).toEqual([u('CAP-HNI-HOANKIEM').id]);
  });

  test('scopeOf is the officer’s units and their descendants', async () => {
    const { backoffice, identity } = kit();
    const hcm = await makeAccount(identity, t.db);
    await backoffice.assign(t.db, { accountId: hcm.id, unitId: u('PC06-HCM').id, role: 'RECEIVER' }, admin);
    expect(new Set(await backoffice.scopeOf(hcm.id))).toEqual(
      new Set([u('PC06-HCM').id, u('CAP-HCM-BENTHANH').id, u('CAP-HCM-SAIGON').id]),
    );
    const central = await makeAccount(identity, t.db);
    await backoffice.assign(t.db, { accountId: central.id, unitId: u('C06').id, role: 'ADMIN' }, admin);
    expect(new Set(await backoffice.scopeOf(central.id))).toEqual(new Set(Object.values(units).map((x) => x.id)));
    expect(await backoffice.scopeOf((await makeAccount(identity, t.db)).id)).toEqual([]);
  });

  test('garbage in answers no, never an error; assignments are audited and revocable', async () => {
    const { backoffice, identity, audit } = kit();
    expect(await backoffice.mayAct('not-a-uuid', 'ADMIN', u('C06').id)).toBe(false);
    expect(await backoffice.mayAct('00000000-0000-0000-0000-000000000000', 'ADMIN', "x' or '1'='1")).toBe(false);
    expect(await backoffice.mayAct('00000000-0000-0000-0000-000000000000', 'ROOT' as never, u('C06').id)).toBe(false);
    const officer = await makeAccount(identity, t.db);
    await backoffice.assign(t.db, { accountId: officer.id, unitId: u('XNC').id, role: 'RECEIVER' }, admin);
    await backoffice.assign(t.db, { accountId: officer.id, unitId: u('XNC').id, role: 'RECEIVER' }, admin);
    expect(await backoffice.assignmentsOf(officer.id)).toEqual([{ unit: u('XNC'), role: 'RECEIVER' }]);
    expect(
      await backoffice.unassign(t.db, { accountId: officer.id, unitId: u('XNC').id, role: 'RECEIVER' }, admin),
    ).toBe(true);
    expect(await backoffice.mayAct(officer.id, 'RECEIVER', u('XNC').id)).toBe(false);
    const history = await audit.historyOf({ kind: 'account', id: officer.id });
    // (entries made within the same millisecond have no order: compare as a sorted list)
    expect(history.map((e) => e.action).sort()).toEqual([
      'backoffice.assignment.grant',
      'backoffice.assignment.revoke',
      'identity.account.create',
    ]);
  });
});
