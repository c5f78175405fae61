import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from '../src/oidc/testing.ts';
import { useTestDatabase } from '../test/database.ts';
import { Browser, captchaOf, csrfOf, portalOtp, startPortalHarness, type PortalHarness } from './testing.ts';

/**
 * The portal's own accounts (seed 004, part I and part II steps 2–6): registration checked
 * against the population and mobile-subscriber registries through the platform, the SMS code, the
 * password; login with user name, password, captcha and SMS code; and their limits.
 */
const t = useTestDatabase();
let ph: PortalHarness;

beforeAll(async () => {
  ph = await startPortalHarness(t);
});
afterAll(async () => {
  await ph?.stop();
});

const BINH = { pin: '001192031775', full_name: 'Trần Thị Bình', birthdate: '1992-08-20', phone: '0987654321' };
const PASSWORD = 'Binh@Cong2026';

async function registrationForm(browser: Browser): Promise<Page> {
  const page = await browser.go(`${ph.portal.url}/dang-ky?captcha=question`);
  expect(page.status).toBe(200);
  return page;
}

async function submitRegistration(browser: Browser, values: Record<string, string>): Promise<Page> {
  const form = await registrationForm(browser);
  return browser.go(`${ph.portal.url}/dang-ky`, {
    form: { _csrf: csrfOf(form), captcha_kind: 'question', ...captchaOf(form), email: '', ...values },
  });
}

describe('registration', () => {
  test('the form: labels, required marks, a picture captcha with an accessible question instead', async () => {
    const page = await new Browser().go(`${ph.portal.url}/dang-ky`);
    expect(page.html).toContain('<label for="f-pin">');
    expect(page.html).toContain('<img src="data:image/svg+xml;base64,');
    expect(page.html).toContain('/dang-ky?captcha=question');
    const alt = await new Browser().go(`${ph.portal.url}/dang-ky?captcha=question`);
    // The English switch: the same page, lang="en", the question in English.
    const english = new Browser();
    const en = await english.go(
      `${ph.portal.url}/ngon-ngu?to=en&back=${encodeURIComponent('/dang-ky?captcha=question')}`,
    );
    expect(en.html).toContain('<html lang="en">');
    expect(en.html).toMatch(/<label for="f-captcha">What is \w+ (plus|minus) \w+\?<\/label>/);
    expect(alt.html).toMatch(/<label for="f-captcha">[^<]+ (cộng|trừ) [^<]+ bằng mấy\?<\/label>/);
  });

  test('every field is checked with its own message, and a wrong captcha is one of them', async () => {
    const browser = new Browser();
    const form = await registrationForm(browser);
    const page = await browser.go(`${ph.portal.url}/dang-ky`, {
      form: {
        _csrf: csrfOf(form),
        captcha_id: captchaOf(form).captcha_id,
        captcha: '99',
        pin: '12345',
        full_name: '',
        birthdate: '',
        phone: '012',
        email: 'khong-phai-email',
      },
    });
    expect(page.status).toBe(422);
    for (const text of [
      'gồm đúng 12 chữ số',
      'Vui lòng nhập họ và tên.',
      'Vui lòng nhập ngày sinh.',
      'Số điện thoại di động gồm 10 chữ số',
      'chưa đúng định dạng',
      'Mã xác thực không đúng',
    ]) {
      expect(page.html).toContain(text);
    }
    expect(page.html).toContain('value="12345"');
  });

  test('identity not matching the population database, or a phone not in the citizen’s name, is refused', async () => {
    let page = await submitRegistration(new Browser(), { ...BINH, birthdate: '1992-08-21' });
    expect(page.status).toBe(422);
    expect(page.html).toContain('không khớp với Cơ sở dữ liệu quốc gia về dân cư');
    // Võ Thị Thu uses a phone registered to Nguyễn Văn An (not chính chủ).
    page = await submitRegistration(new Browser(), {
      pin: '079195063128',
      full_name: 'Võ Thị Thu',
      birthdate: '1995-10-20',
      phone: '0909123456',
    });
    expect(page.status).toBe(422);
    expect(page.html).toContain('chưa đăng ký chính chủ');
    // The platform audited both checks under the portal's name.
    const entries = await t.db
      .selectFrom('audit.entries')
      .select(['actor_id', 'detail'])
      .where('action', '=', 'registries.rp.citizen_check')
      .execute();
    expect(entries.length).toBeGreaterThanOrEqual(2);
    expect(entries.every((e) => e.actor_id === ph.portal.clientId)).toBe(true);
  });

  test('register with an SMS code and a password, then sign in with user name, password, captcha and code', async () => {
    const browser = new Browser();
    let page = await submitRegistration(browser, BINH);
    expect(page.url).toBe(`${ph.portal.url}/dang-ky/otp`);
    expect(page.html).toContain('0987****21');
    page = await browser.go(`${ph.portal.url}/dang-ky/otp`, {
      form: { _csrf: csrfOf(page), otp: await portalOtp(ph, '+84987654321') },
    });
    expect(page.url).toBe(`${ph.portal.url}/dang-ky/mat-khau`);
    const weak = await browser.go(`${ph.portal.url}/dang-ky/mat-khau`, {
      form: { _csrf: csrfOf(page), password: 'abc', password_confirm: 'abc' },
    });
    expect(weak.status).toBe(422);
    expect(weak.html).toContain('Mật khẩu dài từ 8 đến 64 ký tự');
    page = await browser.go(`${ph.portal.url}/dang-ky/mat-khau`, {
      form: { _csrf: csrfOf(weak), password: PASSWORD, password_confirm: PASSWORD },
    });
    expect(page.html).toContain('Tạo tài khoản thành công');

    // Sign in (a fresh browser).
    const other = new Browser();
    let login = await other.go(`${ph.portal.url}/dang-nhap?captcha=question`);
    login = await other.go(`${ph.portal.url}/dang-nhap`, {
      form: {
        _csrf: csrfOf(login),
        captcha_kind: 'question',
        ...captchaOf(login),
        username: BINH.pin,
        password: PASSWORD,
        next: '/ho-so',
      },
    });
    expect(login.url).toBe(`${ph.portal.url}/dang-nhap/otp`);
    login = await other.go(`${ph.portal.url}/dang-nhap/otp`, {
      form: { _csrf: csrfOf(login), otp: await portalOtp(ph, '+84987654321') },
    });
    expect(login.url).toBe(`${ph.portal.url}/ho-so`);
    expect(login.html).toContain('Trần Thị Bình');

    // A portal account is not an electronic identity of level 2: the passport service says how to get one.
    const passport = await other.go(`${ph.portal.url}/dich-vu/XNC-HC-02/nop`);
    expect(passport.status).toBe(403);
    expect(passport.html).toContain('tài khoản của Cổng Dịch vụ công');

    // The same PIN cannot register twice.
    const again = await submitRegistration(new Browser(), BINH);
    expect(again.status).toBe(409);
    expect(again.html).toContain('đã có tài khoản');
  });

  test('a captcha answers one attempt only', async () => {
    const browser = new Browser();
    const form = await browser.go(`${ph.portal.url}/dang-nhap?captcha=question`);
    const captcha = captchaOf(form);
    const first = await browser.go(`${ph.portal.url}/dang-nhap`, {
      form: { _csrf: csrfOf(form), ...captcha, username: BINH.pin, password: 'Sai@Matkhau1' },
    });
    expect(first.status).toBe(401);
    const replay = await browser.go(`${ph.portal.url}/dang-nhap`, {
      form: { _csrf: csrfOf(first), ...captcha, username: BINH.pin, password: PASSWORD },
    });
    expect(replay.status).toBe(422);
    expect(replay.html).toContain('Mã xác thực không đúng hoặc đã hết hạn');
  });

  test('wrong passwords pause sign-in after five failures; wrong codes burn the code after five', async () => {
    await ph.portal.database.db
      .updateTable('portal.users')
      .set({ locked_until: null, failed_logins: 0 })
      .where('pin', '=', BINH.pin)
      .execute();
    const browser = new Browser();
    let page = await browser.go(`${ph.portal.url}/dang-nhap?captcha=question`);
    for (let i = 0; i < 5; i++) {
      page = await browser.go(`${ph.portal.url}/dang-nhap`, {
        form: {
          _csrf: csrfOf(page),
          captcha_kind: 'question',
          ...captchaOf(page),
          username: BINH.pin,
          password: `Sai@Matkhau${i}`,
        },
      });
      expect(page.status).toBe(401);
    }
    page = await browser.go(`${ph.portal.url}/dang-nhap`, {
      form: {
        _csrf: csrfOf(page),
        captcha_kind: 'question',
        ...captchaOf(page),
        username: BINH.pin,
        password: PASSWORD,
      },
    });
    expect(page.status).toBe(429);
    expect(page.html).toContain('tạm khóa đăng nhập');
    await ph.portal.database.db
      .updateTable('portal.users')
      .set({ locked_until: null, failed_logins: 0 })
      .where('pin', '=', BINH.pin)
      .execute();

    page = await browser.go(`${ph.portal.url}/dang-nhap`, {
      form: {
        _csrf: csrfOf(page),
        captcha_kind: 'question',
        ...captchaOf(page),
        username: BINH.pin,
        password: PASSWORD,
      },
    });
    expect(page.url).toBe(`${ph.portal.url}/dang-nhap/otp`);
    const code = await portalOtp(ph, '+84987654321');
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i++) {
      page = await browser.go(`${ph.portal.url}/dang-nhap/otp`, { form: { _csrf: csrfOf(page), otp: wrong } });
      expect(/class="error" id="f-otp-error">([^<]+)/.exec(page.html)?.[1]).toBe(
        `Mã OTP không đúng. Bạn còn ${4 - i} lần thử.`,
      );
    }
    page = await browser.go(`${ph.portal.url}/dang-nhap/otp`, { form: { _csrf: csrfOf(page), otp: wrong } });
    expect(page.status).toBe(429);
    page = await browser.go(`${ph.portal.url}/dang-nhap/otp`, { form: { _csrf: csrfOf(page), otp: code } });
    expect(page.status).toBe(400);
    expect(page.html).toContain('đã hết hạn hoặc đã được sử dụng');
  });

  test('a form without its anti-forgery token is refused', async () => {
    const browser = new Browser();
    await browser.go(`${ph.portal.url}/dang-ky`);
    const page = await browser.go(`${ph.portal.url}/dang-ky`, { form: { ...BINH } });
    expect(page.status).toBe(403);
  });
});
