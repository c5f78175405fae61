import { sql } from 'kysely';
import type { Executor } from '../platform/database.ts';
import type { Assignment, OfficerRole, Unit } from './model.ts';
import type { UnitRow } from './tables.ts';

export function unitFrom(
  r: Pick<UnitRow, 'id' | 'code' | 'kind' | 'name_vi' | 'name_en' | 'parent_id' | 'province_code'>,
): Unit {
  return {
    id: r.id,
    code: r.code,
    kind: r.kind,
    nameVi: r.name_vi,
    nameEn: r.name_en,
    parentId: r.parent_id,
    provinceCode: r.province_code,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => typeof value === 'string' && UUID.test(value);

export async function allUnits(db: Executor): Promise<Unit[]> {
  const rows = await db.selectFrom('backoffice.units').selectAll().orderBy('code').execute();
  return rows.map(unitFrom);
}

export async function unitById(db: Executor, id: string): Promise<Unit | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db.selectFrom('backoffice.units').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? unitFrom(row) : undefined;
}

export async function unitByCode(db: Executor, code: string): Promise<Unit | undefined> {
  const row = await db.selectFrom('backoffice.units').selectAll().where('code', '=', code).executeTakeFirst();
  return row ? unitFrom(row) : undefined;
}

/** Inserts a unit unless its code exists; returns the stored unit and whether it was created. */
export async function insertUnit(
  db: Executor,
  row: Omit<UnitRow, 'created_at'>,
): Promise<{ unit: Unit; created: boolean }> {
  const inserted = await db
    .insertInto('backoffice.units')
    .values(row)
    .onConflict((oc) => oc.column('code').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { unit: unitFrom(inserted), created: true };
  return { unit: (await unitByCode(db, row.code))!, created: false };
}

export async function assignmentsOf(db: Executor, accountId: string): Promise<Assignment[]> {
  if (!isUuid(accountId)) return [];
  const rows = await db
    .selectFrom('backoffice.assignments as a')
    .innerJoin('backoffice.units as u', 'u.id', 'a.unit_id')
    .select(['a.role', 'u.id', 'u.code', 'u.kind', 'u.name_vi', 'u.name_en', 'u.parent_id', 'u.province_code'])
    .where('a.account_id', '=', accountId)
    .orderBy('u.code')
    .orderBy('a.role')
    .execute();
  return rows.map((r) => ({ unit: unitFrom(r), role: r.role }));
}

export async function insertAssignment(
  db: Executor,
  row: { account_id: string; unit_id: string; role: OfficerRole; assigned_at: Date; assigned_by: string },
): Promise<boolean> {
  const inserted = await db
    .insertInto('backoffice.assignments')
    .values(row)
    .onConflict((oc) => oc.columns(['account_id', 'unit_id', 'role']).doNothing())
    .returning('account_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function deleteAssignment(
  db: Executor,
  key: { account_id: string; unit_id: string; role: OfficerRole },
): Promise<boolean> {
  const result = await db
    .deleteFrom('backoffice.assignments')
    .where('account_id', '=', key.account_id)
    .where('unit_id', '=', key.unit_id)
    .where('role', '=', key.role)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * Whether the officer holds `role` in the unit or in one of its ancestors: walk up from the unit
 * to C06 (a recursive CTE; the depth bound guards against a cycle the constraints do not rule out).
 */
export async function holdsRoleOver(
  db: Executor,
  accountId: string,
  role: OfficerRole,
  unitId: string,
): Promise<boolean> {
  const { rows } = await sql<{ ok: boolean }>`
    with recursive chain (id, parent_id, depth) as (
      select id, parent_id, 0 from backoffice.units where id = ${unitId}
      union all
      select u.id, u.parent_id, c.depth + 1
      from backoffice.units u join chain c on u.id = c.parent_id
      where c.depth < 16
    )
    select exists (
      select 1 from backoffice.assignments a join chain c on a.unit_id = c.id
      where a.account_id = ${accountId} and a.role = ${role}
    ) as ok`.execute(db);
  return rows[0]?.ok === true;
}

/** The officer's units and all their descendants (walking down; `union` drops repeats). */
export async function unitsInScope(db: Executor, accountId: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    with recursive scope (id) as (
      select distinct a.unit_id from backoffice.assignments a where a.account_id = ${accountId}
      union
      select u.id from backoffice.units u join scope s on u.parent_id = s.id
    )
    select id from scope order by id`.execute(db);
  return rows.map((r) => r.id);
}

export async function officersOf(db: Executor, unitId: string): Promise<{ accountId: string; role: OfficerRole }[]> {
  if (!isUuid(unitId)) return [];
  const rows = await db
    .selectFrom('backoffice.assignments')
    .select(['account_id', 'role'])
    .where('unit_id', '=', unitId)
    .orderBy('role')
    .orderBy('account_id')
    .execute();
  return rows.map((r) => ({ accountId: r.account_id, role: r.role }));
}
