import { sql } from 'kysely';
import type { ForwardMigration } from '../platform/migrations.ts';

export const oidcMigrations: ForwardMigration[] = [
  {
    name: '202611270400_oidc_storage',
    async up(db) {
      await sql`create schema if not exists oidc`.execute(db);
      // The storage of oidc-provider's models (the seven-method adapter contract, adapter.ts).
      await sql`
        create table oidc.payloads (
          model text not null,
          id text not null,
          payload jsonb not null,
          grant_id text,
          user_code text,
          uid text,
          account_id text,
          client_id text,
          expires_at timestamptz,
          consumed_at timestamptz,
          created_at timestamptz not null,
          primary key (model, id)
        )`.execute(db);
      await sql`create index payloads_grant_idx on oidc.payloads (grant_id) where grant_id is not null`.execute(db);
      await sql`create unique index payloads_uid_idx on oidc.payloads (model, uid) where uid is not null`.execute(db);
      await sql`create unique index payloads_user_code_idx on oidc.payloads (model, user_code) where user_code is not null`.execute(
        db,
      );
      await sql`create index payloads_expires_idx on oidc.payloads (expires_at) where expires_at is not null`.execute(
        db,
      );
      await sql`create index payloads_account_idx on oidc.payloads (account_id, model, client_id) where account_id is not null`.execute(
        db,
      );

      await sql`
        create table oidc.signing_keys (
          kid text primary key,
          alg text not null,
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
      // At most one current key per algorithm.
      await sql`create unique index signing_keys_current_idx on oidc.signing_keys (alg) where state = 'current'`.execute(
        db,
      );

      await sql`
        create table oidc.secrets (
          name text primary key,
          sealed text not null,
          created_at timestamptz not null
        )`.execute(db);

      await sql`
        create table oidc.clients (
          client_id text primary key,
          kind text not null check (kind in ('state', 'private')),
          name_vi text not null,
          name_en text not null,
          redirect_uris text[] not null check (cardinality(redirect_uris) >= 1),
          post_logout_redirect_uris text[] not null default '{}',
          backchannel_logout_uri text,
          min_level smallint not null default 1 check (min_level in (1, 2)),
          allowed_scopes text[] not null default '{}',
          sector_identifier text,
          token_endpoint_auth_method text not null
            check (token_endpoint_auth_method in ('client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none')),
          secret_sealed text,
          jwks jsonb,
          officer_console boolean not null default false,
          first_party boolean not null default false,
          status text not null default 'active' check (status in ('active', 'disabled')),
          created_at timestamptz not null,
          created_by text not null,
          updated_at timestamptz not null,
          version integer not null default 1,
          -- Art 19: private relying parties get pairwise identifiers, computed within a sector.
          check (kind = 'state' or sector_identifier is not null),
          -- A private relying party is never a platform front end.
          check (kind = 'state' or not (first_party or officer_console)),
          check ((token_endpoint_auth_method in ('client_secret_basic', 'client_secret_post')) = (secret_sealed is not null))
        )`.execute(db);

      await sql`
        create table oidc.login_flows (
          uid text primary key,
          csrf text not null,
          step text not null check (step in ('identifier', 'password', 'otp', 'consent', 'done')),
          identifier_sealed text,
          account_id text,
          challenge_id text,
          masked_phone text,
          second_factor text check (second_factor in ('sms', 'totp')),
          created_at timestamptz not null,
          expires_at timestamptz not null
        )`.execute(db);
      await sql`create index login_flows_expires_idx on oidc.login_flows (expires_at)`.execute(db);
    },
  },
  {
    // A dependant signs in only with the representative's confirmation in the app (Decree 69/2024
    // Art 10.1(b); DOMAIN.md §5): the login flow waits at a step of its own, holding the id of the
    // confirmation request server-side, and remembers that the code went to the representative's
    // phone (DOMAIN.md §4).
    name: '202612010100_oidc_login_flow_confirmation',
    async up(db) {
      await sql`
        alter table oidc.login_flows
          drop constraint login_flows_step_check,
          add constraint login_flows_step_check
            check (step in ('identifier', 'password', 'otp', 'confirmation', 'consent', 'done')),
          add column code_to_representative boolean not null default false,
          add column confirmation_id text`.execute(db);
    },
  },
];
