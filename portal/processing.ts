import type { DossierState } from './tables.ts';

/**
 * The passport dossier's life, as a transition table (docs/portal.md has the diagram). Each
 * event names who may cause it; anything not in the table is refused, and the service applies
 * a transition with a conditional update (`… WHERE state = from AND version = v`), so two
 * officers acting at once cannot both win.
 *
 * ```
 * draft ─submit→ awaiting_payment ─pay→ paid ─receive→ received ─approve→ approved ─produce→ produced ─deliver→ delivered
 *                                                        │  ↑ supplement  
 *                                   request_additions ─→ additions_requested
 *                                                        └─refuse→ refused
 * ```
 */
export type DossierEvent =
  'submit' | 'pay' | 'receive' | 'request_additions' | 'supplement' | 'approve' | 'refuse' | 'produce' | 'deliver';

export type Actor = 'applicant' | 'gateway' | 'officer';

export interface Transition {
  from: DossierState;
  event: DossierEvent;
  to: DossierState;
  by: Actor;
  /** The officer must give reasons (refusal, what to add). */
  reasonRequired?: boolean;
}

export const TRANSITIONS: readonly Transition[] = [
  { from: 'draft', event: 'submit', to: 'awaiting_payment', by: 'applicant' },
  { from: 'awaiting_payment', event: 'pay', to: 'paid', by: 'gateway' },
  { from: 'paid', event: 'receive', to: 'received', by: 'officer' },
  { from: 'received', event: 'request_additions', to: 'additions_requested', by: 'officer', reasonRequired: true },
  { from: 'additions_requested', event: 'supplement', to: 'received', by: 'applicant' },
  { from: 'received', event: 'approve', to: 'approved', by: 'officer' },
  { from: 'received', event: 'refuse', to: 'refused', by: 'officer', reasonRequired: true },
  { from: 'approved', event: 'produce', to: 'produced', by: 'officer' },
  { from: 'produced', event: 'deliver', to: 'delivered', by: 'officer' },
];

export const TERMINAL: readonly DossierState[] = ['refused', 'delivered'];

export type TransitionCheck =
  { ok: true; transition: Transition } | { ok: false; reason: 'not_allowed' | 'wrong_actor' | 'reason_required' };

/** Whether `actor` may cause `event` in `state` (with `reason` where one is required). */
export function checkTransition(
  state: DossierState,
  event: DossierEvent,
  actor: Actor,
  reason?: string,
): TransitionCheck {
  const transition = TRANSITIONS.find((t) => t.from === state && t.event === event);
  if (!transition) return { ok: false, reason: 'not_allowed' };
  if (transition.by !== actor) return { ok: false, reason: 'wrong_actor' };
  if (transition.reasonRequired && !(reason && reason.trim().length >= 5))
    return { ok: false, reason: 'reason_required' };
  return { ok: true, transition };
}

/** The events an actor may cause from a state (the buttons a page shows). */
export function eventsFrom(state: DossierState, actor: Actor): DossierEvent[] {
  return TRANSITIONS.filter((t) => t.from === state && t.by === actor).map((t) => t.event);
}

/** Whether officers work on the dossier: only once paid (an unpaid dossier is not processed). */
export function inOfficersQueue(state: DossierState): boolean {
  return state !== 'draft' && state !== 'awaiting_payment';
}

/** States where the legal deadline runs (from receipt of a complete, paid dossier until the decision). */
export function deadlineRuns(state: DossierState): boolean {
  return state === 'received';
}

export const STATE_LABELS: Record<DossierState, { vi: string; en: string }> = {
  draft: { vi: 'Đang soạn', en: 'Draft' },
  awaiting_payment: { vi: 'Chờ nộp lệ phí', en: 'Awaiting payment' },
  paid: { vi: 'Đã nộp lệ phí, chờ tiếp nhận', en: 'Paid, awaiting receipt' },
  received: { vi: 'Đã tiếp nhận, đang xử lý', en: 'Received, in processing' },
  additions_requested: { vi: 'Yêu cầu bổ sung hồ sơ', en: 'Additions requested' },
  approved: { vi: 'Đã duyệt, chờ in hộ chiếu', en: 'Approved, awaiting production' },
  refused: { vi: 'Từ chối cấp', en: 'Refused' },
  produced: { vi: 'Đã in hộ chiếu, chờ trả kết quả', en: 'Passport produced, awaiting delivery' },
  delivered: { vi: 'Đã trả kết quả', en: 'Delivered' },
};

export const EVENT_LABELS: Record<DossierEvent, { vi: string; en: string }> = {
  submit: { vi: 'Nộp hồ sơ', en: 'Submit' },
  pay: { vi: 'Thanh toán lệ phí', en: 'Pay the fee' },
  receive: { vi: 'Tiếp nhận hồ sơ', en: 'Receive' },
  request_additions: { vi: 'Yêu cầu bổ sung', en: 'Request additions' },
  supplement: { vi: 'Bổ sung hồ sơ', en: 'Supplement' },
  approve: { vi: 'Duyệt cấp hộ chiếu', en: 'Approve' },
  refuse: { vi: 'Từ chối cấp', en: 'Refuse' },
  produce: { vi: 'Ghi nhận đã in hộ chiếu', en: 'Record production' },
  deliver: { vi: 'Ghi nhận đã trả kết quả', en: 'Record delivery' },
};
