import { expect, test } from '@playwright/test';
import {
  answerCaptchaQuestion,
  cardJpeg,
  citizenWithOwnPhone,
  eidSignIn,
  expectHeading,
  file,
  portal,
  portalCode,
  portalReady,
  pngImage,
  smsTexts,
  useCaptchaQuestion,
} from './portal-support.ts';
import { DEMO_CITIZEN, checkA11y, screenshot } from './support.ts';

/**
 * Journeys on the National Public Service Portal without the e-ID app (seed 004, part I): a
 * citizen registers a portal account with PIN, full name, date of birth and a phone the
 * subscriber registry shows in their own name, solving the captcha through its accessible
 * question, confirms the SMS code and sets a password, then signs in with user name, password,
 * captcha and SMS code. And the passport form's upload checks: a wrong file type and an oversized
 * file get a clear message next to their field, and the rest of the form is kept.
 */
test.use({ viewport: { width: 1280, height: 900 } });

const JOURNEY = 'portal';

test.beforeAll(async ({ playwright }) => {
  const request = await playwright.request.newContext();
  await portalReady(request);
  await request.dispose();
});
const PASSWORD = 'Cong-DVC#2026';

test('a portal account: registration (captcha question, SMS code, password), then sign-in', async ({ page }) => {
  test.setTimeout(240_000);
  const citizen = await citizenWithOwnPhone();

  await test.step('registration: the form, with the captcha as a question', async () => {
    await page.goto(portal('/'));
    await page.getByRole('main').getByRole('link', { name: 'Đăng ký tài khoản' }).click();
    await expectHeading(page, 'Đăng ký tài khoản công dân');
    await checkA11y(page, 'registration (picture code)');
    await screenshot(page, JOURNEY, 'register');
    await useCaptchaQuestion(page);
  });

  await test.step('a wrong answer to the question: a clear error, a new question, the typed values kept', async () => {
    await page.getByLabel('Số căn cước công dân / số định danh cá nhân').fill(citizen.pin);
    await page.getByLabel('Họ và tên').fill(citizen.fullName);
    await page.getByLabel('Ngày sinh').fill(citizen.birthdate);
    await page.getByLabel('Số điện thoại').fill(citizen.phone);
    await page.locator('#f-captcha').fill('99');
    await page.getByRole('button', { name: 'Đăng ký' }).click();
    await expect(page.locator('#f-captcha-error')).toHaveText(
      'Mã xác thực không đúng hoặc đã hết hạn. Vui lòng nhập mã mới.',
    );
    await expect(page.locator('#f-captcha')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByRole('alert')).toContainText('Vui lòng kiểm tra lại thông tin');
    await expect(page.getByLabel('Họ và tên')).toHaveValue(citizen.fullName);
    await checkA11y(page, 'registration: captcha error');
  });

  await test.step('the registries agree: an SMS code to the phone, then the password', async () => {
    const seen = (await smsTexts(page.request, citizen.phone)).length;
    await answerCaptchaQuestion(page);
    await page.getByRole('button', { name: 'Đăng ký' }).click();
    await expectHeading(page, 'Nhập mã OTP');
    await expect(page.getByText(/Mã OTP gồm 6 chữ số đã được gửi đến số điện thoại/)).toBeVisible();
    await checkA11y(page, 'registration: SMS code');
    await page.getByLabel('Mã OTP').fill(await portalCode(page.request, citizen.phone, seen));
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await expectHeading(page, 'Đặt mật khẩu');
    await checkA11y(page, 'registration: password');
    await page.getByLabel(/^Mật khẩu/).fill('matkhau');
    await page.getByLabel('Xác nhận mật khẩu').fill('matkhau');
    await page.getByRole('button', { name: 'Hoàn tất đăng ký' }).click();
    await expect(page.locator('#f-password-error')).toHaveText(
      'Mật khẩu dài từ 8 đến 64 ký tự, có chữ hoa, chữ thường, chữ số và ký tự đặc biệt.',
    );
    await checkA11y(page, 'registration: password error');
    await page.getByLabel(/^Mật khẩu/).fill(PASSWORD);
    await page.getByLabel('Xác nhận mật khẩu').fill(PASSWORD);
    await page.getByRole('button', { name: 'Hoàn tất đăng ký' }).click();
    await expectHeading(page, 'Tạo tài khoản thành công');
    await checkA11y(page, 'account created');
    await screenshot(page, JOURNEY, 'registered');
  });

  await test.step('signs in: user name, password, captcha question, SMS code', async () => {
    await page.getByRole('main').getByRole('link', { name: 'Đăng nhập' }).click();
    await expectHeading(page, 'Đăng nhập');
    await useCaptchaQuestion(page);
    const submit = async () => {
      await page.getByLabel('Tên đăng nhập').fill(citizen.pin);
      await page.getByLabel(/^Mật khẩu/).fill(PASSWORD);
      await answerCaptchaQuestion(page);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/dang-nhap'),
        page.getByRole('button', { name: 'Đăng nhập', exact: true }).click(),
      ]);
      await page.waitForLoadState();
      return response.status();
    };
    const seen = (await smsTexts(page.request, citizen.phone)).length;
    if ((await submit()) !== 303) {
      // A phone gets a new code at most every 60 s, and registration's came a moment ago: the
      // page says how long to wait, next to the field, and keeps the user name.
      const message = page.locator('#f-username-error');
      await expect(message).toHaveText(/^Mã OTP vừa được gửi\. Vui lòng đợi \d+ giây trước khi yêu cầu mã mới\.$/);
      await expect(page.getByLabel('Tên đăng nhập')).toHaveValue(citizen.pin);
      await checkA11y(page, 'sign-in: wait for a new code');
      const seconds = Number(/(\d+) giây/.exec((await message.textContent())!)![1]);
      await page.waitForTimeout((seconds + 1) * 1000);
      expect(await submit()).toBe(303);
    }
    await expectHeading(page, 'Nhập mã OTP');
    await page.getByLabel('Mã OTP').fill(await portalCode(page.request, citizen.phone, seen));
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await expectHeading(page, 'Cổng Dịch vụ công quốc gia');
    await expect(page.getByRole('banner')).toContainText(citizen.fullName);
    await checkA11y(page, 'home, signed in with a portal account');
    await screenshot(page, JOURNEY, 'account-home');
  });

  await test.step('a portal account opens everything but the passport form, which asks for the e-ID at level 2', async () => {
    await page.goto(portal('/dich-vu/XNC-HC-01/nop'));
    await expectHeading(page, 'Cần tài khoản định danh điện tử mức độ 2');
    await expect(
      page.getByText('Bạn đang đăng nhập bằng tài khoản của Cổng Dịch vụ công (chưa xác thực bằng định danh điện tử).'),
    ).toBeVisible();
    await checkA11y(page, 'portal account: level 2 required');
    await page.getByRole('navigation').getByRole('link', { name: 'Hồ sơ của tôi' }).click();
    await expectHeading(page, 'Hồ sơ của tôi');
    await checkA11y(page, 'my dossiers (none)');
  });
});

test('uploads: a wrong file type and an oversized file get a clear error, the rest of the form is kept', async ({
  page,
}) => {
  let draft = '';
  await test.step('the citizen signs in with the e-ID and opens the passport form', async () => {
    await page.goto(portal('/dich-vu/XNC-HC-01/nop'));
    await eidSignIn(page, DEMO_CITIZEN);
    await expect(page).toHaveURL(/\/ho-so\/[0-9a-f-]{36}$/);
    draft = page.url();
    await expect(page.getByRole('heading', { level: 2, name: 'Thông tin công dân' })).toBeVisible();
  });

  await test.step('a PNG named .jpg as the portrait, a 2 MB+ card front, a good card back', async () => {
    await page.getByLabel(/^Ảnh chân dung/).setInputFiles(file('chan-dung.jpg', 'image/jpeg', pngImage()));
    const oversized = Buffer.concat([cardJpeg('front'), Buffer.alloc(2 * 1024 * 1024 + 10)]);
    await page
      .getByLabel('Ảnh mặt trước căn cước công dân')
      .setInputFiles(file('mat-truoc-lon.jpg', 'image/jpeg', oversized));
    await page
      .getByLabel('Ảnh mặt sau căn cước công dân')
      .setInputFiles(file('mat-sau.jpg', 'image/jpeg', cardJpeg('back')));
    await page.getByLabel('Nơi sinh').selectOption('Hà Nội');
    await page.getByLabel('Nghề nghiệp').fill('Giáo viên');
    await page.getByLabel('Địa chỉ liên hệ').fill('Số 12 phố Tràng Tiền, phường Hoàn Kiếm, Thành phố Hà Nội');
    await page.getByLabel('Cơ quan tiếp nhận hồ sơ').selectOption('XNC-HNI');
    await page.getByLabel('Nhận trực tiếp tại cơ quan tiếp nhận').check();
    await page.getByRole('button', { name: 'Đồng ý và tiếp tục' }).click();
  });

  await test.step('each error sits next to its field and in the summary; nothing typed is lost', async () => {
    const portrait = page.getByLabel(/^Ảnh chân dung/);
    await expect(portrait).toHaveAttribute('aria-invalid', 'true');
    await expect(page.locator('#f-portrait-error')).toHaveText(
      'Ảnh chân dung phải là ảnh định dạng JPEG (.jpg, .jpeg); tệp chan-dung.jpg là tệp PNG.',
    );
    await expect(portrait).toHaveAttribute('aria-describedby', /f-portrait-error/);
    const front = page.getByLabel('Ảnh mặt trước căn cước công dân');
    await expect(front).toHaveAttribute('aria-invalid', 'true');
    await expect(page.locator('#f-id_front-error')).toContainText(
      'Ảnh mặt trước căn cước công dân: tệp mat-truoc-lon.jpg có dung lượng 2 MB, vượt quá giới hạn 2 MB',
    );
    const summary = page.getByRole('alert');
    await expect(summary.getByRole('link', { name: /tệp chan-dung\.jpg là tệp PNG/ })).toHaveAttribute(
      'href',
      '#f-portrait',
    );
    await expect(summary.getByRole('link', { name: /mat-truoc-lon\.jpg/ })).toHaveAttribute('href', '#f-id_front');
    await expect(page.getByLabel('Nghề nghiệp')).toHaveValue('Giáo viên');
    await expect(page.getByLabel('Địa chỉ liên hệ')).toHaveValue(
      'Số 12 phố Tràng Tiền, phường Hoàn Kiếm, Thành phố Hà Nội',
    );
    await expect(page.getByLabel('Nơi sinh')).toHaveValue('Hà Nội');
    await expect(page.getByLabel('Cơ quan tiếp nhận hồ sơ')).toHaveValue('XNC-HNI');
    await expect(page.getByLabel('Nhận trực tiếp tại cơ quan tiếp nhận')).toBeChecked();
    // The good file was kept on the server; only the rejected ones must be chosen again.
    await expect(page.getByRole('link', { name: 'mat-sau.jpg' })).toBeVisible();
    await expect(page.locator('#f-id_back-error')).toHaveCount(0);
    await checkA11y(page, 'form with upload errors');
    await screenshot(page, JOURNEY, 'upload-errors');
  });

  await test.step('the summary links lead to the fields, and a reload keeps the draft', async () => {
    await page
      .getByRole('alert')
      .getByRole('link', { name: /tệp chan-dung\.jpg là tệp PNG/ })
      .click();
    await expect(page).toHaveURL(/#f-portrait$/);
    await page.goto(draft);
    await expect(page.getByLabel('Nghề nghiệp')).toHaveValue('Giáo viên');
    await expect(page.getByRole('link', { name: 'mat-sau.jpg' })).toBeVisible();
    await expect(page.locator('#f-portrait-error')).toHaveCount(0);
  });
});
