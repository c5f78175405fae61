/** What the citizen app reads from the API (see /api/openapi.json for the full schemas). */

export interface Me {
  id: string;
  subject_kind: string;
  full_name: string;
  level: number | null;
  status: string;
  phone: string | null;
  email: string | null;
  activated_at: string | null;
}

export interface Notice {
  id: string;
  template: string;
  title: string;
  body: string;
  read: boolean;
  created_at: string;
}

export interface NoticePage {
  notices: Notice[];
  unread: number;
  next: string | null;
}

export interface Card {
  pin: string;
  full_name: string;
  date_of_birth: string;
  sex: 'male' | 'female';
  nationality: string;
  place_of_birth_registration: { code: string; name: string };
  residence: string;
  id_card: { number: string; issued_on: string; expires_on: string | null } | null;
  level: number;
  status: string;
  read_at: string;
}

export interface Unlocked {
  proof: string;
  proof_expires_at: string;
  card: Card;
}

export interface Presentation {
  credential: string;
  jti: string;
  purpose: string;
  claims: string[];
  issued_at: string;
  expires_at: string;
  qr_png: string;
}

export interface Ground {
  id: string;
  ground: string;
  ground_text: string;
  legal_basis: string | null;
  source: string | null;
  set_at: string | null;
  can_unlock_self: boolean;
  can_request_unlock: boolean;
}

export interface UnlockRequest {
  id: string;
  number: string;
  action: string;
  state: string;
  target_ground_id: string | null;
  received_at: string;
  due_at: string | null;
  decided_at: string | null;
  reasons: string[];
}

export interface Locks {
  status: string;
  grounds: Ground[];
  requests: UnlockRequest[];
}

/** src/issuance/views.ts ApplicationView. */
export interface Application {
  id: string;
  number: string;
  procedure: string;
  procedure_name: string;
  state: string;
  subject_kind: string;
  subject_name: string;
  phone: string | null;
  email: string | null;
  reasons: { code: string; field?: string; message: string }[];
  received_at: string | null;
  due_at: string | null;
  due_on: string | null;
  deadline: { days: number; unit: string } | null;
  consent_due_at: string | null;
  decided_at: string | null;
  account_id: string | null;
  version: number;
}

/** GET /api/v1/public/applications/:number/status. */
export interface PublicStatus {
  number: string;
  procedure: string;
  procedure_name: string;
  state: string;
  received_on: string | null;
  due_on: string | null;
  decided_on: string | null;
}

export interface Dependant {
  link_id: string;
  account_id: string;
  full_name: string | null;
  basis: string;
  evidence: Record<string, unknown>;
  valid_from: string;
  valid_until: string | null;
}

export interface Confirmation {
  id: string;
  dependant_account_id: string;
  dependant_name: string | null;
  action: string;
  detail: Record<string, unknown>;
  status: string;
  requested_at: string;
  expires_at: string;
  decided_at: string | null;
  version: number;
}

export interface ConsentRequest {
  application_id: string;
  number: string;
  organisation: string;
  requested_by: string | null;
  due_at: string | null;
}

export interface RelyingPartyConsent {
  client_id: string;
  client_name: string;
  client_name_en: string;
  kind: string;
  scopes: string[];
  claims: string[];
  granted_at: string;
  grants: number;
}

export interface HistoryEntry {
  at: string;
  action: string;
  outcome: string;
  relying_party: { client_id: string; name: string } | null;
  level: number | null;
  acr: string | null;
  amr: string[];
  claims: string[];
  actor: { kind: string; unit: string | null };
  purpose: string | null;
}

export interface IntegratedDocument {
  kind: 'driving_licence' | 'health_insurance';
  reference: string;
  snapshot_on: string;
  integrated_at: string;
  in_registry: boolean;
  driving_licence: {
    number: string;
    full_name: string;
    date_of_birth: string;
    categories: { class: string; issued_on: string; expires_on: string | null }[];
    issuing_authority: string;
  } | null;
  health_insurance: {
    number: string;
    card_code: string;
    full_name: string;
    date_of_birth: string;
    group: string;
    benefit_level: number;
    primary_care_facility: string;
    valid_from: string;
    valid_to: string;
  } | null;
}
