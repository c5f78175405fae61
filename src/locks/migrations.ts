import { sql } from 'kysely';
import type { ForwardMigration } from '../platform/migrations.ts';

export const locksMigrations: ForwardMigration[] = [
  {
    name: '202612050100_locks_grounds_requests',
    async up(db) {
      await sql`create schema if not exists locks`.execute(db);
      await sql`
        create table locks.grounds (
          id uuid primary key,
          account_id uuid not null,
          ground text not null check (ground in ('holder_request', 'terms_violation', 'card_revoked_or_held',
            'death', 'authority_request', 'document_expired', 'organisation_dissolved', 'suspected_misuse')),
          legal_basis text not null check (btrim(legal_basis) <> ''),
          detail text,
          source text not null check (source in ('holder_app', 'holder_counter_tk03', 'registry_sync', 'officer',
            'authority_request')),
          reference text,
          set_by text not null,
          set_at timestamptz not null,
          notify_subject_after timestamptz,
          lifted_at timestamptz,
          lifted_by text,
          lift_reason text,
          version integer not null default 1,
          constraint lift_recorded check ((lifted_at is null) = (lifted_by is null)),
          -- Law on Identification Art 34 (DOMAIN.md §6): death has no unlock.
          constraint death_never_lifted check (ground <> 'death' or lifted_at is null)
        )`.execute(db);
      await sql`create index grounds_active on locks.grounds (account_id) where lifted_at is null`.execute(db);
      await sql`create index grounds_account on locks.grounds (account_id, set_at)`.execute(db);
      // One active record per account and ground; authorities may each have their own request in force.
      await sql`
        create unique index grounds_one_active on locks.grounds (account_id, ground)
        where lifted_at is null and ground <> 'authority_request'`.execute(db);
      // A registry change sets at most one ground, whatever replays the feed.
      await sql`
        create unique index grounds_registry_change on locks.grounds (reference, ground)
        where source = 'registry_sync'`.execute(db);

      await sql`
        create table locks.authorities (
          id uuid primary key,
          code text not null unique check (code ~ '^[A-Z0-9-]{2,40}$'),
          name text not null check (btrim(name) <> ''),
          kind text not null check (kind in ('court', 'procuracy', 'investigation', 'other')),
          email text,
          unit_id uuid not null,
          key_hash text not null unique check (key_hash ~ '^[0-9a-f]{64}$'),
          key_hint text not null,
          created_by text not null,
          created_at timestamptz not null,
          disabled_at timestamptz
        )`.execute(db);

      // Request numbers are quoted to authorities and holders: short, per year, never reused.
      await sql`create sequence locks.request_numbers`.execute(db);
      await sql`
        create table locks.requests (
          id uuid primary key,
          number text not null unique,
          kind text not null check (kind in ('authority', 'holder_counter', 'holder_unlock')),
          action text not null check (action in ('lock', 'unlock')),
          state text not null check (state in ('received', 'forwarded', 'returned', 'approved', 'refused')),
          channel text not null check (channel in ('app', 'counter', 'post', 'api')),
          account_id uuid not null,
          subject_kind text not null check (subject_kind in ('citizen', 'foreigner', 'organisation')),
          subject_identifier text not null,
          subject_name text not null,
          requester jsonb,
          authority_id uuid references locks.authorities (id),
          statement text not null,
          target_ground_id uuid references locks.grounds (id),
          ground_id uuid references locks.grounds (id),
          notify_subject_after timestamptz,
          receiving_unit_id uuid not null,
          unit_id uuid not null,
          received_by text,
          received_at timestamptz not null,
          due_at timestamptz,
          forwarded_at timestamptz,
          forwarded_by text,
          decided_at timestamptz,
          decided_by text,
          reasons jsonb not null default '[]',
          escalated_step text check (escalated_step in ('received', 'forwarded')),
          created_at timestamptz not null,
          updated_at timestamptz not null,
          version integer not null default 1,
          -- Seed 003: a refusal is written, with reasons; so is a return to the authority.
          constraint refusal_has_reasons check (state not in ('returned', 'refused') or jsonb_array_length(reasons) > 0),
          constraint authority_has_requester check (kind <> 'authority' or requester is not null),
          constraint unlock_names_ground check (action <> 'unlock' or target_ground_id is not null)
        )`.execute(db);
      // Officers' queues: open requests of a unit by due date; the escalation worker: open and past due.
      await sql`
        create index requests_queue on locks.requests (unit_id, due_at)
        where state in ('received', 'forwarded')`.execute(db);
      await sql`create index requests_due on locks.requests (due_at) where state in ('received', 'forwarded')`.execute(
        db,
      );
      await sql`create index requests_account on locks.requests (account_id, created_at)`.execute(db);
      await sql`create index requests_authority on locks.requests (authority_id, created_at)`.execute(db);
      await sql`
        create table locks.events (
          id bigserial primary key,
          request_id uuid not null references locks.requests (id),
          at timestamptz not null,
          event text not null,
          from_state text,
          to_state text not null,
          actor_kind text not null,
          actor_id text not null,
          detail jsonb not null default '{}'
        )`.execute(db);
      await sql`create index events_request on locks.events (request_id, id)`.execute(db);

      await sql`
        create table locks.sync_cursor (
          feed text primary key,
          cursor text,
          updated_at timestamptz not null
        )`.execute(db);
      await sql`insert into locks.sync_cursor (feed, cursor, updated_at) values ('registry', null, now())`.execute(db);

      await sql`
        create table locks.deferred_notices (
          id uuid primary key,
          account_id uuid not null,
          ground_id uuid references locks.grounds (id),
          template text not null,
          params jsonb not null,
          notice_key text not null unique,
          not_before timestamptz not null,
          released_at timestamptz,
          created_at timestamptz not null
        )`.execute(db);
      await sql`
        create index deferred_notices_due on locks.deferred_notices (not_before) where released_at is null`.execute(db);
    },
  },
];
