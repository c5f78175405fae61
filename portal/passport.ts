import { createHash } from 'node:crypto';
import jpeg from 'jpeg-js';
import { BIRTH_PROVINCES, PROVINCES_2025 } from '../src/registries/provinces.ts';
import { tr, type Locale } from './http.ts';
import type { FileSlot } from './tables.ts';
import type { FieldError } from './views.ts';

/**
 * The ordinary-passport application (domestic; TK01 online), as data: the fields the applicant
 * fills (what the verified e-ID claims already say is shown, never asked), the uploads and their
 * checks, and the validation of every starred field with a message naming the field and what to
 * do. Pure: no database, no HTTP.
 */
export type FormKind = 'passport_first' | 'passport_reissue';

export const BIRTH_PLACES = [...new Set(BIRTH_PROVINCES.map((p) => p.name))].sort((a, b) => a.localeCompare(b, 'vi'));
export const PROVINCES: string[] = [...PROVINCES_2025];

export const REISSUE_REASONS = [
  { value: 'expired', vi: 'Hộ chiếu hết hạn hoặc sắp hết hạn', en: 'Expired or about to expire' },
  { value: 'full', vi: 'Hộ chiếu hết trang', en: 'No pages left' },
  { value: 'damaged', vi: 'Hộ chiếu bị hư hỏng', en: 'Damaged' },
  { value: 'lost', vi: 'Hộ chiếu bị mất', en: 'Lost' },
] as const;

/** Text fields the applicant types: name → labels and whether starred. */
interface TextField {
  name: string;
  vi: string;
  en: string;
  required: boolean | ((f: Record<string, string>, kind: FormKind) => boolean);
  max: number;
  pattern?: RegExp;
  patternVi?: string;
  patternEn?: string;
  choices?: readonly string[];
}

const byPost = (f: Record<string, string>) => f.delivery === 'post';

export const TEXT_FIELDS: TextField[] = [
  { name: 'birth_place', vi: 'Nơi sinh', en: 'Place of birth', required: true, max: 100 },
  { name: 'occupation', vi: 'Nghề nghiệp', en: 'Occupation', required: true, max: 100 },
  {
    name: 'contact_address',
    vi: 'Địa chỉ liên hệ',
    en: 'Contact address',
    required: true,
    max: 300,
  },
  {
    name: 'contact_phone',
    vi: 'Số điện thoại liên hệ',
    en: 'Contact phone',
    required: true,
    max: 20,
    pattern: /^(?:\+84|0)[35789]\d{8}$/,
    patternVi: 'Số điện thoại di động gồm 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 (ví dụ 0912345678).',
    patternEn: 'A 10-digit mobile number starting with 03, 05, 07, 08 or 09 (e.g. 0912345678).',
  },
  {
    name: 'email',
    vi: 'Thư điện tử',
    en: 'E-mail',
    required: false,
    max: 200,
    pattern: /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/,
    patternVi: 'Địa chỉ thư điện tử chưa đúng định dạng (ví dụ ten@example.vn).',
    patternEn: 'Not an e-mail address (e.g. name@example.vn).',
  },
  {
    name: 'previous_passport',
    vi: 'Số hộ chiếu cũ',
    en: 'Previous passport number',
    required: (_f, kind) => kind === 'passport_reissue',
    max: 9,
    pattern: /^[A-Z]\d{7,8}$/,
    patternVi: 'Số hộ chiếu gồm 1 chữ cái in hoa và 7 hoặc 8 chữ số (ví dụ C1234567).',
    patternEn: 'One capital letter and 7 or 8 digits (e.g. C1234567).',
  },
  {
    name: 'reissue_reason',
    vi: 'Lý do cấp lại',
    en: 'Reason for reissue',
    required: (_f, kind) => kind === 'passport_reissue',
    max: 20,
    choices: REISSUE_REASONS.map((r) => r.value),
  },
  { name: 'office', vi: 'Cơ quan tiếp nhận', en: 'Receiving office', required: true, max: 20 },
  {
    name: 'delivery',
    vi: 'Hình thức nhận hộ chiếu',
    en: 'How to receive the passport',
    required: true,
    max: 10,
    choices: ['in_person', 'post'],
  },
  { name: 'post_recipient', vi: 'Người nhận', en: 'Recipient', required: byPost, max: 100 },
  {
    name: 'post_phone',
    vi: 'Số điện thoại người nhận',
    en: 'Recipient’s phone',
    required: byPost,
    max: 20,
    pattern: /^(?:\+84|0)[35789]\d{8}$/,
    patternVi: 'Số điện thoại di động gồm 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 (ví dụ 0912345678).',
    patternEn: 'A 10-digit mobile number starting with 03, 05, 07, 08 or 09 (e.g. 0912345678).',
  },
  {
    name: 'post_street',
    vi: 'Số nhà, đường, thôn/xóm',
    en: 'House number, street, village',
    required: byPost,
    max: 200,
  },
  { name: 'post_ward', vi: 'Phường, xã, đặc khu', en: 'Ward or commune', required: byPost, max: 100 },
  { name: 'post_province', vi: 'Tỉnh, thành phố', en: 'Province or city', required: byPost, max: 100 },
];

export const FIELD_NAMES = new Set(TEXT_FIELDS.map((f) => f.name));

export interface SlotRule {
  slot: FileSlot;
  vi: string;
  en: string;
  required: boolean;
  maxBytes: number;
  minWidth: number;
  minHeight: number;
  maxWidth: number;
  maxHeight: number;
  orientation?: 'portrait' | 'landscape';
}

const MB = 1024 * 1024;

export const SLOT_RULES: Record<FileSlot, SlotRule> = {
  portrait: {
    slot: 'portrait',
    vi: 'Ảnh chân dung',
    en: 'Portrait',
    required: true,
    maxBytes: 2 * MB,
    minWidth: 400,
    minHeight: 600,
    maxWidth: 4000,
    maxHeight: 6000,
    orientation: 'portrait',
  },
  id_front: {
    slot: 'id_front',
    vi: 'Ảnh mặt trước căn cước công dân',
    en: 'Front of the ID card',
    required: true,
    maxBytes: 2 * MB,
    minWidth: 600,
    minHeight: 380,
    maxWidth: 6000,
    maxHeight: 4000,
    orientation: 'landscape',
  },
  id_back: {
    slot: 'id_back',
    vi: 'Ảnh mặt sau căn cước công dân',
    en: 'Back of the ID card',
    required: true,
    maxBytes: 2 * MB,
    minWidth: 600,
    minHeight: 380,
    maxWidth: 6000,
    maxHeight: 4000,
    orientation: 'landscape',
  },
  attachment: {
    slot: 'attachment',
    vi: 'Tài liệu đính kèm',
    en: 'Attachment',
    required: false,
    maxBytes: 3 * MB,
    minWidth: 300,
    minHeight: 300,
    maxWidth: 8000,
    maxHeight: 8000,
  },
};

export const MAX_ATTACHMENTS = 5;

/** What a file's first bytes say it is. */
export function sniff(data: Buffer): string {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'JPEG';
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'PNG';
  if (data.subarray(0, 4).toString('latin1') === '%PDF') return 'PDF';
  if (data.subarray(0, 3).toString('latin1') === 'GIF') return 'GIF';
  if (data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP')
    return 'WEBP';
  if (data.subarray(4, 12).toString('latin1').startsWith('ftyp')) return 'HEIC/MP4';
  return 'unknown';
}

/** Width and height from a JPEG's start-of-frame marker, or undefined. */
export function jpegSize(data: Buffer): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 9 < data.length) {
    if (data[i] !== 0xff) return undefined;
    const marker = data[i + 1]!;
    if (marker === 0xd9 || marker === 0xda) return undefined;
    const length = data.readUInt16BE(i + 2);
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: data.readUInt16BE(i + 5), width: data.readUInt16BE(i + 7) };
    }
    i += 2 + length;
  }
  return undefined;
}

const fmtMb = (bytes: number) => `${(bytes / MB).toLocaleString('vi-VN', { maximumFractionDigits: 1 })} MB`;

export interface CheckedImage {
  width: number;
  height: number;
  sha256: string;
}

/**
 * Checks an upload for a slot: JPEG by its magic bytes (not its name or declared type), size, a
 * decodable image, dimensions and orientation. Returns the image's facts or a message.
 */
export function checkUpload(
  rule: SlotRule,
  file: { filename: string; data: Buffer },
  locale: Locale,
): { ok: true; image: CheckedImage } | { ok: false; message: string } {
  const L = (vi: string, en: string) => tr(locale, vi, en);
  const label = L(rule.vi, rule.en);
  const name = file.filename || L('tệp đã chọn', 'the file chosen');
  if (file.data.length === 0)
    return { ok: false, message: L(`${label}: tệp ${name} rỗng.`, `${label}: ${name} is empty.`) };
  if (file.data.length > rule.maxBytes) {
    return {
      ok: false,
      message: L(
        `${label}: tệp ${name} có dung lượng ${fmtMb(file.data.length)}, vượt quá giới hạn ${fmtMb(rule.maxBytes)}. Hãy chọn ảnh nhỏ hơn.`,
        `${label}: ${name} is ${fmtMb(file.data.length)}, over the ${fmtMb(rule.maxBytes)} limit. Choose a smaller image.`,
      ),
    };
  }
  const kind = sniff(file.data);
  if (kind !== 'JPEG') {
    return {
      ok: false,
      message: L(
        `${label} phải là ảnh định dạng JPEG (.jpg, .jpeg); tệp ${name} ${kind === 'unknown' ? 'không phải ảnh JPEG' : `là tệp ${kind}`}.`,
        `${label} must be a JPEG image (.jpg, .jpeg); ${name} ${kind === 'unknown' ? 'is not a JPEG image' : `is a ${kind} file`}.`,
      ),
    };
  }
  const size = jpegSize(file.data);
  let decodable = size !== undefined;
  if (decodable) {
    try {
      jpeg.decode(file.data, { maxResolutionInMP: 50, maxMemoryUsageInMB: 256, formatAsRGBA: false });
    } catch {
      decodable = false;
    }
  }
  if (!size || !decodable) {
    return {
      ok: false,
      message: L(
        `${label}: tệp ${name} bị hỏng hoặc không đọc được. Hãy chụp hoặc quét lại.`,
        `${label}: ${name} is damaged or unreadable. Take or scan it again.`,
      ),
    };
  }
  const { width, height } = size;
  if (width < rule.minWidth || height < rule.minHeight || width > rule.maxWidth || height > rule.maxHeight) {
    return {
      ok: false,
      message: L(
        `${label} phải có kích thước từ ${rule.minWidth} × ${rule.minHeight} đến ${rule.maxWidth} × ${rule.maxHeight} điểm ảnh; ảnh đã chọn là ${width} × ${height}.`,
        `${label} must be between ${rule.minWidth} × ${rule.minHeight} and ${rule.maxWidth} × ${rule.maxHeight} pixels; this one is ${width} × ${height}.`,
      ),
    };
  }
  if (rule.orientation === 'portrait' && height <= width) {
    return {
      ok: false,
      message: L(
        `${label} phải là ảnh dọc (chiều cao lớn hơn chiều rộng).`,
        `${label} must be upright (taller than wide).`,
      ),
    };
  }
  if (rule.orientation === 'landscape' && width <= height) {
    return {
      ok: false,
      message: L(
        `${label} phải là ảnh ngang (chiều rộng lớn hơn chiều cao).`,
        `${label} must be landscape (wider than tall).`,
      ),
    };
  }
  return { ok: true, image: { width, height, sha256: createHash('sha256').update(file.data).digest('hex') } };
}

/** Only the applicant's own fields, trimmed, NFC, within their length. */
export function cleanFields(input: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of TEXT_FIELDS) {
    const raw = input[f.name];
    if (typeof raw !== 'string') continue;
    let value = raw.normalize('NFC').trim().replace(/\s+/g, ' ').slice(0, f.max);
    if (f.name === 'previous_passport') value = value.toUpperCase().replace(/\s/g, '');
    if (f.name === 'contact_phone' || f.name === 'post_phone') value = value.replace(/[\s.-]/g, '');
    out[f.name] = value;
  }
  if (out.delivery !== 'post') {
    for (const k of ['post_recipient', 'post_phone', 'post_street', 'post_ward', 'post_province']) delete out[k];
  }
  return out;
}

/**
 * Every starred field and upload, with a message per field at fault: "Vui lòng nhập …" for a
 * missing value, what is expected for a malformed one.
 */
export function validateApplication(
  kind: FormKind,
  fields: Record<string, string>,
  present: Set<FileSlot>,
  offices: Set<string>,
  locale: Locale,
): FieldError[] {
  const L = (vi: string, en: string) => tr(locale, vi, en);
  const errors: FieldError[] = [];
  for (const f of TEXT_FIELDS) {
    const required = typeof f.required === 'function' ? f.required(fields, kind) : f.required;
    const value = fields[f.name] ?? '';
    const label = L(f.vi, f.en);
    const select = Boolean(f.choices) || ['office', 'birth_place', 'post_province'].includes(f.name);
    if (value === '') {
      if (required) {
        errors.push({
          field: f.name,
          message: select
            ? L(`Vui lòng chọn ${label.toLowerCase()}.`, `Choose the ${label.toLowerCase()}.`)
            : L(`Vui lòng nhập ${label.toLowerCase()}.`, `Enter the ${label.toLowerCase()}.`),
        });
      }
      continue;
    }
    if (f.pattern && !f.pattern.test(value)) errors.push({ field: f.name, message: L(f.patternVi!, f.patternEn!) });
    else if (f.choices && !f.choices.includes(value))
      errors.push({ field: f.name, message: L(`${label}: lựa chọn không hợp lệ.`, `${label}: not a valid choice.`) });
    else if (f.name === 'office' && !offices.has(value))
      errors.push({ field: f.name, message: L('Cơ quan tiếp nhận không hợp lệ.', 'Not a receiving office.') });
    else if (f.name === 'birth_place' && !BIRTH_PLACES.includes(value))
      errors.push({
        field: f.name,
        message: L('Vui lòng chọn nơi sinh trong danh sách.', 'Choose the place of birth from the list.'),
      });
    else if (f.name === 'post_province' && !PROVINCES.includes(value))
      errors.push({
        field: f.name,
        message: L('Vui lòng chọn tỉnh, thành phố trong danh sách.', 'Choose the province from the list.'),
      });
    else if (value.length < 2)
      errors.push({ field: f.name, message: L(`${label} quá ngắn.`, `${label} is too short.`) });
  }
  for (const rule of Object.values(SLOT_RULES)) {
    if (rule.required && !present.has(rule.slot)) {
      errors.push({
        field: rule.slot,
        message: L(
          `Vui lòng tải lên ${rule.vi.toLowerCase()} (tệp JPEG).`,
          `Upload the ${rule.en.toLowerCase()} (JPEG).`,
        ),
      });
    }
  }
  return errors;
}
