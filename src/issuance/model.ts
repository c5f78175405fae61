import { defineProblems } from '../platform/errors.ts';
import type { Procedure as NoticeProcedure } from '../notify/templates.ts';

/**
 * Applications for an electronic identity account (Decree 69/2024 Arts 10–14; DOMAIN.md §§4–5):
 * every procedure is an explicit state machine over one persisted application. The transition
 * tables below are the single source of truth: the engine applies them, the Mermaid diagrams in
 * docs/issuance/ are generated from them (a test keeps the files in step), and the officer
 * console reads them to know which buttons to show.
 */

export type Procedure =
  | 'citizen_l1_app'
  | 'citizen_l1_representative'
  | 'citizen_l2_counter'
  | 'citizen_l2_with_card'
  | 'citizen_upgrade'
  | 'foreigner_l1_app'
  | 'foreigner_l2_counter'
  | 'organisation_app'
  | 'organisation_counter';

export const PROCEDURES: readonly Procedure[] = [
  'citizen_l1_app',
  'citizen_l1_representative',
  'citizen_l2_counter',
  'citizen_l2_with_card',
  'citizen_upgrade',
  'foreigner_l1_app',
  'foreigner_l2_counter',
  'organisation_app',
  'organisation_counter',
];

export type ApplicationState =
  /** Organisation filed in the app: waiting for every other legal representative (Art 13.1). */
  | 'awaiting_consent'
  /** Citizen without a valid card: waits on the card application (DOMAIN.md §5, 7 working days). */
  | 'awaiting_card'
  /** Complete dossier received; checks done; waiting for a decision. The deadline runs. */
  | 'received'
  /** Foreigner level 2: the immigration office forwarded the request to C06 (Art 12.2). */
  | 'forwarded'
  /** A person must look: biometrics did not match, or the organisation is in no registry (Art 13.3). */
  | 'manual_review'
  | 'approved'
  | 'rejected'
  /** Organisation in the app: a co-representative refused, or the consent window lapsed. */
  | 'lapsed'
  | 'withdrawn';

export const TERMINAL_STATES: readonly ApplicationState[] = ['approved', 'rejected', 'lapsed', 'withdrawn'];
export const OPEN_STATES: readonly ApplicationState[] = [
  'awaiting_consent',
  'awaiting_card',
  'received',
  'forwarded',
  'manual_review',
];

export type FlowEvent =
  | 'submit'
  | 'consents_complete'
  | 'consent_refused'
  | 'consent_lapsed'
  | 'card_issued'
  | 'forward'
  | 'refer_manual'
  | 'approve'
  | 'reject'
  | 'withdraw';

/** Who may fire an event: the system (checks, workers), the subject, or an officer with a role. */
export type FiredBy = 'system' | 'subject' | 'RECEIVER' | 'APPROVER';

export interface Transition {
  from: ApplicationState | 'start';
  event: FlowEvent;
  to: ApplicationState;
  by: FiredBy;
  /** Shown on the diagram: the rule, with its article. */
  note: string;
}

const submitTo = (to: ApplicationState, note: string, by: FiredBy = 'subject'): Transition => ({
  from: 'start',
  event: 'submit',
  to,
  by,
  note,
});
const t = (from: ApplicationState, event: FlowEvent, to: ApplicationState, by: FiredBy, note: string): Transition => ({
  from,
  event,
  to,
  by,
  note,
});

/** Level 1 in the app: checked and decided by the system at once (Art 10.1). */
const APP_LEVEL1: Transition[] = [
  submitTo('approved', 'all checks pass: data, phone, face (Art 10.1)'),
  submitTo('rejected', 'a check fails: reasons sent to the applicant'),
];

/** At a counter: the receiver records the dossier, another officer decides (maker–checker). */
const COUNTER: Transition[] = [
  submitTo('received', 'complete dossier; the deadline starts', 'RECEIVER'),
  submitTo('manual_review', 'biometrics did not match: an approver looks', 'RECEIVER'),
  submitTo('rejected', 'ineligible (age, document, registry)', 'RECEIVER'),
  t('received', 'approve', 'approved', 'APPROVER', 'not the officer who received it'),
  t('received', 'reject', 'rejected', 'APPROVER', 'with reasons'),
  t('received', 'refer_manual', 'manual_review', 'APPROVER', 'needs a closer look'),
  t('manual_review', 'approve', 'approved', 'APPROVER', 'after manual verification'),
  t('manual_review', 'reject', 'rejected', 'APPROVER', 'with reasons'),
  t('received', 'withdraw', 'withdrawn', 'subject', 'the applicant withdraws'),
  t('manual_review', 'withdraw', 'withdrawn', 'subject', 'the applicant withdraws'),
];

export const FLOWS: Record<Procedure, readonly Transition[]> = {
  citizen_l1_app: APP_LEVEL1,
  // Art 10.1 (b): a representative with their own level-2 account files for a child under 14, a ward
  // or a represented person.
  citizen_l1_representative: APP_LEVEL1,
  citizen_l2_counter: COUNTER,
  citizen_l2_with_card: [
    submitTo('awaiting_card', 'no valid card: applies with the card application', 'RECEIVER'),
    submitTo('rejected', 'ineligible', 'RECEIVER'),
    t('awaiting_card', 'card_issued', 'received', 'system', 'the card is issued: decide on the account'),
    t('awaiting_card', 'reject', 'rejected', 'APPROVER', 'the card application failed'),
    t('awaiting_card', 'withdraw', 'withdrawn', 'subject', 'the applicant withdraws'),
    ...COUNTER.filter((x) => x.from !== 'start'),
  ],
  // DOMAIN.md §4 (policy): the same account is raised to level 2.
  citizen_upgrade: COUNTER,
  foreigner_l1_app: APP_LEVEL1,
  foreigner_l2_counter: [
    ...COUNTER.filter((x) => x.from === 'start'),
    // Art 12.2: the immigration office forwards the request to C06, which decides.
    t('received', 'forward', 'forwarded', 'RECEIVER', 'to C06 (Art 12.2)'),
    t('manual_review', 'forward', 'forwarded', 'RECEIVER', 'to C06 with the manual check'),
    t('forwarded', 'approve', 'approved', 'APPROVER', 'C06 decides'),
    t('forwarded', 'reject', 'rejected', 'APPROVER', 'C06 refuses, with reasons'),
    t('received', 'reject', 'rejected', 'APPROVER', 'refused before forwarding'),
    t('received', 'withdraw', 'withdrawn', 'subject', 'the applicant withdraws'),
    t('forwarded', 'withdraw', 'withdrawn', 'subject', 'the applicant withdraws'),
  ],
  organisation_app: [
    submitTo('awaiting_consent', 'other legal representatives must consent (Art 13.1)'),
    submitTo('approved', 'sole legal representative, found in the registry'),
    submitTo('rejected', 'a check fails'),
    t('awaiting_consent', 'consents_complete', 'approved', 'system', 'every other representative consented'),
    t('awaiting_consent', 'consent_refused', 'lapsed', 'system', 'one representative refused'),
    t('awaiting_consent', 'consent_lapsed', 'lapsed', 'system', 'the consent window ended'),
    t('awaiting_consent', 'withdraw', 'withdrawn', 'subject', 'the filer withdraws'),
  ],
  organisation_counter: [
    submitTo('received', 'found in the Business Registration DB: 3 working days', 'RECEIVER'),
    submitTo('manual_review', 'in no registry: manual verification, 15 calendar days (Art 13.3)', 'RECEIVER'),
    submitTo('rejected', 'ineligible (dissolved, not a representative)', 'RECEIVER'),
    ...COUNTER.filter((x) => x.from !== 'start'),
  ],
};

/** The state an event leads to from a state, or null when the flow has no such transition. */
export function transitionFor(procedure: Procedure, from: ApplicationState, event: FlowEvent): Transition | null {
  return FLOWS[procedure].find((x) => x.from === from && x.event === event) ?? null;
}

/** The events an actor of a kind may fire from a state (for the officer console's buttons). */
export function eventsFrom(procedure: Procedure, from: ApplicationState): Transition[] {
  return FLOWS[procedure].filter((x) => x.from === from);
}

/** A Mermaid state diagram of a procedure, generated from its table. */
export function mermaid(procedure: Procedure): string {
  const lines = ['stateDiagram-v2'];
  for (const x of FLOWS[procedure]) {
    const from = x.from === 'start' ? '[*]' : x.from;
    lines.push(`  ${from} --> ${x.to}: ${x.event} (${x.by}) — ${x.note}`);
  }
  for (const s of TERMINAL_STATES) {
    if (FLOWS[procedure].some((x) => x.to === s)) lines.push(`  ${s} --> [*]`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// What each procedure is

export interface ProcedureInfo {
  subjectKind: 'citizen' | 'foreigner' | 'organisation';
  /** Level of the resulting account (null: organisation, no levels, Art 7.3). */
  level: 1 | 2 | null;
  channel: 'app' | 'counter';
  /** Procedure name in the notification catalogue. */
  notice: NoticeProcedure;
  vi: string;
  en: string;
  article: string;
}

export const PROCEDURE_INFO: Record<Procedure, ProcedureInfo> = {
  citizen_l1_app: {
    subjectKind: 'citizen',
    level: 1,
    channel: 'app',
    notice: 'eid_level1',
    vi: 'Đăng ký tài khoản định danh điện tử mức độ 1 cho công dân Việt Nam qua ứng dụng',
    en: 'Level 1 account for a Vietnamese citizen, in the app',
    article: 'Decree 69/2024 Art 10.1',
  },
  citizen_l1_representative: {
    subjectKind: 'citizen',
    level: 1,
    channel: 'app',
    notice: 'eid_level1',
    vi: 'Đăng ký tài khoản định danh điện tử mức độ 1 cho người dưới 14 tuổi, người được giám hộ, người được đại diện',
    en: 'Level 1 account filed by a representative for a child under 14, a ward or a represented person',
    article: 'Decree 69/2024 Art 10.1(b)',
  },
  citizen_l2_counter: {
    subjectKind: 'citizen',
    level: 2,
    channel: 'counter',
    notice: 'eid_level2',
    vi: 'Cấp tài khoản định danh điện tử mức độ 2 cho công dân Việt Nam',
    en: 'Level 2 account for a Vietnamese citizen, at the counter (TK01)',
    article: 'Decree 69/2024 Art 11',
  },
  citizen_l2_with_card: {
    subjectKind: 'citizen',
    level: 2,
    channel: 'counter',
    notice: 'eid_level2',
    vi: 'Cấp tài khoản định danh điện tử mức độ 2 cùng với thủ tục cấp thẻ căn cước',
    en: 'Level 2 account applied for together with an identity card',
    article: 'Decree 69/2024 Art 11.2',
  },
  citizen_upgrade: {
    subjectKind: 'citizen',
    level: 2,
    channel: 'counter',
    notice: 'eid_level2',
    vi: 'Nâng mức tài khoản định danh điện tử từ mức độ 1 lên mức độ 2',
    en: 'Upgrade of a level 1 account to level 2',
    article: 'Decree 69/2024 Art 11; DOMAIN.md §4 (policy: same account)',
  },
  foreigner_l1_app: {
    subjectKind: 'foreigner',
    level: 1,
    channel: 'app',
    notice: 'eid_foreigner',
    vi: 'Đăng ký tài khoản định danh điện tử mức độ 1 cho người nước ngoài qua ứng dụng',
    en: 'Level 1 account for a foreign national, in the app',
    article: 'Decree 69/2024 Art 12.1',
  },
  foreigner_l2_counter: {
    subjectKind: 'foreigner',
    level: 2,
    channel: 'counter',
    notice: 'eid_foreigner',
    vi: 'Cấp tài khoản định danh điện tử mức độ 2 cho người nước ngoài',
    en: 'Level 2 account for a foreign national, at an immigration office',
    article: 'Decree 69/2024 Art 12.2',
  },
  organisation_app: {
    subjectKind: 'organisation',
    level: null,
    channel: 'app',
    notice: 'eid_organisation',
    vi: 'Đăng ký tài khoản định danh điện tử cho cơ quan, tổ chức qua ứng dụng',
    en: 'Organisation account, filed in the app by a legal representative',
    article: 'Decree 69/2024 Art 13.1',
  },
  organisation_counter: {
    subjectKind: 'organisation',
    level: null,
    channel: 'counter',
    notice: 'eid_organisation',
    vi: 'Đăng ký tài khoản định danh điện tử cho cơ quan, tổ chức tại cơ quan Công an (TK02)',
    en: 'Organisation account, form TK02 at a counter',
    article: 'Decree 69/2024 Art 13.2',
  },
};

// ---------------------------------------------------------------------------------------------
// Deadlines (DOMAIN.md §5), counted from receipt of a complete dossier

export interface DeadlineRule {
  days: number;
  unit: 'working' | 'calendar';
}

/** Facts that choose between two deadlines of one procedure. */
export interface DeadlineFacts {
  /** Foreigner level 2: portrait and fingerprints already in the Immigration DB. */
  biometricsOnRecord?: boolean;
  /** Organisation: found in a national or sectoral database. */
  organisationFound?: boolean;
}

export function deadlineRule(procedure: Procedure, facts: DeadlineFacts = {}): DeadlineRule {
  switch (procedure) {
    case 'citizen_l1_app':
    case 'citizen_l1_representative':
    case 'foreigner_l1_app':
      return { days: 1, unit: 'working' };
    case 'citizen_l2_counter':
    case 'citizen_upgrade':
      return { days: 3, unit: 'working' };
    case 'citizen_l2_with_card':
      return { days: 7, unit: 'working' };
    case 'foreigner_l2_counter':
      // Art 12.3: 3 working days with biometrics on record, 7 when they are captured now.
      return { days: facts.biometricsOnRecord ? 3 : 7, unit: 'working' };
    case 'organisation_app':
    case 'organisation_counter':
      // Art 13.3: 3 working days when found; 15 calendar days of manual verification otherwise.
      return facts.organisationFound === false ? { days: 15, unit: 'calendar' } : { days: 3, unit: 'working' };
  }
}

/** Policy: an application is "near" its deadline within this many hours of it. */
export const NEAR_DEADLINE_HOURS = 24;

/** Policy (DOMAIN.md §5 is silent): how long other legal representatives have to consent. */
export const CONSENT_WINDOW_DAYS = 7;

// ---------------------------------------------------------------------------------------------
// Rejection reasons: machine-readable codes with the applicant's message

export const REJECTION_REASONS = {
  registry_not_found: {
    vi: 'Không tìm thấy thông tin của người đăng ký trong Cơ sở dữ liệu quốc gia',
    en: 'The applicant was not found in the national database',
  },
  declared_data_mismatch: {
    vi: 'Thông tin kê khai không khớp với Cơ sở dữ liệu quốc gia',
    en: 'The declared data do not match the national database',
  },
  deceased: {
    vi: 'Người đăng ký đã được ghi nhận là đã chết trong Cơ sở dữ liệu quốc gia',
    en: 'The national database records the applicant as deceased',
  },
  under_minimum_age: {
    vi: 'Người dưới 6 tuổi không được cấp tài khoản định danh điện tử mức độ 2 (không thu nhận sinh trắc học)',
    en: 'No level 2 account under the age of 6 (no biometrics are captured)',
  },
  needs_representative: {
    vi: 'Người dưới 14 tuổi phải do người đại diện đăng ký',
    en: 'An applicant under 14 must be registered by a representative',
  },
  id_card_invalid: {
    vi: 'Thẻ căn cước không còn giá trị sử dụng (hết hạn, bị thu hồi hoặc tạm giữ)',
    en: 'The identity card is not valid (expired, revoked or held)',
  },
  no_id_card: {
    vi: 'Công dân chưa có thẻ căn cước: đề nghị làm thủ tục cấp thẻ căn cước cùng với tài khoản mức độ 2',
    en: 'No identity card: apply for the card together with the level 2 account',
  },
  residence_card_invalid: {
    vi: 'Thẻ thường trú hoặc thẻ tạm trú đã hết hạn hoặc không có',
    en: 'The permanent or temporary residence card has expired or is missing',
  },
  passport_expired: {
    vi: 'Hộ chiếu hoặc giấy tờ có giá trị đi lại quốc tế đã hết hạn',
    en: 'The passport or travel document has expired',
  },
  phone_not_owned: {
    vi: 'Số điện thoại không đăng ký chính chủ của người đăng ký (hoặc của người đại diện)',
    en: 'The phone number is not registered in the name of the applicant (or of the representative)',
  },
  phone_already_bound: {
    vi: 'Số điện thoại đã được dùng cho một tài khoản định danh điện tử khác',
    en: 'The phone number is already linked to another electronic identity account',
  },
  account_exists: {
    vi: 'Chủ thể đã có tài khoản định danh điện tử',
    en: 'The subject already has an electronic identity account',
  },
  no_account_to_upgrade: {
    vi: 'Không có tài khoản mức độ 1 đang hoạt động để nâng mức',
    en: 'There is no active level 1 account to upgrade',
  },
  face_mismatch: {
    vi: 'Ảnh chân dung không khớp với ảnh trong Cơ sở dữ liệu: đề nghị đến cơ quan Công an để được hỗ trợ',
    en: 'The face does not match the portrait on record: please visit a police office',
  },
  fingerprint_mismatch: {
    vi: 'Vân tay không khớp với dữ liệu trong Cơ sở dữ liệu',
    en: 'The fingerprints do not match the records',
  },
  biometric_quality: {
    vi: 'Ảnh sinh trắc học không đạt chất lượng: đề nghị thu nhận lại',
    en: 'The biometric capture is of insufficient quality: capture again',
  },
  not_a_representative: {
    vi: 'Người nộp hồ sơ không phải là người đại diện theo pháp luật hoặc người giám hộ của chủ thể',
    en: 'The filer is not the legal representative or guardian of the subject',
  },
  representative_level_too_low: {
    vi: 'Người đại diện phải có tài khoản định danh điện tử mức độ 2 đang hoạt động',
    en: 'The representative needs an active level 2 account',
  },
  dependant_too_old: {
    vi: 'Người được đại diện đã đủ 14 tuổi: tự đăng ký tài khoản',
    en: 'The dependant is 14 or older and applies in their own name',
  },
  organisation_inactive: {
    vi: 'Tổ chức đang tạm ngừng hoạt động hoặc đã giải thể',
    en: 'The organisation is suspended or dissolved',
  },
  officer_decision: {
    vi: 'Cơ quan quản lý không phê duyệt hồ sơ',
    en: 'The agency did not approve the application',
  },
  card_application_failed: {
    vi: 'Thủ tục cấp thẻ căn cước không hoàn thành',
    en: 'The identity card application was not completed',
  },
} as const satisfies Record<string, { vi: string; en: string }>;

export type RejectionCode = keyof typeof REJECTION_REASONS;
export const REJECTION_CODES = Object.keys(REJECTION_REASONS) as RejectionCode[];

/** One reason an application is refused: the code, the field at fault, an officer's note. */
export interface Reason {
  code: RejectionCode;
  field?: string;
  note?: string;
}

export function reasonText(reason: Reason, locale: 'vi' | 'en'): string {
  const base = REJECTION_REASONS[reason.code][locale];
  return reason.note ? `${base} (${reason.note})` : base;
}

// ---------------------------------------------------------------------------------------------
// The application

export interface BiometricCheck {
  kind: 'face' | 'fingerprint';
  decision: 'match' | 'no_match' | 'no_reference' | 'poor_quality';
  score: number | null;
  threshold: number | null;
  /** Why a capture should be retaken, for the officer and the applicant. */
  quality: string[];
  /** Which matcher answered (sandbox or a real one), so scores are read correctly. */
  engine: string;
}

/** What the checks found, kept with the application for the officer and the audit. */
export interface Checks {
  registry: 'match' | 'mismatch' | 'not_found' | 'skipped';
  mismatchedFields: string[];
  phone: 'owned' | 'not_owned' | 'bound' | 'skipped';
  biometrics: BiometricCheck[];
  /** Other findings (card state, residence card, representative basis…). */
  notes: string[];
}

export interface Application {
  id: string;
  /** Printed on the receipt and in notices: 'DD-2026-000123'. */
  number: string;
  procedure: Procedure;
  state: ApplicationState;
  subjectKind: 'citizen' | 'foreigner' | 'organisation';
  /** Null for an organisation in no registry (manual verification). */
  registryId: string | null;
  subjectName: string;
  /** The declared data (no images: captures are verified and dropped, DOMAIN.md §9). */
  dossier: Dossier;
  checks: Checks;
  reasons: Reason[];
  /** Unit responsible (the receiving counter, or C06 for app filings and forwarded requests). */
  unitId: string;
  submittedBy: string | null;
  receivedBy: string | null;
  representativeAccountId: string | null;
  receivedAt: Date | null;
  dueAt: Date | null;
  deadline: DeadlineRule | null;
  consentDueAt: Date | null;
  decidedAt: Date | null;
  decidedBy: string | null;
  /** The account created or upgraded on approval. */
  accountId: string | null;
  flag: 'near' | 'overdue' | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

/** What the applicant declared; the keys present depend on the procedure. */
export interface Dossier {
  pin?: string;
  passport?: { country: string; number: string };
  enterpriseCode?: string;
  organisationName?: string;
  fullName?: string;
  dateOfBirth?: string;
  sex?: 'male' | 'female';
  phone?: string | null;
  email?: string | null;
  /** Documents to integrate or attached (TK01 item), names only. */
  documents?: string[];
  /** Representative: their account and their relation to the subject. */
  representative?: {
    accountId: string;
    fullName: string;
    basis: string;
    validFrom?: string;
    validUntil?: string | null;
    evidence?: Record<string, unknown>;
  };
  /** Language of the notices (foreigners may choose English). */
  locale?: 'vi' | 'en';
  /** Organisation: other legal representatives asked to consent. */
  coRepresentatives?: { registryId: string; fullName: string }[];
  /** Free note from the receiving officer. */
  note?: string;
}

export const issuanceProblem = defineProblems({
  APPLICATION_INVALID: {
    status: 400,
    vi: 'Hồ sơ không hợp lệ: {reason}',
    en: 'The application is not valid: {reason}',
  },
  APPLICATION_TRANSITION_NOT_ALLOWED: {
    status: 409,
    vi: 'Không thể thực hiện "{event}" khi hồ sơ ở trạng thái {state}.',
    en: '"{event}" is not possible while the application is {state}.',
  },
  MAKER_CHECKER: {
    status: 403,
    vi: 'Cán bộ đã tiếp nhận hồ sơ không được phê duyệt chính hồ sơ đó.',
    en: 'The officer who received an application cannot decide on it.',
  },
  OFFICER_ROLE_REQUIRED: {
    status: 403,
    vi: 'Cán bộ cần vai trò {role} tại đơn vị xử lý hồ sơ.',
    en: 'The officer needs the {role} role in the unit handling the application.',
  },
  REASONS_REQUIRED: {
    status: 400,
    vi: 'Từ chối hồ sơ phải nêu rõ lý do.',
    en: 'A refusal must give its reasons.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 409,
    vi: 'Khóa chống trùng lặp đã được dùng cho một hồ sơ khác.',
    en: 'The idempotency key was already used for a different application.',
  },
  CONSENT_NOT_EXPECTED: {
    status: 409,
    vi: 'Không có yêu cầu đồng ý nào đang chờ bạn cho hồ sơ này.',
    en: 'No consent from you is pending for this application.',
  },
});
