import { sql } from 'kysely';
import type { ForwardMigration } from '../platform/migrations.ts';

export const backofficeMigrations: ForwardMigration[] = [
  {
    name: '202611270200_backoffice_units_assignments',
    async up(db) {
      await sql`create schema if not exists backoffice`.execute(db);
      await sql`
        create table backoffice.units (
          id uuid primary key,
          code text not null unique check (code ~ '^[A-Z0-9-]{2,40}$'),
          kind text not null check (kind in ('c06', 'pc06', 'commune', 'immigration')),
          name_vi text not null check (btrim(name_vi) <> ''),
          name_en text not null check (btrim(name_en) <> ''),
          parent_id uuid references backoffice.units (id),
          province_code text check (province_code ~ '^[0-9]{2}$'),
          created_at timestamptz not null default now(),
          -- C06 is the root and the only unit without a parent
          constraint root_is_c06 check ((kind = 'c06') = (parent_id is null)),
          constraint no_self_parent check (parent_id <> id)
        )`.execute(db);
      await sql`create unique index units_one_c06 on backoffice.units (kind) where kind = 'c06'`.execute(db);
      await sql`create index units_parent on backoffice.units (parent_id)`.execute(db);
      await sql`
        create table backoffice.assignments (
          account_id uuid not null,
          unit_id uuid not null references backoffice.units (id),
          role text not null check (role in ('RECEIVER', 'APPROVER', 'CALL_CENTER', 'ADMIN')),
          assigned_at timestamptz not null,
          assigned_by text not null,
          primary key (account_id, unit_id, role)
        )`.execute(db);
      await sql`create index assignments_unit on backoffice.assignments (unit_id)`.execute(db);
    },
  },
];
