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
