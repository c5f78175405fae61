import { sql, type Selectable } from 'kysely';
import type { PortalDb } from './database.ts';
import { fold, queryTerms } from './fold.ts';
import type { OfficeRow, ProcedureDocument, ProcedureRow } from './tables.ts';

/**
 * The service catalogue (danh mục thủ tục hành chính): procedures with their conditions, fee,
 * legal deadline in working days and required documents, searched by keyword with or without
 * diacritics. The seed covers the two passport procedures the portal accepts online and a few
 * others shown for information.
 */
export type Procedure = Omit<ProcedureRow, 'conditions_vi' | 'documents'> & {
  conditions_vi: string[];
  documents: ProcedureDocument[];
};

const doc = (name_vi: string, name_en: string, copies = '01 bản', required = true): ProcedureDocument => ({
  name_vi,
  name_en,
  copies,
  required,
});

const PASSPORT_DOCS = [
  doc('Tờ khai đề nghị cấp hộ chiếu phổ thông (mẫu TK01), khai trực tuyến', 'Passport application form (TK01), online'),
  doc(
    'Ảnh chân dung mới chụp, cỡ 4 cm × 6 cm, mặt nhìn thẳng, đầu để trần, nền trắng (tệp JPEG)',
    'Recent portrait, 4 cm × 6 cm, facing forward, head uncovered, white background (JPEG)',
  ),
  doc(
    'Ảnh mặt trước và mặt sau thẻ căn cước / căn cước công dân gắn chip (tệp JPEG)',
    'Both sides of the chip ID card (JPEG)',
  ),
];

export const SEED_PROCEDURES: Omit<Procedure, 'search_text'>[] = [
  {
    code: 'XNC-HC-01',
    title_vi: 'Cấp hộ chiếu phổ thông không gắn chíp điện tử ở trong nước (lần đầu)',
    title_en: 'Ordinary passport without chip, issued in Vietnam (first issue)',
    agency_vi: 'Cục Quản lý xuất nhập cảnh; Phòng Quản lý xuất nhập cảnh Công an cấp tỉnh',
    summary_vi:
      'Công dân Việt Nam đề nghị cấp hộ chiếu phổ thông lần đầu, nộp hồ sơ trực tuyến và nhận hộ chiếu trực tiếp hoặc qua bưu chính.',
    summary_en:
      'A Vietnamese citizen applies online for a first ordinary passport, collected in person or sent by post.',
    conditions_vi: [
      'Có tài khoản định danh điện tử mức độ 2 (đăng nhập bằng VNeID)',
      'Có căn cước công dân gắn chip điện tử còn hạn',
      'Có khả năng thanh toán trực tuyến (tự thanh toán hoặc nhờ người khác thanh toán hộ)',
    ],
    fee_vnd: 200_000,
    fee_note_vi: '200.000 đồng/hộ chiếu (Thông tư 25/2021/TT-BTC)',
    deadline_working_days: 8,
    legal_basis: 'Luật Xuất cảnh, nhập cảnh của công dân Việt Nam 2019 (Điều 15); Thông tư 25/2021/TT-BTC',
    documents: PASSPORT_DOCS,
    online_form: 'passport_first',
    keywords: 'hộ chiếu passport xuất cảnh cấp mới lần đầu phổ thông',
    sort: 1,
  },
  {
    code: 'XNC-HC-02',
    title_vi: 'Cấp lại hộ chiếu phổ thông không gắn chíp điện tử ở trong nước',
    title_en: 'Ordinary passport without chip, reissued in Vietnam',
    agency_vi: 'Cục Quản lý xuất nhập cảnh; Phòng Quản lý xuất nhập cảnh Công an cấp tỉnh',
    summary_vi: 'Cấp lại hộ chiếu phổ thông khi hộ chiếu cũ hết hạn, sắp hết hạn, hết trang, hư hỏng hoặc bị mất.',
    summary_en: 'A new ordinary passport when the old one has expired, is full, damaged or lost.',
    conditions_vi: [
      'Có tài khoản định danh điện tử mức độ 2 (đăng nhập bằng VNeID)',
      'Có căn cước công dân gắn chip điện tử còn hạn',
      'Có khả năng thanh toán trực tuyến',
      'Nộp lại hộ chiếu cũ khi nhận hộ chiếu mới (nếu còn)',
    ],
    fee_vnd: 200_000,
    fee_note_vi: '200.000 đồng; 400.000 đồng nếu cấp lại do bị hỏng hoặc bị mất (Thông tư 25/2021/TT-BTC)',
    deadline_working_days: 8,
    legal_basis: 'Luật Xuất cảnh, nhập cảnh của công dân Việt Nam 2019 (Điều 15); Thông tư 25/2021/TT-BTC',
    documents: [...PASSPORT_DOCS, doc('Hộ chiếu cũ (nếu còn)', 'The previous passport (if any)', '01 bản', false)],
    online_form: 'passport_reissue',
    keywords: 'hộ chiếu passport cấp lại hết hạn mất hỏng đổi phổ thông',
    sort: 2,
  },
  {
    code: 'XNC-HC-03',
    title_vi: 'Trình báo mất hộ chiếu phổ thông',
    title_en: 'Reporting a lost ordinary passport',
    agency_vi: 'Phòng Quản lý xuất nhập cảnh Công an cấp tỉnh; Công an cấp xã',
    summary_vi: 'Thông báo hộ chiếu phổ thông bị mất để hủy giá trị sử dụng.',
    summary_en: 'Report a lost ordinary passport so that it is cancelled.',
    conditions_vi: ['Trình báo trong thời hạn 48 giờ kể từ khi phát hiện bị mất'],
    fee_vnd: 0,
    fee_note_vi: 'Không thu phí',
    deadline_working_days: 1,
    legal_basis: 'Luật Xuất cảnh, nhập cảnh của công dân Việt Nam 2019 (Điều 28)',
    documents: [doc('Đơn trình báo mất hộ chiếu phổ thông (mẫu TK05)', 'Lost passport report (TK05)')],
    online_form: null,
    keywords: 'hộ chiếu mất trình báo',
    sort: 3,
  },
  {
    code: 'TP-LLTP-01',
    title_vi: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam',
    title_en: 'Criminal record certificate for a Vietnamese citizen',
    agency_vi: 'Sở Tư pháp',
    summary_vi: 'Cấp Phiếu lý lịch tư pháp số 1 hoặc số 2 theo yêu cầu của công dân.',
    summary_en: 'Criminal record certificate no. 1 or no. 2 at the citizen’s request.',
    conditions_vi: ['Công dân Việt Nam từ đủ 14 tuổi'],
    fee_vnd: 200_000,
    fee_note_vi: '200.000 đồng/lần/người',
    deadline_working_days: 10,
    legal_basis: 'Luật Lý lịch tư pháp 2009 (Điều 48)',
    documents: [doc('Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp', 'Request form')],
    online_form: null,
    keywords: 'lý lịch tư pháp phiếu',
    sort: 10,
  },
  {
    code: 'TP-KS-01',
    title_vi: 'Đăng ký khai sinh',
    title_en: 'Birth registration',
    agency_vi: 'Ủy ban nhân dân cấp xã',
    summary_vi: 'Đăng ký khai sinh cho trẻ em; cấp số định danh cá nhân cho trẻ.',
    summary_en: 'Register a child’s birth; the child receives a personal identification number.',
    conditions_vi: ['Trong thời hạn 60 ngày kể từ ngày sinh'],
    fee_vnd: 0,
    fee_note_vi: 'Miễn lệ phí khi đăng ký đúng hạn',
    deadline_working_days: 0,
    legal_basis: 'Luật Hộ tịch 2014 (Điều 16)',
    documents: [doc('Giấy chứng sinh', 'Birth certificate from the hospital')],
    online_form: null,
    keywords: 'khai sinh hộ tịch trẻ em',
    sort: 11,
  },
  {
    code: 'CA-CT-01',
    title_vi: 'Đăng ký thường trú',
    title_en: 'Permanent residence registration',
    agency_vi: 'Công an cấp xã',
    summary_vi: 'Đăng ký nơi thường trú mới.',
    summary_en: 'Register a new permanent residence.',
    conditions_vi: ['Có chỗ ở hợp pháp'],
    fee_vnd: 20_000,
    fee_note_vi: '20.000 đồng (miễn khi nộp trực tuyến trong thời gian áp dụng chính sách)',
    deadline_working_days: 7,
    legal_basis: 'Luật Cư trú 2020 (Điều 22)',
    documents: [doc('Tờ khai thay đổi thông tin cư trú (mẫu CT01)', 'Residence change form (CT01)')],
    online_form: null,
    keywords: 'thường trú cư trú hộ khẩu',
    sort: 12,
  },
];

export const SEED_OFFICES: OfficeRow[] = [
  {
    code: 'XNC-C07',
    name_vi: 'Cục Quản lý xuất nhập cảnh, Bộ Công an',
    name_en: 'Immigration Department, Ministry of Public Security',
    address: '44–46 Trần Phú, Ba Đình, Hà Nội',
  },
  {
    code: 'XNC-HNI',
    name_vi: 'Phòng Quản lý xuất nhập cảnh, Công an Thành phố Hà Nội',
    name_en: 'Immigration Division, Hà Nội City Police',
    address: '44 Phạm Ngọc Thạch, Đống Đa, Hà Nội',
  },
  {
    code: 'XNC-HCM',
    name_vi: 'Phòng Quản lý xuất nhập cảnh, Công an Thành phố Hồ Chí Minh',
    name_en: 'Immigration Division, Hồ Chí Minh City Police',
    address: '196 Nguyễn Thị Minh Khai, Quận 3, TP Hồ Chí Minh',
  },
  {
    code: 'XNC-DNG',
    name_vi: 'Phòng Quản lý xuất nhập cảnh, Công an Thành phố Đà Nẵng',
    name_en: 'Immigration Division, Đà Nẵng City Police',
    address: '78 Lê Lợi, Hải Châu, Đà Nẵng',
  },
];

function searchText(p: Omit<Procedure, 'search_text'>): string {
  return fold(`${p.title_vi} ${p.title_en} ${p.keywords} ${p.summary_vi} ${p.code}`);
}

/** Seeds (or refreshes) the catalogue and the receiving offices: idempotent. */
export async function seedCatalogue(db: PortalDb): Promise<void> {
  for (const p of SEED_PROCEDURES) {
    const row = {
      ...p,
      conditions_vi: JSON.stringify(p.conditions_vi),
      documents: JSON.stringify(p.documents),
      search_text: searchText(p),
    };
    await db
      .insertInto('portal.procedures')
      .values(row)
      .onConflict((oc) => oc.column('code').doUpdateSet(row))
      .execute();
  }
  for (const o of SEED_OFFICES) {
    await db
      .insertInto('portal.offices')
      .values(o)
      .onConflict((oc) => oc.column('code').doUpdateSet(o))
      .execute();
  }
}

function toProcedure(row: Selectable<ProcedureRow>): Procedure {
  return row as unknown as Procedure;
}

/**
 * Procedures whose folded text holds every word of the query (folded too), best first: those
 * whose title holds the whole phrase, then the catalogue order. An empty query lists them all.
 */
export async function searchProcedures(db: PortalDb, query: string): Promise<Procedure[]> {
  const terms = queryTerms(query);
  let q = db.selectFrom('portal.procedures').selectAll();
  for (const term of terms) {
    // LIKE's own wildcards cannot occur: folded terms are [a-z0-9] only.
    q = q.where('search_text', 'like', `%${term}%`);
  }
  const phrase = terms.join(' ');
  const rows = await q
    .orderBy(sql`case when search_text like ${`%${phrase}%`} then 0 else 1 end`)
    .orderBy('sort')
    .execute();
  return rows.map(toProcedure);
}

export async function getProcedure(db: PortalDb, code: string): Promise<Procedure | undefined> {
  const row = await db.selectFrom('portal.procedures').selectAll().where('code', '=', code).executeTakeFirst();
  return row ? toProcedure(row) : undefined;
}

export async function listOffices(db: PortalDb): Promise<OfficeRow[]> {
  return db.selectFrom('portal.offices').selectAll().orderBy('code').execute();
}
