import { sql } from 'kysely';
import type { ForwardMigration } from '../platform/migrations.ts';

export const authMigrations: ForwardMigration[] = [
  {
    name: '202611270300_auth_credentials',
    async up(db) {
      await sql`create schema if not exists auth`.execute(db);
      // Account ids refer to identity.accounts; no foreign key across contexts (each could move).
      await sql`
        create table auth.passwords (
          account_id uuid primary key,
          hash text not null check (hash like '$argon2%'),
          updated_at timestamptz not null
        )`.execute(db);
      await sql`
        create table auth.passcodes (
          account_id uuid primary key,
          hash text not null check (hash like '$argon2%'),
          updated_at timestamptz not null
        )`.execute(db);
      await sql`
        create table auth.otp_challenges (
          id uuid primary key,
          account_id uuid not null,
          purpose text not null check (purpose in ('login', 'device', 'sensitive')),
          code_hash char(64) not null,
          sent_to text not null,
          created_at timestamptz not null,
          expires_at timestamptz not null check (expires_at > created_at),
          attempts integer not null default 0 check (attempts >= 0 and attempts <= max_attempts),
          max_attempts integer not null check (max_attempts > 0),
          consumed_at timestamptz,
          ip text
        )`.execute(db);
      await sql`create index otp_challenges_account on auth.otp_challenges (account_id, created_at)`.execute(db);
      await sql`create index otp_challenges_expiry on auth.otp_challenges (expires_at)`.execute(db);
      await sql`
        create table auth.totp (
          account_id uuid primary key,
          sealed_seed text not null,
          created_at timestamptz not null,
          confirmed_at timestamptz,
          last_step bigint
        )`.execute(db);
      await sql`
        create table auth.devices (
          id uuid primary key,
          account_id uuid not null,
          name text not null check (char_length(name) between 1 and 100),
          registered_at timestamptz not null,
          revoked_at timestamptz,
          revoked_reason text,
          constraint revoked_with_reason check ((revoked_at is null) = (revoked_reason is null))
        )`.execute(db);
      // DOMAIN.md §7: one active device per account.
      await sql`
        create unique index devices_one_active on auth.devices (account_id) where revoked_at is null`.execute(db);
      await sql`create index devices_account on auth.devices (account_id, registered_at)`.execute(db);
      // Brute-force counters live in PostgreSQL so that every process sees the same counts.
      await sql`
        create table auth.throttle (
          key text primary key,
          window_start timestamptz not null,
          count integer not null check (count >= 0),
          locked_until timestamptz
        )`.execute(db);
      await sql`create index throttle_window on auth.throttle (window_start)`.execute(db);
      await sql`
        create table auth.keys (
          name text primary key,
          sealed text not null,
          created_at timestamptz not null
        )`.execute(db);
    },
  },
  {
    // Decree 69 Art 14.1: in-app activation proves the phone with a code of its own purpose.
    name: '202611300300_auth_activation',
    async up(db) {
      await sql`alter table auth.otp_challenges drop constraint otp_challenges_purpose_check`.execute(db);
      await sql`
        alter table auth.otp_challenges add constraint otp_challenges_purpose_check
          check (purpose in ('login', 'device', 'sensitive', 'activation'))`.execute(db);
    },
  },
];
