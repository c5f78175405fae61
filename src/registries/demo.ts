import type {
  BiometricReferenceRow,
  ForeignerRow,
  GuardianshipRow,
  IdCardRow,
  KinshipRow,
  LegalRepresentativeRow,
  OrganisationRow,
  PersonRow,
  ResidenceCardRow,
  SubscriberRow,
} from './tables.ts';

/**
 * Fixed demo subjects, the same in every sandbox whatever the seed: the README, the start banner
 * and end-to-end tests name them. Their PINs, phones, passports and enterprise codes are reserved:
 * the generator never hands them to anyone else. Their dates are absolute, chosen so that each
 * one shows its case until at least 2028 (the adult's card expires 2030-05-15, the child turns 14
 * in 2030).
 */
export const DEMO_PERSONS = {
  /** Adult citizen, valid chip card, own phone: the everyday level-1/level-2 applicant. */
  citizen: {
    pin: '001090048213',
    fullName: 'Nguyễn Văn An',
    dateOfBirth: '1990-05-15',
    sex: 'male',
    phone: '0912345678',
  },
  /** The citizen's wife: valid chip card, own phone; second legal representative of the company. */
  spouse: {
    pin: '001192031775',
    fullName: 'Trần Thị Bình',
    dateOfBirth: '1992-08-20',
    sex: 'female',
    phone: '0987654321',
  },
  /** Their son, 10 in 2026: no card, no phone; represented by his parents. */
  child: { pin: '001216027409', fullName: 'Nguyễn Minh Khôi', dateOfBirth: '2016-03-12', sex: 'male' },
  /** Their daughter, under 6 until 2027-09-01: level 1 only, no biometrics. */
  youngChild: { pin: '001321008362', fullName: 'Nguyễn Ngọc Hân', dateOfBirth: '2021-09-01', sex: 'female' },
  /** Adult whose card (issued at 18, no chip) expired on her 25th birthday; own phone. */
  expiredCard: {
    pin: '038199014526',
    fullName: 'Lê Thị Hoa',
    dateOfBirth: '1999-02-03',
    sex: 'female',
    phone: '0356789012',
    cardExpiredOn: '2024-02-03',
  },
  /** Died 2024-09-02; his card (issued at 80) had no expiry. */
  deceased: {
    pin: '036040002918',
    fullName: 'Phạm Văn Đức',
    dateOfBirth: '1940-11-30',
    sex: 'male',
    dateOfDeath: '2024-09-02',
  },
  /** Card held (tạm giữ) since 2025-10-01; own phone. */
  heldCard: {
    pin: '031078019347',
    fullName: 'Trịnh Văn Hùng',
    dateOfBirth: '1978-03-08',
    sex: 'male',
    phone: '0971234567',
  },
  /** Card revoked (thu hồi) since 2025-08-15; own phone. */
  revokedCard: {
    pin: '040183020664',
    fullName: 'Đoàn Thị Lan',
    dateOfBirth: '1983-01-25',
    sex: 'female',
    phone: '0838123456',
  },
  /** Valid card, but the phone she uses is registered to Nguyễn Văn An (not chính chủ). */
  phoneOfSomeoneElse: {
    pin: '079195063128',
    fullName: 'Võ Thị Thu',
    dateOfBirth: '1995-10-20',
    sex: 'female',
    phone: '0909123456',
    phoneRegisteredTo: '001090048213',
  },
  /** Adult ward under a court-appointed guardian (his mother). */
  ward: { pin: '001088052807', fullName: 'Bùi Văn Tùng', dateOfBirth: '1988-04-10', sex: 'male' },
  /** The ward's mother and court-appointed guardian; card valid for life (issued at 58). */
  guardian: {
    pin: '001162011590',
    fullName: 'Đặng Thị Mai',
    dateOfBirth: '1962-12-05',
    sex: 'female',
    phone: '0903456789',
  },
  /** Foreigner with a valid temporary residence card and biometrics on record; own phone. */
  foreigner: {
    passportNumber: 'M12345678',
    passportCountry: 'KOR',
    fullName: 'KIM MIN JUN',
    dateOfBirth: '1985-07-07',
    sex: 'male',
    phone: '0901234567',
    residenceCardExpiresOn: '2028-12-31',
  },
  /** Foreigner whose temporary residence card expired on 2025-06-30; no biometrics on record. */
  foreignerExpired: {
    passportNumber: 'TK1234567',
    passportCountry: 'JPN',
    fullName: 'TANAKA YUKI',
    dateOfBirth: '1991-04-18',
    sex: 'female',
    residenceCardExpiredOn: '2025-06-30',
  },
  /** Active joint-stock company with two legal representatives (the citizen and his wife). */
  organisation: {
    enterpriseCode: '0101234567',
    name: 'Công ty Cổ phần Công nghệ Sao Mai',
    legalRepresentatives: ['001090048213', '001192031775'],
  },
  /** Company dissolved on 2024-12-31; its only legal representative was Võ Thị Thu. */
  dissolvedOrganisation: {
    enterpriseCode: '0301234568',
    name: 'Công ty TNHH Thương mại Phúc Lộc',
    legalRepresentatives: ['079195063128'],
  },
} as const;

const C = 'Cục Cảnh sát quản lý hành chính về trật tự xã hội';
const HANOI = 'Thành phố Hà Nội';
const HCMC = 'Thành phố Hồ Chí Minh';

function person(
  id: number,
  d: { pin: string; fullName: string; dateOfBirth: string; sex: 'male' | 'female' },
  residence: [string, string, string],
  dateOfDeath: string | null = null,
): PersonRow {
  const [family, ...rest] = d.fullName.split(' ');
  const given = rest.pop() as string;
  return {
    id,
    pin: d.pin,
    family_name: family as string,
    middle_name: rest.join(' '),
    given_name: given,
    full_name: d.fullName,
    sex: d.sex,
    date_of_birth: d.dateOfBirth,
    birth_province: d.pin.slice(0, 3),
    nationality: 'VNM',
    residence_line: residence[0],
    residence_ward: residence[1],
    residence_province: residence[2],
    date_of_death: dateOfDeath,
  };
}

const P = DEMO_PERSONS;
const anHome: [string, string, string] = ['Số 18 phố Trần Duy Hưng', 'Phường Yên Hòa', HANOI];

/** Person ids 1…11 are the demo citizens, in this order. */
export const DEMO_CITIZEN_ROWS: PersonRow[] = [
  person(1, P.citizen, anHome),
  person(2, P.spouse, anHome),
  person(3, P.child, anHome),
  person(4, P.youngChild, anHome),
  person(5, P.expiredCard, ['Số 45 đường Bà Triệu', 'Phường Hạc Thành', 'Tỉnh Thanh Hóa']),
  person(6, P.deceased, ['Thôn Đông Hòa', 'Xã Hải Hậu', 'Tỉnh Ninh Bình'], P.deceased.dateOfDeath),
  person(7, P.heldCard, ['Số 9 đường Lạch Tray', 'Phường Gia Viên', 'Thành phố Hải Phòng']),
  person(8, P.revokedCard, ['Số 27 đường Lê Hồng Phong', 'Phường Thành Vinh', 'Tỉnh Nghệ An']),
  person(9, P.phoneOfSomeoneElse, ['Số 112 đường Nguyễn Trãi', 'Phường Bến Thành', HCMC]),
  person(10, P.ward, ['Số 6 ngõ 75 phố Hoàng Quốc Việt', 'Phường Nghĩa Đô', HANOI]),
  person(11, P.guardian, ['Số 6 ngõ 75 phố Hoàng Quốc Việt', 'Phường Nghĩa Đô', HANOI]),
];

function card(
  personId: number,
  pin: string,
  issuedOn: string,
  expiresOn: string | null,
  chip: boolean,
  status: IdCardRow['status'] = 'valid',
  statusSince = issuedOn,
): IdCardRow {
  const authority = issuedOn >= '2021-01-01' ? C : 'Cục Cảnh sát ĐKQL cư trú và DLQG về dân cư';
  return {
    person_id: personId,
    number: pin,
    issued_on: issuedOn,
    expires_on: expiresOn,
    chip,
    status,
    status_since: statusSince,
    issuing_authority: authority,
  };
}

export const DEMO_ID_CARDS: IdCardRow[] = [
  card(1, P.citizen.pin, '2021-06-10', '2030-05-15', true),
  card(2, P.spouse.pin, '2021-04-02', '2032-08-20', true),
  card(5, P.expiredCard.pin, '2017-04-01', '2024-02-03', false),
  card(6, P.deceased.pin, '2021-03-15', null, true),
  card(7, P.heldCard.pin, '2022-05-20', '2038-03-08', true, 'held', '2025-10-01'),
  card(8, P.revokedCard.pin, '2021-09-09', '2043-01-25', true, 'revoked', '2025-08-15'),
  card(9, P.phoneOfSomeoneElse.pin, '2022-01-12', '2035-10-20', true),
  card(10, P.ward.pin, '2021-07-01', '2028-04-10', true),
  card(11, P.guardian.pin, '2021-05-05', null, true),
];

export const DEMO_KINSHIPS: KinshipRow[] = [
  { person_id: 1, relative_id: 2, relation: 'spouse' },
  { person_id: 2, relative_id: 1, relation: 'spouse' },
  { person_id: 3, relative_id: 1, relation: 'father' },
  { person_id: 3, relative_id: 2, relation: 'mother' },
  { person_id: 4, relative_id: 1, relation: 'father' },
  { person_id: 4, relative_id: 2, relation: 'mother' },
  { person_id: 10, relative_id: 11, relation: 'mother' },
];

export const DEMO_GUARDIANSHIPS: GuardianshipRow[] = [
  {
    id: 1,
    ward_id: 10,
    guardian_id: 11,
    basis: 'court_appointed',
    court: 'Tòa án nhân dân quận Cầu Giấy, thành phố Hà Nội',
    decision_number: '15/2023/QĐST-DS',
    since: '2023-06-20',
    until: null,
  },
];

export const DEMO_FOREIGNER_ROWS: ForeignerRow[] = [
  {
    id: 1,
    passport_number: P.foreigner.passportNumber,
    passport_country: P.foreigner.passportCountry,
    passport_issued_on: '2019-03-01',
    passport_expires_on: '2029-03-01',
    family_name: 'KIM',
    given_names: 'MIN JUN',
    full_name: P.foreigner.fullName,
    sex: 'male',
    date_of_birth: P.foreigner.dateOfBirth,
    nationality: 'KOR',
    address_line: 'Số 20 đường Lê Thánh Tôn',
    address_ward: 'Phường Sài Gòn',
    address_province: HCMC,
    date_of_death: null,
  },
  {
    id: 2,
    passport_number: P.foreignerExpired.passportNumber,
    passport_country: P.foreignerExpired.passportCountry,
    passport_issued_on: '2018-05-10',
    passport_expires_on: '2028-05-10',
    family_name: 'TANAKA',
    given_names: 'YUKI',
    full_name: P.foreignerExpired.fullName,
    sex: 'female',
    date_of_birth: P.foreignerExpired.dateOfBirth,
    nationality: 'JPN',
    address_line: 'Số 3 phố Kim Mã',
    address_ward: 'Phường Giảng Võ',
    address_province: HANOI,
    date_of_death: null,
  },
];

export const DEMO_RESIDENCE_CARDS: ResidenceCardRow[] = [
  { foreigner_id: 1, number: 'TT24000123', kind: 'temporary', issued_on: '2024-01-15', expires_on: '2028-12-31' },
  { foreigner_id: 2, number: 'TT23000456', kind: 'temporary', issued_on: '2023-07-01', expires_on: '2025-06-30' },
];

export const DEMO_ORGANISATION_ROWS: OrganisationRow[] = [
  {
    id: 1,
    enterprise_code: P.organisation.enterpriseCode,
    name: P.organisation.name,
    legal_form: 'Công ty cổ phần',
    founded_on: '2015-09-01',
    head_office_line: 'Tầng 5, số 8 phố Phạm Hùng',
    head_office_ward: 'Phường Cầu Giấy',
    head_office_province: HANOI,
    status: 'active',
    status_since: '2015-09-01',
  },
  {
    id: 2,
    enterprise_code: P.dissolvedOrganisation.enterpriseCode,
    name: P.dissolvedOrganisation.name,
    legal_form: 'Công ty trách nhiệm hữu hạn một thành viên',
    founded_on: '2018-02-14',
    head_office_line: 'Số 112 đường Nguyễn Trãi',
    head_office_ward: 'Phường Bến Thành',
    head_office_province: HCMC,
    status: 'dissolved',
    status_since: '2024-12-31',
  },
];

export const DEMO_LEGAL_REPRESENTATIVES: LegalRepresentativeRow[] = [
  { organisation_id: 1, person_id: 1, title: 'Tổng giám đốc', since: '2015-09-01' },
  { organisation_id: 1, person_id: 2, title: 'Chủ tịch Hội đồng quản trị', since: '2019-06-01' },
  { organisation_id: 2, person_id: 9, title: 'Giám đốc', since: '2018-02-14' },
];

const sub = (
  phone: string,
  owner_kind: SubscriberRow['owner_kind'],
  owner_id: number,
  registered_on: string,
  operator: string,
  actual_user_id: number | null = null,
): SubscriberRow => ({ phone, operator, owner_kind, owner_id, registered_on, actual_user_id });

export const DEMO_SUBSCRIBERS: SubscriberRow[] = [
  sub(P.citizen.phone, 'citizen', 1, '2012-09-03', 'VinaPhone'),
  sub(P.spouse.phone, 'citizen', 2, '2014-02-17', 'Viettel'),
  sub(P.expiredCard.phone, 'citizen', 5, '2017-08-21', 'Viettel'),
  sub(P.heldCard.phone, 'citizen', 7, '2011-05-30', 'Viettel'),
  sub(P.revokedCard.phone, 'citizen', 8, '2019-11-11', 'VinaPhone'),
  sub(P.phoneOfSomeoneElse.phone, 'citizen', 1, '2016-07-07', 'MobiFone', 9),
  sub(P.guardian.phone, 'citizen', 11, '2010-03-08', 'MobiFone'),
  sub(P.foreigner.phone, 'foreigner', 1, '2024-02-01', 'MobiFone'),
];

const bio = (
  subject_kind: BiometricReferenceRow['subject_kind'],
  subject_id: number,
  captured_on: string,
): BiometricReferenceRow[] => [
  { subject_kind, subject_id, kind: 'face', sample_ref: null, captured_on },
  { subject_kind, subject_id, kind: 'fingerprint', sample_ref: null, captured_on },
];

export const DEMO_BIOMETRICS: BiometricReferenceRow[] = [
  ...DEMO_ID_CARDS.map((c) => bio('citizen', c.person_id, c.issued_on)).flat(),
  ...bio('foreigner', 1, '2024-01-15'),
];

/** Values the generator must never hand out, so that demo subjects stay unique. */
export const DEMO_RESERVED = {
  pins: DEMO_CITIZEN_ROWS.map((p) => p.pin),
  phones: DEMO_SUBSCRIBERS.map((s) => s.phone),
  passports: DEMO_FOREIGNER_ROWS.map((f) => `${f.passport_country}:${f.passport_number}`),
  residenceCards: DEMO_RESIDENCE_CARDS.map((c) => c.number),
  enterpriseCodes: DEMO_ORGANISATION_ROWS.map((o) => o.enterprise_code),
};
