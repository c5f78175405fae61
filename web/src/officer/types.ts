/** What the officer console reads from the API (see /api/openapi.json). */

export type Role = 'RECEIVER' | 'APPROVER' | 'CALL_CENTER' | 'ADMIN';

export interface Unit {
  id: string;
  code: string;
  kind: string;
  name: string;
}

/** GET /api/v1/officer/me */
export interface Me {
  account_id: string;
  name: string;
  assignments: { unit: Unit; role: Role }[];
}

export interface BiometricCheck {
  kind: 'face' | 'fingerprint';
  decision: 'match' | 'no_match' | 'no_reference' | 'poor_quality';
  score: number | null;
  threshold: number | null;
  quality: string[];
  engine: string;
}

export interface Checks {
  registry?: string;
  mismatchedFields?: string[];
  phone?: string;
  biometrics?: BiometricCheck[];
  notes?: string[];
}

export interface ApplicationReason {
  code: string;
  field?: string;
  message: string;
}

export interface OfficerApplication {
  id: string;
  number: string;
  procedure: string;
  procedure_name: string;
  state: string;
  subject_kind: string;
  subject_name: string;
  phone?: string | null;
  email?: string | null;
  reasons?: ApplicationReason[];
  received_at: string | null;
  due_at: string | null;
  due_on: string | null;
  deadline?: { days: number; unit: string } | null;
  decided_at?: string | null;
  account_id?: string | null;
  version?: number;
  unit_id: string;
  received_by?: string | null;
  decided_by?: string | null;
  flag: string | null;
  dossier?: Record<string, unknown>;
  checks?: Checks;
  actions?: { event: string; role: string; to: string }[];
}

export interface QueueEntry {
  application: OfficerApplication;
  due_on: string | null;
  working_days_left: number | null;
  overdue: boolean;
}

export interface HistoryRow {
  at: string;
  event: string;
  from: string | null;
  to: string;
  actor: string;
}

/** GET /api/v1/officer/units/:unitId/registry/citizens/:pin */
export interface CounterCitizen {
  pin: string;
  full_name: string;
  sex: string;
  date_of_birth: string;
  residence: string;
  deceased: boolean;
  id_card: { number: string; issued_on: string; expires_on: string | null; status: string } | null;
  biometrics_on_record: string[];
  account: { level: number | null; status: string } | null;
}

export interface LockRequest {
  id: string;
  number: string;
  kind: string;
  action: string;
  state: string;
  channel: string;
  account_id: string;
  subject_kind: string;
  subject_identifier: string;
  subject_name: string;
  requester: {
    authority_id: string | null;
    name: string;
    kind: string;
    email: string | null;
    document_no: string;
    document_date: string;
  } | null;
  statement: string;
  notify_subject_after: string | null;
  receiving_unit_id: string;
  unit_id: string;
  received_at: string;
  due_at: string | null;
  received_by: string | null;
  forwarded_at: string | null;
  forwarded_by: string | null;
  decided_at: string | null;
  decided_by: string | null;
  reasons: string[];
  escalated: boolean;
  version: number;
  actions: { event: string; by: string; note: string }[];
}

export interface LockQueueEntry {
  request: LockRequest;
  due_on: string | null;
  working_days_left: number | null;
  overdue: boolean;
}

/** GET /api/v1/officer/accounts/lookup */
export interface HotlineAccount {
  account_id: string;
  subject_kind: string;
  status: string;
  level: number | null;
  masked_phone: string | null;
  activation_due_at: string | null;
  activation_due_on: string | null;
  version: number;
}

export interface Holiday {
  date: string;
  kind: 'holiday' | 'day_off' | 'makeup_workday';
  name_vi: string;
  name_en: string;
  legal_source: string;
  source: 'rule' | 'decision';
  updated_by?: string;
  updated_at?: string;
  version?: number;
}

export interface ReportRow {
  unit_id: string;
  unit_code: string | null;
  unit_name: string | null;
  decided: number;
  on_time: number;
  on_time_rate: number | null;
  open: number;
  open_overdue: number;
}
