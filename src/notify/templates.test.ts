import { describe, expect, it } from 'vitest';
import {
  LOCALES,
  TEMPLATE_NAMES,
  TemplateParamsError,
  checkParams,
  formatDate,
  formatVnInstant,
  render,
  type TemplateName,
  type TemplateParams,
} from './templates.ts';
import { encodeSms } from './sms-text.ts';

const SAMPLES: { [K in TemplateName]: TemplateParams[K] } = {
  otp: { code: '482913', minutes: 5 },
  application_received: {
    applicationNo: 'HS-2026-000123',
    procedure: 'eid_level2',
    receivedOn: '2026-03-05',
    dueOn: '2026-03-12',
  },
  application_approved: { applicationNo: 'HS-2026-000123', procedure: 'eid_level1' },
  application_rejected: {
    applicationNo: 'HS-2026-000123',
    procedure: 'eid_organisation',
    reasons: ['Ảnh chân dung không rõ nét', 'Thiếu giấy tờ <chứng minh> nơi cư trú & tạm trú'],
  },
  account_locked: { ground: 'suspected_misuse', lockedOn: '2026-01-31', detail: 'Đăng nhập bất thường từ thiết bị lạ' },
  account_unlocked: { unlockedOn: '2026-02-01' },
  activation_reminder: { level: 2, expiresOn: '2026-12-31' },
  consent_requested: {
    applicationNo: 'HS-2026-000456',
    organisationName: 'Công ty Cổ phần Công nghệ Sao Mai',
    requestedBy: 'Nguyễn Văn An',
    dueOn: '2026-03-20',
  },
  organisation_request_ended: {
    applicationNo: 'HS-2026-000456',
    organisationName: 'Công ty Cổ phần Công nghệ Sao Mai',
    reason: 'refused',
  },
  activation_reissued: { expiresOn: '2026-03-17' },
  confirmation_requested: {
    dependantName: 'Nguyễn Minh Khôi',
    action: 'share_data',
    expiresAt: '2026-03-02T03:05:00Z',
  },
  representation_ended: { dependantName: 'Nguyễn Minh Khôi', endedOn: '2026-05-01', reason: 'dependant_turned_14' },
  representation_handover: { fullName: 'Nguyễn Minh Khôi', turnedOn: '2026-05-01' },
  application_deadline: {
    applicationNo: 'HS-2026-000123',
    procedure: 'eid_level2',
    dueOn: '2026-03-12',
    state: 'overdue',
  },
  lock_ground_lifted: { ground: 'card_revoked_or_held', liftedOn: '2026-04-28', stillLocked: true },
  lock_request_decided: {
    requestNo: 'TK03-2026-000042',
    documentNo: '125/CV-CSĐT',
    action: 'lock',
    outcome: 'refused',
    decidedOn: '2026-05-04',
    reasons: ['Văn bản đề nghị không nêu căn cứ pháp lý'],
  },
  unlock_request_refused: { requestNo: 'TK03-2026-000043', reasons: ['Vi phạm chưa được khắc phục'] },
  lock_request_overdue: { requestNo: 'TK03-2026-000042', step: 'forward', dueOn: '2026-04-28' },
};

describe('templates', () => {
  it('renders the OTP message word for word', () => {
    const vi = render('otp', 'vi', { code: '048213', minutes: 5 });
    expect(vi.body).toBe(
      'Mã xác thực của bạn là 048213. Mã có hiệu lực trong 5 phút. Không chia sẻ mã này cho bất kỳ ai.',
    );
    expect(vi.sms).toBe(vi.body);
    const en = render('otp', 'en', { code: '048213', minutes: 5 });
    expect(en.sms).toBe(
      'Your verification code is 048213. It is valid for 5 minutes. Do not share this code with anyone.',
    );
  });

  it("names whose code it is when it goes to a representative's phone", () => {
    expect(render('otp', 'vi', { code: '048213', minutes: 5, forName: 'Nguyễn Minh Khang' }).sms).toBe(
      'Mã xác thực để Nguyễn Minh Khang đăng nhập là 048213. Mã có hiệu lực trong 5 phút. Không chia sẻ mã này cho bất kỳ ai.',
    );
    expect(render('otp', 'en', { code: '048213', minutes: 5, forName: 'Nguyễn Minh Khang' }).sms).toBe(
      'Your verification code for Nguyễn Minh Khang to sign in is 048213. It is valid for 5 minutes. Do not share this code with anyone.',
    );
  });

  it('every template renders in both languages, in NFC, with no placeholder left', () => {
    for (const name of TEMPLATE_NAMES) {
      for (const locale of LOCALES) {
        const out = render(name, locale, SAMPLES[name] as never);
        for (const [key, value] of Object.entries(out)) {
          expect(value, `${name}/${locale}/${key}`).toBe(value.normalize('NFC'));
          expect(value, `${name}/${locale}/${key}`).not.toMatch(/\{\w+\}|undefined|\[object/);
          expect(value.length, `${name}/${locale}/${key}`).toBeGreaterThan(0);
        }
        expect(encodeSms(out.sms).parts.length).toBeLessThanOrEqual(4);
        expect(out.text.startsWith(out.body)).toBe(true);
      }
    }
  });

  it('turns decomposed input into NFC', () => {
    const decomposed = 'Ảnh chân dung'.normalize('NFD');
    expect(decomposed).not.toBe('Ảnh chân dung');
    const out = render('application_rejected', 'vi', { ...SAMPLES.application_rejected, reasons: [decomposed] });
    expect(out.body).toContain('- Ảnh chân dung');
  });

  it('writes correct Vietnamese for the lock ground and dates', () => {
    const out = render('account_locked', 'vi', SAMPLES.account_locked);
    expect(out.subject).toBe('Tài khoản định danh điện tử đã bị khóa');
    expect(out.body).toContain(
      'Tài khoản định danh điện tử của bạn đã bị khóa từ ngày 31/01/2026. Lý do: tài khoản có dấu hiệu bị chiếm đoạt hoặc sử dụng trái phép.',
    );
    expect(out.body).toContain('Chi tiết: Đăng nhập bất thường từ thiết bị lạ');
    const en = render('account_locked', 'en', { ground: 'holder_request', lockedOn: '2026-01-31' });
    expect(en.body).toContain('locked since 31 January 2026. Ground: at your request.');
    expect(en.body).not.toContain('Details');
  });

  it('escapes parameters in HTML only', () => {
    const out = render('application_rejected', 'vi', SAMPLES.application_rejected);
    expect(out.html).toContain('<li>Thiếu giấy tờ &lt;chứng minh&gt; nơi cư trú &amp; tạm trú</li>');
    expect(out.html).toContain('<html lang="vi">');
    expect(out.text).toContain('- Thiếu giấy tờ <chứng minh> nơi cư trú & tạm trú');
  });

  it('falls back to a shorter SMS when the reasons would not fit', () => {
    const reasons = Array.from(
      { length: 8 },
      (_, i) => `Lý do số ${i + 1}: thông tin trên tờ khai không khớp với Cơ sở dữ liệu quốc gia về dân cư`,
    );
    const out = render('application_rejected', 'vi', { ...SAMPLES.application_rejected, reasons });
    expect(out.sms).toBe('Hồ sơ số HS-2026-000123 không được phê duyệt. Xem lý do trên ứng dụng định danh điện tử.');
    expect(out.body).toContain(reasons[7]);
  });

  it('refuses bad parameters with the field at fault', () => {
    expect(() => render('otp', 'vi', { code: '12ab', minutes: 5 })).toThrow(TemplateParamsError);
    expect(() => render('otp', 'vi', { code: '123456', minutes: 5, extra: 1 } as never)).toThrow(TemplateParamsError);
    expect(() => checkParams('account_unlocked', { unlockedOn: '2026-02-30x' })).toThrow(/unlockedOn/);
    expect(() => checkParams('account_locked', { ground: 'whim', lockedOn: '2026-01-01' })).toThrow(/ground/);
    expect(() => checkParams('nope' as TemplateName, {})).toThrow(/unknown template/);
    expect(() => checkParams('activation_reminder', { level: 3, expiresOn: '2026-01-01' })).toThrow(
      TemplateParamsError,
    );
  });

  it('an organisation representative is asked to consent before the due date (DOMAIN.md §5)', () => {
    const vi = render('consent_requested', 'vi', SAMPLES.consent_requested);
    expect(vi.subject).toBe('Đề nghị đồng ý đăng ký tài khoản định danh điện tử cho Công ty Cổ phần Công nghệ Sao Mai');
    expect(vi.body).toContain(
      'Nguyễn Văn An đã lập hồ sơ số HS-2026-000456 đề nghị cấp tài khoản định danh điện tử cho Công ty Cổ phần Công nghệ Sao Mai.',
    );
    expect(vi.body).toContain('để đồng ý hoặc từ chối trước ngày 20/03/2026.');
    const en = render('consent_requested', 'en', SAMPLES.consent_requested);
    expect(en.sms).toContain('before 20 March 2026');
    // A long organisation name falls back to the short SMS.
    const long = render('consent_requested', 'vi', { ...SAMPLES.consent_requested, organisationName: 'Đ'.repeat(280) });
    expect(long.sms).toBe(
      'Hồ sơ số HS-2026-000456 cần sự đồng ý của bạn. Vui lòng đồng ý hoặc từ chối trên ứng dụng định danh điện tử trước ngày 20/03/2026.',
    );

    const refused = render('organisation_request_ended', 'vi', SAMPLES.organisation_request_ended);
    expect(refused.body).toContain('Lý do: một người đại diện theo pháp luật của tổ chức đã từ chối.');
    const lapsed = render('organisation_request_ended', 'en', {
      ...SAMPLES.organisation_request_ended,
      reason: 'lapsed',
    });
    expect(lapsed.sms).toBe(
      'Application HS-2026-000456 for Công ty Cổ phần Công nghệ Sao Mai has ended: not every legal representative consented in time.',
    );
  });

  it('activation reopened by the call centre names the new last day (Decree 69 Art 14.2)', () => {
    const vi = render('activation_reissued', 'vi', { expiresOn: '2026-03-17' });
    expect(vi.body).toContain('chậm nhất ngày 17/03/2026.');
    expect(vi.sms).toContain('chậm nhất ngày 17/03/2026');
    expect(render('activation_reissued', 'en', { expiresOn: '2026-03-17' }).sms).toContain('by 17 March 2026');
  });

  it('prints a confirmation deadline in Vietnam time (UTC+7), whatever the process time zone', () => {
    const vi = render('confirmation_requested', 'vi', SAMPLES.confirmation_requested);
    expect(vi.body).toContain(
      'Tài khoản định danh điện tử của Nguyễn Minh Khôi, người bạn đang đại diện, cần bạn xác nhận để chia sẻ dữ liệu.',
    );
    expect(vi.body).toContain('trước 10:05 02/03/2026 (giờ Việt Nam)');
    // 20:30 UTC is already the next day in Vietnam.
    const late = render('confirmation_requested', 'en', {
      dependantName: 'Nguyễn Minh Khôi',
      action: 'sign_in',
      expiresAt: '2026-03-01T20:30:00.000Z',
    });
    expect(late.body).toContain('needs your confirmation to sign in.');
    expect(late.body).toContain('before 03:30 on 2 March 2026 (Vietnam time)');
    expect(formatVnInstant('2026-12-31T17:00:00+00:00', 'vi')).toBe('00:00 01/01/2027');
    expect(() =>
      checkParams('confirmation_requested', { ...SAMPLES.confirmation_requested, expiresAt: '2026-03-02' }),
    ).toThrow(/expiresAt/);
  });

  it('representation ends, and a young person of 14 takes over (DOMAIN.md §5, policy)', () => {
    const ended = render('representation_ended', 'vi', SAMPLES.representation_ended);
    expect(ended.body).toContain(
      'Việc bạn đại diện cho Nguyễn Minh Khôi trên hệ thống định danh điện tử đã chấm dứt từ ngày 01/05/2026. Lý do: người được đại diện đã đủ 14 tuổi.',
    );
    const revoked = render('representation_ended', 'en', { ...SAMPLES.representation_ended, reason: 'revoked' });
    expect(revoked.body).toContain('ended on 1 May 2026: the representation was revoked.');
    const handover = render('representation_handover', 'vi', SAMPLES.representation_handover);
    expect(handover.body).toContain('Chào Nguyễn Minh Khôi,');
    expect(handover.body).toContain(
      'đăng ký số điện thoại chính chủ, đặt mật khẩu và mã bảo vệ (passcode) của riêng bạn.',
    );
  });

  it('tells officers an application is near or past its deadline', () => {
    const overdue = render('application_deadline', 'vi', SAMPLES.application_deadline);
    expect(overdue.subject).toBe('Hồ sơ số HS-2026-000123 đã quá hạn giải quyết');
    expect(overdue.body).toContain(
      'Hồ sơ đăng ký tài khoản định danh điện tử mức độ 2 số HS-2026-000123 đã quá hạn giải quyết (ngày hẹn trả kết quả: 12/03/2026).',
    );
    const near = render('application_deadline', 'en', { ...SAMPLES.application_deadline, state: 'near' });
    expect(near.subject).toBe('Application HS-2026-000123 is nearly due');
    expect(() => checkParams('application_deadline', { ...SAMPLES.application_deadline, state: 'late' })).toThrow(
      /state/,
    );
  });

  it('formats civil dates per language without touching time zones', () => {
    expect(formatDate('2026-03-05', 'vi')).toBe('05/03/2026');
    expect(formatDate('2026-03-05', 'en')).toBe('5 March 2026');
    expect(() => formatDate('05/03/2026', 'vi')).toThrow(RangeError);
  });
});
