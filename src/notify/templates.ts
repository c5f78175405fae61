import { escapeHtml } from '../platform/html.ts';
import { Type, type Static, type TSchema } from 'typebox';
import Value from 'typebox/value';
import type { Locale } from '../platform/errors.ts';
import { encodeSms } from './sms-text.ts';

/**
 * The message catalogue: every notification the platform sends, in Vietnamese (default) and
 * English. A template declares the schema of its parameters (checked when the message is
 * enqueued, so a bad message fails in the caller's transaction, not later in the worker) and
 * renders to an e-mail (subject, text, HTML), an inbox entry (title, body) and a short SMS text.
 *
 * Parameters are stored in the outbox as JSON, so they are plain values: dates are civil dates
 * 'YYYY-MM-DD' (legal dates, no time zone) formatted here per language.
 */

export type { Locale };
export const LOCALES: readonly Locale[] = ['vi', 'en'];

const CivilDate = Type.String({ format: 'date' });
const ApplicationNo = Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9./-]+$' });

/** Procedures whose applications notifications speak about. */
export const PROCEDURES = {
  eid_level1: {
    vi: 'đăng ký tài khoản định danh điện tử mức độ 1',
    en: 'a level 1 electronic identity account',
  },
  eid_level2: {
    vi: 'đăng ký tài khoản định danh điện tử mức độ 2',
    en: 'a level 2 electronic identity account',
  },
  eid_foreigner: {
    vi: 'đăng ký tài khoản định danh điện tử cho người nước ngoài',
    en: 'an electronic identity account for a foreign national',
  },
  eid_organisation: {
    vi: 'đăng ký tài khoản định danh điện tử cho cơ quan, tổ chức',
    en: 'an electronic identity account for an organisation',
  },
} as const satisfies Record<string, Record<Locale, string>>;
export type Procedure = keyof typeof PROCEDURES;

/** Grounds on which an electronic identity account is locked. */
export const LOCK_GROUNDS = {
  holder_request: {
    vi: 'theo yêu cầu của chủ thể danh tính điện tử',
    en: 'at your request',
  },
  suspected_misuse: {
    vi: 'tài khoản có dấu hiệu bị chiếm đoạt hoặc sử dụng trái phép',
    en: 'signs that the account was taken over or used without authorisation',
  },
  terms_violation: {
    vi: 'vi phạm thỏa thuận sử dụng',
    en: 'a breach of the terms of use',
  },
  authority_request: {
    vi: 'theo đề nghị của cơ quan có thẩm quyền',
    en: 'at the request of a competent authority',
  },
  // Grounds the registry-sync worker applies (src/locks; DOMAIN.md §6 cases c, foreigners, organisations).
  card_revoked_or_held: {
    vi: 'thẻ căn cước bị thu hồi hoặc bị tạm giữ',
    en: 'your identity card was revoked or is held',
  },
  document_expired: {
    vi: 'hộ chiếu hoặc thẻ thường trú, thẻ tạm trú đã hết hạn',
    en: 'your passport or residence card has expired',
  },
  organisation_dissolved: {
    vi: 'tổ chức đã giải thể hoặc chấm dứt hoạt động',
    en: 'the organisation was dissolved or has ceased to operate',
  },
} as const satisfies Record<string, Record<Locale, string>>;
export type LockGround = keyof typeof LOCK_GROUNDS;

function keysUnion<T extends Record<string, unknown>>(o: T) {
  return Type.Union(Object.keys(o).map((k) => Type.Literal(k))) as unknown as TSchema;
}

/** What a dependant's account asks the representative to confirm (DOMAIN.md §5: consent or confirmation in the app). */
export const CONFIRMATION_ACTIONS = {
  sign_in: { vi: 'đăng nhập', en: 'sign in' },
  share_data: { vi: 'chia sẻ dữ liệu', en: 'share data' },
  change_contact: { vi: 'thay đổi thông tin liên hệ', en: 'change contact details' },
  lock: { vi: 'khóa tài khoản', en: 'lock the account' },
  unlock: { vi: 'mở khóa tài khoản', en: 'unlock the account' },
  other: { vi: 'thực hiện một thao tác', en: 'carry out an action' },
} as const satisfies Record<string, Record<Locale, string>>;
export type ConfirmationAction = keyof typeof CONFIRMATION_ACTIONS;

/** Why a representation ended (DOMAIN.md §5: a minor's representation ends at 14, policy). */
export const REPRESENTATION_END_REASONS = {
  dependant_turned_14: { vi: 'người được đại diện đã đủ 14 tuổi', en: 'they have turned 14' },
  guardianship_ended: { vi: 'việc giám hộ đã chấm dứt', en: 'the guardianship has ended' },
  revoked: { vi: 'quan hệ đại diện đã bị hủy bỏ', en: 'the representation was revoked' },
} as const satisfies Record<string, Record<Locale, string>>;
export type RepresentationEndReason = keyof typeof REPRESENTATION_END_REASONS;

/** Why an organisation's application filed in the app ended before reaching the agency. */
export const ORGANISATION_REQUEST_END_REASONS = {
  refused: {
    vi: 'một người đại diện theo pháp luật của tổ chức đã từ chối',
    en: 'a legal representative of the organisation refused',
  },
  lapsed: {
    vi: 'chưa nhận được sự đồng ý của tất cả người đại diện theo pháp luật trong thời hạn',
    en: 'not every legal representative consented in time',
  },
} as const satisfies Record<string, Record<Locale, string>>;
export type OrganisationRequestEndReason = keyof typeof ORGANISATION_REQUEST_END_REASONS;

const ProcedureSchema = keysUnion(PROCEDURES);
const LockGroundSchema = keysUnion(LOCK_GROUNDS);
const ConfirmationActionSchema = keysUnion(CONFIRMATION_ACTIONS);
const RepresentationEndSchema = keysUnion(REPRESENTATION_END_REASONS);
const OrganisationEndSchema = keysUnion(ORGANISATION_REQUEST_END_REASONS);
const PersonName = Type.String({ minLength: 1, maxLength: 200 });
const OrganisationName = Type.String({ minLength: 1, maxLength: 300 });
/** An instant (RFC 3339, e.g. '2026-03-02T03:00:00Z'), printed in Vietnam time. */
const Instant = Type.String({ format: 'date-time' });

/** Parameter schemas, one per template. */
export const TEMPLATE_PARAMS = {
  otp: Type.Object(
    {
      code: Type.String({ pattern: '^[0-9]{4,8}$' }),
      minutes: Type.Integer({ minimum: 1, maximum: 60 }),
      /** Whose code it is, when it goes to someone else's phone (a dependant's, to the representative). */
      forName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    },
    { additionalProperties: false },
  ),
  application_received: Type.Object(
    { applicationNo: ApplicationNo, procedure: ProcedureSchema, receivedOn: CivilDate, dueOn: CivilDate },
    { additionalProperties: false },
  ),
  application_approved: Type.Object(
    { applicationNo: ApplicationNo, procedure: ProcedureSchema },
    { additionalProperties: false },
  ),
  application_rejected: Type.Object(
    {
      applicationNo: ApplicationNo,
      procedure: ProcedureSchema,
      reasons: Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { minItems: 1, maxItems: 20 }),
    },
    { additionalProperties: false },
  ),
  account_locked: Type.Object(
    { ground: LockGroundSchema, lockedOn: CivilDate, detail: Type.Optional(Type.String({ maxLength: 500 })) },
    { additionalProperties: false },
  ),
  account_unlocked: Type.Object({ unlockedOn: CivilDate }, { additionalProperties: false }),
  activation_reminder: Type.Object(
    { level: Type.Union([Type.Literal(1), Type.Literal(2)]), expiresOn: CivilDate },
    { additionalProperties: false },
  ),
  consent_requested: Type.Object(
    { applicationNo: ApplicationNo, organisationName: OrganisationName, requestedBy: PersonName, dueOn: CivilDate },
    { additionalProperties: false },
  ),
  organisation_request_ended: Type.Object(
    { applicationNo: ApplicationNo, organisationName: OrganisationName, reason: OrganisationEndSchema },
    { additionalProperties: false },
  ),
  activation_reissued: Type.Object({ expiresOn: CivilDate }, { additionalProperties: false }),
  confirmation_requested: Type.Object(
    { dependantName: PersonName, action: ConfirmationActionSchema, expiresAt: Instant },
    { additionalProperties: false },
  ),
  representation_ended: Type.Object(
    { dependantName: PersonName, endedOn: CivilDate, reason: RepresentationEndSchema },
    { additionalProperties: false },
  ),
  representation_handover: Type.Object({ fullName: PersonName, turnedOn: CivilDate }, { additionalProperties: false }),
  application_deadline: Type.Object(
    {
      applicationNo: ApplicationNo,
      procedure: ProcedureSchema,
      dueOn: CivilDate,
      state: Type.Union([Type.Literal('near'), Type.Literal('overdue')]),
    },
    { additionalProperties: false },
  ),
  lock_ground_lifted: Type.Object(
    { ground: LockGroundSchema, liftedOn: CivilDate, stillLocked: Type.Boolean() },
    { additionalProperties: false },
  ),
  lock_request_decided: Type.Object(
    {
      requestNo: ApplicationNo,
      documentNo: Type.String({ minLength: 1, maxLength: 100 }),
      action: Type.Union([Type.Literal('lock'), Type.Literal('unlock')]),
      outcome: Type.Union([Type.Literal('approved'), Type.Literal('refused'), Type.Literal('returned')]),
      decidedOn: CivilDate,
      reasons: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { maxItems: 20 })),
    },
    { additionalProperties: false },
  ),
  unlock_request_refused: Type.Object(
    {
      requestNo: ApplicationNo,
      reasons: Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { minItems: 1, maxItems: 20 }),
    },
    { additionalProperties: false },
  ),
  lock_request_overdue: Type.Object(
    {
      requestNo: ApplicationNo,
      step: Type.Union([Type.Literal('forward'), Type.Literal('decide')]),
      dueOn: CivilDate,
    },
    { additionalProperties: false },
  ),
} as const;

export type TemplateName = keyof typeof TEMPLATE_PARAMS;
export const TEMPLATE_NAMES = Object.keys(TEMPLATE_PARAMS) as TemplateName[];

/** The parameters of each template (the enums are typed precisely, not as string). */
export interface TemplateParams {
  otp: Static<(typeof TEMPLATE_PARAMS)['otp']>;
  application_received: { applicationNo: string; procedure: Procedure; receivedOn: string; dueOn: string };
  application_approved: { applicationNo: string; procedure: Procedure };
  application_rejected: { applicationNo: string; procedure: Procedure; reasons: string[] };
  account_locked: { ground: LockGround; lockedOn: string; detail?: string };
  account_unlocked: { unlockedOn: string };
  activation_reminder: { level: 1 | 2; expiresOn: string };
  /** To another legal representative of an organisation: consent or refuse in the app before `dueOn`. */
  consent_requested: { applicationNo: string; organisationName: string; requestedBy: string; dueOn: string };
  organisation_request_ended: {
    applicationNo: string;
    organisationName: string;
    reason: OrganisationRequestEndReason;
  };
  /** The call centre reopened activation (Decree 69 Art 14.2): activate in the app by `expiresOn`. */
  activation_reissued: { expiresOn: string };
  /** To a representative; `expiresAt` is an instant (ISO 8601), printed in Vietnam time. */
  confirmation_requested: { dependantName: string; action: ConfirmationAction; expiresAt: string };
  representation_ended: { dependantName: string; endedOn: string; reason: RepresentationEndReason };
  /** To a young person who turned 14: take over the account (own phone and credentials). */
  representation_handover: { fullName: string; turnedOn: string };
  /** Officers' inbox: an application near or past its legal deadline. */
  application_deadline: { applicationNo: string; procedure: Procedure; dueOn: string; state: 'near' | 'overdue' };
  /** One ground of a lock was lifted; the account may still be locked on another (src/locks). */
  lock_ground_lifted: { ground: LockGround; liftedOn: string; stillLocked: boolean };
  /** To the requesting authority: the result of its TK03 request (seed 003 step 3). */
  lock_request_decided: {
    requestNo: string;
    documentNo: string;
    action: 'lock' | 'unlock';
    outcome: 'approved' | 'refused' | 'returned';
    decidedOn: string;
    reasons?: string[];
  };
  /** To the holder: their request to lift a ground was refused, with written reasons. */
  unlock_request_refused: { requestNo: string; reasons: string[] };
  /** Officers' inbox: a step of a lock request missed its deadline (escalation). */
  lock_request_overdue: { requestNo: string; step: 'forward' | 'decide'; dueOn: string };
}

/** Parameters that are secrets: the outbox erases them once the message is sent or abandoned. */
export const SENSITIVE_PARAMS: { readonly [K in TemplateName]?: readonly (keyof TemplateParams[K] & string)[] } = {
  otp: ['code'],
};

export interface RenderedMessage {
  /** E-mail subject and inbox title. */
  subject: string;
  /** The message itself as plain paragraphs (the inbox body). */
  body: string;
  /** E-mail plain-text part: the body and the automatic-message footer. */
  text: string;
  /** E-mail HTML part. */
  html: string;
  /** SMS text, short enough for a few concatenated parts. */
  sms: string;
}

/** A paragraph, or a bulleted list. */
type Block = string | { list: string[] };

interface Content {
  subject: string;
  blocks: Block[];
  /** SMS texts, best first; the first that fits `SMS_MAX_PARTS` parts is used. */
  sms: string[];
}

type Localized<P> = Record<Locale, (p: P) => Content>;

/** An SMS from a template never takes more parts than this. */
export const SMS_MAX_PARTS = 4;

const MONTHS_EN = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** A civil date 'YYYY-MM-DD' as written in the language: 05/03/2026 (vi), 5 March 2026 (en). */
export function formatDate(date: string, locale: Locale): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`not a civil date: ${date}`);
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  if (locale === 'vi') return `${d}/${mo}/${y}`;
  return `${Number(d)} ${MONTHS_EN[Number(mo) - 1]} ${y}`;
}

const VN_OFFSET_MS = 7 * 3600_000;

/**
 * An instant as Vietnam wall-clock time (UTC+7 all year, no daylight saving), whatever the
 * process's time zone: '10:00 02/03/2026' (vi), '10:00 on 2 March 2026' (en).
 */
export function formatVnInstant(iso: string, locale: Locale): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) throw new RangeError(`not an instant: ${iso}`);
  const local = new Date(at + VN_OFFSET_MS);
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(local.getUTCHours())}:${two(local.getUTCMinutes())}`;
  const date = local.toISOString().slice(0, 10);
  return locale === 'vi' ? `${time} ${formatDate(date, 'vi')}` : `${time} on ${formatDate(date, 'en')}`;
}

const FOOTER: Record<Locale, string> = {
  vi: 'Đây là thư tự động của Hệ thống định danh và xác thực điện tử. Vui lòng không trả lời thư này.',
  en: 'This is an automatic message from the electronic identification and authentication system. Please do not reply to it.',
};

const TEMPLATES: { [K in TemplateName]: Localized<TemplateParams[K]> } = {
  otp: {
    vi: (p) => {
      const whose = p.forName ? `để ${p.forName} đăng nhập` : 'của bạn';
      const text = `Mã xác thực ${whose} là ${p.code}. Mã có hiệu lực trong ${p.minutes} phút. Không chia sẻ mã này cho bất kỳ ai.`;
      return { subject: 'Mã xác thực', blocks: [text], sms: [text] };
    },
    en: (p) => {
      const whose = p.forName ? `verification code for ${p.forName} to sign in` : 'verification code';
      const text = `Your ${whose} is ${p.code}. It is valid for ${p.minutes} minutes. Do not share this code with anyone.`;
      return { subject: 'Your verification code', blocks: [text], sms: [text] };
    },
  },

  application_received: {
    vi: (p) => ({
      subject: `Đã tiếp nhận hồ sơ số ${p.applicationNo}`,
      blocks: [
        `Hồ sơ ${PROCEDURES[p.procedure].vi} số ${p.applicationNo} đã được tiếp nhận ngày ${formatDate(p.receivedOn, 'vi')}.`,
        `Ngày hẹn trả kết quả: ${formatDate(p.dueOn, 'vi')}.`,
      ],
      sms: [
        `Hồ sơ số ${p.applicationNo} đã được tiếp nhận ngày ${formatDate(p.receivedOn, 'vi')}. Ngày hẹn trả kết quả: ${formatDate(p.dueOn, 'vi')}.`,
      ],
    }),
    en: (p) => ({
      subject: `Application ${p.applicationNo} received`,
      blocks: [
        `Your application for ${PROCEDURES[p.procedure].en}, number ${p.applicationNo}, was received on ${formatDate(p.receivedOn, 'en')}.`,
        `A decision is due by ${formatDate(p.dueOn, 'en')}.`,
      ],
      sms: [
        `Application ${p.applicationNo} was received on ${formatDate(p.receivedOn, 'en')}. A decision is due by ${formatDate(p.dueOn, 'en')}.`,
      ],
    }),
  },

  application_approved: {
    vi: (p) => ({
      subject: `Hồ sơ số ${p.applicationNo} đã được phê duyệt`,
      blocks: [
        `Hồ sơ ${PROCEDURES[p.procedure].vi} số ${p.applicationNo} đã được phê duyệt.`,
        'Vui lòng đăng nhập ứng dụng định danh điện tử để kích hoạt và sử dụng tài khoản.',
      ],
      sms: [
        `Hồ sơ số ${p.applicationNo} đã được phê duyệt. Vui lòng kích hoạt tài khoản trên ứng dụng định danh điện tử.`,
      ],
    }),
    en: (p) => ({
      subject: `Application ${p.applicationNo} approved`,
      blocks: [
        `Your application for ${PROCEDURES[p.procedure].en}, number ${p.applicationNo}, has been approved.`,
        'Sign in to the electronic identity app to activate and use your account.',
      ],
      sms: [`Application ${p.applicationNo} has been approved. Activate your account in the electronic identity app.`],
    }),
  },

  application_rejected: {
    vi: (p) => ({
      subject: `Hồ sơ số ${p.applicationNo} không được phê duyệt`,
      blocks: [
        `Hồ sơ ${PROCEDURES[p.procedure].vi} số ${p.applicationNo} không được phê duyệt vì các lý do sau:`,
        { list: p.reasons },
        'Bạn có thể bổ sung, điều chỉnh thông tin và nộp lại hồ sơ.',
      ],
      sms: [
        `Hồ sơ số ${p.applicationNo} không được phê duyệt. Lý do: ${p.reasons.join('; ')}.`,
        `Hồ sơ số ${p.applicationNo} không được phê duyệt. Xem lý do trên ứng dụng định danh điện tử.`,
      ],
    }),
    en: (p) => ({
      subject: `Application ${p.applicationNo} not approved`,
      blocks: [
        `Your application for ${PROCEDURES[p.procedure].en}, number ${p.applicationNo}, was not approved, for these reasons:`,
        { list: p.reasons },
        'You may complete or correct the information and apply again.',
      ],
      sms: [
        `Application ${p.applicationNo} was not approved. Reasons: ${p.reasons.join('; ')}.`,
        `Application ${p.applicationNo} was not approved. See the reasons in the electronic identity app.`,
      ],
    }),
  },

  account_locked: {
    vi: (p) => ({
      subject: 'Tài khoản định danh điện tử đã bị khóa',
      blocks: [
        `Tài khoản định danh điện tử của bạn đã bị khóa từ ngày ${formatDate(p.lockedOn, 'vi')}. Lý do: ${LOCK_GROUNDS[p.ground].vi}.`,
        ...(p.detail ? [`Chi tiết: ${p.detail}`] : []),
        'Để được hướng dẫn mở khóa, vui lòng liên hệ cơ quan Công an nơi gần nhất hoặc tổng đài hỗ trợ.',
      ],
      sms: [
        `Tài khoản định danh điện tử của bạn đã bị khóa từ ngày ${formatDate(p.lockedOn, 'vi')}. Lý do: ${LOCK_GROUNDS[p.ground].vi}.`,
      ],
    }),
    en: (p) => ({
      subject: 'Your electronic identity account has been locked',
      blocks: [
        `Your electronic identity account has been locked since ${formatDate(p.lockedOn, 'en')}. Ground: ${LOCK_GROUNDS[p.ground].en}.`,
        ...(p.detail ? [`Details: ${p.detail}`] : []),
        'To have it unlocked, contact the nearest police office or the support hotline.',
      ],
      sms: [
        `Your electronic identity account has been locked since ${formatDate(p.lockedOn, 'en')}. Ground: ${LOCK_GROUNDS[p.ground].en}.`,
      ],
    }),
  },

  account_unlocked: {
    vi: (p) => ({
      subject: 'Tài khoản định danh điện tử đã được mở khóa',
      blocks: [
        `Tài khoản định danh điện tử của bạn đã được mở khóa ngày ${formatDate(p.unlockedOn, 'vi')} và có thể sử dụng bình thường.`,
        'Nếu bạn không yêu cầu mở khóa, vui lòng liên hệ ngay tổng đài hỗ trợ.',
      ],
      sms: [
        `Tài khoản định danh điện tử của bạn đã được mở khóa ngày ${formatDate(p.unlockedOn, 'vi')}. Nếu bạn không yêu cầu, hãy liên hệ ngay tổng đài hỗ trợ.`,
      ],
    }),
    en: (p) => ({
      subject: 'Your electronic identity account has been unlocked',
      blocks: [
        `Your electronic identity account was unlocked on ${formatDate(p.unlockedOn, 'en')} and can be used again.`,
        'If you did not ask for this, contact the support hotline at once.',
      ],
      sms: [
        `Your electronic identity account was unlocked on ${formatDate(p.unlockedOn, 'en')}. If you did not ask for this, contact the support hotline at once.`,
      ],
    }),
  },

  activation_reminder: {
    vi: (p) => ({
      subject: 'Nhắc kích hoạt tài khoản định danh điện tử',
      blocks: [
        `Tài khoản định danh điện tử mức độ ${p.level} của bạn đã được cấp nhưng chưa được kích hoạt.`,
        `Vui lòng kích hoạt tài khoản trên ứng dụng định danh điện tử chậm nhất ngày ${formatDate(p.expiresOn, 'vi')}. Sau thời hạn này, yêu cầu kích hoạt sẽ hết hiệu lực.`,
      ],
      sms: [
        `Tài khoản định danh điện tử mức độ ${p.level} của bạn chưa được kích hoạt. Vui lòng kích hoạt chậm nhất ngày ${formatDate(p.expiresOn, 'vi')}.`,
      ],
    }),
    en: (p) => ({
      subject: 'Reminder: activate your electronic identity account',
      blocks: [
        `Your level ${p.level} electronic identity account has been issued but not yet activated.`,
        `Activate it in the electronic identity app by ${formatDate(p.expiresOn, 'en')}. After that date the activation request expires.`,
      ],
      sms: [
        `Your level ${p.level} electronic identity account is not activated yet. Activate it by ${formatDate(p.expiresOn, 'en')}.`,
      ],
    }),
  },

  consent_requested: {
    // DOMAIN.md §5: an organisation files in the app only after every other legal representative consented.
    vi: (p) => ({
      subject: `Đề nghị đồng ý đăng ký tài khoản định danh điện tử cho ${p.organisationName}`,
      blocks: [
        `${p.requestedBy} đã lập hồ sơ số ${p.applicationNo} đề nghị cấp tài khoản định danh điện tử cho ${p.organisationName}.`,
        'Hồ sơ chỉ được gửi đến cơ quan quản lý định danh và xác thực điện tử khi tất cả người đại diện theo pháp luật của tổ chức đã đồng ý.',
        `Vui lòng đăng nhập ứng dụng định danh điện tử để đồng ý hoặc từ chối trước ngày ${formatDate(p.dueOn, 'vi')}.`,
      ],
      sms: [
        `${p.requestedBy} đề nghị cấp tài khoản định danh điện tử cho ${p.organisationName} (hồ sơ số ${p.applicationNo}). Vui lòng đồng ý hoặc từ chối trên ứng dụng trước ngày ${formatDate(p.dueOn, 'vi')}.`,
        `Hồ sơ số ${p.applicationNo} cần sự đồng ý của bạn. Vui lòng đồng ý hoặc từ chối trên ứng dụng định danh điện tử trước ngày ${formatDate(p.dueOn, 'vi')}.`,
      ],
    }),
    en: (p) => ({
      subject: `Your consent is asked: an electronic identity account for ${p.organisationName}`,
      blocks: [
        `${p.requestedBy} has filed application ${p.applicationNo} for an electronic identity account for ${p.organisationName}.`,
        'The application goes to the identity management agency only once every legal representative of the organisation has consented.',
        `Sign in to the electronic identity app to consent or refuse before ${formatDate(p.dueOn, 'en')}.`,
      ],
      sms: [
        `${p.requestedBy} applied for an electronic identity account for ${p.organisationName} (application ${p.applicationNo}). Consent or refuse in the app before ${formatDate(p.dueOn, 'en')}.`,
        `Application ${p.applicationNo} needs your consent. Consent or refuse in the electronic identity app before ${formatDate(p.dueOn, 'en')}.`,
      ],
    }),
  },

  organisation_request_ended: {
    vi: (p) => ({
      subject: `Hồ sơ số ${p.applicationNo} đã kết thúc`,
      blocks: [
        `Hồ sơ số ${p.applicationNo} đề nghị cấp tài khoản định danh điện tử cho ${p.organisationName} đã kết thúc và không được gửi đến cơ quan quản lý định danh và xác thực điện tử. Lý do: ${ORGANISATION_REQUEST_END_REASONS[p.reason].vi}.`,
        'Tổ chức có thể lập hồ sơ mới trên ứng dụng định danh điện tử hoặc nộp tờ khai TK02 tại cơ quan Công an.',
      ],
      sms: [
        `Hồ sơ số ${p.applicationNo} (${p.organisationName}) đã kết thúc. Lý do: ${ORGANISATION_REQUEST_END_REASONS[p.reason].vi}.`,
        `Hồ sơ số ${p.applicationNo} đã kết thúc. Lý do: ${ORGANISATION_REQUEST_END_REASONS[p.reason].vi}.`,
      ],
    }),
    en: (p) => ({
      subject: `Application ${p.applicationNo} has ended`,
      blocks: [
        `Application ${p.applicationNo} for an electronic identity account for ${p.organisationName} has ended and was not sent to the identity management agency: ${ORGANISATION_REQUEST_END_REASONS[p.reason].en}.`,
        'The organisation may file a new application in the electronic identity app, or form TK02 at a police office.',
      ],
      sms: [
        `Application ${p.applicationNo} for ${p.organisationName} has ended: ${ORGANISATION_REQUEST_END_REASONS[p.reason].en}.`,
        `Application ${p.applicationNo} has ended: ${ORGANISATION_REQUEST_END_REASONS[p.reason].en}.`,
      ],
    }),
  },

  activation_reissued: {
    // Decree 69 Art 14.2: after the 7 days only the agency's hotline reopens activation.
    vi: (p) => ({
      subject: 'Tài khoản định danh điện tử đã được mở lại để kích hoạt',
      blocks: [
        'Theo yêu cầu của bạn qua tổng đài, tài khoản định danh điện tử của bạn đã được mở lại để kích hoạt.',
        `Vui lòng kích hoạt tài khoản trên ứng dụng định danh điện tử chậm nhất ngày ${formatDate(p.expiresOn, 'vi')}.`,
        'Nếu bạn không gọi tổng đài để yêu cầu, vui lòng liên hệ ngay tổng đài hỗ trợ.',
      ],
      sms: [
        `Tài khoản định danh điện tử được mở lại: kích hoạt trên ứng dụng chậm nhất ngày ${formatDate(p.expiresOn, 'vi')}. Nếu bạn không yêu cầu, hãy báo tổng đài.`,
        `Vui lòng kích hoạt tài khoản định danh điện tử trên ứng dụng chậm nhất ngày ${formatDate(p.expiresOn, 'vi')}.`,
      ],
    }),
    en: (p) => ({
      subject: 'You can activate your electronic identity account again',
      blocks: [
        'As you asked through the hotline, your electronic identity account has been reopened for activation.',
        `Activate it in the electronic identity app by ${formatDate(p.expiresOn, 'en')}.`,
        'If you did not call the hotline, contact the support hotline at once.',
      ],
      sms: [
        `Your electronic identity account can be activated again. Activate it in the app by ${formatDate(p.expiresOn, 'en')}. If you did not ask for this, call the hotline at once.`,
      ],
    }),
  },

  confirmation_requested: {
    vi: (p) => ({
      subject: `Tài khoản của ${p.dependantName} cần bạn xác nhận`,
      blocks: [
        `Tài khoản định danh điện tử của ${p.dependantName}, người bạn đang đại diện, cần bạn xác nhận để ${CONFIRMATION_ACTIONS[p.action].vi}.`,
        `Vui lòng xác nhận hoặc từ chối trên ứng dụng định danh điện tử trước ${formatVnInstant(p.expiresAt, 'vi')} (giờ Việt Nam). Nếu bạn không biết về yêu cầu này, hãy từ chối.`,
      ],
      sms: [
        `Tài khoản của ${p.dependantName} cần bạn xác nhận để ${CONFIRMATION_ACTIONS[p.action].vi}. Vui lòng trả lời trên ứng dụng trước ${formatVnInstant(p.expiresAt, 'vi')}.`,
        `Tài khoản bạn đại diện cần bạn xác nhận trên ứng dụng định danh điện tử trước ${formatVnInstant(p.expiresAt, 'vi')}.`,
      ],
    }),
    en: (p) => ({
      subject: `${p.dependantName}'s account needs your confirmation`,
      blocks: [
        `The electronic identity account of ${p.dependantName}, whom you represent, needs your confirmation to ${CONFIRMATION_ACTIONS[p.action].en}.`,
        `Confirm or refuse in the electronic identity app before ${formatVnInstant(p.expiresAt, 'en')} (Vietnam time). If you do not know about this request, refuse it.`,
      ],
      sms: [
        `${p.dependantName}'s electronic identity account needs your confirmation to ${CONFIRMATION_ACTIONS[p.action].en}. Confirm in the app before ${formatVnInstant(p.expiresAt, 'en')} (Vietnam time).`,
        `An account you represent needs your confirmation in the electronic identity app before ${formatVnInstant(p.expiresAt, 'en')} (Vietnam time).`,
      ],
    }),
  },

  representation_ended: {
    vi: (p) => ({
      subject: `Chấm dứt việc đại diện cho ${p.dependantName}`,
      blocks: [
        `Việc bạn đại diện cho ${p.dependantName} trên hệ thống định danh điện tử đã chấm dứt từ ngày ${formatDate(p.endedOn, 'vi')}. Lý do: ${REPRESENTATION_END_REASONS[p.reason].vi}.`,
        'Từ nay bạn không còn thay mặt người này sử dụng tài khoản định danh điện tử của họ.',
      ],
      sms: [
        `Việc bạn đại diện cho ${p.dependantName} đã chấm dứt từ ngày ${formatDate(p.endedOn, 'vi')}. Lý do: ${REPRESENTATION_END_REASONS[p.reason].vi}.`,
        `Việc bạn đại diện cho một tài khoản định danh điện tử đã chấm dứt từ ngày ${formatDate(p.endedOn, 'vi')}. Xem chi tiết trên ứng dụng.`,
      ],
    }),
    en: (p) => ({
      subject: `You no longer represent ${p.dependantName}`,
      blocks: [
        `Your representation of ${p.dependantName} in the electronic identity system ended on ${formatDate(p.endedOn, 'en')}: ${REPRESENTATION_END_REASONS[p.reason].en}.`,
        'You can no longer use their electronic identity account on their behalf.',
      ],
      sms: [
        `Your representation of ${p.dependantName} in the electronic identity system ended on ${formatDate(p.endedOn, 'en')}: ${REPRESENTATION_END_REASONS[p.reason].en}.`,
        `Your representation of an electronic identity account ended on ${formatDate(p.endedOn, 'en')}. See the app for details.`,
      ],
    }),
  },

  representation_handover: {
    // DOMAIN.md §5 (policy): at 14 the account passes to the young person, who sets their own phone and credentials.
    vi: (p) => ({
      subject: 'Bạn đã đủ 14 tuổi: hãy tự quản lý tài khoản định danh điện tử',
      blocks: [
        `Chào ${p.fullName},`,
        `Bạn đã đủ 14 tuổi từ ngày ${formatDate(p.turnedOn, 'vi')}. Từ nay bạn tự quản lý tài khoản định danh điện tử của mình, không cần người đại diện.`,
        'Vui lòng đăng nhập ứng dụng định danh điện tử để đăng ký số điện thoại chính chủ, đặt mật khẩu và mã bảo vệ (passcode) của riêng bạn.',
      ],
      sms: [
        `${p.fullName} đã đủ 14 tuổi: hãy đăng nhập ứng dụng định danh điện tử để đặt số điện thoại, mật khẩu và mã bảo vệ của riêng mình.`,
        'Bạn đã đủ 14 tuổi. Vui lòng đăng nhập ứng dụng định danh điện tử để đặt số điện thoại, mật khẩu và mã bảo vệ của riêng bạn.',
      ],
    }),
    en: (p) => ({
      subject: 'You are 14: take over your electronic identity account',
      blocks: [
        `Hello ${p.fullName},`,
        `You turned 14 on ${formatDate(p.turnedOn, 'en')}. From now on you manage your electronic identity account yourself, without a representative.`,
        'Sign in to the electronic identity app to register your own phone number and set your own password and passcode.',
      ],
      sms: [
        `${p.fullName}, you are now 14: sign in to the electronic identity app to set your own phone number, password and passcode.`,
        'You are now 14. Sign in to the electronic identity app to set your own phone number, password and passcode.',
      ],
    }),
  },

  application_deadline: {
    vi: (p) => {
      const due = formatDate(p.dueOn, 'vi');
      const what = `Hồ sơ ${PROCEDURES[p.procedure].vi} số ${p.applicationNo}`;
      return p.state === 'near'
        ? {
            subject: `Hồ sơ số ${p.applicationNo} sắp đến hạn giải quyết`,
            blocks: [
              `${what} sắp đến hạn giải quyết (ngày hẹn trả kết quả: ${due}).`,
              'Vui lòng xử lý hồ sơ đúng hạn.',
            ],
            sms: [`Hồ sơ số ${p.applicationNo} sắp đến hạn giải quyết (${due}). Vui lòng xử lý đúng hạn.`],
          }
        : {
            subject: `Hồ sơ số ${p.applicationNo} đã quá hạn giải quyết`,
            blocks: [`${what} đã quá hạn giải quyết (ngày hẹn trả kết quả: ${due}).`, 'Vui lòng xử lý ngay.'],
            sms: [`Hồ sơ số ${p.applicationNo} đã quá hạn giải quyết (hạn ${due}). Vui lòng xử lý ngay.`],
          };
    },
    en: (p) => {
      const due = formatDate(p.dueOn, 'en');
      const what = `Application ${p.applicationNo} for ${PROCEDURES[p.procedure].en}`;
      return p.state === 'near'
        ? {
            subject: `Application ${p.applicationNo} is nearly due`,
            blocks: [`${what} is nearly due (decision due by ${due}).`, 'Please decide it in time.'],
            sms: [`Application ${p.applicationNo} is nearly due (${due}). Please decide it in time.`],
          }
        : {
            subject: `Application ${p.applicationNo} is overdue`,
            blocks: [`${what} is overdue (decision was due by ${due}).`, 'Please deal with it now.'],
            sms: [`Application ${p.applicationNo} is overdue (due ${due}). Please deal with it now.`],
          };
    },
  },

  lock_ground_lifted: {
    // DOMAIN.md §6: the holder is told of every lock and unlock; an account locked on several
    // grounds stays locked until the last one is lifted.
    vi: (p) => {
      const lifted = `Căn cứ khóa tài khoản định danh điện tử của bạn (${LOCK_GROUNDS[p.ground].vi}) đã được gỡ bỏ ngày ${formatDate(p.liftedOn, 'vi')}.`;
      const state = p.stillLocked
        ? 'Tài khoản vẫn bị khóa vì còn căn cứ khóa khác. Bạn có thể xem các căn cứ khóa và gửi yêu cầu mở khóa trên ứng dụng định danh điện tử.'
        : 'Tài khoản đã được mở khóa và có thể sử dụng bình thường.';
      return {
        subject: p.stillLocked
          ? 'Một căn cứ khóa tài khoản định danh điện tử đã được gỡ bỏ'
          : 'Tài khoản định danh điện tử đã được mở khóa',
        blocks: [lifted, state, 'Nếu bạn không yêu cầu, vui lòng liên hệ ngay tổng đài hỗ trợ.'],
        sms: [
          `${lifted} ${p.stillLocked ? 'Tài khoản vẫn bị khóa vì căn cứ khác.' : 'Tài khoản đã được mở khóa.'}`,
          p.stillLocked
            ? `Một căn cứ khóa tài khoản định danh điện tử đã được gỡ bỏ ngày ${formatDate(p.liftedOn, 'vi')}; tài khoản vẫn bị khóa.`
            : `Tài khoản định danh điện tử của bạn đã được mở khóa ngày ${formatDate(p.liftedOn, 'vi')}.`,
        ],
      };
    },
    en: (p) => {
      const lifted = `A ground on which your electronic identity account was locked (${LOCK_GROUNDS[p.ground].en}) was lifted on ${formatDate(p.liftedOn, 'en')}.`;
      const state = p.stillLocked
        ? 'The account stays locked on another ground. You can see the grounds and ask for an unlock in the electronic identity app.'
        : 'The account is unlocked and can be used again.';
      return {
        subject: p.stillLocked
          ? 'A lock on your electronic identity account was lifted'
          : 'Your electronic identity account has been unlocked',
        blocks: [lifted, state, 'If you did not ask for this, contact the support hotline at once.'],
        sms: [
          `${lifted} ${p.stillLocked ? 'The account stays locked on another ground.' : 'The account is unlocked.'}`,
          p.stillLocked
            ? `A lock on your electronic identity account was lifted on ${formatDate(p.liftedOn, 'en')}; the account stays locked.`
            : `Your electronic identity account was unlocked on ${formatDate(p.liftedOn, 'en')}.`,
        ],
      };
    },
  },

  lock_request_decided: {
    // Seed 003 step 3: the result goes to the requesting authority; a refusal is written, with reasons.
    vi: (p) => {
      const what = `Đề nghị ${p.action === 'lock' ? 'khóa' : 'mở khóa'} căn cước điện tử số ${p.requestNo} (văn bản số ${p.documentNo})`;
      const outcome =
        p.outcome === 'approved'
          ? `${what} đã được phê duyệt ngày ${formatDate(p.decidedOn, 'vi')}; việc ${p.action === 'lock' ? 'khóa' : 'mở khóa'} đã có hiệu lực.`
          : p.outcome === 'refused'
            ? `${what} không được phê duyệt ngày ${formatDate(p.decidedOn, 'vi')} vì các lý do sau:`
            : `${what} được trả lại ngày ${formatDate(p.decidedOn, 'vi')} vì các lý do sau:`;
      const reasons = p.reasons && p.reasons.length > 0 ? [{ list: p.reasons }] : [];
      return {
        subject: `Kết quả giải quyết đề nghị số ${p.requestNo}`,
        blocks: [outcome, ...reasons],
        sms: [
          `Kết quả giải quyết đề nghị số ${p.requestNo}: ${p.outcome === 'approved' ? 'đã phê duyệt' : p.outcome === 'refused' ? 'không phê duyệt' : 'trả lại'}.`,
        ],
      };
    },
    en: (p) => {
      const what = `Request ${p.requestNo} (your document ${p.documentNo}) to ${p.action} an electronic identity`;
      const outcome =
        p.outcome === 'approved'
          ? `${what} was approved on ${formatDate(p.decidedOn, 'en')}; the ${p.action === 'lock' ? 'lock' : 'unlock'} is in effect.`
          : p.outcome === 'refused'
            ? `${what} was refused on ${formatDate(p.decidedOn, 'en')}, for these reasons:`
            : `${what} was returned on ${formatDate(p.decidedOn, 'en')}, for these reasons:`;
      const reasons = p.reasons && p.reasons.length > 0 ? [{ list: p.reasons }] : [];
      return {
        subject: `Result of request ${p.requestNo}`,
        blocks: [outcome, ...reasons],
        sms: [`Request ${p.requestNo}: ${p.outcome}.`],
      };
    },
  },

  unlock_request_refused: {
    vi: (p) => ({
      subject: `Yêu cầu mở khóa số ${p.requestNo} không được chấp thuận`,
      blocks: [
        `Yêu cầu mở khóa tài khoản định danh điện tử số ${p.requestNo} của bạn không được chấp thuận vì các lý do sau:`,
        { list: p.reasons },
        'Tài khoản vẫn bị khóa. Bạn có thể gửi yêu cầu mới khi căn cứ khóa không còn.',
      ],
      sms: [
        `Yêu cầu mở khóa số ${p.requestNo} không được chấp thuận. Lý do: ${p.reasons.join('; ')}.`,
        `Yêu cầu mở khóa số ${p.requestNo} không được chấp thuận. Xem lý do trên ứng dụng định danh điện tử.`,
      ],
    }),
    en: (p) => ({
      subject: `Unlock request ${p.requestNo} refused`,
      blocks: [
        `Your request ${p.requestNo} to unlock your electronic identity account was refused, for these reasons:`,
        { list: p.reasons },
        'The account stays locked. You may ask again once the ground is gone.',
      ],
      sms: [
        `Unlock request ${p.requestNo} was refused. Reasons: ${p.reasons.join('; ')}.`,
        `Unlock request ${p.requestNo} was refused. See the reasons in the electronic identity app.`,
      ],
    }),
  },

  lock_request_overdue: {
    vi: (p) => {
      const step = p.step === 'forward' ? 'xem xét, chuyển lên Cục' : 'phê duyệt hoặc từ chối';
      return {
        subject: `Đề nghị khóa, mở khóa số ${p.requestNo} đã quá hạn`,
        blocks: [
          `Đề nghị khóa, mở khóa căn cước điện tử số ${p.requestNo} đã quá thời hạn ${step} (hạn ${formatDate(p.dueOn, 'vi')}).`,
          'Vui lòng xử lý ngay.',
        ],
        sms: [`Đề nghị số ${p.requestNo} đã quá hạn ${step} (hạn ${formatDate(p.dueOn, 'vi')}). Vui lòng xử lý ngay.`],
      };
    },
    en: (p) => {
      const step = p.step === 'forward' ? 'review and forwarding to C06' : 'decision';
      return {
        subject: `Lock request ${p.requestNo} is overdue`,
        blocks: [
          `The ${step} of lock request ${p.requestNo} is overdue (due by ${formatDate(p.dueOn, 'en')}).`,
          'Please deal with it now.',
        ],
        sms: [
          `Lock request ${p.requestNo}: ${step} overdue (due ${formatDate(p.dueOn, 'en')}). Please deal with it now.`,
        ],
      };
    },
  },
};

export class TemplateParamsError extends Error {
  constructor(
    readonly template: string,
    readonly reason: string,
  ) {
    super(`template ${template}: ${reason}`);
    this.name = 'TemplateParamsError';
  }
}

export function isTemplateName(name: string): name is TemplateName {
  return Object.hasOwn(TEMPLATE_PARAMS, name);
}

/** Checks a template's parameters (e.g. read back from the outbox); throws TemplateParamsError. */
export function checkParams<T extends TemplateName>(template: T, params: unknown): asserts params is TemplateParams[T] {
  if (!isTemplateName(template)) throw new TemplateParamsError(String(template), 'unknown template');
  const schema = TEMPLATE_PARAMS[template];
  if (!Value.Check(schema, params)) {
    const first = [...Value.Errors(schema, params)][0];
    const where = first?.instancePath ? `${first.instancePath} ` : '';
    throw new TemplateParamsError(template, `${where}${first?.message ?? 'invalid parameters'}`);
  }
}

function nfcDeep<T>(value: T): T {
  if (typeof value === 'string') return value.normalize('NFC') as T;
  if (Array.isArray(value)) return value.map(nfcDeep) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, nfcDeep(v)])) as T;
  }
  return value;
}

function blocksToText(blocks: Block[]): string {
  return blocks.map((b) => (typeof b === 'string' ? b : b.list.map((item) => `- ${item}`).join('\n'))).join('\n\n');
}

function blocksToHtml(blocks: Block[]): string {
  return blocks
    .map((b) =>
      typeof b === 'string'
        ? `<p>${escapeHtml(b)}</p>`
        : `<ul>${b.list.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`,
    )
    .join('\n');
}

function fitSms(candidates: string[]): string {
  for (const text of candidates) {
    try {
      encodeSms(text, { maxParts: SMS_MAX_PARTS });
      return text;
    } catch {
      // too long: try the next, shorter text
    }
  }
  throw new RangeError(`no SMS text fits ${SMS_MAX_PARTS} parts`);
}

/** Renders a template in a language. Parameters are checked; all text comes out in NFC. */
export function render<T extends TemplateName>(
  template: T,
  locale: Locale,
  params: TemplateParams[T],
): RenderedMessage {
  checkParams(template, params);
  const fn = (TEMPLATES[template] as Localized<TemplateParams[T]>)[locale];
  if (!fn) throw new TemplateParamsError(template, `unknown locale ${String(locale)}`);
  const content = fn(nfcDeep(params));
  const body = blocksToText(content.blocks).normalize('NFC');
  const footer = FOOTER[locale];
  const html =
    `<!doctype html>\n<html lang="${locale}">\n<head><meta charset="utf-8"><title>${escapeHtml(content.subject)}</title></head>\n` +
    `<body>\n${blocksToHtml(content.blocks)}\n<hr>\n<p><small>${escapeHtml(footer)}</small></p>\n</body>\n</html>\n`;
  return {
    subject: content.subject.normalize('NFC'),
    body,
    text: `${body}\n\n-- \n${footer}\n`.normalize('NFC'),
    html: html.normalize('NFC'),
    sms: fitSms(content.sms.map((s) => s.normalize('NFC'))),
  };
}
