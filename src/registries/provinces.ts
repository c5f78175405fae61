/**
 * Provinces. PINs keep the 63 pre-2025 birth-registration codes (DOMAIN.md §3; Circular
 * 07/2016/TT-BCA); residence addresses use the 34 provinces and centrally-run cities formed on
 * 1 July 2025 (Resolution 202/2025/QH15), each of which absorbed one to three former ones.
 */

export interface BirthProvince {
  /** Three-digit code used as the first digits of a PIN. */
  code: string;
  /** Name of the province at the time the code was assigned (before the 2025 merger). */
  name: string;
  /** The post-2025 province or city that now covers it. */
  now: string;
  /** Approximate population in thousands (2019 census), used to weight the synthetic data. */
  population: number;
}

/** The 34 provinces and centrally-run cities since 1 July 2025, official names. */
export const PROVINCES_2025 = [
  'Thành phố Hà Nội',
  'Thành phố Huế',
  'Tỉnh Lai Châu',
  'Tỉnh Điện Biên',
  'Tỉnh Sơn La',
  'Tỉnh Lạng Sơn',
  'Tỉnh Quảng Ninh',
  'Tỉnh Thanh Hóa',
  'Tỉnh Nghệ An',
  'Tỉnh Hà Tĩnh',
  'Tỉnh Cao Bằng',
  'Tỉnh Tuyên Quang',
  'Tỉnh Lào Cai',
  'Tỉnh Thái Nguyên',
  'Tỉnh Phú Thọ',
  'Tỉnh Bắc Ninh',
  'Tỉnh Hưng Yên',
  'Thành phố Hải Phòng',
  'Tỉnh Ninh Bình',
  'Tỉnh Quảng Trị',
  'Thành phố Đà Nẵng',
  'Tỉnh Quảng Ngãi',
  'Tỉnh Gia Lai',
  'Tỉnh Khánh Hòa',
  'Tỉnh Lâm Đồng',
  'Tỉnh Đắk Lắk',
  'Thành phố Hồ Chí Minh',
  'Tỉnh Đồng Nai',
  'Tỉnh Tây Ninh',
  'Thành phố Cần Thơ',
  'Tỉnh Vĩnh Long',
  'Tỉnh Đồng Tháp',
  'Tỉnh Cà Mau',
  'Tỉnh An Giang',
] as const;

export type Province2025 = (typeof PROVINCES_2025)[number];

// code, name, post-2025 province, population (thousands)
const TABLE: [string, string, Province2025, number][] = [
  ['001', 'Hà Nội', 'Thành phố Hà Nội', 8054],
  ['002', 'Hà Giang', 'Tỉnh Tuyên Quang', 854],
  ['004', 'Cao Bằng', 'Tỉnh Cao Bằng', 530],
  ['006', 'Bắc Kạn', 'Tỉnh Thái Nguyên', 314],
  ['008', 'Tuyên Quang', 'Tỉnh Tuyên Quang', 785],
  ['010', 'Lào Cai', 'Tỉnh Lào Cai', 731],
  ['011', 'Điện Biên', 'Tỉnh Điện Biên', 599],
  ['012', 'Lai Châu', 'Tỉnh Lai Châu', 460],
  ['014', 'Sơn La', 'Tỉnh Sơn La', 1248],
  ['015', 'Yên Bái', 'Tỉnh Lào Cai', 821],
  ['017', 'Hòa Bình', 'Tỉnh Phú Thọ', 854],
  ['019', 'Thái Nguyên', 'Tỉnh Thái Nguyên', 1287],
  ['020', 'Lạng Sơn', 'Tỉnh Lạng Sơn', 781],
  ['022', 'Quảng Ninh', 'Tỉnh Quảng Ninh', 1320],
  ['024', 'Bắc Giang', 'Tỉnh Bắc Ninh', 1803],
  ['025', 'Phú Thọ', 'Tỉnh Phú Thọ', 1464],
  ['026', 'Vĩnh Phúc', 'Tỉnh Phú Thọ', 1152],
  ['027', 'Bắc Ninh', 'Tỉnh Bắc Ninh', 1368],
  ['030', 'Hải Dương', 'Thành phố Hải Phòng', 1892],
  ['031', 'Hải Phòng', 'Thành phố Hải Phòng', 2028],
  ['033', 'Hưng Yên', 'Tỉnh Hưng Yên', 1252],
  ['034', 'Thái Bình', 'Tỉnh Hưng Yên', 1860],
  ['035', 'Hà Nam', 'Tỉnh Ninh Bình', 852],
  ['036', 'Nam Định', 'Tỉnh Ninh Bình', 1780],
  ['037', 'Ninh Bình', 'Tỉnh Ninh Bình', 982],
  ['038', 'Thanh Hóa', 'Tỉnh Thanh Hóa', 3640],
  ['040', 'Nghệ An', 'Tỉnh Nghệ An', 3327],
  ['042', 'Hà Tĩnh', 'Tỉnh Hà Tĩnh', 1289],
  ['044', 'Quảng Bình', 'Tỉnh Quảng Trị', 896],
  ['045', 'Quảng Trị', 'Tỉnh Quảng Trị', 633],
  ['046', 'Thừa Thiên Huế', 'Thành phố Huế', 1129],
  ['048', 'Đà Nẵng', 'Thành phố Đà Nẵng', 1134],
  ['049', 'Quảng Nam', 'Thành phố Đà Nẵng', 1496],
  ['051', 'Quảng Ngãi', 'Tỉnh Quảng Ngãi', 1232],
  ['052', 'Bình Định', 'Tỉnh Gia Lai', 1487],
  ['054', 'Phú Yên', 'Tỉnh Đắk Lắk', 873],
  ['056', 'Khánh Hòa', 'Tỉnh Khánh Hòa', 1232],
  ['058', 'Ninh Thuận', 'Tỉnh Khánh Hòa', 591],
  ['060', 'Bình Thuận', 'Tỉnh Lâm Đồng', 1231],
  ['062', 'Kon Tum', 'Tỉnh Quảng Ngãi', 541],
  ['064', 'Gia Lai', 'Tỉnh Gia Lai', 1514],
  ['066', 'Đắk Lắk', 'Tỉnh Đắk Lắk', 1870],
  ['067', 'Đắk Nông', 'Tỉnh Lâm Đồng', 622],
  ['068', 'Lâm Đồng', 'Tỉnh Lâm Đồng', 1297],
  ['070', 'Bình Phước', 'Tỉnh Đồng Nai', 995],
  ['072', 'Tây Ninh', 'Tỉnh Tây Ninh', 1170],
  ['074', 'Bình Dương', 'Thành phố Hồ Chí Minh', 2456],
  ['075', 'Đồng Nai', 'Tỉnh Đồng Nai', 3097],
  ['077', 'Bà Rịa–Vũng Tàu', 'Thành phố Hồ Chí Minh', 1149],
  ['079', 'Hồ Chí Minh', 'Thành phố Hồ Chí Minh', 8993],
  ['080', 'Long An', 'Tỉnh Tây Ninh', 1688],
  ['082', 'Tiền Giang', 'Tỉnh Đồng Tháp', 1765],
  ['083', 'Bến Tre', 'Tỉnh Vĩnh Long', 1289],
  ['084', 'Trà Vinh', 'Tỉnh Vĩnh Long', 1009],
  ['086', 'Vĩnh Long', 'Tỉnh Vĩnh Long', 1023],
  ['087', 'Đồng Tháp', 'Tỉnh Đồng Tháp', 1600],
  ['089', 'An Giang', 'Tỉnh An Giang', 1908],
  ['091', 'Kiên Giang', 'Tỉnh An Giang', 1723],
  ['092', 'Cần Thơ', 'Thành phố Cần Thơ', 1236],
  ['093', 'Hậu Giang', 'Thành phố Cần Thơ', 734],
  ['094', 'Sóc Trăng', 'Thành phố Cần Thơ', 1199],
  ['095', 'Bạc Liêu', 'Tỉnh Cà Mau', 907],
  ['096', 'Cà Mau', 'Tỉnh Cà Mau', 1194],
];

export const BIRTH_PROVINCES: readonly BirthProvince[] = TABLE.map(([code, name, now, population]) => ({
  code,
  name: name.normalize('NFC'),
  now,
  population,
}));

const BY_CODE = new Map(BIRTH_PROVINCES.map((p) => [p.code, p]));

/** The province (pre-2025) a three-digit PIN prefix stands for, or undefined. */
export function birthProvince(code: string): BirthProvince | undefined {
  return BY_CODE.get(code);
}

/** Post-2025 province → the former provinces it absorbed. */
export function formerProvincesOf(province: Province2025): BirthProvince[] {
  return BIRTH_PROVINCES.filter((p) => p.now === province);
}

/**
 * Broad region of a former province, for naming conventions that differ north and south
 * (Hoàng/Huỳnh, Vũ/Võ): codes up to Hà Tĩnh are the north and north-central coast.
 */
export function isNorthern(code: string): boolean {
  return Number(code) <= 42;
}
