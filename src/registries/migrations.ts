import { sql } from 'kysely';
import type { ForwardMigration } from '../platform/migrations.ts';

/**
 * The sandbox national registries (DOMAIN.md §2): schema `sandbox`, standing in for the
 * Identity/Population DB, the Immigration DB, the Business Registration DB and the mobile
 * subscriber registry. Only the sandbox adapters (src/registries/sandbox/) read it.
 *
 * Built for bulk loading (a million citizens in well under two minutes, bench/sandbox-generate.ts):
 * - no foreign keys: the generator keeps the tables consistent (checked in seed.test.ts);
 * - the data tables and `seed_info` are UNLOGGED: the sandbox is synthetic and reproducible from
 *   its seed, so it skips the write-ahead log (twice as fast to load). After a PostgreSQL crash
 *   they come back empty, `seed_info` with them, and the next seed reloads them. `changes` is an
 *   ordinary table, so that its ids never go back.
 */
export const registriesMigrations: ForwardMigration[] = [
  {
    name: '202611260300_registries_sandbox',
    async up(db) {
      await sql`create schema if not exists sandbox`.execute(db);

      await sql`
        create unlogged table sandbox.seed_info (
          id smallint primary key default 1 check (id = 1),
          seed text not null,
          citizens integer not null,
          foreigners integer not null,
          organisations integer not null,
          as_of date not null,
          generator_version integer not null,
          counts jsonb not null,
          seeded_at timestamptz not null default now()
        )`.execute(db);

      // Identity / Population DB
      await sql`
        create unlogged table sandbox.persons (
          id bigint primary key,
          pin char(12) not null,
          family_name text not null,
          middle_name text not null,
          given_name text not null,
          full_name text not null,
          sex text not null check (sex in ('male', 'female')),
          date_of_birth date not null,
          birth_province char(3) not null,
          nationality char(3) not null,
          residence_line text not null,
          residence_ward text not null,
          residence_province text not null,
          date_of_death date
        )`.execute(db);
      await sql`create unique index persons_pin_key on sandbox.persons (pin)`.execute(db);
      await sql`
        create unlogged table sandbox.pin_history (
          old_pin char(12) primary key,
          person_id bigint not null,
          replaced_on date not null,
          reason text not null
        )`.execute(db);
      await sql`create index pin_history_person_idx on sandbox.pin_history (person_id)`.execute(db);
      await sql`
        create unlogged table sandbox.id_cards (
          person_id bigint primary key,
          number char(12) not null,
          issued_on date not null,
          expires_on date,
          chip boolean not null,
          status text not null check (status in ('valid', 'revoked', 'held')),
          status_since date not null,
          issuing_authority text not null
        )`.execute(db);
      await sql`
        create unlogged table sandbox.kinships (
          person_id bigint not null,
          relative_id bigint not null,
          relation text not null check (relation in ('father', 'mother', 'spouse')),
          primary key (person_id, relation, relative_id)
        )`.execute(db);
      await sql`create index kinships_relative_idx on sandbox.kinships (relative_id)`.execute(db);
      await sql`
        create unlogged table sandbox.guardianships (
          id bigint primary key,
          ward_id bigint not null,
          guardian_id bigint not null,
          basis text not null check (basis in ('court_appointed', 'by_law')),
          court text,
          decision_number text,
          since date not null,
          until date
        )`.execute(db);
      await sql`create index guardianships_ward_idx on sandbox.guardianships (ward_id)`.execute(db);
      await sql`create index guardianships_guardian_idx on sandbox.guardianships (guardian_id)`.execute(db);

      // Immigration DB
      await sql`
        create unlogged table sandbox.foreigners (
          id bigint primary key,
          passport_number text not null,
          passport_country char(3) not null,
          passport_issued_on date not null,
          passport_expires_on date not null,
          family_name text not null,
          given_names text not null,
          full_name text not null,
          sex text not null check (sex in ('male', 'female')),
          date_of_birth date not null,
          nationality char(3) not null,
          address_line text,
          address_ward text,
          address_province text,
          date_of_death date
        )`.execute(db);
      await sql`
        create unique index foreigners_passport_key on sandbox.foreigners (passport_number, passport_country)
      `.execute(db);
      await sql`
        create unlogged table sandbox.residence_cards (
          foreigner_id bigint primary key,
          number text not null unique,
          kind text not null check (kind in ('temporary', 'permanent')),
          issued_on date not null,
          expires_on date not null
        )`.execute(db);
      await sql`
        create unlogged table sandbox.foreigner_kinships (
          foreigner_id bigint not null,
          relative_id bigint not null,
          relation text not null check (relation in ('father', 'mother', 'spouse')),
          primary key (foreigner_id, relation, relative_id)
        )`.execute(db);
      await sql`create index foreigner_kinships_relative_idx on sandbox.foreigner_kinships (relative_id)`.execute(db);

      // Business Registration DB
      await sql`
        create unlogged table sandbox.organisations (
          id bigint primary key,
          enterprise_code char(10) not null unique,
          name text not null,
          legal_form text not null,
          founded_on date not null,
          head_office_line text not null,
          head_office_ward text not null,
          head_office_province text not null,
          status text not null check (status in ('active', 'suspended', 'dissolved')),
          status_since date not null
        )`.execute(db);
      await sql`
        create unlogged table sandbox.legal_representatives (
          organisation_id bigint not null,
          person_id bigint not null,
          title text not null,
          since date not null,
          primary key (organisation_id, person_id)
        )`.execute(db);
      await sql`create index legal_representatives_person_idx on sandbox.legal_representatives (person_id)`.execute(db);

      // Mobile subscriber registry
      await sql`
        create unlogged table sandbox.subscribers (
          phone char(10) primary key,
          operator text not null,
          owner_kind text not null check (owner_kind in ('citizen', 'foreigner', 'organisation')),
          owner_id bigint not null,
          registered_on date not null,
          actual_user_id bigint
        )`.execute(db);
      await sql`create index subscribers_owner_idx on sandbox.subscribers (owner_kind, owner_id)`.execute(db);

      // Biometric samples on record (opaque until the biometrics context fills them)
      await sql`
        create unlogged table sandbox.biometric_references (
          subject_kind text not null check (subject_kind in ('citizen', 'foreigner')),
          subject_id bigint not null,
          kind text not null check (kind in ('face', 'fingerprint')),
          sample_ref text,
          captured_on date not null,
          primary key (subject_kind, subject_id, kind)
        )`.execute(db);

      // What changed in the registries, for the registry-sync worker (read in id order).
      await sql`
        create table sandbox.changes (
          id bigserial primary key,
          subject_kind text not null check (subject_kind in ('citizen', 'foreigner', 'organisation')),
          subject_id bigint not null,
          kind text not null,
          occurred_on date not null,
          recorded_at timestamptz not null default now(),
          detail jsonb not null default '{}'
        )`.execute(db);
      await sql`create index changes_subject_idx on sandbox.changes (subject_kind, subject_id)`.execute(db);
    },
  },
];

/** Tables the seed loads, in load order (changes and seed_info excepted). */
export const SANDBOX_DATA_TABLES = [
  'persons',
  'pin_history',
  'id_cards',
  'kinships',
  'guardianships',
  'foreigners',
  'residence_cards',
  'foreigner_kinships',
  'organisations',
  'legal_representatives',
  'subscribers',
  'biometric_references',
] as const;
