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
} as const satisfies Record<string, Record<Locale, string>>;
export type LockGround = keyof typeof LOCK_GROUNDS;

function keysUnion<T extends Record<string, unknown>>(o: T) {
  return Type.Union(Object.keys(o).map((k) => Type.Literal(k))) as unknown as TSchema;
}

const ProcedureSchema = keysUnion(PROCEDURES);
const LockGroundSchema = keysUnion(LOCK_GROUNDS);

/** Parameter schemas, one per template. */
export const TEMPLATE_PARAMS = {
  otp: Type.Object(
    { code: Type.String({ pattern: '^[0-9]{4,8}$' }), minutes: Type.Integer({ minimum: 1, maximum: 60 }) },
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

const FOOTER: Record<Locale, string> = {
  vi: 'Đây là thư tự động của Hệ thống định danh và xác thực điện tử. Vui lòng không trả lời thư này.',
  en: 'This is an automatic message from the electronic identification and authentication system. Please do not reply to it.',
};

const TEMPLATES: { [K in TemplateName]: Localized<TemplateParams[K]> } = {
  otp: {
    vi: (p) => {
      const text = `Mã xác thực của bạn là ${p.code}. Mã có hiệu lực trong ${p.minutes} phút. Không chia sẻ mã này cho bất kỳ ai.`;
      return { subject: 'Mã xác thực', blocks: [text], sms: [text] };
    },
    en: (p) => {
      const text = `Your verification code is ${p.code}. It is valid for ${p.minutes} minutes. Do not share this code with anyone.`;
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
