import { sql } from 'kysely';
import type { ForwardMigration } from '../platform/migrations.ts';

export const identityMigrations: ForwardMigration[] = [
  {
    name: '202611270100_identity_accounts',
    async up(db) {
      await sql`create schema if not exists identity`.execute(db);
      await sql`
        create table identity.accounts (
          id uuid primary key,
          subject_kind text not null check (subject_kind in ('citizen', 'foreigner', 'organisation')),
          registry_id text not null check (btrim(registry_id) <> ''),
          pin text check (pin ~ '^[0-9]{12}$'),
          passport_country text check (passport_country ~ '^[A-Z]{3}$'),
          passport_number text check (passport_number ~ '^[A-Z0-9]{5,20}$'),
          enterprise_code text check (enterprise_code ~ '^[0-9]{10}(-[0-9]{3})?$'),
          full_name text not null check (btrim(full_name) <> ''),
          level smallint check (level in (1, 2)),
          status text not null check (status in ('pending_activation', 'active', 'locked', 'activation_expired', 'closed')),
          lock_reasons text[] not null default '{}',
          phone text check (phone ~ '^\\+[1-9][0-9]{6,14}$'),
          email text check (email is null or length(email) <= 254),
          created_at timestamptz not null,
          activated_at timestamptz,
          activation_due_at timestamptz,
          version integer not null default 1 check (version >= 1),
          -- each kind of subject is keyed in its own registry; organisations have no levels (Decree 69 Art 7)
          constraint subject_keys check (
            (subject_kind = 'citizen' and pin is not null and passport_number is null
              and enterprise_code is null and level is not null)
            or (subject_kind = 'foreigner' and passport_number is not null and passport_country is not null
              and pin is null and enterprise_code is null and level is not null)
            or (subject_kind = 'organisation' and enterprise_code is not null and pin is null
              and passport_number is null and level is null)),
          constraint lock_reasons_iff_locked check ((status = 'locked') = (cardinality(lock_reasons) > 0)),
          constraint activated_when_active check (status not in ('active', 'locked') or activated_at is not null)
        )`.execute(db);
      // DOMAIN.md §4 (Decree 69 Art 9): a phone number is bound to one account only; a closed
      // account releases it.
      await sql`create unique index accounts_phone_bound on identity.accounts (phone) where status <> 'closed'`.execute(
        db,
      );
      // One live account per subject (the registry id, not the PIN, which can be re-issued).
      await sql`
        create unique index accounts_live_subject on identity.accounts (subject_kind, registry_id)
        where status <> 'closed'`.execute(db);
      await sql`create unique index accounts_live_pin on identity.accounts (pin) where status <> 'closed'`.execute(db);
      await sql`
        create index accounts_passport on identity.accounts (passport_number) where status <> 'closed'`.execute(db);
      await sql`
        create index accounts_enterprise on identity.accounts (enterprise_code) where status <> 'closed'`.execute(db);
      await sql`
        create index accounts_activation_due on identity.accounts (activation_due_at)
        where status = 'pending_activation'`.execute(db);
    },
  },
];
