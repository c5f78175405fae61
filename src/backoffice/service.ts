import { randomUUID } from 'node:crypto';
import type { AuditService } from '../audit/service.ts';
import type { Platform } from '../platform/context.ts';
import type { Executor, Trx } from '../platform/database.ts';
import { platformProblem } from '../platform/errors.ts';
import {
  backofficeProblem,
  hierarchyProblem,
  OFFICER_ROLES,
  UNIT_KINDS,
  type Assignment,
  type NewUnit,
  type OfficerRole,
  type Unit,
  type UnitKind,
} from './model.ts';
import {
  allUnits,
  assignmentsOf,
  deleteAssignment,
  holdsRoleOver,
  insertAssignment,
  insertUnit,
  isUuid,
  officersOf,
  unitByCode,
  unitById,
  unitsInScope,
} from './repository.ts';

export type { Assignment, NewUnit, OfficerRole, Unit, UnitKind };

export interface BackofficeService {
  /** Empty = not an officer. */
  assignmentsOf(accountId: string): Promise<Assignment[]>;
  /** Whether the officer holds `role` in `unitId` or in an ancestor unit of it (C06 covers all). */
  mayAct(accountId: string, role: OfficerRole, unitId: string): Promise<boolean>;
  /** The unit ids the officer may read records of (own units and their descendants). */
  scopeOf(accountId: string): Promise<string[]>;

  // Added to the contract.
  units(): Promise<Unit[]>;
  unit(unitId: string): Promise<Unit | undefined>;
  unitByCode(code: string): Promise<Unit | undefined>;
  /** Creates a unit under its parent (hierarchy checked). Audited. */
  createUnit(executor: Executor, input: NewUnit, actor: { kind: string; id: string }): Promise<Unit>;
  /** Gives an officer a role in a unit (idempotent). Audited. */
  assign(
    executor: Executor,
    input: { accountId: string; unitId: string; role: OfficerRole },
    actor: { kind: string; id: string },
  ): Promise<Assignment>;
  /** Takes a role away; false when the officer did not hold it. Audited. */
  unassign(
    executor: Executor,
    input: { accountId: string; unitId: string; role: OfficerRole },
    actor: { kind: string; id: string },
  ): Promise<boolean>;
  officersOf(unitId: string): Promise<{ accountId: string; role: OfficerRole }[]>;
}

function inTransaction<T>(executor: Executor, run: (trx: Trx) => Promise<T>): Promise<T> {
  return executor.isTransaction ? run(executor as Trx) : executor.transaction().execute(run);
}

function checkRole(role: string): asserts role is OfficerRole {
  if (!(OFFICER_ROLES as readonly string[]).includes(role)) {
    throw platformProblem('VALIDATION_FAILED', { reason: `unknown role ${role}` }, { field: 'role' });
  }
}

/** Checks a new unit against the hierarchy and stores it (idempotent on the code when it matches). */
async function placeUnit(executor: Executor, input: NewUnit): Promise<{ unit: Unit; created: boolean }> {
  if (!(UNIT_KINDS as readonly string[]).includes(input.kind)) {
    throw backofficeProblem('UNIT_HIERARCHY_INVALID', { reason: `unknown kind ${String(input.kind)}` });
  }
  const parent = input.parentCode ? await unitByCode(executor, input.parentCode) : null;
  if (input.parentCode && !parent) throw platformProblem('NOT_FOUND', { what: `unit ${input.parentCode}` });
  const provinceCode = input.provinceCode ?? (input.kind === 'c06' ? null : (parent?.provinceCode ?? null));
  const reason = hierarchyProblem({ kind: input.kind, provinceCode }, parent ?? null);
  if (reason) throw backofficeProblem('UNIT_HIERARCHY_INVALID', { reason }, { field: 'parentCode' });
  const stored = await insertUnit(executor, {
    id: randomUUID(),
    code: input.code,
    kind: input.kind,
    name_vi: input.nameVi,
    name_en: input.nameEn,
    parent_id: parent?.id ?? null,
    province_code: provinceCode,
  });
  if (!stored.created && (stored.unit.kind !== input.kind || stored.unit.parentId !== (parent?.id ?? null))) {
    throw backofficeProblem('UNIT_CODE_TAKEN', { code: input.code }, { field: 'code' });
  }
  return stored;
}

export function createBackofficeService(platform: Platform, deps: { audit: AuditService }): BackofficeService {
  const { db, clock } = platform;
  const { audit } = deps;

  return {
    assignmentsOf(accountId) {
      return assignmentsOf(db, accountId);
    },

    async mayAct(accountId, role, unitId) {
      if (!isUuid(accountId) || !isUuid(unitId) || !(OFFICER_ROLES as readonly string[]).includes(role)) return false;
      return holdsRoleOver(db, accountId, role, unitId);
    },

    async scopeOf(accountId) {
      if (!isUuid(accountId)) return [];
      return unitsInScope(db, accountId);
    },

    units() {
      return allUnits(db);
    },

    unit(unitId) {
      return unitById(db, unitId);
    },

    unitByCode(code) {
      return unitByCode(db, code);
    },

    createUnit(executor, input, actor) {
      return inTransaction(executor, async (trx) => {
        const { unit, created } = await placeUnit(trx, input);
        if (!created) throw backofficeProblem('UNIT_CODE_TAKEN', { code: input.code }, { field: 'code' });
        await audit.append(trx, {
          actor,
          action: 'backoffice.unit.create',
          subject: { kind: 'unit', id: unit.id },
          outcome: 'success',
          detail: { code: unit.code, kind: unit.kind, parentId: unit.parentId },
        });
        return unit;
      });
    },

    assign(executor, input, actor) {
      checkRole(input.role);
      if (!isUuid(input.accountId)) {
        throw platformProblem('VALIDATION_FAILED', { reason: 'accountId is not a uuid' }, { field: 'accountId' });
      }
      return inTransaction(executor, async (trx) => {
        const unit = await unitById(trx, input.unitId);
        if (!unit) throw platformProblem('NOT_FOUND', { what: 'unit' });
        const created = await insertAssignment(trx, {
          account_id: input.accountId,
          unit_id: unit.id,
          role: input.role,
          assigned_at: clock.now(),
          assigned_by: `${actor.kind}:${actor.id}`,
        });
        if (created) {
          await audit.append(trx, {
            actor,
            action: 'backoffice.assignment.grant',
            subject: { kind: 'account', id: input.accountId },
            outcome: 'success',
            detail: { unit: unit.code, role: input.role },
          });
        }
        return { unit, role: input.role };
      });
    },

    unassign(executor, input, actor) {
      checkRole(input.role);
      if (!isUuid(input.accountId) || !isUuid(input.unitId)) return Promise.resolve(false);
      return inTransaction(executor, async (trx) => {
        const removed = await deleteAssignment(trx, {
          account_id: input.accountId,
          unit_id: input.unitId,
          role: input.role,
        });
        if (removed) {
          await audit.append(trx, {
            actor,
            action: 'backoffice.assignment.revoke',
            subject: { kind: 'account', id: input.accountId },
            outcome: 'success',
            detail: { unitId: input.unitId, role: input.role },
          });
        }
        return removed;
      });
    },

    officersOf(unitId) {
      return officersOf(db, unitId);
    },
  };
}

/** The units seedUnits creates, by code. */
export const SEED_UNITS: readonly NewUnit[] = [
  {
    code: 'C06',
    kind: 'c06',
    nameVi: 'Cục Cảnh sát quản lý hành chính về trật tự xã hội (C06), Bộ Công an',
    nameEn: 'Police Department for Administrative Management of Social Order (C06), Ministry of Public Security',
  },
  {
    code: 'PC06-HNI',
    kind: 'pc06',
    parentCode: 'C06',
    provinceCode: '01',
    nameVi: 'Phòng Cảnh sát quản lý hành chính về trật tự xã hội, Công an Thành phố Hà Nội',
    nameEn: 'Administrative Management Police Division (PC06), Hà Nội City Police',
  },
  {
    code: 'PC06-HCM',
    kind: 'pc06',
    parentCode: 'C06',
    provinceCode: '79',
    nameVi: 'Phòng Cảnh sát quản lý hành chính về trật tự xã hội, Công an Thành phố Hồ Chí Minh',
    nameEn: 'Administrative Management Police Division (PC06), Hồ Chí Minh City Police',
  },
  {
    code: 'CAP-HNI-HOANKIEM',
    kind: 'commune',
    parentCode: 'PC06-HNI',
    nameVi: 'Công an phường Hoàn Kiếm',
    nameEn: 'Hoàn Kiếm Ward Police',
  },
  {
    code: 'CAP-HNI-YENHOA',
    kind: 'commune',
    parentCode: 'PC06-HNI',
    nameVi: 'Công an phường Yên Hòa',
    nameEn: 'Yên Hòa Ward Police',
  },
  {
    code: 'CAP-HCM-BENTHANH',
    kind: 'commune',
    parentCode: 'PC06-HCM',
    nameVi: 'Công an phường Bến Thành',
    nameEn: 'Bến Thành Ward Police',
  },
  {
    code: 'CAP-HCM-SAIGON',
    kind: 'commune',
    parentCode: 'PC06-HCM',
    nameVi: 'Công an phường Sài Gòn',
    nameEn: 'Sài Gòn Ward Police',
  },
  {
    code: 'XNC',
    kind: 'immigration',
    parentCode: 'C06',
    nameVi: 'Cục Quản lý xuất nhập cảnh, Bộ Công an',
    nameEn: 'Immigration Department, Ministry of Public Security',
  },
  {
    code: 'XNC-HNI',
    kind: 'immigration',
    parentCode: 'PC06-HNI',
    nameVi: 'Phòng Quản lý xuất nhập cảnh, Công an Thành phố Hà Nội',
    nameEn: 'Immigration Division, Hà Nội City Police',
  },
];

/**
 * Creates a small, realistic hierarchy (idempotent: units whose code exists are kept): C06; PC06
 * of Hà Nội and of Hồ Chí Minh City; two ward police units under each (ward names after the 2025
 * reorganisation); the Immigration Department and the Hà Nội immigration division. Returns the
 * units by code.
 */
export async function seedUnits(executor: Executor): Promise<Record<string, Unit>> {
  return inTransaction(executor, async (trx) => {
    const byCode: Record<string, Unit> = {};
    for (const input of SEED_UNITS) byCode[input.code] = (await placeUnit(trx, input)).unit;
    return byCode;
  });
}
