import type { ColumnType } from 'kysely';
import type { OtpPurpose } from './model.ts';

/** Row types of the tables this context owns (schema `auth`), keyed 'schema.table' for Kysely. */
export interface AuthTables {
  'auth.passwords': SecretHashRow;
  'auth.passcodes': SecretHashRow;
  'auth.otp_challenges': OtpChallengeRow;
  'auth.totp': TotpRow;
  'auth.devices': DeviceRow;
  'auth.throttle': ThrottleRow;
  'auth.keys': KeyRow;
}

/** An argon2id PHC string per account (never returned, never logged). */
export interface SecretHashRow {
  account_id: string;
  hash: string;
  updated_at: Date;
}

export interface OtpChallengeRow {
  id: string;
  account_id: string;
  purpose: OtpPurpose;
  /** HMAC-SHA256(pepper, `${id}:${code}`), hex. */
  code_hash: string;
  /** Masked phone the code went to. */
  sent_to: string;
  created_at: Date;
  expires_at: Date;
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: number;
  consumed_at: Date | null;
  ip: string | null;
}

export interface TotpRow {
  account_id: string;
  /** The RFC 6238 seed sealed with platform.secrets, context `totp:<account_id>`. */
  sealed_seed: string;
  created_at: Date;
  /** Null until the officer proved the authenticator works (confirmTotp). */
  confirmed_at: Date | null;
  /** Last accepted time step: a code of that step or an earlier one is refused (replay). */
  last_step: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface DeviceRow {
  id: string;
  account_id: string;
  name: string;
  registered_at: Date;
  revoked_at: Date | null;
  revoked_reason: string | null;
}

export interface ThrottleRow {
  key: string;
  window_start: Date;
  count: number;
  locked_until: Date | null;
}

export interface KeyRow {
  name: string;
  /** Sealed with platform.secrets, context `auth-key:<name>`. */
  sealed: string;
  created_at: Date;
}
