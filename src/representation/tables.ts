import type { ColumnType } from 'kysely';
import type { Basis, ConfirmationAction, ConfirmationStatus, EndReason } from './model.ts';

/** Row types of the tables this context owns (schema `representation`), keyed 'schema.table' for Kysely. */
export interface RepresentationTables {
  'representation.links': LinkRow;
  'representation.confirmations': ConfirmationRow;
}

/** jsonb: written as JSON text, read back as the parsed value. */
type Json = ColumnType<Record<string, unknown>, string, string>;

export interface LinkRow {
  id: string;
  /** identity.accounts ids: no foreign key across contexts. */
  representative_account_id: string;
  dependant_account_id: string;
  basis: Basis;
  evidence: Json;
  /** 'YYYY-MM-DD' */
  valid_from: string;
  /** Exclusive end 'YYYY-MM-DD' (a minor's 14th birthday, a guardianship's end); null: open-ended. */
  valid_until: string | null;
  ended_at: Date | null;
  end_reason: EndReason | null;
  created_at: Date;
  version: ColumnType<number, number | undefined, number>;
}

export interface ConfirmationRow {
  id: string;
  link_id: string;
  dependant_account_id: string;
  representative_account_id: string;
  action: ConfirmationAction;
  detail: Json;
  status: ConfirmationStatus;
  requested_at: Date;
  expires_at: Date;
  decided_at: Date | null;
  version: ColumnType<number, number | undefined, number>;
}
