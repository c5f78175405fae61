import { sql } from 'kysely';
import type { ForwardMigration } from '../platform/migrations.ts';
import { AUDIT_CHAINS } from './repository.ts';
import { GENESIS_HASH } from './model.ts';

export const auditMigrations: ForwardMigration[] = [
  {
    name: '202611260100_audit_ledger',
    async up(db) {
      await sql`create schema if not exists audit`.execute(db);
      await sql`
        create table audit.entries (
          chain smallint not null,
          seq bigint not null,
          id uuid not null unique,
          at timestamptz not null,
          actor_kind text not null,
          actor_id text not null,
          action text not null,
          subject_kind text,
          subject_id text,
          purpose text,
          outcome text not null check (outcome in ('success', 'failure', 'denied')),
          detail jsonb,
          prev_hash char(64) not null,
          hash char(64) not null,
          primary key (chain, seq)
        )`.execute(db);
      await sql`create index entries_subject_idx on audit.entries (subject_kind, subject_id, at)`.execute(db);
      await sql`create index entries_at_idx on audit.entries (at)`.execute(db);
      await sql`
        create table audit.chain_heads (
          chain smallint primary key,
          seq bigint not null default 0,
          hash char(64) not null
        )`.execute(db);
      for (let chain = 0; chain < AUDIT_CHAINS; chain++) {
        await sql`insert into audit.chain_heads (chain, seq, hash) values (${chain}, 0, ${GENESIS_HASH})`.execute(db);
      }
      // The ledger is append-only: the database itself refuses to change or remove an entry,
      // whatever the application does. (Only a superuser disabling the trigger could, and the
      // hash chain then shows it.)
      await sql`
        create function audit.refuse_change() returns trigger language plpgsql as $$
        begin
          raise exception 'audit.entries is append-only (% refused)', tg_op using errcode = '42501';
        end $$`.execute(db);
      await sql`
        create trigger entries_append_only before update or delete on audit.entries
        for each row execute function audit.refuse_change()`.execute(db);
      await sql`
        create trigger entries_no_truncate before truncate on audit.entries
        for each statement execute function audit.refuse_change()`.execute(db);
    },
  },
];
