import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  dayMonthYearVi,
  formatDateVi,
  formatReceivedAtVi,
  receiptQrMatrix,
  renderReceipt,
  vietnamTime,
  type ReceiptData,
} from './receipt.ts';

const base: ReceiptData = {
  applicationNo: 'DD-2026-000123',
  procedureVi: 'Cấp tài khoản định danh điện tử mức độ 2 cho công dân Việt Nam',
  applicant: {
    fullName: 'Nguyễn Thị Minh Khai',
    idLabel: 'Số định danh cá nhân',
    idValue: '001234567890',
    phoneMasked: '091****678',
    email: 'khai@example.vn',
  },
  representative: null,
  unit: { nameVi: 'Công an phường Hoàn Kiếm', parentNameVi: 'Công an thành phố Hà Nội' },
  officerName: 'Trần Văn Bình',
  receivedAt: new Date('2026-11-26T02:05:00Z'), // 09:05 in Hà Nội
  appointmentOn: '2026-12-01',
  deadlineText: '3 ngày làm việc',
  documents: ['Tờ khai TK01', 'Thẻ căn cước (bản chính, đối chiếu)'],
  trackUrl: 'https://dinhdanh.example.vn/tra-cuu/DD-2026-000123',
};

// ---------------------------------------------------------------------------------------------
// A minimal reader for the PDFs pdfkit writes: objects, inflated streams, and the page's text
// decoded through each font's ToUnicode CMap (the content stream only holds glyph ids).

interface PdfObject {
  dict: string;
  stream: Buffer | null;
}

function pdfObjects(pdf: Buffer): Map<number, PdfObject> {
  const src = pdf.toString('latin1'); // one char per byte, so indexes are byte offsets
  const objects = new Map<number, PdfObject>();
  const header = /(\d+) 0 obj\n/g;
  let m: RegExpExecArray | null;
  while ((m = header.exec(src))) {
    const start = header.lastIndex;
    const streamAt = src.indexOf('\nstream\n', start);
    const endAt = src.indexOf('\nendobj', start);
    if (streamAt !== -1 && streamAt < endAt) {
      const dict = src.slice(start, streamAt);
      const length = Number(/\/Length (\d+)/.exec(dict)?.[1]);
      const dataAt = streamAt + '\nstream\n'.length;
      const raw = pdf.subarray(dataAt, dataAt + length);
      objects.set(Number(m[1]), { dict, stream: dict.includes('/FlateDecode') ? inflateSync(raw) : raw });
      header.lastIndex = dataAt + length; // skip the binary data
    } else {
      objects.set(Number(m[1]), { dict: src.slice(start, endAt), stream: null });
      header.lastIndex = endAt;
    }
  }
  return objects;
}

function ref(dict: string, key: string): number {
  const m = new RegExp(`/${key} (\\d+) 0 R`).exec(dict);
  if (!m) throw new Error(`no /${key} in ${dict}`);
  return Number(m[1]);
}

/** glyph code → text, from a ToUnicode CMap written as bfrange arrays (pdfkit's form). */
function parseCmap(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const [, start, entries] of cmap.matchAll(/<([0-9a-f]{4})> <[0-9a-f]{4}> \[([^\]]*)\]/gi)) {
    [...entries!.matchAll(/<([0-9a-f ]+)>/gi)].forEach(([, hex], i) => {
      const units = hex!.split(' ').map((h) => parseInt(h, 16));
      map.set(parseInt(start!, 16) + i, String.fromCharCode(...units));
    });
  }
  return map;
}

interface PageContent {
  /** One line per text object (pdfkit writes one BT…ET per line). */
  lines: string[];
  fontSizes: Set<number>;
  content: string;
}

function readPage(pdf: Buffer): PageContent {
  const objects = pdfObjects(pdf);
  const get = (n: number): PdfObject => objects.get(n) ?? { dict: '', stream: null };
  const page = [...objects.values()].find((o) => /\/Type \/Page\n/.test(o.dict))!;
  const resources = get(ref(page.dict, 'Resources')).dict;
  const cmaps = new Map<string, Map<number, string>>();
  for (const [, name, obj] of resources.matchAll(/\/(F\d+) (\d+) 0 R/g)) {
    const cmap = get(ref(get(Number(obj)).dict, 'ToUnicode')).stream!.toString('latin1');
    cmaps.set(name!, parseCmap(cmap));
  }
  const content = get(ref(page.dict, 'Contents')).stream!.toString('latin1');
  const lines: string[] = [];
  const fontSizes = new Set<number>();
  for (const [block] of content.matchAll(/BT\n[\s\S]*?\nET/g)) {
    const [, font, size] = /\/(F\d+) ([\d.]+) Tf/.exec(block)!;
    fontSizes.add(Number(size));
    const cmap = cmaps.get(font!)!;
    const hex = [...block.matchAll(/<([0-9a-f]+)>/gi)].map(([, h]) => h).join('');
    const codes = hex.match(/.{4}/g) ?? [];
    lines.push(codes.map((c) => cmap.get(parseInt(c, 16)) ?? '\uFFFD').join(''));
  }
  return { lines, fontSizes, content };
}

/** A value of the document information dictionary (a literal string, PDFDocEncoding or UTF-16BE). */
function infoEntry(pdf: Buffer, key: string): string {
  const objects = pdfObjects(pdf);
  const info = objects.get(ref(pdf.toString('latin1'), 'Info'))!.dict;
  const literal = objects.get(ref(info, key))!.dict;
  const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
  const bytes = literal.slice(1, -1).replace(/\\(.)/g, (_, c: string) => escapes[c] ?? c);
  if (!bytes.startsWith('\xfe\xff')) return bytes;
  return Buffer.from(bytes.slice(2), 'latin1').swap16().toString('utf16le');
}

/** The page's text with wrapped lines joined by spaces, for searching phrases that may wrap. */
const flowText = (page: PageContent): string => page.lines.join(' ').replace(/\s+/g, ' ');

const pageCount = (pdf: Buffer): number => (pdf.toString('latin1').match(/\/Type \/Page(?!s)/g) ?? []).length;

// ---------------------------------------------------------------------------------------------

describe('Vietnamese dates and times (UTC+7, never the process zone)', () => {
  it('prints the receipt time in Vietnam', () => {
    expect(formatReceivedAtVi(new Date('2026-11-26T02:05:00Z'))).toBe('09 giờ 05 phút, ngày 26 tháng 11 năm 2026');
  });

  it('crosses the day, month and year boundaries at 17:00 UTC', () => {
    expect(formatReceivedAtVi(new Date('2026-11-26T17:30:00Z'))).toBe('00 giờ 30 phút, ngày 27 tháng 11 năm 2026');
    expect(formatReceivedAtVi(new Date('2026-11-26T16:59:00Z'))).toBe('23 giờ 59 phút, ngày 26 tháng 11 năm 2026');
    expect(formatReceivedAtVi(new Date('2026-12-31T17:00:00Z'))).toBe('00 giờ 00 phút, ngày 01 tháng 01 năm 2027');
    expect(vietnamTime(new Date('2028-02-28T17:00:00Z'))).toEqual({
      year: 2028,
      month: 2,
      day: 29,
      hour: 0,
      minute: 0,
    });
  });

  it('does not depend on the process time zone', () => {
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'America/Los_Angeles';
      expect(formatReceivedAtVi(new Date('2026-11-26T17:30:00Z'))).toBe('00 giờ 30 phút, ngày 27 tháng 11 năm 2026');
      process.env.TZ = 'Pacific/Kiritimati'; // UTC+14
      expect(formatReceivedAtVi(new Date('2026-11-26T02:05:00Z'))).toBe('09 giờ 05 phút, ngày 26 tháng 11 năm 2026');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('pads days below 10 and the months 1 and 2 only (Decree 30/2020)', () => {
    expect(formatDateVi('2026-12-01')).toBe('ngày 01 tháng 12 năm 2026');
    expect(formatDateVi('2026-02-05')).toBe('ngày 05 tháng 02 năm 2026');
    expect(formatDateVi('2026-01-31')).toBe('ngày 31 tháng 01 năm 2026');
    expect(formatDateVi('2026-03-15')).toBe('ngày 15 tháng 3 năm 2026');
    expect(dayMonthYearVi({ year: 2026, month: 9, day: 2 })).toBe('ngày 02 tháng 9 năm 2026');
  });

  it('refuses what is not a real date or instant', () => {
    expect(() => formatDateVi('2026-02-30')).toThrow(RangeError);
    expect(() => formatDateVi('01/12/2026')).toThrow(RangeError);
    expect(() => formatReceivedAtVi(new Date('nonsense'))).toThrow(RangeError);
  });
});

describe('receiptQrMatrix', () => {
  it('is a square QR symbol of 21 + 4k modules with its finder patterns', () => {
    const m = receiptQrMatrix(base.trackUrl);
    expect(m.length).toBeGreaterThanOrEqual(21);
    expect((m.length - 21) % 4).toBe(0);
    for (const row of m) expect(row).toHaveLength(m.length);
    // Top-left finder: a dark 7×7 ring, a light ring, a dark 3×3 core.
    expect(m[0]!.slice(0, 7)).toEqual(Array(7).fill(true));
    expect(m[1]!.slice(0, 7)).toEqual([true, false, false, false, false, false, true]);
    expect(m[3]!.slice(0, 7)).toEqual([true, false, true, true, true, false, true]);
  });

  it('is deterministic and differs between URLs', () => {
    const a = receiptQrMatrix(base.trackUrl);
    expect(receiptQrMatrix(base.trackUrl)).toEqual(a);
    expect(receiptQrMatrix('https://dinhdanh.example.vn/tra-cuu/DD-2026-000124')).not.toEqual(a);
  });

  it('grows with the URL', () => {
    const long = receiptQrMatrix(`https://dinhdanh.example.vn/tra-cuu/${'x'.repeat(200)}`);
    expect(long.length).toBeGreaterThan(receiptQrMatrix(base.trackUrl).length);
  });
});

describe('renderReceipt', () => {
  it('writes one A4 page of PDF with the DejaVu fonts embedded', async () => {
    const pdf = await renderReceipt(base);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);
    expect(pageCount(pdf)).toBe(1);
    const src = pdf.toString('latin1');
    expect(src).toContain('/MediaBox [0 0 595.28 841.89]');
    expect(src).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans\n/);
    expect(src).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans-Bold\n/);
    expect(src).not.toContain('Helvetica'); // no unused standard font
  });

  it('prints every part of the receipt, with Vietnamese diacritics', async () => {
    const page = readPage(await renderReceipt(base));
    expect(page.lines).toEqual(
      expect.arrayContaining([
        'CÔNG AN THÀNH PHỐ HÀ NỘI',
        'CÔNG AN PHƯỜNG HOÀN KIẾM',
        'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
        'Độc lập - Tự do - Hạnh phúc',
        'PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ',
        'Số hồ sơ: DD-2026-000123',
        'Nguyễn Thị Minh Khai',
        'Số định danh cá nhân:',
        '001234567890',
        '091****678',
        'khai@example.vn',
        'Tờ khai TK01',
        'Thẻ căn cước (bản chính, đối chiếu)',
        'Thời gian tiếp nhận:',
        '09 giờ 05 phút, ngày 26 tháng 11 năm 2026',
        'Ngày hẹn trả kết quả:',
        'ngày 01 tháng 12 năm 2026',
        '3 ngày làm việc',
        'Quét mã để tra cứu tình trạng hồ sơ',
        'NGƯỜI TIẾP NHẬN',
        'Trần Văn Bình',
      ]),
    );
    const text = flowText(page);
    expect(text).toContain('Cấp tài khoản định danh điện tử mức độ 2 cho công dân Việt Nam');
    expect(text).toContain('Ứng dụng định danh quốc gia (VNeID), tin nhắn SMS');
    expect(text).toContain('thư điện tử');
    expect(page.lines.join('')).toContain(base.trackUrl); // a URL wraps at a slash, with no space
    expect(text).not.toContain('\uFFFD');
    expect(text).not.toContain('Người đại diện');
  });

  it('draws the QR code as one rectangle per run of dark modules', async () => {
    const { content } = readPage(await renderReceipt(base));
    const runs = receiptQrMatrix(base.trackUrl)
      .map((row) => row.filter((dark, i) => dark && !row[i - 1]).length)
      .reduce((a, b) => a + b, 0);
    expect(content.match(/ re\n/g)).toHaveLength(runs);
  });

  it('prints the representative and leaves out a missing phone and e-mail', async () => {
    const data: ReceiptData = {
      ...base,
      applicant: { ...base.applicant, fullName: 'Nguyễn Minh An', phoneMasked: null, email: null },
      representative: { fullName: 'Nguyễn Văn Hùng', idValue: '001088001122', relationVi: 'cha' },
    };
    const page = readPage(await renderReceipt(data));
    const text = flowText(page);
    expect(text).toContain('Người đại diện: Nguyễn Văn Hùng (cha), giấy tờ tùy thân số 001088001122');
    expect(text).not.toContain('Số điện thoại');
    expect(text).not.toContain('Thư điện tử');
  });

  it('sets the document info, CreationDate = receivedAt', async () => {
    const pdf = await renderReceipt(base);
    expect(infoEntry(pdf, 'Title')).toBe('Phiếu tiếp nhận hồ sơ và hẹn trả kết quả DD-2026-000123');
    expect(infoEntry(pdf, 'Author')).toBe('dinhdanh');
    expect(infoEntry(pdf, 'Subject')).toBe(base.procedureVi);
    expect(infoEntry(pdf, 'CreationDate')).toBe('D:20261126020500Z');
  });

  it('gives the same bytes for the same data, whatever the clock or the zone', async () => {
    const a = await renderReceipt(base);
    const saved = process.env.TZ;
    let b: Buffer;
    try {
      process.env.TZ = 'Asia/Tokyo';
      b = await renderReceipt(base);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
    expect(b.equals(a)).toBe(true);
    const later = await renderReceipt({ ...base, receivedAt: new Date('2026-11-26T02:06:00Z') });
    expect(later.equals(a)).toBe(false);
  });

  it('stores text as NFC, whatever the input form', async () => {
    const nfd = { ...base, officerName: 'Trần Văn Bình'.normalize('NFD') };
    expect(readPage(await renderReceipt(nfd)).lines).toContain('Trần Văn Bình'.normalize('NFC'));
  });

  it('keeps a very long name and 12 documents on one page by wrapping and shrinking the body', async () => {
    const fullName = `${'Nguyễn Hoàng Phương Thảo '.repeat(12)}Tôn Nữ`;
    const documents = Array.from(
      { length: 12 },
      (_, i) => `Giấy tờ ${i + 1}: bản sao có chứng thực giấy khai sinh và các giấy tờ chứng minh quan hệ kèm theo`,
    );
    const normal = readPage(await renderReceipt(base));
    const pdf = await renderReceipt({ ...base, applicant: { ...base.applicant, fullName }, documents });
    expect(pageCount(pdf)).toBe(1);
    const page = readPage(pdf);
    const text = flowText(page);
    expect(text).toContain(fullName);
    for (const d of documents) expect(text).toContain(d);
    expect(text).toContain('NGƯỜI TIẾP NHẬN'); // the footer is still on the page
    expect(normal.fontSizes).toContain(11); // the body at its full size…
    expect(page.fontSizes).not.toContain(11); // …shrunk here
  });

  it('elides the tail of a list too long for the page, with a count', async () => {
    const documents = Array.from({ length: 80 }, (_, i) => `Giấy tờ kèm theo số ${i + 1}`);
    const pdf = await renderReceipt({ ...base, documents });
    expect(pageCount(pdf)).toBe(1);
    const text = flowText(readPage(pdf));
    const elided = /… và (\d+) giấy tờ khác/.exec(text);
    expect(elided).not.toBeNull();
    const shown = documents.filter((d) => text.includes(`${d} `)).length; // "…số 1 " not "…số 10"
    expect(shown).toBeGreaterThan(10);
    expect(shown + Number(elided![1])).toBe(80);
    expect(text).not.toContain('Giấy tờ kèm theo số 80 ');
  });

  it('refuses content that cannot fit one page rather than print a second', async () => {
    const fullName = 'Nguyễn '.repeat(3000);
    await expect(renderReceipt({ ...base, applicant: { ...base.applicant, fullName } })).rejects.toThrow(RangeError);
  });

  it('rejects an invalid appointment date', async () => {
    await expect(renderReceipt({ ...base, appointmentOn: '2026-13-01' })).rejects.toThrow(RangeError);
  });
});
