import type { LockReason, SubjectKind } from '../identity/model.ts';
import { defineProblems } from '../platform/errors.ts';

/**
 * Locks of electronic identities (DOMAIN.md §6; Law on Identification 2023 Arts 31–34, Decree
 * 69/2024 Arts 15, 28–30, seed 003). Two things live here:
 *
 * - **Grounds** (căn cứ khóa): one record per reason an identity is locked, with its legal basis,
 *   where it came from and who set and lifted it. An identity is locked while at least one ground
 *   is active; the identity context keeps the set of reasons (`identity.lock` / `unlock`) and this
 *   context keeps the records behind them.
 * - **Requests** (form TK03): the written requests that set or lift a ground after a procedure,
 *   as explicit persisted flows. The transition table below is the single source of truth: the
 *   engine applies it and the Mermaid diagram in docs/locks.md is generated from it (a test keeps
 *   them equal).
 */

// ---------------------------------------------------------------------------------------------
// Grounds

/** Where a ground came from. */
export type GroundSource =
  /** The holder in the app, with their passcode. */
  | 'holder_app'
  /** The holder in person at a police counter, form TK03. */
  | 'holder_counter_tk03'
  /** Read from the national registries' change feed (card, death, documents, dissolution). */
  | 'registry_sync'
  /** An authorised officer's decision (terms of use). */
  | 'officer'
  /** A procedural or competent authority's request, approved by the head of C06. */
  | 'authority_request';

export const GROUND_SOURCES: readonly GroundSource[] = [
  'holder_app',
  'holder_counter_tk03',
  'registry_sync',
  'officer',
  'authority_request',
];

/** How a ground may be lifted. */
export type LiftPath =
  /** The holder themselves, immediately (app with passcode, or TK03 at the counter). */
  | 'holder'
  /** An authorised officer (C06 APPROVER), with a written reason. */
  | 'officer'
  /** The registry shows the ground gone (card returned or a new card issued). */
  | 'registry'
  /** An authority's unlock request, through the PC06 → C06 chain. */
  | 'authority'
  /** A locked holder's unlock request, reviewed by a C06 APPROVER (policy). */
  | 'review';

export interface GroundRule {
  /** The lock case of DOMAIN.md §6 (Law on Identification Art 34), or null for account-only grounds. */
  lawCase: 'a' | 'b' | 'c' | 'd' | 'đ' | null;
  /** Stored with each record: the article the ground rests on. */
  legalBasis: string;
  /** The subjects this ground can apply to (DOMAIN.md §6, last paragraph but one). */
  subjects: readonly SubjectKind[];
  liftedBy: readonly LiftPath[];
}

const LAW = 'Luật Căn cước 2023 Điều 34';
const DECREE = 'Nghị định 69/2024/NĐ-CP';
const ALL: readonly SubjectKind[] = ['citizen', 'foreigner', 'organisation'];

/**
 * The grounds, their legal basis and how each one ends. Article mapping as DOMAIN.md §6 gives it
 * (lock cases a–đ of the Law; the account locks of foreigners and organisations in Decree 69 Art
 * 15); the unlock cases mirror the lock cases: own request, violation remedied, card returned,
 * authority asks. **Death has no unlock.**
 */
export const GROUND_RULES: Record<LockReason, GroundRule> = {
  holder_request: {
    lawCase: 'a',
    legalBasis: `${LAW} trường hợp (a): chủ thể yêu cầu khóa; ${DECREE} Điều 15, 28–30; mẫu TK03`,
    subjects: ALL,
    liftedBy: ['holder'],
  },
  terms_violation: {
    lawCase: 'b',
    legalBasis: `${LAW} trường hợp (b): vi phạm thỏa thuận sử dụng ứng dụng định danh quốc gia; ${DECREE} Điều 15, 28–30`,
    subjects: ALL,
    liftedBy: ['officer', 'review'],
  },
  card_revoked_or_held: {
    lawCase: 'c',
    legalBasis: `${LAW} trường hợp (c): thẻ căn cước bị thu hồi, bị giữ; ${DECREE} Điều 28–30`,
    subjects: ['citizen'],
    liftedBy: ['registry', 'review'],
  },
  death: {
    lawCase: 'd',
    legalBasis: `${LAW} trường hợp (d): chủ thể đã chết; ${DECREE} Điều 15, 28–30 (không mở khóa)`,
    subjects: ['citizen', 'foreigner'],
    liftedBy: [],
  },
  authority_request: {
    lawCase: 'đ',
    legalBasis: `${LAW} trường hợp (đ): đề nghị của cơ quan tiến hành tố tụng, cơ quan khác có thẩm quyền; ${DECREE} Điều 15, 28–30; mẫu TK03`,
    // Policy: DOMAIN.md lists it for citizens; a court's order may concern any account holder.
    subjects: ALL,
    liftedBy: ['authority'],
  },
  document_expired: {
    lawCase: null,
    legalBasis: `${DECREE} Điều 15: hộ chiếu, giấy tờ có giá trị đi lại quốc tế hoặc thẻ thường trú, tạm trú hết hạn`,
    subjects: ['foreigner'],
    liftedBy: ['review'],
  },
  organisation_dissolved: {
    lawCase: null,
    legalBasis: `${DECREE} Điều 15: cơ quan, tổ chức giải thể, chấm dứt hoạt động (chính sách)`,
    subjects: ['organisation'],
    liftedBy: ['review'],
  },
  suspected_misuse: {
    lawCase: null,
    legalBasis: `${DECREE} Điều 15: tài khoản có dấu hiệu bị chiếm đoạt, sử dụng trái phép (chính sách)`,
    subjects: ALL,
    liftedBy: ['review'],
  },
};

/** Whether a ground may ever be lifted (Law on Identification Art 34: death never is). */
export function isLiftable(ground: LockReason): boolean {
  return GROUND_RULES[ground].liftedBy.length > 0;
}

/** Whether a lift path may end a ground. */
export function mayLift(ground: LockReason, path: LiftPath): boolean {
  return GROUND_RULES[ground].liftedBy.includes(path);
}

/** Whether a ground applies to a kind of subject. */
export function appliesTo(ground: LockReason, subject: SubjectKind): boolean {
  return GROUND_RULES[ground].subjects.includes(subject);
}

export interface Ground {
  id: string;
  accountId: string;
  ground: LockReason;
  legalBasis: string;
  /** The officer's written reason, the authority's document, or what the registry reported. */
  detail: string | null;
  source: GroundSource;
  /** The TK03 request id, or the registry change id. */
  reference: string | null;
  setBy: string;
  setAt: Date;
  /** Law allows a later notice: before this instant the holder is not told, nor shown the ground. */
  notifySubjectAfter: Date | null;
  liftedAt: Date | null;
  liftedBy: string | null;
  liftReason: string | null;
  version: number;
}

// ---------------------------------------------------------------------------------------------
// Requests (form TK03) as persisted flows

export type RequestKind =
  /** A court, prosecutor or investigator asks to lock or unlock (seed 003 (b); Decree 69 Art 30). */
  | 'authority'
  /** The holder at a police counter with TK03: takes effect at once (seed 003 (a)). */
  | 'holder_counter'
  /** A locked holder asks to lift a ground that is not their own (policy: DOMAIN.md §6, last rule). */
  | 'holder_unlock';

export const REQUEST_KINDS: readonly RequestKind[] = ['authority', 'holder_counter', 'holder_unlock'];

export type RequestAction = 'lock' | 'unlock';

export type RequestState = 'received' | 'forwarded' | 'returned' | 'approved' | 'refused';

export const OPEN_REQUEST_STATES: readonly RequestState[] = ['received', 'forwarded'];
export const CLOSED_REQUEST_STATES: readonly RequestState[] = ['returned', 'approved', 'refused'];

export type RequestEvent = 'submit' | 'forward' | 'return' | 'approve' | 'refuse' | 'escalate';

/**
 * Who fires an event. A PC06 APPROVER is an APPROVER of the receiving PC06 (or a unit above it);
 * a C06 APPROVER one of C06 itself, the head of the identity agency's delegate (seed 003 step 3).
 */
export type FiredBy = 'system' | 'subject' | 'authority' | 'RECEIVER' | 'PC06_APPROVER' | 'C06_APPROVER';

export interface Transition {
  from: RequestState | 'start';
  event: RequestEvent;
  to: RequestState;
  by: FiredBy;
  /** Shown on the diagram: the rule, with its source. */
  note: string;
}

const submitTo = (to: RequestState, by: FiredBy, note: string): Transition => ({
  from: 'start',
  event: 'submit',
  to,
  by,
  note,
});
const t = (from: RequestState, event: RequestEvent, to: RequestState, by: FiredBy, note: string): Transition => ({
  from,
  event,
  to,
  by,
  note,
});

export const FLOWS: Record<RequestKind, readonly Transition[]> = {
  authority: [
    submitTo('received', 'RECEIVER', 'written request (TK03) received at PC06, in person or by post (seed 003 step 1)'),
    submitTo('received', 'authority', "through the system, from the authority's own system"),
    t(
      'received',
      'forward',
      'forwarded',
      'PC06_APPROVER',
      'reviewed and forwarded to C06 within 1 working day (step 2)',
    ),
    t('received', 'return', 'returned', 'PC06_APPROVER', 'returned to the authority with written reasons'),
    t('received', 'escalate', 'received', 'system', 'the 1 working day has passed: PC06 and C06 approvers told'),
    t(
      'forwarded',
      'approve',
      'approved',
      'C06_APPROVER',
      'within 2 working days, the lock or unlock takes effect (step 3)',
    ),
    t('forwarded', 'refuse', 'refused', 'C06_APPROVER', 'in writing, with reasons (step 3)'),
    t('forwarded', 'escalate', 'forwarded', 'system', 'the 2 working days have passed: C06 approvers told'),
  ],
  holder_counter: [
    submitTo('approved', 'RECEIVER', 'TK03 with the holder present: takes effect at once (seed 003 (a))'),
  ],
  holder_unlock: [
    submitTo('received', 'subject', 'a locked holder asks to lift a ground (policy: unlocking stays possible)'),
    t('received', 'approve', 'approved', 'C06_APPROVER', 'the ground is lifted'),
    t('received', 'refuse', 'refused', 'C06_APPROVER', 'with written reasons'),
    t('received', 'escalate', 'received', 'system', 'the review period has passed: C06 approvers told'),
  ],
};

/** The transition an event leads to from a state, or null when the flow has none. */
export function transitionFor(kind: RequestKind, from: RequestState | 'start', event: RequestEvent): Transition | null {
  return FLOWS[kind].find((x) => x.from === from && x.event === event) ?? null;
}

/** The events officers may fire from a state (the console's buttons; escalation is the system's). */
export function officerEventsFrom(kind: RequestKind, from: RequestState): Transition[] {
  return FLOWS[kind].filter((x) => x.from === from && x.by !== 'system' && x.event !== 'submit');
}

/** A Mermaid state diagram of a flow, generated from its table. */
export function mermaid(kind: RequestKind): string {
  const lines = ['stateDiagram-v2'];
  for (const x of FLOWS[kind]) {
    const from = x.from === 'start' ? '[*]' : x.from;
    lines.push(`  ${from} --> ${x.to}: ${x.event} (${x.by}) — ${x.note}`);
  }
  for (const s of CLOSED_REQUEST_STATES) {
    if (FLOWS[kind].some((x) => x.to === s)) lines.push(`  ${s} --> [*]`);
  }
  return lines.join('\n');
}

/**
 * Working days each open step has (seed 003 (b)): PC06 reviews and forwards within 1 working day
 * of receipt (step 2); the head of C06 decides within 2 working days of receiving PC06's proposal
 * (step 3). A holder's unlock request of another ground: 2 working days (policy, the law is silent).
 */
export const STEP_WORKING_DAYS: Record<RequestKind, Partial<Record<RequestState, number>>> = {
  authority: { received: 1, forwarded: 2 },
  holder_counter: {},
  holder_unlock: { received: 2 },
};

/** Kinds of requesting authority (cơ quan tiến hành tố tụng, cơ quan khác có thẩm quyền). */
export type AuthorityKind = 'court' | 'procuracy' | 'investigation' | 'other';
export const AUTHORITY_KINDS: readonly AuthorityKind[] = ['court', 'procuracy', 'investigation', 'other'];

/** Who asked, as written on the authority's request. */
export interface Requester {
  /** The registered authority (API clients and known senders), when there is one. */
  authorityId: string | null;
  name: string;
  kind: AuthorityKind;
  /** Where the result is e-mailed (the decision is also stored with the request). */
  email: string | null;
  /** The authority's own document number and date (văn bản đề nghị). */
  documentNo: string;
  documentDate: string;
}

export interface LockRequest {
  id: string;
  /** Printed and quoted: 'TK03-2026-000042'. */
  number: string;
  kind: RequestKind;
  action: RequestAction;
  state: RequestState;
  channel: 'app' | 'counter' | 'post' | 'api';
  accountId: string;
  subjectKind: SubjectKind;
  /** The PIN, passport or enterprise code the request names. */
  subjectIdentifier: string;
  subjectName: string;
  requester: Requester | null;
  /** The requester's stated reasons (the authority's grounds; the holder's explanation). */
  statement: string;
  /** Unlock: the ground to lift. */
  targetGroundId: string | null;
  /** The ground the decision set or lifted. */
  groundId: string | null;
  notifySubjectAfter: Date | null;
  receivingUnitId: string;
  /** The unit whose officers act next (PC06, then C06). */
  unitId: string;
  receivedBy: string | null;
  receivedAt: Date;
  dueAt: Date | null;
  forwardedAt: Date | null;
  forwardedBy: string | null;
  decidedAt: Date | null;
  decidedBy: string | null;
  /** Written reasons of a return or a refusal. */
  reasons: string[];
  /** The open state whose deadline was missed and escalated (once per step). */
  escalatedStep: RequestState | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export interface Authority {
  id: string;
  code: string;
  name: string;
  kind: AuthorityKind;
  email: string | null;
  /** The PC06 that receives this authority's requests sent through the system. */
  unitId: string;
  /** The first characters of the API key, to tell keys apart (the key itself is not stored). */
  keyHint: string;
  createdBy: string;
  createdAt: Date;
  disabledAt: Date | null;
}

// ---------------------------------------------------------------------------------------------
// Registry change feed → grounds (the sync worker's pure rule)

export type SyncEffect =
  | { kind: 'set'; ground: LockReason; notify: boolean }
  | { kind: 'lift'; ground: LockReason }
  | { kind: 'set_pin'; pin: string }
  | { kind: 'ignore' };

/**
 * What a registry change does to the subject's account (DOMAIN.md §6: cases b, c, d are detected
 * from registry updates and applied automatically; unlock is automatic when the ground disappears).
 */
export function effectOf(change: {
  kind: string;
  subject: { kind: SubjectKind };
  detail: Record<string, unknown>;
}): SyncEffect {
  const { kind } = change;
  const subject = change.subject.kind;
  switch (kind) {
    // Law Art 34 case (c): a revoked (thu hồi) or held (tạm giữ) card locks the e-ID.
    case 'card_revoked':
    case 'card_held':
      return subject === 'citizen' ? { kind: 'set', ground: 'card_revoked_or_held', notify: true } : { kind: 'ignore' };
    // Unlock case (c): the card is returned; a new valid card ends the ground too.
    case 'card_returned':
    case 'card_issued':
      return subject === 'citizen' ? { kind: 'lift', ground: 'card_revoked_or_held' } : { kind: 'ignore' };
    // Case (d): death, never lifted. The subject is not told (there is no one to tell); audited only.
    case 'death':
      return subject === 'organisation' ? { kind: 'ignore' } : { kind: 'set', ground: 'death', notify: false };
    // Decree 69 Art 15 (DOMAIN.md §6): a foreigner's account locks when the passport or the
    // residence card expires.
    case 'passport_expired':
    case 'residence_card_expired':
      return subject === 'foreigner' ? { kind: 'set', ground: 'document_expired', notify: true } : { kind: 'ignore' };
    // Policy (DOMAIN.md §6): an organisation's account locks on dissolution. Suspension is
    // temporary and does not lock.
    case 'organisation_dissolved':
      return subject === 'organisation'
        ? { kind: 'set', ground: 'organisation_dissolved', notify: true }
        : { kind: 'ignore' };
    // Decree 70/2024 Art 11.7: a PIN cancelled and re-issued; the account follows its holder.
    case 'pin_reissued': {
      const pin = change.detail.pin;
      return subject === 'citizen' && typeof pin === 'string' && /^\d{12}$/.test(pin)
        ? { kind: 'set_pin', pin }
        : { kind: 'ignore' };
    }
    default:
      return { kind: 'ignore' };
  }
}

// ---------------------------------------------------------------------------------------------
// Problems

export const lockProblem = defineProblems({
  LOCK_REQUEST_INVALID: {
    status: 400,
    vi: 'Đề nghị khóa, mở khóa không hợp lệ: {reason}',
    en: 'The lock or unlock request is not valid: {reason}',
  },
  LOCK_REQUEST_TRANSITION_NOT_ALLOWED: {
    status: 409,
    vi: 'Không thể thực hiện "{event}" khi đề nghị ở trạng thái {state}.',
    en: '"{event}" is not possible while the request is {state}.',
  },
  LOCK_OFFICER_ROLE_REQUIRED: {
    status: 403,
    vi: 'Cán bộ cần vai trò {role} tại {unit}.',
    en: 'The officer needs the {role} role at {unit}.',
  },
  LOCK_SAME_OFFICER: {
    status: 403,
    vi: 'Cán bộ đã chuyển đề nghị lên Cục không được tự phê duyệt hoặc từ chối đề nghị đó.',
    en: 'The officer who forwarded a request to C06 cannot decide on it.',
  },
  LOCK_REASONS_REQUIRED: {
    status: 400,
    vi: 'Việc trả lại hoặc từ chối phải có văn bản nêu rõ lý do.',
    en: 'A return or a refusal must give its reasons in writing.',
  },
  LOCK_GROUND_ALREADY_SET: {
    status: 409,
    vi: 'Tài khoản đã bị khóa vì căn cứ {ground}.',
    en: 'The account is already locked on the ground {ground}.',
  },
  LOCK_GROUND_NOT_ACTIVE: {
    status: 409,
    vi: 'Tài khoản không bị khóa vì căn cứ này (hoặc căn cứ đã được gỡ bỏ).',
    en: 'The account is not locked on this ground (or the ground was already lifted).',
  },
  LOCK_GROUND_NOT_LIFTABLE: {
    status: 409,
    vi: 'Căn cứ khóa {ground} không thể được gỡ bỏ theo cách này.',
    en: 'The lock ground {ground} cannot be lifted this way.',
  },
  LOCK_GROUND_NOT_APPLICABLE: {
    status: 409,
    vi: 'Căn cứ khóa {ground} không áp dụng cho chủ thể loại {subjectKind}.',
    en: 'The lock ground {ground} does not apply to a subject of kind {subjectKind}.',
  },
  LOCK_AUTHORITY_KEY_INVALID: {
    status: 401,
    vi: 'Khóa truy cập của cơ quan có thẩm quyền không hợp lệ hoặc đã bị thu hồi.',
    en: "The authority's access key is not valid or was revoked.",
  },
  LOCK_AUTHORITY_CODE_TAKEN: {
    status: 409,
    vi: 'Mã cơ quan {code} đã được sử dụng.',
    en: 'The authority code {code} is already used.',
  },
});
