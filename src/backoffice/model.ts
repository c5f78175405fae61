import { defineProblems } from '../platform/errors.ts';

/**
 * Units of the Ministry of Public Security that act on electronic identity (DOMAIN.md §1) and the
 * officers who act in them. Since 1 July 2025 there is no district level: C06 at the top, the
 * provincial PC06 under it, commune/ward police under their province's PC06; immigration offices
 * under C06 (the ministry's department) or under a province.
 */
export type OfficerRole = 'RECEIVER' | 'APPROVER' | 'CALL_CENTER' | 'ADMIN';
export const OFFICER_ROLES: readonly OfficerRole[] = ['RECEIVER', 'APPROVER', 'CALL_CENTER', 'ADMIN'];

export type UnitKind = 'c06' | 'pc06' | 'commune' | 'immigration';
export const UNIT_KINDS: readonly UnitKind[] = ['c06', 'pc06', 'commune', 'immigration'];

export interface Unit {
  id: string;
  code: string;
  kind: UnitKind;
  nameVi: string;
  nameEn: string;
  parentId: string | null;
  provinceCode: string | null;
}

export interface Assignment {
  unit: Unit;
  role: OfficerRole;
}

export interface NewUnit {
  code: string;
  kind: UnitKind;
  nameVi: string;
  nameEn: string;
  /** The parent unit's code (none for C06). */
  parentCode?: string | null;
  /** Required for a PC06; a commune or provincial immigration office inherits its parent's. */
  provinceCode?: string | null;
}

export const backofficeProblem = defineProblems({
  UNIT_HIERARCHY_INVALID: {
    status: 400,
    vi: 'Đơn vị không hợp lệ trong cơ cấu tổ chức: {reason}',
    en: 'The unit does not fit the hierarchy: {reason}',
  },
  UNIT_CODE_TAKEN: {
    status: 409,
    vi: 'Mã đơn vị {code} đã được sử dụng.',
    en: 'Unit code {code} is already used.',
  },
});

/** Which kinds of unit may sit directly under which (DOMAIN.md §1; no district level since 2025). */
export const PARENT_KINDS: Record<UnitKind, readonly UnitKind[]> = {
  c06: [],
  pc06: ['c06'],
  commune: ['pc06'],
  immigration: ['c06', 'pc06'],
};

/** Why a unit cannot be placed under `parent` (undefined when it can). */
export function hierarchyProblem(
  unit: { kind: UnitKind; provinceCode?: string | null },
  parent: Pick<Unit, 'kind' | 'provinceCode'> | null,
): string | undefined {
  const allowed = PARENT_KINDS[unit.kind];
  if (!allowed) return `unknown unit kind ${String(unit.kind)}`;
  if (allowed.length === 0) return parent ? `a ${unit.kind} unit has no parent` : undefined;
  if (!parent) return `a ${unit.kind} unit needs a parent (${allowed.join(' or ')})`;
  if (!allowed.includes(parent.kind)) return `a ${unit.kind} unit cannot sit under a ${parent.kind} unit`;
  if (unit.kind === 'pc06' && !unit.provinceCode) return 'a PC06 unit needs its province code';
  if (unit.provinceCode && parent.provinceCode && unit.provinceCode !== parent.provinceCode) {
    return 'a unit belongs to the province of its parent';
  }
  return undefined;
}
