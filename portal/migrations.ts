import { Migrator, sql, type Kysely, type Migration } from 'kysely';

/**
 * The portal's own migrations: forward-only (a mistake is fixed by a new migration), named
 * `YYYYMMDDHHMM_portal_<what>`, run in name order under Kysely's migration lock, with their
 * bookkeeping in the `portal` schema of the portal's database (never the platform's).
 */
export interface PortalMigration {
  name: string;
  up(db: Kysely<any>): Promise<void>;
}

export const portalMigrations: PortalMigration[] = [
  {
    name: '202612010900_portal_accounts_sessions',
    async up(db) {
      await sql`create schema if not exists portal`.execute(db);
      await sql`
        create table portal.users (
          id uuid primary key,
          pin text not null unique check (pin ~ '^[0-9]{12}$'),
          full_name text not null,
          birthdate date,
          phone text,
          email text,
          password_hash text,
          platform_sub text unique,
          failed_logins integer not null default 0,
          locked_until timestamptz,
          created_at timestamptz not null,
          updated_at timestamptz not null
        )`.execute(db);
      await sql`
        create table portal.sessions (
          id text primary key,
          kind text not null check (kind in ('anonymous', 'citizen', 'officer')),
          user_id uuid references portal.users (id),
          officer_sub text,
          auth_method text check (auth_method in ('sso', 'portal')),
          level integer not null default 0,
          acr text,
          sid text,
          id_token text,
          claims jsonb,
          data jsonb not null default '{}',
          csrf text not null,
          locale text not null default 'vi',
          created_at timestamptz not null,
          expires_at timestamptz not null
        )`.execute(db);
      await sql`create index sessions_sid_idx on portal.sessions (sid) where sid is not null`.execute(db);
      await sql`create index sessions_expires_idx on portal.sessions (expires_at)`.execute(db);
      await sql`
        create table portal.captchas (
          id uuid primary key,
          kind text not null check (kind in ('image', 'question')),
          answer_hash text not null,
          created_at timestamptz not null,
          expires_at timestamptz not null,
          used_at timestamptz
        )`.execute(db);
      await sql`
        create table portal.otps (
          id uuid primary key,
          purpose text not null check (purpose in ('register', 'login')),
          phone text not null,
          code_hash text not null,
          attempts integer not null default 0,
          created_at timestamptz not null,
          expires_at timestamptz not null,
          used_at timestamptz
        )`.execute(db);
      await sql`create index otps_phone_idx on portal.otps (phone, created_at)`.execute(db);
      await sql`
        create table portal.sms_outbox (
          id bigserial primary key,
          recipient text not null,
          text text not null,
          status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
          attempts integer not null default 0,
          next_attempt_at timestamptz not null,
          last_error text,
          created_at timestamptz not null,
          sent_at timestamptz
        )`.execute(db);
      await sql`create index sms_outbox_pending_idx on portal.sms_outbox (next_attempt_at) where status = 'pending'`.execute(
        db,
      );
      await sql`
        create table portal.officers (
          sub text primary key,
          full_name text not null,
          added_by text not null,
          added_at timestamptz not null
        )`.execute(db);
    },
  },
  {
    name: '202612010910_portal_catalogue_dossiers',
    async up(db) {
      await sql`
        create table portal.procedures (
          code text primary key,
          title_vi text not null,
          title_en text not null,
          agency_vi text not null,
          summary_vi text not null,
          summary_en text not null,
          conditions_vi jsonb not null,
          fee_vnd integer not null check (fee_vnd >= 0),
          fee_note_vi text not null,
          deadline_working_days integer not null check (deadline_working_days >= 0),
          legal_basis text not null,
          documents jsonb not null,
          online_form text check (online_form in ('passport_first', 'passport_reissue')),
          keywords text not null,
          search_text text not null,
          sort integer not null
        )`.execute(db);
      await sql`
        create table portal.offices (
          code text primary key,
          name_vi text not null,
          name_en text not null,
          address text not null
        )`.execute(db);
      await sql`
        create table portal.dossiers (
          id uuid primary key,
          number text unique,
          user_id uuid not null references portal.users (id),
          procedure_code text not null references portal.procedures (code),
          state text not null check (state in ('draft', 'awaiting_payment', 'paid', 'received',
            'additions_requested', 'approved', 'refused', 'produced', 'delivered')),
          fields jsonb not null default '{}',
          claims jsonb not null default '{}',
          review_code text,
          fee_vnd integer not null,
          deadline_days integer not null,
          deadline timestamptz,
          deadline_local text,
          decision_reason text,
          delivery_note text,
          version integer not null default 0,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          submitted_at timestamptz,
          paid_at timestamptz,
          check ((state = 'draft') = (number is null))
        )`.execute(db);
      await sql`create index dossiers_user_idx on portal.dossiers (user_id, created_at)`.execute(db);
      await sql`create index dossiers_queue_idx on portal.dossiers (state, deadline) where state <> 'draft'`.execute(
        db,
      );
      await sql`
        create table portal.dossier_files (
          id uuid primary key,
          dossier_id uuid not null references portal.dossiers (id),
          slot text not null check (slot in ('portrait', 'id_front', 'id_back', 'attachment')),
          filename text not null,
          content_type text not null,
          bytes bytea not null,
          size integer not null,
          width integer not null,
          height integer not null,
          sha256 text not null,
          created_at timestamptz not null
        )`.execute(db);
      // One portrait and one of each side of the card per dossier; attachments may be several.
      await sql`create unique index dossier_files_slot_idx on portal.dossier_files (dossier_id, slot) where slot <> 'attachment'`.execute(
        db,
      );
      await sql`
        create table portal.dossier_events (
          id bigserial primary key,
          dossier_id uuid not null references portal.dossiers (id),
          event text not null,
          from_state text,
          to_state text not null,
          actor_kind text not null,
          actor_id text not null,
          reason text,
          at timestamptz not null
        )`.execute(db);
      await sql`create index dossier_events_dossier_idx on portal.dossier_events (dossier_id, id)`.execute(db);
      await sql`
        create table portal.payments (
          id uuid primary key,
          dossier_id uuid not null unique references portal.dossiers (id),
          amount_vnd integer not null check (amount_vnd > 0),
          status text not null check (status in ('pending', 'paid')),
          qr_payload text not null,
          pay_token_hash text not null unique,
          gateway_txn_id text unique,
          paid_by text,
          created_at timestamptz not null,
          paid_at timestamptz
        )`.execute(db);
      // Idempotency: a gateway transaction is applied once, whatever the number of deliveries.
      await sql`
        create table portal.payment_callbacks (
          gateway_txn_id text primary key,
          payment_id uuid not null references portal.payments (id),
          outcome text not null,
          received_at timestamptz not null
        )`.execute(db);
      await sql`
        create table portal.notifications (
          id bigserial primary key,
          user_id uuid not null references portal.users (id),
          dossier_id uuid references portal.dossiers (id),
          text_vi text not null,
          text_en text not null,
          created_at timestamptz not null,
          read_at timestamptz
        )`.execute(db);
      await sql`create index notifications_user_idx on portal.notifications (user_id, id desc)`.execute(db);
    },
  },
];

function migrator(db: Kysely<any>): Migrator {
  return new Migrator({
    db,
    provider: {
      async getMigrations() {
        const byName: Record<string, Migration> = {};
        for (const m of portalMigrations) {
          if (byName[m.name]) throw new Error(`duplicate portal migration ${m.name}`);
          byName[m.name] = { up: m.up };
        }
        return byName;
      },
    },
    migrationTableSchema: 'portal',
  });
}

export async function migratePortal(db: Kysely<any>): Promise<string[]> {
  await sql`create schema if not exists portal`.execute(db);
  const result = await migrator(db).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new Error(`portal migration ${failed?.migrationName ?? '?'} failed: ${String(result.error)}`, {
      cause: result.error,
    });
  }
  return (result.results ?? []).map((r) => r.migrationName);
}

export async function pendingPortalMigrations(db: Kysely<any>): Promise<string[]> {
  const infos = await migrator(db).getMigrations();
  return infos.filter((m) => !m.executedAt).map((m) => m.name);
}
