import { sql } from 'kysely';
import type { ForwardMigration } from '../platform/migrations.ts';

export const eidMigrations: ForwardMigration[] = [
  {
    name: '202612010500_eid_card',
    async up(db) {
      await sql`create schema if not exists eid`.execute(db);
      await sql`
        create table eid.keys (
          kid text primary key,
          alg text not null check (alg = 'ES256'),
          state text not null check (state in ('next', 'current', 'retired')),
          public_jwk jsonb not null,
          sealed_private text not null,
          created_at timestamptz not null,
          activate_after timestamptz,
          activated_at timestamptz,
          retired_at timestamptz,
          remove_after timestamptz,
          updated_at timestamptz not null,
          check ((state = 'next') = (activate_after is not null and activated_at is null)),
          check ((state = 'retired') = (retired_at is not null and remove_after is not null))
        )`.execute(db);
      // One key signs, one waits: a second process racing to make either finds the index.
      await sql`create unique index keys_one_current on eid.keys ((true)) where state = 'current'`.execute(db);
      await sql`create unique index keys_one_next on eid.keys ((true)) where state = 'next'`.execute(db);

      await sql`
        create table eid.secrets (
          name text primary key,
          sealed text not null,
          created_at timestamptz not null
        )`.execute(db);

      await sql`
        create table eid.presentations (
          jti uuid primary key,
          account_id uuid not null,
          purpose text not null,
          audience text,
          claims text[] not null,
          kid text not null,
          created_at timestamptz not null,
          expires_at timestamptz not null,
          verified_at timestamptz,
          verifier text,
          verifier_ip text,
          verification_status text check (
            verification_status in ('active', 'locked', 'revoked', 'expired', 'invalid')),
          verifications integer not null default 0 check (verifications >= 0),
          constraint expires_after_creation check (expires_at > created_at),
          constraint verified_with_status check ((verified_at is null) = (verification_status is null))
        )`.execute(db);
      // The holder's history, newest first; the retention job by age (DOMAIN.md §6: 5 years).
      await sql`create index presentations_account on eid.presentations (account_id, created_at desc)`.execute(db);
      await sql`create index presentations_created on eid.presentations (created_at)`.execute(db);

      await sql`
        create table eid.documents (
          account_id uuid not null,
          kind text not null check (kind in ('driving_licence', 'health_insurance')),
          reference text not null,
          snapshot_on date not null,
          integrated_at timestamptz not null,
          updated_at timestamptz not null,
          primary key (account_id, kind)
        )`.execute(db);
    },
  },
];
