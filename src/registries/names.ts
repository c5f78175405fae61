/**
 * Name and place data for the synthetic population. Every string is NFC (precomposed), as the
 * national databases store Vietnamese text; `nfc` guards against an editor that decomposes.
 */

const nfc = (s: string) => s.normalize('NFC');
const list = (text: string) =>
  text
    .split(',')
    .map((s) => nfc(s.trim()))
    .filter(Boolean);

/**
 * Family names with approximate shares (per cent). Hoàng/Huỳnh and Vũ/Võ are one name written
 * differently north and south: the generator picks the spelling by region.
 */
export const FAMILY_NAMES: readonly (readonly [string, number])[] = (
  [
    ['Nguyễn', 31.5],
    ['Trần', 10.9],
    ['Lê', 9.5],
    ['Phạm', 7.0],
    ['Hoàng|Huỳnh', 5.1],
    ['Phan', 4.5],
    ['Vũ|Võ', 3.9],
    ['Đặng', 2.1],
    ['Bùi', 2.0],
    ['Đỗ', 1.4],
    ['Hồ', 1.3],
    ['Ngô', 1.3],
    ['Dương', 1.0],
    ['Lý', 0.5],
    ['Đinh', 0.8],
    ['Đoàn', 0.7],
    ['Trương', 0.7],
    ['Lâm', 0.5],
    ['Mai', 0.5],
    ['Trịnh', 0.5],
    ['Cao', 0.4],
    ['Lương', 0.4],
    ['Hà', 0.4],
    ['Tạ', 0.3],
    ['Châu', 0.3],
    ['Tô', 0.3],
    ['Thái', 0.3],
    ['Lưu', 0.3],
    ['Triệu', 0.2],
    ['Chu', 0.2],
    ['Kiều', 0.2],
    ['Quách', 0.2],
    ['Vương', 0.2],
    ['Nông', 0.2],
    ['Văn', 0.1],
    ['Hứa', 0.1],
    ['La', 0.1],
    ['Lò', 0.1],
    ['Tăng', 0.1],
    ['Từ', 0.1],
    ['Khúc', 0.05],
  ] as const
).map(([n, w]) => [nfc(n), w] as const);

/**
 * Middle names: [older generations, younger generations (born 1995 or later)]. The classic
 * markers Văn (men) and Thị (women) are drawn separately (TRADITIONAL_MIDDLE), the rest from here.
 */
export const MIDDLE_NAMES = {
  male: [
    list('Đức, Hữu, Quang, Công, Minh, Xuân, Đình, Ngọc, Thanh, Trọng, Tiến, Mạnh'),
    list('Minh, Đức, Quang, Gia, Bảo, Hoàng, Anh, Tuấn, Thành, Hữu, Đăng, Nhật, Trung, Duy, Khánh'),
  ],
  female: [
    list('Ngọc, Thu, Thanh, Kim, Hồng, Minh, Phương, Thúy, Xuân, Bích, Mai'),
    list('Ngọc, Phương, Minh, Thu, Khánh, Bảo, Gia, Hoài, Diệu, Như, Thảo, Quỳnh, Mai, Hà'),
  ],
} as const;

/** Văn and Thị, with the share of each generation that carries them. */
export const TRADITIONAL_MIDDLE = {
  male: { name: nfc('Văn'), share: [0.5, 0.15] },
  female: { name: nfc('Thị'), share: [0.7, 0.25] },
} as const;

/** Given names: [older generations, younger generations]. */
export const GIVEN_NAMES = {
  male: [
    list(
      'An, Bình, Cường, Chiến, Công, Dũng, Dương, Đạt, Đức, Hải, Hiếu, Hiệp, Hòa, Hùng, Huy, Hưng, Kiên, Lâm, Long, Lực, ' +
        'Mạnh, Minh, Nam, Nghĩa, Nhân, Phong, Phúc, Quân, Quang, Quý, Sơn, Tài, Tâm, Thắng, Thành, Thiện, Thịnh, Toàn, ' +
        'Trí, Trung, Tuấn, Tùng, Việt, Vinh, Hậu, Lộc, Tiến, Thái, Tú, Hoàng, Khải, Luân, Sang, Thuận, Vũ',
    ),
    list(
      'An, Anh, Bảo, Khang, Khôi, Kiệt, Minh, Nam, Phúc, Quân, Huy, Duy, Đăng, Nguyên, Lâm, Long, Phong, Hưng, Hải, ' +
        'Khánh, Tuấn, Tùng, Hiếu, Thịnh, Trí, Vinh, Hoàng, Nhật, Thiên, Tín, Tài, Đức, Sơn, Khoa, Thành, Việt',
    ),
  ],
  female: [
    list(
      'An, Anh, Ánh, Bích, Chi, Dung, Duyên, Giang, Hà, Hạnh, Hằng, Hiền, Hoa, Hồng, Huyền, Hương, Hường, Lan, Liên, ' +
        'Linh, Loan, Mai, Nga, Ngân, Ngọc, Nhung, Oanh, Phương, Quyên, Tâm, Thảo, Thanh, Thu, Thúy, Trang, Trinh, ' +
        'Tuyết, Vân, Xuân, Yến, Lý, Hậu, Nhàn, Thủy, Sen, Đào, Cúc, Lụa, Huệ, Luyến',
    ),
    list(
      'An, Anh, Ánh, Châu, Chi, Diệp, Giang, Hân, Hà, Hương, Khánh, Linh, Lan, Mai, My, Ngân, Ngọc, Nhi, Như, Phương, ' +
        'Quỳnh, Tâm, Thảo, Trang, Trâm, Uyên, Vân, Vy, Yến, Hằng, Thư, Ly, Nhung, Hạnh, Tiên, Hiền',
    ),
  ],
} as const;

/** Words of place names (wards, communes) and street names (people honoured by streets). */
export const PLACE_WORDS = list(
  'An, Bình, Hòa, Tân, Phú, Thạnh, Long, Mỹ, Đông, Tây, Nam, Bắc, Hưng, Thịnh, Phước, Xuân, Thuận, Vĩnh, Hiệp, ' +
    'Lộc, Phong, Quang, Trung, Thành, Đức, Hải, Sơn, Lâm, Thái, Hội, Minh, Khánh, Định, Lợi, Yên, Cát, Hà, Thủy',
);

export const STREETS = list(
  'Lê Lợi, Trần Hưng Đạo, Nguyễn Huệ, Hai Bà Trưng, Lý Thường Kiệt, Quang Trung, Nguyễn Trãi, Hùng Vương, Lê Duẩn, ' +
    'Điện Biên Phủ, Võ Thị Sáu, Phan Chu Trinh, Phan Bội Châu, Nguyễn Du, Bà Triệu, Lê Thánh Tông, Trần Phú, ' +
    'Nguyễn Thị Minh Khai, Cách Mạng Tháng Tám, Nguyễn Văn Cừ, Lạc Long Quân, Âu Cơ, Tôn Đức Thắng, Lê Hồng Phong, ' +
    'Ngô Quyền, Đinh Tiên Hoàng, Lý Thái Tổ, Trường Chinh, Phạm Văn Đồng, Võ Nguyên Giáp, Nguyễn Văn Linh, Hoàng Diệu, ' +
    'Chu Văn An, Nguyễn Chí Thanh, Hoàng Hoa Thám, Lê Văn Sỹ, Nam Kỳ Khởi Nghĩa, Xô Viết Nghệ Tĩnh, 30 Tháng 4, Yersin',
);

/** Name parts of companies (the distinctive part, and the line of business). */
export const COMPANY_CORES = list(
  'Thành Công, Phú Hưng, Hoàng Long, Minh Anh, Việt Tiến, Sao Mai, Bình Minh, Đại Phát, An Phát, Tân Hưng, Hưng Thịnh, ' +
    'Phương Nam, Kim Ngân, Trường Sơn, Hồng Hà, Thái Bình Dương, Đông Á, Nam Việt, Phúc Lộc, Thiên Long, Tâm Đức, ' +
    'Hải Âu, Ánh Dương, Bảo An, Hoa Sen, Trí Việt, Đất Việt, Mekong, Sài Gòn Xanh, Thăng Long, Hà Thành, Vạn Xuân, ' +
    'Gia Phát, Toàn Cầu, Quốc Thịnh, Lạc Hồng, Tiên Phong, Nhật Minh, Đông Dương, Kim Long',
);

export const COMPANY_TRADES = list(
  'Thương mại Dịch vụ, Xây dựng, Công nghệ, Vận tải, Thực phẩm, Du lịch, Đầu tư, Xuất nhập khẩu, May mặc, Dược phẩm, ' +
    'Giáo dục, Cơ khí, Nông nghiệp, Bất động sản, Phần mềm, Điện tử, Logistics, Nội thất, Thủy sản, Môi trường',
);

/**
 * Foreign name stock by nationality (ISO 3166-1 alpha-3), as written in the passport's visual
 * zone, with approximate shares of foreign residents in Việt Nam.
 */
export interface ForeignNameStock {
  country: string;
  weight: number;
  family: readonly string[];
  male: readonly string[];
  female: readonly string[];
  /** Passport number format: letters prefix and digit count. */
  passport: { prefixes: readonly string[]; digits: number };
}

export const FOREIGN_NAMES: readonly ForeignNameStock[] = [
  {
    country: 'KOR',
    weight: 26,
    family: list('KIM, LEE, PARK, CHOI, JUNG, KANG, CHO, YOON, JANG, LIM, HAN, SHIN'),
    male: list('MIN JUN, SEO JOON, DO YUN, JI HO, HYUN WOO, JUN SEO, SUNG MIN, DONG HYUN, JAE WON, TAE YANG'),
    female: list('SEO YEON, JI WOO, HA EUN, MIN SEO, SU BIN, YE JIN, JI MIN, HYE WON, EUN JI, SO YEON'),
    passport: { prefixes: ['M'], digits: 8 },
  },
  {
    country: 'CHN',
    weight: 20,
    family: list('WANG, LI, ZHANG, LIU, CHEN, YANG, HUANG, ZHAO, WU, ZHOU, XU, SUN'),
    male: list('WEI, JUN, HAO, LEI, QIANG, MING, JIAN, YONG, TAO, BIN, ZHIWEI, HAOYU'),
    female: list('FANG, JING, LI NA, XIU YING, YAN, MIN, XIN YI, YU TONG, MEI, LING'),
    passport: { prefixes: ['E', 'EA', 'EB'], digits: 8 },
  },
  {
    country: 'JPN',
    weight: 12,
    family: list('SATO, SUZUKI, TAKAHASHI, TANAKA, WATANABE, ITO, YAMAMOTO, NAKAMURA, KOBAYASHI, KATO'),
    male: list('HIROSHI, TAKESHI, KENJI, YUKI, HARUTO, SOTA, DAIKI, RYO, SHOTA, KAITO'),
    female: list('YUKI, AOI, SAKURA, HINA, YUI, MISAKI, AYAKA, NANAMI, MAI, HARUKA'),
    passport: { prefixes: ['TK', 'TR', 'TZ', 'MU'], digits: 7 },
  },
  {
    country: 'TWN',
    weight: 8,
    family: list('CHEN, LIN, HUANG, CHANG, LEE, WANG, WU, LIU, TSAI, YANG'),
    male: list('CHIH-HAO, CHUN-CHIEH, CHIEN-HUNG, WEI-TING, CHENG-EN, YU-HSUAN'),
    female: list('SHU-FEN, MEI-LING, YA-TING, HSIN-YI, PEI-SHAN, YI-CHEN'),
    passport: { prefixes: ['3'], digits: 8 },
  },
  {
    country: 'USA',
    weight: 6,
    family: list('SMITH, JOHNSON, WILLIAMS, BROWN, JONES, MILLER, DAVIS, WILSON, ANDERSON, NGUYEN, TRAN'),
    male: list('JOHN, MICHAEL, DAVID, JAMES, ROBERT, DANIEL, MATTHEW, CHRISTOPHER, KEVIN, PETER'),
    female: list('MARY, JENNIFER, SARAH, JESSICA, EMILY, ELIZABETH, LAURA, AMANDA, LISA, ANNA'),
    passport: { prefixes: [''], digits: 9 },
  },
  {
    country: 'FRA',
    weight: 3,
    family: list('MARTIN, BERNARD, DUBOIS, THOMAS, ROBERT, RICHARD, PETIT, DURAND, LEROY, MOREAU'),
    male: list('JEAN, PIERRE, NICOLAS, JÉRÔME, FRANÇOIS, JULIEN, THÉO, LUC, ANTOINE, MATHIEU'),
    female: list('MARIE, SOPHIE, HÉLÈNE, CÉLINE, CAMILLE, CHLOÉ, ÉLODIE, JULIE, LÉA, MANON'),
    passport: { prefixes: ['12AB', '15CK', '19FD', '21KL'], digits: 5 },
  },
  {
    country: 'DEU',
    weight: 2,
    family: list('MÜLLER, SCHMIDT, SCHNEIDER, FISCHER, WEBER, MEYER, WAGNER, BECKER, SCHULZ, HOFFMANN'),
    male: list('LUKAS, JONAS, FELIX, MAXIMILIAN, JÜRGEN, STEFAN, ANDREAS, THOMAS, MICHAEL, TOBIAS'),
    female: list('ANNA, LENA, SOPHIE, KATHARINA, JULIA, SABINE, MONIKA, PETRA, JÖRDIS, LAURA'),
    passport: { prefixes: ['C01', 'C4F', 'CF7'], digits: 6 },
  },
  {
    country: 'GBR',
    weight: 2,
    family: list('SMITH, JONES, TAYLOR, BROWN, WILLIAMS, WILSON, JOHNSON, DAVIES, ROBINSON, WRIGHT'),
    male: list('OLIVER, GEORGE, HARRY, JACK, CHARLIE, THOMAS, WILLIAM, JAMES, DANIEL, SAM'),
    female: list('OLIVIA, AMELIA, ISLA, EMILY, POPPY, SOPHIE, GRACE, JESSICA, CHARLOTTE, LUCY'),
    passport: { prefixes: [''], digits: 9 },
  },
  {
    country: 'AUS',
    weight: 2,
    family: list('SMITH, JONES, WILLIAMS, BROWN, WILSON, TAYLOR, NGUYEN, JOHNSON, MARTIN, WHITE'),
    male: list('JACK, NOAH, WILLIAM, LACHLAN, LIAM, ETHAN, COOPER, RILEY, MITCHELL, LUKE'),
    female: list('CHARLOTTE, OLIVIA, MIA, AVA, CHLOE, ISABELLA, RUBY, ZOE, EMMA, SARAH'),
    passport: { prefixes: ['PA', 'PB', 'PE', 'N'], digits: 7 },
  },
  {
    country: 'RUS',
    weight: 3,
    family: list('IVANOV, SMIRNOV, KUZNETSOV, POPOV, VASILIEV, PETROV, SOKOLOV, MIKHAILOV, NOVIKOV, FEDOROV'),
    male: list('ALEXANDER, DMITRY, MAXIM, SERGEY, ANDREY, ALEXEY, IVAN, MIKHAIL, NIKOLAY, VLADIMIR'),
    female: list('ANASTASIA, MARIA, DARIA, ANNA, ELENA, OLGA, NATALIA, TATIANA, IRINA, EKATERINA'),
    passport: { prefixes: ['75', '76'], digits: 7 },
  },
  {
    country: 'IND',
    weight: 3,
    family: list('SHARMA, PATEL, SINGH, KUMAR, GUPTA, REDDY, IYER, NAIR, DAS, JOSHI'),
    male: list('AARAV, VIVAAN, RAHUL, AMIT, RAJESH, SURESH, ARJUN, VIKRAM, SANJAY, ANIL'),
    female: list('PRIYA, ANANYA, DIVYA, POOJA, NEHA, SNEHA, KAVYA, LAKSHMI, MEERA, ASHA'),
    passport: { prefixes: ['K', 'L', 'M', 'N', 'P'], digits: 7 },
  },
  {
    country: 'THA',
    weight: 3,
    family: list('SAETANG, SRISUK, CHAIYAPORN, WONGSAWAT, BOONMA, KAEWKLA, SUKSAWAT, THONGDEE'),
    male: list('SOMCHAI, SOMSAK, ANAN, KITTI, PRASERT, WICHAI, NATTAPONG, THANAWAT'),
    female: list('SOMSRI, MALAI, SIRIPORN, PORNTIP, KANYA, NATTAYA, WANIDA, ARUNEE'),
    passport: { prefixes: ['AA', 'AB', 'AC'], digits: 7 },
  },
  {
    country: 'PHL',
    weight: 2,
    family: list('SANTOS, REYES, CRUZ, BAUTISTA, OCAMPO, GARCIA, MENDOZA, TORRES, DELA CRUZ, RAMOS'),
    male: list('JOSE, JUAN, MARK, JOHN PAUL, CARLO, MIGUEL, RAFAEL, PAOLO, JERICHO, ANGELO'),
    female: list('MARIA, ANGELICA, KRISTINE, JOY, CHERRY, PRINCESS, RHEA, JASMINE, LOVELY, MARICEL'),
    passport: { prefixes: ['P'], digits: 7 },
  },
  {
    country: 'LAO',
    weight: 3,
    family: list('PHOMMAVONG, SOUVANNAVONG, KEOMANY, VONGSAVATH, SISOUPHANH, INTHAVONG, KHAMPHOUVONG'),
    male: list('SOMPHONE, BOUNMY, KHAMSAY, PHOUVANH, SOUKSAVANH, VIENGKHAM, THONGSAVANH'),
    female: list('BOUNTHAVY, KHAMPHONE, MANIVONE, NOY, SOUDALAY, VIENGSAMAY, PHONESAVANH'),
    passport: { prefixes: ['P'], digits: 7 },
  },
  {
    country: 'SGP',
    weight: 1,
    family: list('TAN, LIM, LEE, NG, ONG, WONG, GOH, CHUA, CHAN, KOH'),
    male: list('WEI MING, JUN JIE, ZHI HAO, KELVIN, MARCUS, BENJAMIN, RYAN, DARREN'),
    female: list('HUI MIN, XIN YI, JIA HUI, RACHEL, CHERYL, GRACE, SHARON, MICHELLE'),
    passport: { prefixes: ['K', 'E'], digits: 7 },
  },
];

/** A ward or commune name from place words, e.g. "Phường Tân Định", "Xã Hòa An". */
export function wardName(urban: boolean, first: string, second: string): string {
  return `${urban ? 'Phường' : 'Xã'} ${first} ${second}`;
}
