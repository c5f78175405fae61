import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { parseIsoDate, type CivilDate, type IsoDate } from '../calendar/civil-date.ts';

/**
 * The printable counter receipt, "Phiếu tiếp nhận hồ sơ và hẹn trả kết quả": at a counter the
 * receiving officer prints it once the dossier is recorded (Decree 69/2024 Art 11; the published
 * procedure, step 4: "Cán bộ in phiếu tiếp nhận hồ sơ và hẹn trả kết quả"). It tells the applicant
 * what was received, when, and when the result is due, and carries a QR code to follow the
 * application; the result itself is notified through the app, SMS or e-mail (step 5).
 *
 * One A4 page, always: long content wraps, then the body font shrinks step by step, then the tail
 * of the documents list is elided with a count (see `chooseFit`).
 *
 * Deterministic: the same data gives the same bytes. pdfkit's file /ID is an MD5 of the info
 * dictionary (CreationDate included), the font subset tag derives from the font's resource name,
 * and we set CreationDate = receivedAt, so nothing depends on the clock or on randomness.
 */

export interface ReceiptData {
  applicationNo: string;
  procedureVi: string;
  applicant: { fullName: string; idLabel: string; idValue: string; phoneMasked: string | null; email: string | null };
  representative?: { fullName: string; idValue: string; relationVi: string } | null;
  unit: { nameVi: string; parentNameVi?: string | null };
  officerName: string;
  /** Instant of receipt; printed in Vietnam time whatever the process time zone. */
  receivedAt: Date;
  /** 'YYYY-MM-DD': the date to come back for the result. */
  appointmentOn: string;
  deadlineText: string;
  documents: string[];
  /** Absolute URL encoded in the QR code. */
  trackUrl: string;
}

// ---------------------------------------------------------------------------------------------
// Dates and times in Vietnamese

/** Vietnam is UTC+7 all year (no daylight saving since 1975): a fixed offset, no tz database. */
const VN_OFFSET_MS = 7 * 3600_000;

export interface VietnamTime extends CivilDate {
  hour: number;
  minute: number;
}

/** The wall-clock time in Vietnam of an instant, independent of the process TZ. */
export function vietnamTime(instant: Date): VietnamTime {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('not a valid instant');
  // Shift, then read the UTC fields: the getUTC* accessors never consult the process time zone.
  const local = new Date(ms + VN_OFFSET_MS);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
  };
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * "ngày 05 tháng 02 năm 2026", "ngày 27 tháng 11 năm 2026". Administrative style (Decree 30/2020
 * Appendix I): a day below 10 and the months 1 and 2 take a leading zero, so that nobody can turn
 * "tháng 1" into "tháng 11" with a pen; months 3 to 12 are written as they are.
 */
export function dayMonthYearVi(date: CivilDate): string {
  const month = date.month <= 2 ? pad2(date.month) : String(date.month);
  return `ngày ${pad2(date.day)} tháng ${month} năm ${date.year}`;
}

/** A 'YYYY-MM-DD' legal date (strictly validated) as "ngày dd tháng m năm yyyy". */
export function formatDateVi(iso: IsoDate): string {
  return dayMonthYearVi(parseIsoDate(iso));
}

/** "09 giờ 05 phút, ngày 26 tháng 11 năm 2026", in Vietnam time. */
export function formatReceivedAtVi(instant: Date): string {
  const t = vietnamTime(instant);
  return `${pad2(t.hour)} giờ ${pad2(t.minute)} phút, ${dayMonthYearVi(t)}`;
}

// ---------------------------------------------------------------------------------------------
// QR code

/** The QR symbol's modules, row by row (true = dark), without the quiet zone. */
export function receiptQrMatrix(url: string): boolean[][] {
  // Level M (15 % recovery) survives a creased or smudged paper receipt and keeps the symbol small.
  const { modules } = QRCode.create(url, { errorCorrectionLevel: 'M' });
  return Array.from({ length: modules.size }, (_, row) =>
    Array.from({ length: modules.size }, (_, col) => modules.get(row, col) !== 0),
  );
}

/** ISO/IEC 18004 asks for a light margin of 4 modules around the symbol. */
const QR_QUIET_MODULES = 4;

/**
 * Draws the symbol as vector rectangles: one rectangle per horizontal run of dark modules, all
 * filled at once. Merging runs keeps the page small and avoids the hairline seams that viewers
 * show between adjacent one-module squares.
 */
function drawQr(doc: PDFKit.PDFDocument, matrix: boolean[][], x: number, y: number, side: number): void {
  const unit = side / (matrix.length + 2 * QR_QUIET_MODULES);
  const origin = QR_QUIET_MODULES * unit;
  matrix.forEach((row, r) => {
    let col = 0;
    while (col < row.length) {
      if (!row[col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < row.length && row[col]) col++;
      doc.rect(x + origin + start * unit, y + origin + r * unit, (col - start) * unit, unit);
    }
  });
  doc.fillColor('black').fill();
}

// ---------------------------------------------------------------------------------------------
// Fonts and page

function fontPath(file: string): string {
  const require = createRequire(import.meta.url);
  try {
    return require.resolve(`dejavu-fonts-ttf/ttf/${file}`);
  } catch {
    // Should the package ever add an "exports" map that hides ttf/, fall back to its directory.
    return join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf', file);
  }
}

// DejaVu covers every Vietnamese letter precomposed (ắ, ẫ, ự…); the PDF standard fonts do not.
const REGULAR = fontPath('DejaVuSans.ttf');
const BOLD = fontPath('DejaVuSans-Bold.ttf');

/** A4 in points; margins of 2 cm left and 1.5 cm elsewhere, narrow to leave room for long lists. */
const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = { top: 42, bottom: 42, left: 57, right: 42 };
const CONTENT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
const CONTENT_BOTTOM = PAGE.height - MARGIN.bottom;

/** Body font sizes tried in turn until the page fits. Below 8 pt a receipt stops being readable. */
const BODY_SIZES = [11, 10.5, 10, 9.5, 9, 8.5, 8] as const;
type BodySize = (typeof BODY_SIZES)[number];

// ---------------------------------------------------------------------------------------------
// Layout: one code path measures (dry run) and draws, so the measure is exactly what is drawn.

interface Pen {
  readonly doc: PDFKit.PDFDocument;
  /** false for the dry run that only measures. */
  readonly draw: boolean;
  x: number;
  width: number;
  y: number;
}

interface Style {
  bold?: boolean;
  size: number;
  align?: 'left' | 'center' | 'right';
  /** Space after the paragraph, in points. */
  after?: number;
}

const LINE_GAP = 1.5;

/** Writes a wrapped paragraph at the pen and moves the pen below it. */
function write(pen: Pen, text: string, style: Style): void {
  const { doc } = pen;
  doc.font(style.bold ? BOLD : REGULAR).fontSize(style.size);
  const options = { width: pen.width, align: style.align ?? 'left', lineGap: LINE_GAP };
  const height = doc.heightOfString(text, options);
  if (pen.draw) doc.text(text, pen.x, pen.y, options);
  pen.y += height + (style.after ?? 0);
}

/** A short centred rule under a heading, the usual mark under the agency name and the motto. */
function rule(pen: Pen, length: number, after: number): void {
  const x = pen.x + (pen.width - length) / 2;
  if (pen.draw) {
    pen.doc
      .moveTo(x, pen.y)
      .lineTo(x + length, pen.y)
      .lineWidth(0.6)
      .stroke();
  }
  pen.y += after;
}

/** Runs `draw` in a column of the pen's line; returns the column's bottom. */
function column(pen: Pen, dx: number, width: number, draw: (col: Pen) => void): number {
  const col: Pen = { doc: pen.doc, draw: pen.draw, x: pen.x + dx, width, y: pen.y };
  draw(col);
  return col.y;
}

/** Unit (parent above) at the top left, the national motto at the top right. */
function header(pen: Pen, unit: ReceiptData['unit']): void {
  const leftWidth = 215;
  const gap = 8;
  const left = column(pen, 0, leftWidth, (col) => {
    if (unit.parentNameVi) write(col, unit.parentNameVi.toUpperCase(), { size: 10, align: 'center' });
    write(col, unit.nameVi.toUpperCase(), { size: 10, bold: true, align: 'center', after: 3 });
    rule(col, 60, 0);
  });
  const right = column(pen, leftWidth + gap, pen.width - leftWidth - gap, (col) => {
    write(col, 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', { size: 10, bold: true, align: 'center' });
    write(col, 'Độc lập - Tự do - Hạnh phúc', { size: 10.5, bold: true, align: 'center', after: 3 });
    rule(col, 160, 0);
  });
  pen.y = Math.max(left, right) + 26;
}

/** A label and its value side by side; the value wraps in its own column. */
function field(pen: Pen, labelWidth: number, label: string, value: string, size: number): void {
  const labelBottom = column(pen, 0, labelWidth, (col) => write(col, label, { size, bold: true }));
  const valueBottom = column(pen, labelWidth, pen.width - labelWidth, (col) => write(col, value, { size }));
  pen.y = Math.max(labelBottom, valueBottom) + size * 0.35;
}

/** The dossier items, numbered with a hanging indent; `more` items elided are counted after them. */
function documentList(pen: Pen, labelWidth: number, fit: Fit, size: number): void {
  const numberWidth = size * 2;
  const bottom = column(pen, 0, labelWidth, (col) => write(col, 'Giấy tờ đã tiếp nhận:', { size, bold: true }));
  const listBottom = column(pen, labelWidth, pen.width - labelWidth, (col) => {
    fit.documents.forEach((item, i) => {
      const top = col.y;
      const number = column(col, 0, numberWidth, (c) => write(c, `${i + 1}.`, { size }));
      col.y = top;
      col.y = Math.max(
        number,
        column(col, numberWidth, col.width - numberWidth, (c) => write(c, item, { size })),
      );
    });
    if (fit.elided > 0) write(col, `… và ${fit.elided} giấy tờ khác (xem hồ sơ điện tử)`, { size });
  });
  pen.y = Math.max(bottom, listBottom) + size * 0.35;
}

interface Fit {
  size: BodySize;
  /** The documents printed, in order. */
  documents: string[];
  /** How many more were received but left off the paper. */
  elided: number;
}

function applicantFields(data: ReceiptData): [string, string][] {
  const { applicant, representative } = data;
  const rows: [string, string][] = [
    ['Họ và tên:', applicant.fullName],
    [`${applicant.idLabel}:`, applicant.idValue],
  ];
  if (applicant.phoneMasked) rows.push(['Số điện thoại:', applicant.phoneMasked]);
  if (applicant.email) rows.push(['Thư điện tử:', applicant.email]);
  if (representative) {
    // The representative may be a foreigner (Art 12), so the document stays generic.
    const who = `${representative.fullName} (${representative.relationVi}), giấy tờ tùy thân số ${representative.idValue}`;
    rows.push(['Người đại diện:', who]);
  }
  return rows;
}

/** Title, number, applicant, documents, dates: everything between the header and the QR code. */
function body(pen: Pen, data: ReceiptData, fit: Fit): void {
  const { size } = fit;
  write(pen, 'PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ', { size: 14, bold: true, align: 'center', after: 4 });
  write(pen, `Số hồ sơ: ${data.applicationNo}`, { size: size + 1, bold: true, align: 'center', after: size * 1.4 });
  write(pen, `${data.unit.nameVi} đã tiếp nhận hồ sơ của:`, { size, after: size * 0.6 });
  const labelWidth = Math.min(pen.width * 0.4, 150 * (size / 11));
  for (const [label, value] of applicantFields(data)) field(pen, labelWidth, label, value, size);
  field(pen, labelWidth, 'Thủ tục:', data.procedureVi, size);
  documentList(pen, labelWidth, fit, size);
  field(pen, labelWidth, 'Thời gian tiếp nhận:', formatReceivedAtVi(data.receivedAt), size);
  field(pen, labelWidth, 'Thời hạn giải quyết:', data.deadlineText, size);
  field(pen, labelWidth, 'Ngày hẹn trả kết quả:', formatDateVi(data.appointmentOn), size);
}

const QR_SIDE = 100;

/** QR code with its caption on the left, the receiving officer's signature on the right. */
function footer(pen: Pen, data: ReceiptData): void {
  pen.y += 10;
  const qrWidth = 240; // room for the URL under the code
  const left = column(pen, 0, qrWidth, (col) => {
    if (col.draw) drawQr(col.doc, receiptQrMatrix(data.trackUrl), col.x + (qrWidth - QR_SIDE) / 2, col.y, QR_SIDE);
    col.y += QR_SIDE + 2;
    write(col, 'Quét mã để tra cứu tình trạng hồ sơ', { size: 8.5, align: 'center', after: 1 });
    write(col, data.trackUrl, { size: 7, align: 'center' });
  });
  const signWidth = 230;
  const right = column(pen, pen.width - signWidth, signWidth, (col) => {
    write(col, 'NGƯỜI TIẾP NHẬN', { size: 10.5, bold: true, align: 'center' });
    write(col, '(Ký, ghi rõ họ tên)', { size: 9, align: 'center', after: 58 });
    write(col, data.officerName, { size: 10.5, bold: true, align: 'center' });
  });
  pen.y = Math.max(left, right) + 12;
  write(
    pen,
    'Ghi chú: Kết quả giải quyết cũng được thông báo qua Ứng dụng định danh quốc gia (VNeID), tin nhắn SMS ' +
      'đến số thuê bao di động chính chủ hoặc thư điện tử đã đăng ký. Khi đến nhận kết quả, vui lòng mang theo phiếu này.',
    { size: 8.5 },
  );
}

/** Lays the whole page out at the pen; returns the bottom of the content. */
function layout(pen: Pen, data: ReceiptData, fit: Fit): number {
  header(pen, data.unit);
  body(pen, data, fit);
  footer(pen, data);
  return pen.y;
}

function fits(doc: PDFKit.PDFDocument, data: ReceiptData, fit: Fit): boolean {
  const pen: Pen = { doc, draw: false, x: MARGIN.left, width: CONTENT_WIDTH, y: MARGIN.top };
  return layout(pen, data, fit) <= CONTENT_BOTTOM;
}

/**
 * Keeps the receipt on one page: shrink the body font first (everything stays on paper), then, at
 * the smallest size, drop the tail of the documents list for a count (the full list stays in the
 * electronic dossier). Content that still does not fit (absurd field lengths) is refused rather
 * than silently spilled onto a second page.
 */
function chooseFit(doc: PDFKit.PDFDocument, data: ReceiptData): Fit {
  for (const size of BODY_SIZES) {
    const fit = { size, documents: data.documents, elided: 0 };
    if (fits(doc, data, fit)) return fit;
  }
  const size = BODY_SIZES[BODY_SIZES.length - 1]!;
  for (let shown = data.documents.length - 1; shown >= 0; shown--) {
    const fit = { size, documents: data.documents.slice(0, shown), elided: data.documents.length - shown };
    if (fits(doc, data, fit)) return fit;
  }
  throw new RangeError(`receipt ${data.applicationNo} does not fit on one A4 page`);
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** Text as NFC: DejaVu has the precomposed Vietnamese letters; decomposed input would stack marks. */
function normalised(data: ReceiptData): ReceiptData {
  const n = (s: string): string => s.normalize('NFC');
  const rep = data.representative;
  return {
    ...data,
    applicationNo: n(data.applicationNo),
    procedureVi: n(data.procedureVi),
    applicant: {
      fullName: n(data.applicant.fullName),
      idLabel: n(data.applicant.idLabel),
      idValue: n(data.applicant.idValue),
      phoneMasked: data.applicant.phoneMasked && n(data.applicant.phoneMasked),
      email: data.applicant.email && n(data.applicant.email),
    },
    representative: rep ? { fullName: n(rep.fullName), idValue: n(rep.idValue), relationVi: n(rep.relationVi) } : null,
    unit: { nameVi: n(data.unit.nameVi), parentNameVi: data.unit.parentNameVi ? n(data.unit.parentNameVi) : null },
    officerName: n(data.officerName),
    deadlineText: n(data.deadlineText),
    documents: data.documents.map(n),
  };
}

function newDocument(data: ReceiptData): PDFKit.PDFDocument {
  return new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    // The default would register Helvetica, which then lands in the file unused.
    font: REGULAR,
    info: {
      Title: `Phiếu tiếp nhận hồ sơ và hẹn trả kết quả ${data.applicationNo}`,
      Author: 'dinhdanh',
      Subject: data.procedureVi,
      Creator: 'dinhdanh',
      // Not the clock: the file (its /ID is a hash of this dictionary) depends only on the data.
      CreationDate: data.receivedAt,
    },
  });
}

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

/** The receipt as a one-page A4 PDF. */
export async function renderReceipt(data: ReceiptData): Promise<Buffer> {
  vietnamTime(data.receivedAt); // fail fast on an invalid instant, before any drawing
  parseIsoDate(data.appointmentOn);
  const input = normalised(data);
  const doc = newDocument(input);
  const fit = chooseFit(doc, input);
  const done = collect(doc);
  layout({ doc, draw: true, x: MARGIN.left, width: CONTENT_WIDTH, y: MARGIN.top }, input, fit);
  doc.end();
  return done;
}
