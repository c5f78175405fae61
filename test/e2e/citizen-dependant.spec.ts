import { expect, test, type Page } from '@playwright/test';
import { NEW_PASSCODE, NEW_PASSWORD, codeAfter, expectHeading, smsCount } from './citizen-support.ts';
import { DEMO_CITIZEN, DEMO_PASSCODE, checkA11y, screenshot, signInWithSms } from './support.ts';

/**
 * Journey (c): a parent (the demo citizen Nguyễn Văn An, level 2) registers his son Nguyễn Minh Khôi
 * (10) in the app (Decree 69 Art 10.1(b)), activates the son's account with the code sent to his
 * own phone, sees the hand-over at 14 announced; the son then signs in to a relying party
 * (/sandbox/try) and waits; the father confirms the sign-in in his app and the son gets in. The
 * father then signs in to the same relying party himself, finds the consent among his data-sharing
 * consents, withdraws it, and reads his usage history.
 */
test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

const JOURNEY = 'citizen-dependant';
/** src/registries/demo.ts DEMO_PERSONS.child: no card, no phone; his codes go to his father's phone. */
const CHILD = { pin: '001216027409', fullName: 'Nguyễn Minh Khôi', dateOfBirth: '2016-03-12' };

/** Through the provider's pages to the sandbox relying party's result: sign-in if asked, consent if asked. */
async function toRelyingParty(page: Page, person: { pin: string; phone: string }) {
  const identifier = page.locator('#identifier');
  const consent = page.getByRole('heading', { level: 1, name: 'Đồng ý chia sẻ thông tin' });
  const done = page.getByRole('heading', { level: 1, name: 'Đăng nhập thành công' });
  await expect(identifier.or(consent).or(done)).toBeVisible();
  if (await identifier.isVisible()) {
    await signInWithSms(page, person);
    await expect(consent.or(done)).toBeVisible();
  }
  if (await consent.isVisible()) {
    await checkA11y(page, 'provider: consent');
    await page.getByRole('button', { name: 'Đồng ý', exact: true }).click();
  }
  await expect(done).toBeVisible();
}

test("a parent registers a child under 14 and confirms the child's sign-in", async ({ page, browser, baseURL }) => {
  test.setTimeout(420_000);

  await test.step('the father signs in', async () => {
    await page.goto('/');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await signInWithSms(page, DEMO_CITIZEN);
    await expectHeading(page, `Xin chào, ${DEMO_CITIZEN.fullName}`);
  });

  await test.step('registers his son: approved at once', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Người được đại diện' }).click();
    await expectHeading(page, 'Người được đại diện');
    await expect(page.getByText('Bạn chưa đại diện cho ai.')).toBeVisible();
    await checkA11y(page, 'dependants: empty');
    await page.getByLabel('Số định danh cá nhân của con').fill(CHILD.pin);
    await page.getByLabel('Họ, chữ đệm và tên của con').fill(CHILD.fullName);
    await page.getByLabel('Ngày, tháng, năm sinh').fill(CHILD.dateOfBirth);
    await page.getByLabel('Nam', { exact: true }).check();
    await screenshot(page, JOURNEY, 'register-child');
    await page.getByRole('button', { name: 'Gửi hồ sơ cho con' }).click();
    await expect(page.getByRole('heading', { name: `Đã cấp tài khoản cho ${CHILD.fullName}` })).toBeVisible({
      timeout: 60_000,
    });
    await expect(page.getByText('Đã phê duyệt', { exact: true })).toBeVisible();
    await checkA11y(page, 'dependants: child approved');
    await screenshot(page, JOURNEY, 'child-approved');
  });

  await test.step("activates the son's account with the code sent to his own phone", async () => {
    await page.getByRole('link', { name: 'Kích hoạt tài khoản của con' }).click();
    await expectHeading(page, 'Kích hoạt tài khoản định danh điện tử');
    await expect(page.getByLabel('Số định danh cá nhân')).toHaveValue(CHILD.pin);
    const seen = await smsCount(page.request, DEMO_CITIZEN.phone);
    await page.getByRole('button', { name: 'Gửi mã xác thực' }).click();
    await expect(page.getByText(/Mã xác thực đã gửi tới số 0912\*+678/)).toBeVisible();
    await checkA11y(page, 'activate child: code');
    await page.getByLabel('Mã xác thực (6 chữ số)').fill(await codeAfter(page.request, DEMO_CITIZEN.phone, seen));
    await page.getByLabel('Mật khẩu', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Nhập lại mật khẩu').fill(NEW_PASSWORD);
    await page.getByLabel('Mã bảo vệ (6 chữ số)').fill(NEW_PASSCODE);
    await page.getByLabel('Nhập lại mã bảo vệ').fill(NEW_PASSCODE);
    await page.getByLabel('Tên thiết bị này').fill('Máy tính bảng của Khôi');
    await page.getByRole('button', { name: 'Kích hoạt tài khoản' }).click();
    await expect(page.getByText('Tài khoản đã được kích hoạt.')).toBeVisible();
    await checkA11y(page, 'activate child: done');
  });

  await test.step('the dependants list announces the hand-over at 14', async () => {
    await page.getByRole('link', { name: 'Về trang chủ' }).click();
    await page.getByRole('navigation').getByRole('link', { name: 'Người được đại diện' }).click();
    await expect(page.getByRole('heading', { name: CHILD.fullName, exact: true })).toBeVisible();
    await expect(page.getByText('Cha, mẹ', { exact: true })).toBeVisible();
    await expect(page.getByText(`Từ ngày 12/03/2030, ${CHILD.fullName} đủ 14 tuổi`)).toBeVisible();
    await checkA11y(page, 'dependants: list');
    await screenshot(page, JOURNEY, 'dependants');
  });

  const child = await browser.newContext({
    baseURL: baseURL!,
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
  });
  const childPage = await child.newPage();
  await test.step('the son signs in to a service: the code goes to his father, then he waits', async () => {
    await childPage.goto('/sandbox/try');
    await signInWithSms(childPage, { pin: CHILD.pin, phone: DEMO_CITIZEN.phone });
    await expect(childPage.getByRole('heading', { level: 1 })).toHaveText('Đang chờ người đại diện xác nhận');
    await checkA11y(childPage, 'provider: waiting for the representative');
    await screenshot(childPage, JOURNEY, 'child-waiting');
  });

  await test.step('the father sees the request on his home screen and confirms it', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Trang chủ' }).click();
    await expect(page.getByRole('heading', { name: 'Việc cần bạn xử lý' })).toBeVisible();
    await checkA11y(page, 'home: a request waiting');
    await page.getByRole('link', { name: /1 yêu cầu của người được đại diện chờ bạn xác nhận/ }).click();
    const request = page.getByRole('article').filter({
      has: page.getByRole('heading', { name: `${CHILD.fullName} muốn đăng nhập vào Thử đăng nhập (sandbox)` }),
    });
    await expect(request).toBeVisible();
    await checkA11y(page, 'dependants: confirmation waiting');
    await screenshot(page, JOURNEY, 'confirmation');
    await request.getByRole('button', { name: 'Xác nhận' }).click();
    await expect(page.getByText(`Đã xác nhận yêu cầu của ${CHILD.fullName}.`)).toBeVisible();
    await expect(page.getByText('Không có yêu cầu nào chờ bạn xác nhận.')).toBeVisible();
    await checkA11y(page, 'dependants: confirmed');
  });

  await test.step('the son continues and is signed in to the service', async () => {
    await childPage.getByRole('button', { name: 'Tôi đã được xác nhận, tiếp tục' }).click();
    await toRelyingParty(childPage, { pin: CHILD.pin, phone: DEMO_CITIZEN.phone });
    await expect(childPage.getByText(CHILD.fullName).first()).toBeVisible();
    await screenshot(childPage, JOURNEY, 'child-signed-in');
  });
  await child.close();

  await test.step('the father signs in to the same service; the consent shows in his app and is withdrawn', async () => {
    await page.goto('/sandbox/try');
    await toRelyingParty(page, DEMO_CITIZEN);
    await page.goto('/consents');
    await expectHeading(page, 'Dữ liệu đã đồng ý chia sẻ');
    const consent = page.getByRole('article').filter({
      has: page.getByRole('heading', { name: 'Thử đăng nhập (sandbox)' }),
    });
    await expect(consent).toBeVisible();
    await expect(consent.getByText('Số định danh cá nhân')).toBeVisible();
    await checkA11y(page, 'consents');
    await screenshot(page, JOURNEY, 'consents');
    page.once('dialog', (dialog) => void dialog.accept());
    await consent.getByRole('button', { name: 'Rút lại sự đồng ý' }).click();
    await expect(page.getByText('Đã rút lại sự đồng ý với Thử đăng nhập (sandbox).')).toBeVisible();
    await expect(consent).toHaveCount(0);
    await checkA11y(page, 'consents: withdrawn');
  });

  await test.step('his history: the sign-in to the service and the data released', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Lịch sử sử dụng' }).click();
    await expectHeading(page, 'Lịch sử sử dụng danh tính');
    await page.getByLabel('Hiển thị').selectOption('data');
    await expect(page.getByText('Thử đăng nhập (sandbox)').first()).toBeVisible();
    await checkA11y(page, 'history: data released');
    await screenshot(page, JOURNEY, 'history');
  });

  await test.step('integrated documents: the health-insurance card added to the identity card, then removed', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Căn cước điện tử' }).click();
    await page.getByLabel('Mã bảo vệ (6 chữ số)').fill(DEMO_PASSCODE);
    await page.getByRole('button', { name: 'Mở căn cước' }).click();
    await expect(page.getByRole('heading', { name: 'Giấy tờ tích hợp' })).toBeVisible();
    await page.getByLabel('Giấy tờ muốn tích hợp').selectOption('health_insurance');
    await page.getByRole('button', { name: 'Tích hợp giấy tờ' }).click();
    await expect(page.getByText('Đã tích hợp: Thẻ bảo hiểm y tế.')).toBeVisible();
    await expect(page.getByText('Mã số bảo hiểm xã hội')).toBeVisible();
    await checkA11y(page, 'card: integrated documents');
    await screenshot(page, JOURNEY, 'documents');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Gỡ Thẻ bảo hiểm y tế' }).click();
    await expect(page.getByText('Đã gỡ: Thẻ bảo hiểm y tế.')).toBeVisible();
  });
});
