import type { ColumnType, Generated, Selectable } from 'kysely';

/**
 * Row types of the portal's own database (schema `portal`). The portal never reads the
 * platform's tables: what it knows of a person comes from the ID token and userinfo claims, the
 * platform's public APIs, and what the person typed into the portal.
 */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface UserRow {
  id: string;
  pin: string;
  full_name: string;
  birthdate: string | null;
  phone: string | null;
  email: string | null;
  /** argon2id; null for someone who only ever signed in with the national e-ID. */
  password_hash: string | null;
  /** The platform's `sub` (public subject of a state relying party), once linked by SSO. */
  platform_sub: string | null;
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SessionRow {
  /** SHA-256 of the cookie's token (the token itself is never stored). */
  id: string;
  kind: 'anonymous' | 'citizen' | 'officer';
  user_id: string | null;
  officer_sub: string | null;
  /** 'sso': national e-ID; 'portal': the portal's own account. */
  auth_method: 'sso' | 'portal' | null;
  /** Assurance level of the sign-in (from the ID token's acr); 0 for a portal account. */
  level: Generated<number>;
  acr: string | null;
  /** The provider's session id (`sid`), for back-channel logout. */
  sid: string | null;
  id_token: string | null;
  claims: Json<Record<string, unknown>> | null;
  /** Flows in progress (authorization request, registration, login): small JSON. */
  data: Json<Record<string, unknown>>;
  csrf: string;
  locale: Generated<string>;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface CaptchaRow {
  id: string;
  kind: 'image' | 'question';
  answer_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface OtpRow {
  id: string;
  purpose: 'register' | 'login';
  phone: string;
  code_hash: string;
  attempts: Generated<number>;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface SmsRow {
  id: Generated<string>;
  recipient: string;
  text: string;
  status: Generated<'pending' | 'sent' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
}

export interface OfficerRow {
  sub: string;
  full_name: string;
  added_by: string;
  added_at: Timestamp;
}

export interface ProcedureDocument {
  name_vi: string;
  name_en: string;
  copies: string;
  required: boolean;
}

export interface ProcedureRow {
  code: string;
  title_vi: string;
  title_en: string;
  agency_vi: string;
  summary_vi: string;
  summary_en: string;
  conditions_vi: Json<string[]>;
  fee_vnd: number;
  fee_note_vi: string;
  deadline_working_days: number;
  legal_basis: string;
  documents: Json<ProcedureDocument[]>;
  /** The portal's online form for it, if any. */
  online_form: 'passport_first' | 'passport_reissue' | null;
  keywords: string;
  /** Title, keywords and summary folded (no diacritics, đ → d, lower case): what search matches. */
  search_text: string;
  sort: number;
}

export interface OfficeRow {
  code: string;
  name_vi: string;
  name_en: string;
  address: string;
}

export type DossierState =
  | 'draft'
  | 'awaiting_payment'
  | 'paid'
  | 'received'
  | 'additions_requested'
  | 'approved'
  | 'refused'
  | 'produced'
  | 'delivered';

export interface DossierRow {
  id: string;
  number: string | null;
  user_id: string;
  procedure_code: string;
  state: DossierState;
  /** What the applicant typed (and the e-ID claims copied in as read-only values). */
  fields: Json<Record<string, string>>;
  /** The verified claims the form was pre-filled from, as received at sign-in. */
  claims: Json<Record<string, unknown>>;
  review_code: string | null;
  fee_vnd: number;
  deadline_days: number;
  deadline: Timestamp | null;
  deadline_local: string | null;
  decision_reason: string | null;
  delivery_note: string | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  submitted_at: Timestamp | null;
  paid_at: Timestamp | null;
}

export type FileSlot = 'portrait' | 'id_front' | 'id_back' | 'attachment';

export interface DossierFileRow {
  id: string;
  dossier_id: string;
  slot: FileSlot;
  filename: string;
  content_type: string;
  bytes: Buffer;
  size: number;
  width: number;
  height: number;
  sha256: string;
  created_at: Timestamp;
}

export interface DossierEventRow {
  id: Generated<string>;
  dossier_id: string;
  event: string;
  from_state: string | null;
  to_state: string;
  actor_kind: 'applicant' | 'officer' | 'gateway' | 'system';
  actor_id: string;
  reason: string | null;
  at: Timestamp;
}

export interface PaymentRow {
  id: string;
  dossier_id: string;
  amount_vnd: number;
  status: 'pending' | 'paid';
  qr_payload: string;
  /** SHA-256 of the shareable pay link's token. */
  pay_token_hash: string;
  gateway_txn_id: string | null;
  paid_by: string | null;
  created_at: Timestamp;
  paid_at: Timestamp | null;
}

export interface PaymentCallbackRow {
  gateway_txn_id: string;
  payment_id: string;
  outcome: string;
  received_at: Timestamp;
}

export interface NotificationRow {
  id: Generated<string>;
  user_id: string;
  dossier_id: string | null;
  text_vi: string;
  text_en: string;
  created_at: Timestamp;
  read_at: Timestamp | null;
}

export interface PortalSchema {
  'portal.users': UserRow;
  'portal.sessions': SessionRow;
  'portal.captchas': CaptchaRow;
  'portal.otps': OtpRow;
  'portal.sms_outbox': SmsRow;
  'portal.officers': OfficerRow;
  'portal.procedures': ProcedureRow;
  'portal.offices': OfficeRow;
  'portal.dossiers': DossierRow;
  'portal.dossier_files': DossierFileRow;
  'portal.dossier_events': DossierEventRow;
  'portal.payments': PaymentRow;
  'portal.payment_callbacks': PaymentCallbackRow;
  'portal.notifications': NotificationRow;
}

export type User = Selectable<UserRow>;
export type SessionRecord = Selectable<SessionRow>;
export type DossierRecord = Selectable<DossierRow>;
