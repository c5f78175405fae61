import type { ColumnType, Generated } from 'kysely';
import type { ApplicationState, Checks, Dossier, FlowEvent, Procedure, Reason } from './model.ts';

/** Row types of the tables this context owns (schema `issuance`), keyed 'schema.table' for Kysely. */
export interface IssuanceTables {
  'issuance.applications': ApplicationRow;
  'issuance.events': EventRow;
  'issuance.consents': ConsentRow;
}

type Json<T> = ColumnType<T, string, string>;

export interface ApplicationRow {
  id: string;
  number: string;
  procedure: Procedure;
  state: ApplicationState;
  subject_kind: 'citizen' | 'foreigner' | 'organisation';
  registry_id: string | null;
  subject_name: string;
  dossier: Json<Dossier>;
  checks: Json<Checks>;
  reasons: Json<Reason[]>;
  unit_id: string;
  submitted_by: string | null;
  received_by: string | null;
  representative_account_id: string | null;
  received_at: Date | null;
  due_at: Date | null;
  deadline_days: number | null;
  deadline_unit: 'working' | 'calendar' | null;
  consent_due_at: Date | null;
  decided_at: Date | null;
  decided_by: string | null;
  account_id: string | null;
  flag: 'near' | 'overdue' | null;
  /** Who may replay a submission (the submitter's account, or 'public' for anonymous filings) and their key. */
  idempotency_scope: string | null;
  idempotency_key: string | null;
  /** sha256 of the submitted input, so a reused key with another body is refused. */
  request_hash: string | null;
  created_at: Date;
  updated_at: Date;
  version: ColumnType<number, number | undefined, number>;
}

/** Every transition, in order: the application's history as the subject and officers see it. */
export interface EventRow {
  id: Generated<string>;
  application_id: string;
  at: Date;
  event: FlowEvent;
  from_state: ApplicationState | null;
  to_state: ApplicationState;
  actor_kind: string;
  actor_id: string;
  detail: Json<Record<string, unknown>>;
}

/** Organisation filed in the app: one row per other legal representative (Decree 69 Art 13.1). */
export interface ConsentRow {
  application_id: string;
  /** The co-representative's citizen registry id (they may not have an account yet). */
  registry_id: string;
  full_name: string;
  account_id: string | null;
  status: 'pending' | 'consented' | 'refused';
  decided_at: Date | null;
}
