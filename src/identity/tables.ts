import type { ColumnType } from 'kysely';
import type { AccountStatus, SubjectKind } from './model.ts';

/** Row types of the tables this context owns (schema `identity`), keyed 'schema.table' for Kysely. */
export interface IdentityTables {
  'identity.accounts': AccountRow;
}

export interface AccountRow {
  id: string;
  subject_kind: SubjectKind;
  registry_id: string;
  pin: string | null;
  passport_country: string | null;
  passport_number: string | null;
  enterprise_code: string | null;
  full_name: string;
  level: number | null;
  status: AccountStatus;
  lock_reasons: ColumnType<string[], string[] | undefined, string[]>;
  /** E.164; unique among accounts that are not closed. */
  phone: string | null;
  email: string | null;
  created_at: Date;
  activated_at: Date | null;
  /** End of the in-app activation period (Decree 69 Art 14); null once activated. */
  activation_due_at: Date | null;
  version: ColumnType<number, number | undefined, number>;
}
