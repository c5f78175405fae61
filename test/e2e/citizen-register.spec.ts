import { expect, test } from '@playwright/test';
import {
  NEW_PASSCODE,
  NEW_PASSWORD,
  codeAfter,
  downloadSample,
  expectHeading,
  level1Candidates,
  samplesOf,
  smsCount,
  type SandboxPerson,
} from './citizen-support.ts';
import { DEMO_PASSWORD, checkA11y, screenshot, signInWithSms } from './support.ts';

/**
 * Journey (a): a sandbox citizen with no account registers level 1 in the app (Decree 69 Art
 * 10.1(a)) with a genuine face image from ../shared/data/biometrics through the file-upload
 * fallback, gets the application approved at once, activates the account (Art 14.1: the SMS code,
 * a password, a passcode, the device) and signs in.
 */
test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

const JOURNEY = 'citizen-register';

test('a citizen registers level 1 with a face photo, activates and signs in', async ({ page }) => {
  test.setTimeout(300_000);
  // The journeys sign in with the demo password; the new account gets the same one.
  expect(NEW_PASSWORD).toBe(DEMO_PASSWORD);

  let person: SandboxPerson | undefined;
  let face = '';
  await test.step('a sandbox citizen of 18+ with a valid card, an own phone, no account, and face samples', async () => {
    for (const candidate of await level1Candidates()) {
      const samples = await samplesOf(page.request, candidate.pin);
      if (samples && samples.face.genuine.length > 0) {
        person = candidate;
        face = await downloadSample(page.request, samples.face.genuine[0]!, `face-${candidate.pin}`);
        break;
      }
    }
    expect(person, 'a sandbox citizen fit for level 1 with face samples').toBeDefined();
  });
  const p = person!;

  await test.step('from the welcome page to the registration form', async () => {
    await page.goto('/');
    await page.getByRole('link', { name: 'Đăng ký tài khoản định danh điện tử mức 1' }).click();
    await expectHeading(page, 'Đăng ký tài khoản định danh điện tử mức 1');
    await checkA11y(page, 'register: empty form');
    await screenshot(page, JOURNEY, 'form');
  });

  await test.step('an empty form: every error next to its field, summarised at the top', async () => {
    await page.getByRole('button', { name: 'Gửi hồ sơ đăng ký' }).click();
    const summary = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: 'Có lỗi cần sửa' }) });
    await expect(summary).toBeFocused();
    await expect(page.locator('#pin')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.locator('#pin-error')).toHaveText('Số định danh cá nhân gồm đúng 12 chữ số.');
    await expect(page.locator('#phone-error')).toBeVisible();
    await expect(page.locator('#face-error')).toHaveText('Hãy chụp hoặc chọn ảnh chân dung.');
    await checkA11y(page, 'register: errors');
  });

  await test.step('fills the form; a reload keeps what was typed', async () => {
    await page.getByLabel('Số định danh cá nhân').fill(p.pin);
    await page.getByLabel('Họ, chữ đệm và tên').fill(p.fullName);
    await page.getByLabel('Ngày, tháng, năm sinh').fill(p.dateOfBirth);
    await page.getByLabel('Số điện thoại').fill(p.phone);
    await page.reload();
    await expect(page.getByLabel('Số định danh cá nhân')).toHaveValue(p.pin);
    await expect(page.getByLabel('Họ, chữ đệm và tên')).toHaveValue(p.fullName);
    await expect(page.getByLabel('Số điện thoại')).toHaveValue(p.phone);
  });

  await test.step('chooses the portrait as a file: its quality is checked at once', async () => {
    await page.locator('input#face[type=file]').setInputFiles(face);
    await expect(page.getByRole('img', { name: 'Ảnh chân dung đã chọn' })).toBeVisible();
    // The quality check answers (acceptable), or says it will run with the application.
    await expect(page.getByText(/^(Ảnh đạt yêu cầu\.|Chưa kiểm tra được chất lượng ảnh)/)).toBeVisible({
      timeout: 60_000,
    });
    await checkA11y(page, 'register: portrait chosen');
    await screenshot(page, JOURNEY, 'portrait');
  });

  let number = '';
  await test.step('sends it: approved at once, with the number, the state and the legal deadline', async () => {
    await page.getByRole('button', { name: 'Gửi hồ sơ đăng ký' }).click();
    await expect(page.getByRole('heading', { name: 'Hồ sơ đã được phê duyệt' })).toBeVisible({ timeout: 90_000 });
    await expect(page.getByText('Đã phê duyệt', { exact: true })).toBeVisible();
    await expect(page.getByRole('term').filter({ hasText: 'Hạn giải quyết theo quy định' })).toBeVisible();
    number = (await page.locator('dd strong').first().textContent()) ?? '';
    expect(number).toMatch(/\S/);
    await checkA11y(page, 'register: approved');
    await screenshot(page, JOURNEY, 'approved');
  });

  await test.step('activation: the identifier is filled in, the code goes by SMS', async () => {
    await page.getByRole('link', { name: 'Kích hoạt tài khoản ngay' }).click();
    await expectHeading(page, 'Kích hoạt tài khoản định danh điện tử');
    await expect(page.getByLabel('Số định danh cá nhân')).toHaveValue(p.pin);
    await checkA11y(page, 'activate: identifier');
    const seen = await smsCount(page.request, p.phone);
    await page.getByRole('button', { name: 'Gửi mã xác thực' }).click();
    await expect(page.getByText(/Mã xác thực đã gửi tới số/)).toBeVisible();
    const code = await codeAfter(page.request, p.phone, seen);

    // A weak password: the rules it breaks, next to the field; nothing is spent.
    await page.getByLabel('Mã xác thực (6 chữ số)').fill(code);
    await page.getByLabel('Mật khẩu', { exact: true }).fill('matkhau');
    await page.getByRole('button', { name: 'Kích hoạt tài khoản' }).click();
    await expect(page.locator('#password-error')).toContainText('có ít nhất một chữ in hoa');
    await expect(page.locator('#password-error')).toContainText('có ít nhất một chữ số');
    await checkA11y(page, 'activate: password rules');
    await screenshot(page, JOURNEY, 'activate');

    // A wrong code: the server's message next to the code.
    await page.getByLabel('Mã xác thực (6 chữ số)').fill(code === '000000' ? '111111' : '000000');
    await page.getByLabel('Mật khẩu', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Nhập lại mật khẩu').fill(NEW_PASSWORD);
    await page.getByLabel('Mã bảo vệ (6 chữ số)').fill(NEW_PASSCODE);
    await page.getByLabel('Nhập lại mã bảo vệ').fill(NEW_PASSCODE);
    await page.getByLabel('Tên thiết bị này').fill('Điện thoại Android');
    await page.getByRole('button', { name: 'Kích hoạt tài khoản' }).click();
    await expect(page.locator('#code-error')).toContainText('Mã xác thực (OTP) không đúng');

    await page.getByLabel('Mã xác thực (6 chữ số)').fill(code);
    await page.getByLabel('Mật khẩu', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Nhập lại mật khẩu').fill(NEW_PASSWORD);
    await page.getByLabel('Mã bảo vệ (6 chữ số)').fill(NEW_PASSCODE);
    await page.getByLabel('Nhập lại mã bảo vệ').fill(NEW_PASSCODE);
    await page.getByRole('button', { name: 'Kích hoạt tài khoản' }).click();
    await expect(page.getByText('Tài khoản đã được kích hoạt.')).toBeVisible();
    await checkA11y(page, 'activate: done');
  });

  await test.step('signs in: home at level 1', async () => {
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await signInWithSms(page, p);
    await expectHeading(page, `Xin chào, ${p.fullName}`);
    await expect(page.getByText('Mức 1')).toBeVisible();
    await checkA11y(page, 'home (level 1)');
    await screenshot(page, JOURNEY, 'home');
  });

  await test.step('my applications: the registration, approved, with its deadline', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Hồ sơ của tôi' }).click();
    await expectHeading(page, 'Hồ sơ của tôi');
    await expect(page.getByText(number, { exact: true })).toBeVisible();
    await expect(page.getByText('Đã phê duyệt', { exact: true })).toBeVisible();
    await checkA11y(page, 'applications');
  });

  await test.step('the history shows the sign-in', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Lịch sử sử dụng' }).click();
    await expectHeading(page, 'Lịch sử sử dụng danh tính');
    await expect(page.getByRole('heading', { name: 'Đăng nhập thành công' }).first()).toBeVisible();
    await checkA11y(page, 'history');
    await screenshot(page, JOURNEY, 'history');
  });
});
