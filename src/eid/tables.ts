import type { ColumnType } from 'kysely';
import type { DocumentKind, OnlineStatus } from './model.ts';

/** Row types of the tables this context owns (schema `eid`), keyed 'schema.table' for Kysely. */
export interface EidTables {
  'eid.keys': EidKeyRow;
  'eid.secrets': EidSecretRow;
  'eid.presentations': PresentationRow;
  'eid.documents': DocumentRow;
}

/** jsonb: written as JSON text, read back as the parsed value. */
type Json = ColumnType<Record<string, unknown>, string, string>;

export type EidKeyState = 'next' | 'current' | 'retired';

/** A signing key of the card: the public JWK in clear, the private JWK sealed (context `eid-key:<kid>`). */
export interface EidKeyRow {
  kid: string;
  alg: string;
  state: EidKeyState;
  public_jwk: Json;
  sealed_private: string;
  created_at: Date;
  /** A `next` key signs from this instant on (verifiers have had time to fetch it). */
  activate_after: Date | null;
  activated_at: Date | null;
  retired_at: Date | null;
  /** A `retired` key leaves the published set at this instant (every credential it signed has expired). */
  remove_after: Date | null;
  updated_at: Date;
}

/** Secrets of the context (the pairwise-subject salt), sealed (context `eid-secret:<name>`). */
export interface EidSecretRow {
  name: string;
  sealed: string;
  created_at: Date;
}

/**
 * One presentation of the card: the usage history (kept 5 years, DOMAIN.md §§6, 9). Only the
 * names of the claims released are kept, never their values.
 */
export interface PresentationRow {
  jti: string;
  /** identity.accounts id: no foreign key across contexts. */
  account_id: string;
  purpose: string;
  /** The verifier the holder named, if any (the credential's `aud`). */
  audience: string | null;
  claims: string[];
  kid: string;
  created_at: Date;
  expires_at: Date;
  /** Last online verification (POST /api/v1/public/eid/verify). */
  verified_at: Date | null;
  /** Who verified, as they named themselves. */
  verifier: string | null;
  verifier_ip: string | null;
  verification_status: OnlineStatus | null;
  verifications: ColumnType<number, number | undefined, number>;
}

/** A document integrated at the holder's request: the reference and when the registry was checked. */
export interface DocumentRow {
  account_id: string;
  kind: DocumentKind;
  reference: string;
  /** 'YYYY-MM-DD' (Vietnam date) the registry was last checked. */
  snapshot_on: string;
  integrated_at: Date;
  updated_at: Date;
}
