import type { ColumnType, Generated } from 'kysely';
import type { LockReason, SubjectKind } from '../identity/model.ts';
import type {
  AuthorityKind,
  GroundSource,
  RequestAction,
  RequestEvent,
  RequestKind,
  RequestState,
  Requester,
} from './model.ts';

/** Row types of the tables this context owns (schema `locks`), keyed 'schema.table' for Kysely. */
export interface LocksTables {
  'locks.grounds': GroundRow;
  'locks.requests': RequestRow;
  'locks.events': RequestEventRow;
  'locks.authorities': AuthorityRow;
  'locks.sync_cursor': SyncCursorRow;
  'locks.deferred_notices': DeferredNoticeRow;
}

type Json<T> = ColumnType<T, string, string>;
type Version = ColumnType<number, number | undefined, number>;

/** One reason an identity is locked, from its setting to its lifting (never deleted). */
export interface GroundRow {
  id: string;
  account_id: string;
  ground: LockReason;
  legal_basis: string;
  detail: string | null;
  source: GroundSource;
  reference: string | null;
  set_by: string;
  set_at: Date;
  notify_subject_after: Date | null;
  lifted_at: Date | null;
  lifted_by: string | null;
  lift_reason: string | null;
  version: Version;
}

export interface RequestRow {
  id: string;
  number: string;
  kind: RequestKind;
  action: RequestAction;
  state: RequestState;
  channel: 'app' | 'counter' | 'post' | 'api';
  account_id: string;
  subject_kind: SubjectKind;
  subject_identifier: string;
  subject_name: string;
  requester: Json<Requester | null>;
  authority_id: string | null;
  statement: string;
  target_ground_id: string | null;
  ground_id: string | null;
  notify_subject_after: Date | null;
  receiving_unit_id: string;
  unit_id: string;
  received_by: string | null;
  received_at: Date;
  due_at: Date | null;
  forwarded_at: Date | null;
  forwarded_by: string | null;
  decided_at: Date | null;
  decided_by: string | null;
  reasons: Json<string[]>;
  escalated_step: RequestState | null;
  created_at: Date;
  updated_at: Date;
  version: Version;
}

/** Every transition of a request, in order (its history). */
export interface RequestEventRow {
  id: Generated<string>;
  request_id: string;
  at: Date;
  event: RequestEvent;
  from_state: RequestState | null;
  to_state: RequestState;
  actor_kind: string;
  actor_id: string;
  detail: Json<Record<string, unknown>>;
}

/** A procedural or competent authority that may send requests through the system. */
export interface AuthorityRow {
  id: string;
  code: string;
  name: string;
  kind: AuthorityKind;
  email: string | null;
  unit_id: string;
  /** SHA-256 of the API key (hex): the key is 32 random bytes, so a fast hash is enough. */
  key_hash: string;
  key_hint: string;
  created_by: string;
  created_at: Date;
  disabled_at: Date | null;
}

/** Where the registry-sync worker is in the change feed: moved in the transaction of each change's effects. */
export interface SyncCursorRow {
  feed: string;
  cursor: string | null;
  updated_at: Date;
}

/** A notice to the subject the law lets us send later (an authority asked for a deferred notice). */
export interface DeferredNoticeRow {
  id: string;
  account_id: string;
  ground_id: string | null;
  template: string;
  params: Json<Record<string, unknown>>;
  /** The outbox idempotency key the released notice carries. */
  notice_key: string;
  not_before: Date;
  released_at: Date | null;
  created_at: Date;
}
