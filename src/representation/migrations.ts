import { sql } from 'kysely';
import type { ForwardMigration } from '../platform/migrations.ts';

export const representationMigrations: ForwardMigration[] = [
  {
    name: '202611300100_representation_links',
    async up(db) {
      await sql`create schema if not exists representation`.execute(db);
      await sql`
        create table representation.links (
          id uuid primary key,
          representative_account_id uuid not null,
          dependant_account_id uuid not null,
          basis text not null check (basis in ('parent', 'guardian', 'legal_representative', 'authorised')),
          evidence jsonb not null default '{}'::jsonb check (jsonb_typeof(evidence) = 'object'),
          valid_from date not null,
          valid_until date,
          ended_at timestamptz,
          end_reason text check (
            end_reason in ('dependant_turned_14', 'guardianship_ended', 'authorisation_expired', 'revoked')),
          created_at timestamptz not null,
          version integer not null default 1 check (version >= 1),
          constraint not_self check (representative_account_id <> dependant_account_id),
          constraint valid_period check (valid_until is null or valid_until > valid_from),
          constraint ended_with_reason check ((ended_at is null) = (end_reason is null))
        )`.execute(db);
      // At most one live link per pair; a new one may follow an ended one (e.g. a new guardianship).
      await sql`
        create unique index links_live_pair on representation.links (representative_account_id, dependant_account_id)
        where ended_at is null`.execute(db);
      await sql`
        create index links_live_dependant on representation.links (dependant_account_id)
        where ended_at is null`.execute(db);
      // The end-of-representation job reads live links by their end date.
      await sql`
        create index links_live_until on representation.links (valid_until)
        where ended_at is null and valid_until is not null`.execute(db);

      await sql`
        create table representation.confirmations (
          id uuid primary key,
          link_id uuid not null references representation.links (id),
          dependant_account_id uuid not null,
          representative_account_id uuid not null,
          action text not null check (action in ('sign_in', 'share_data', 'change_contact', 'lock', 'unlock', 'other')),
          detail jsonb not null default '{}'::jsonb check (jsonb_typeof(detail) = 'object'),
          status text not null check (status in ('pending', 'confirmed', 'refused', 'expired')),
          requested_at timestamptz not null,
          expires_at timestamptz not null,
          decided_at timestamptz,
          version integer not null default 1 check (version >= 1),
          constraint expires_after_request check (expires_at > requested_at),
          constraint decided_iff_answered check ((status in ('confirmed', 'refused')) = (decided_at is not null))
        )`.execute(db);
      await sql`
        create index confirmations_pending on representation.confirmations (representative_account_id, expires_at)
        where status = 'pending'`.execute(db);
      await sql`create index confirmations_link on representation.confirmations (link_id)`.execute(db);
    },
  },
];
