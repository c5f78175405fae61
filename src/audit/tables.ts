import type { Generated } from 'kysely';

/** Row types of the tables this context owns (schema `audit`). */
export interface AuditTables {
  'audit.entries': AuditEntryRow;
  'audit.chain_heads': ChainHeadRow;
}

export interface AuditEntryRow {
  chain: number;
  seq: number;
  id: string;
  at: Date;
  actor_kind: string;
  actor_id: string;
  action: string;
  subject_kind: string | null;
  subject_id: string | null;
  purpose: string | null;
  outcome: string;
  detail: unknown;
  prev_hash: string;
  hash: string;
}

export interface ChainHeadRow {
  chain: number;
  seq: Generated<number>;
  hash: string;
}
