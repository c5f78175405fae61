import { describe, expect, it } from 'vitest';
import {
  LOCALES,
  TEMPLATE_NAMES,
  TemplateParamsError,
  checkParams,
  formatDate,
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

  it('formats civil dates per language without touching time zones', () => {
    expect(formatDate('2026-03-05', 'vi')).toBe('05/03/2026');
    expect(formatDate('2026-03-05', 'en')).toBe('5 March 2026');
    expect(() => formatDate('05/03/2026', 'vi')).toThrow(RangeError);
  });
});
