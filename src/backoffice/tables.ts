import type { ColumnType } from 'kysely';
import type { OfficerRole, UnitKind } from './model.ts';

/** Row types of the tables this context owns (schema `backoffice`), keyed 'schema.table' for Kysely. */
export interface BackofficeTables {
  'backoffice.units': UnitRow;
  'backoffice.assignments': AssignmentRow;
}

export interface UnitRow {
  id: string;
  /** Stable short code (e.g. 'C06', 'PC06-HNI'), unique. */
  code: string;
  kind: UnitKind;
  name_vi: string;
  name_en: string;
  parent_id: string | null;
  /** Administrative code of the province / centrally-run city (e.g. '01' Hà Nội); null for C06. */
  province_code: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface AssignmentRow {
  /** identity.accounts id (no foreign key across contexts: each context could move to its own database). */
  account_id: string;
  unit_id: string;
  role: OfficerRole;
  assigned_at: Date;
  assigned_by: string;
}
