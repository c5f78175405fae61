import { sql } from 'kysely';
import type { ForwardMigration } from '../platform/migrations.ts';

export const issuanceMigrations: ForwardMigration[] = [
  {
    name: '202611300200_issuance_applications',
    async up(db) {
      await sql`create schema if not exists issuance`.execute(db);
      // Application numbers are printed on receipts: short, sequential per year, never reused.
      await sql`create sequence issuance.application_numbers`.execute(db);
      await sql`
        create table issuance.applications (
          id uuid primary key,
          number text not null unique,
          procedure text not null,
          state text not null check (state in ('awaiting_consent', 'awaiting_card', 'received', 'forwarded',
            'manual_review', 'approved', 'rejected', 'lapsed', 'withdrawn')),
          subject_kind text not null check (subject_kind in ('citizen', 'foreigner', 'organisation')),
          registry_id text,
          subject_name text not null,
          dossier jsonb not null,
          checks jsonb not null,
          reasons jsonb not null default '[]',
          unit_id uuid not null,
          submitted_by uuid,
          received_by uuid,
          representative_account_id uuid,
          received_at timestamptz,
          due_at timestamptz,
          deadline_days integer,
          deadline_unit text check (deadline_unit in ('working', 'calendar')),
          consent_due_at timestamptz,
          decided_at timestamptz,
          decided_by text,
          account_id uuid,
          flag text check (flag in ('near', 'overdue')),
          idempotency_scope text,
          idempotency_key text,
          request_hash text,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          version integer not null default 1,
          -- A refusal always carries its reasons (DOMAIN.md §5: "notified in writing with reasons").
          constraint rejected_has_reasons check (state <> 'rejected' or jsonb_array_length(reasons) > 0),
          constraint approved_has_account check (state <> 'approved' or account_id is not null)
        )`.execute(db);
      await sql`
        create unique index applications_idempotency on issuance.applications (idempotency_scope, idempotency_key)
        where idempotency_key is not null`.execute(db);
      // Officers' queues: open applications of a unit by due date.
      await sql`
        create index applications_queue on issuance.applications (unit_id, due_at)
        where state in ('awaiting_consent', 'awaiting_card', 'received', 'forwarded', 'manual_review')`.execute(db);
      await sql`create index applications_subject on issuance.applications (subject_kind, registry_id)`.execute(db);
      await sql`create index applications_submitter on issuance.applications (submitted_by)`.execute(db);
      await sql`
        create table issuance.events (
          id bigserial primary key,
          application_id uuid not null references issuance.applications (id),
          at timestamptz not null,
          event text not null,
          from_state text,
          to_state text not null,
          actor_kind text not null,
          actor_id text not null,
          detail jsonb not null default '{}'
        )`.execute(db);
      await sql`create index events_application on issuance.events (application_id, id)`.execute(db);
      await sql`
        create table issuance.consents (
          application_id uuid not null references issuance.applications (id),
          registry_id text not null,
          full_name text not null,
          account_id uuid,
          status text not null check (status in ('pending', 'consented', 'refused')),
          decided_at timestamptz,
          primary key (application_id, registry_id)
        )`.execute(db);
      await sql`create index consents_pending on issuance.consents (registry_id) where status = 'pending'`.execute(db);
    },
  },
];
