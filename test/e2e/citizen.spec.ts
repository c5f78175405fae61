import { expect, test, type Page } from '@playwright/test';
import { DEMO_CITIZEN, DEMO_PASSCODE, checkA11y, screenshot, signInWithSms } from './support.ts';

/**
 * Journey: a level-2 citizen signs in (password, SMS code), reads home and the notifications,
 * opens the electronic identity card with the passcode and shows its QR code, locks the identity,
 * signs in to the restricted view, unlocks with the passcode and is back to the full app.
 */
test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

const JOURNEY = 'citizen';

async function expectHeading(page: Page, text: string | RegExp) {
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(text);
}

test('a level-2 citizen: home, identity card, lock, restricted view, unlock', async ({ page }) => {
  await test.step('welcome page, in Vietnamese', async () => {
    await page.goto('/');
    await expectHeading(page, 'Tài khoản định danh điện tử');
    await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
    await checkA11y(page, 'welcome');
    await screenshot(page, JOURNEY, 'welcome');
  });

  await test.step('keyboard: the skip link comes first and leads to the main content', async () => {
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Chuyển đến nội dung chính' });
    await expect(skip).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.locator('main')).toBeFocused();
  });

  await test.step('signs in with password and SMS code', async () => {
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await signInWithSms(page, DEMO_CITIZEN, { journey: JOURNEY });
    await expectHeading(page, `Xin chào, ${DEMO_CITIZEN.fullName}`);
  });

  await test.step('home: account summary and notifications', async () => {
    await expect(page.getByRole('heading', { name: 'Thông tin tài khoản' })).toBeVisible();
    await expect(page.getByText('Mức 2')).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Thông báo' })).toBeVisible();
    await expect(page.getByText(/thông báo chưa đọc/)).toBeVisible();
    await checkA11y(page, 'home');
    await screenshot(page, JOURNEY, 'signed-in');
  });

  await test.step('a refused token sends the app back through the provider, silently, to the same page', async () => {
    await page.evaluate(() => {
      const key = 'dd:session:citizen-app';
      const session = JSON.parse(sessionStorage.getItem(key)!) as { accessToken: string };
      sessionStorage.setItem(key, JSON.stringify({ ...session, accessToken: 'revoked-or-expired' }));
    });
    await page.reload();
    await expectHeading(page, `Xin chào, ${DEMO_CITIZEN.fullName}`);
    expect(new URL(page.url()).pathname).toBe('/');
  });

  await test.step('switches to English and back', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await expectHeading(page, `Hello, ${DEMO_CITIZEN.fullName}`);
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await checkA11y(page, 'home (English)');
    await page.getByRole('button', { name: 'Tiếng Việt' }).click();
    await expectHeading(page, `Xin chào, ${DEMO_CITIZEN.fullName}`);
  });

  await test.step('identity card: the passcode first, errors next to the field', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Căn cước điện tử' }).click();
    await expectHeading(page, 'Căn cước điện tử');
    await checkA11y(page, 'card: passcode');
    await page.getByRole('button', { name: 'Mở căn cước' }).click();
    const passcode = page.getByLabel('Mã bảo vệ (6 chữ số)');
    await expect(passcode).toHaveAttribute('aria-invalid', 'true');
    await expect(page.locator('#passcode-error')).toHaveText('Mã bảo vệ gồm đúng 6 chữ số.');
    await checkA11y(page, 'card: passcode error');
    await passcode.fill('000000');
    await page.getByRole('button', { name: 'Mở căn cước' }).click();
    await expect(page.locator('#passcode-error')).toContainText('Mã bảo vệ');
    await passcode.fill(DEMO_PASSCODE);
    await page.getByRole('button', { name: 'Mở căn cước' }).click();
    await expect(page.getByRole('definition').filter({ hasText: DEMO_CITIZEN.pin }).first()).toBeVisible();
  });

  await test.step('presents the card as a QR code', async () => {
    await page.getByRole('button', { name: 'Tạo mã QR (đầy đủ thông tin)' }).click();
    await expect(page.getByRole('img', { name: /Mã QR xuất trình căn cước điện tử/ })).toBeVisible();
    await expect(page.getByText(/Mã QR hết hạn sau \d+ giây/)).toBeVisible();
    await checkA11y(page, 'card with QR');
    await screenshot(page, JOURNEY, 'card');
  });

  await test.step('locks the identity with the passcode', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Khóa định danh' }).click();
    await expectHeading(page, 'Khóa tài khoản định danh điện tử');
    await checkA11y(page, 'lock');
    await page.getByLabel('Mã bảo vệ (6 chữ số)').fill(DEMO_PASSCODE);
    await page.getByRole('button', { name: 'Khóa tài khoản' }).click();
    await expect(page.locator('#confirm-error')).toHaveText('Hãy đánh dấu ô xác nhận để khóa tài khoản.');
    await page.getByLabel('Tôi hiểu và muốn khóa tài khoản của mình').check();
    await page.getByLabel('Mã bảo vệ (6 chữ số)').fill(DEMO_PASSCODE);
    await page.getByRole('button', { name: 'Khóa tài khoản' }).click();
    await expectHeading(page, 'Tài khoản đã bị khóa');
    await checkA11y(page, 'locked');
    await screenshot(page, JOURNEY, 'locked');
  });

  await test.step('signs in again to the restricted view', async () => {
    await page.getByRole('button', { name: 'Đăng nhập để mở khóa' }).click();
    await signInWithSms(page, DEMO_CITIZEN);
    await expectHeading(page, 'Tài khoản đang bị khóa');
    await expect(page.getByRole('heading', { name: 'Lý do khóa' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Mở khóa bằng mã bảo vệ' })).toBeVisible();
    // Only the restricted view: no navigation to the card or the lock page.
    await expect(page.getByRole('navigation', { name: 'Điều hướng chính' })).toHaveCount(0);
    await checkA11y(page, 'restricted view');
    await screenshot(page, JOURNEY, 'restricted');
  });

  await test.step('unlocks with the passcode and is back to the full app', async () => {
    await page.getByLabel('Mã bảo vệ (6 chữ số)').fill(DEMO_PASSCODE);
    await page.getByRole('button', { name: 'Mở khóa', exact: true }).click();
    await expectHeading(page, 'Đã mở khóa');
    await checkA11y(page, 'unlocked');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    // The provider's session may still hold (silent sign-in), or ask again.
    await page.waitForURL((url) => url.pathname.startsWith('/interaction/') || url.pathname === '/');
    if (page.url().includes('/interaction/')) await signInWithSms(page, DEMO_CITIZEN);
    await expectHeading(page, `Xin chào, ${DEMO_CITIZEN.fullName}`);
    await expect(page.getByText('Đang hoạt động')).toBeVisible();
    // The lock and the unlock were both notified.
    await expect(page.getByRole('heading', { name: /đã được mở khóa/ })).toBeVisible();
    await checkA11y(page, 'home after unlock');
    await screenshot(page, JOURNEY, 'home');
  });
});

test('installable: manifest, icons and the service worker', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL: baseURL!, serviceWorkers: 'allow' });
  const page = await context.newPage();
  await page.goto('/');
  const manifest = (await (await page.request.get('/manifest.webmanifest')).json()) as Record<string, unknown>;
  expect(manifest.name).toBe('Định danh điện tử');
  expect(manifest.start_url).toBe('/');
  for (const icon of manifest.icons as { src: string }[]) {
    expect((await page.request.get(icon.src)).status(), icon.src).toBe(200);
  }
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  expect(scope).toBe(`${baseURL}/`);
  await context.close();
});
