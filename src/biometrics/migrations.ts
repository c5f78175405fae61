import { sql } from 'kysely';
import type { ForwardMigration } from '../platform/migrations.ts';

export const biometricsMigrations: ForwardMigration[] = [
  {
    name: '202612060100_biometrics_references',
    async up(db) {
      await sql`create schema if not exists biometrics`.execute(db);
      // Reference templates, sealed (AES-256-GCM under the master keyring, bound to the row's key):
      // the database never holds a template in the clear, and no image at all.
      await sql`
        create table biometrics.reference_templates (
          subject_kind text not null check (subject_kind in ('citizen', 'foreigner')),
          registry_id text not null check (registry_id ~ '^[0-9A-Za-z-]{1,40}$'),
          modality text not null check (modality in ('face', 'fingerprint')),
          finger smallint not null,
          sealed_template text not null check (sealed_template like 'v1.%'),
          engine text not null check (btrim(engine) <> ''),
          created_at timestamptz not null,
          primary key (subject_kind, registry_id, modality, finger),
          constraint finger_of_modality check (
            (modality = 'face' and finger = 0) or (modality = 'fingerprint' and finger between 1 and 10))
        )`.execute(db);
    },
  },
];
