import { sql } from 'kysely';
import type { ForwardMigration } from '../platform/migrations.ts';

export const notifyMigrations: ForwardMigration[] = [
  {
    name: '202611260300_notify_outbox',
    async up(db) {
      await sql`create schema if not exists notify`.execute(db);
      await sql`
        create table notify.outbox (
          id uuid primary key,
          channel text not null check (channel in ('inbox', 'email', 'sms')),
          recipient text not null check (recipient <> ''),
          account_id text,
          template text not null,
          params jsonb not null,
          locale text not null check (locale in ('vi', 'en')),
          key text unique,
          status text not null check (status in ('queued', 'sending', 'sent', 'abandoned')),
          attempts integer not null default 0 check (attempts >= 0),
          requeue_base integer not null default 0 check (requeue_base between 0 and attempts),
          next_attempt_at timestamptz not null,
          claimed_until timestamptz,
          claim_token uuid,
          sent_at timestamptz,
          provider_id text,
          last_error text,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          check ((status = 'sending') = (claimed_until is not null and claim_token is not null)),
          check ((status = 'sent') = (sent_at is not null))
        )`.execute(db);
      // What workers scan: due messages, and leases that ran out (a worker died holding them).
      await sql`create index outbox_due_idx on notify.outbox (next_attempt_at) where status = 'queued'`.execute(db);
      await sql`create index outbox_lease_idx on notify.outbox (claimed_until) where status = 'sending'`.execute(db);
      await sql`create index outbox_account_idx on notify.outbox (account_id, created_at) where account_id is not null`.execute(
        db,
      );
      await sql`
        create table notify.attempts (
          outbox_id uuid not null references notify.outbox (id),
          n integer not null check (n >= 1),
          worker text not null,
          started_at timestamptz not null,
          handed_off_at timestamptz,
          finished_at timestamptz,
          outcome text check (outcome in ('sent', 'failed', 'rejected', 'interrupted', 'uncertain', 'lease_lost')),
          error text,
          provider_id text,
          primary key (outbox_id, n),
          check ((outcome is null) = (finished_at is null))
        )`.execute(db);
      await sql`
        create table notify.inbox (
          id uuid primary key,
          account_id text not null,
          outbox_id uuid not null unique references notify.outbox (id),
          template text not null,
          title text not null,
          body text not null,
          read_at timestamptz,
          created_at timestamptz not null
        )`.execute(db);
      await sql`create index inbox_account_idx on notify.inbox (account_id, created_at desc, id)`.execute(db);
      await sql`create index inbox_unread_idx on notify.inbox (account_id) where read_at is null`.execute(db);
    },
  },
];
