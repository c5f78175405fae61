/** What the officer console reads from the API (see /api/openapi.json). */

export interface OfficerApplication {
  id: string;
  number: string;
  procedure: string;
  procedure_name: string;
  state: string;
  subject_kind: string;
  subject_name: string;
  received_at: string | null;
  due_at: string | null;
  due_on: string | null;
  unit_id: string;
  flag: string | null;
}

export interface QueueEntry {
  application: OfficerApplication;
  due_on: string | null;
  working_days_left: number | null;
  overdue: boolean;
}
