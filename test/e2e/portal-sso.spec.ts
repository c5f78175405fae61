import { expect, test, type Page } from '@playwright/test';
import {
  DEMO_LEVEL1,
  answerCaptchaQuestion,
  cardJpeg,
  eidSignIn,
  expectHeading,
  file,
  portal,
  portalOfficer,
  portalReady,
  portraitJpeg,
  smsTexts,
  useCaptchaQuestion,
} from './portal-support.ts';
import { DEMO_CITIZEN, checkA11y, screenshot } from './support.ts';

/**
 * Journey (issue 8's acceptance): on the National Public Service Portal, a separate relying party
 * on its own port, a level-2 citizen signs in with the national e-ID (the platform's pages:
 * password, SMS code, consent), searches "ho chieu" without diacritics, opens the ordinary
 * passport procedure and applies with the portrait and both sides of the ID card, reviews
 * (confirmation code through its accessible question, declaration), submits and gets a dossier
 * number, pays through the sandbox gateway (VietQR page, the simulated bank's button, the
 * gateway's signed notification); an immigration officer signs in to the back office through the
 * platform, receives, asks for additions (which the citizen supplies), approves and records
 * production and delivery; the citizen follows the dossier through processing to delivery, with a
 * notification (in the portal and by SMS) at each step. Then a level-1 account is refused the application and told how to upgrade.
 */
test.use({ viewport: { width: 1280, height: 900 } });

const JOURNEY = 'portal';

test.beforeAll(async ({ playwright }) => {
  const request = await playwright.request.newContext();
  await portalReady(request);
  await request.dispose();
});
const PASSPORT_FIRST = 'Cấp hộ chiếu phổ thông không gắn chíp điện tử ở trong nước (lần đầu)';

/** The definition next to a term of a facts list (`<dl class="facts">`). */
const fact = (page: Page, term: string) => page.locator(`dl.facts dt:text-is("${term}") + dd`);

test('a level-2 citizen applies for a passport, pays, and follows it to delivery', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(360_000);
  const officer = await portalOfficer('officer-receiver-hoankiem', 'RECEIVER', 'CAP-HNI-HOANKIEM');
  let dossierUrl = '';
  let number = '';

  await test.step('the portal home, in Vietnamese, a relying party on its own port', async () => {
    await page.goto(portal('/'));
    await expectHeading(page, 'Cổng Dịch vụ công quốc gia');
    await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
    expect(new URL(page.url()).port).not.toBe(new URL(baseURL!).port);
    await checkA11y(page, 'portal home');
    await screenshot(page, JOURNEY, 'home');
  });

  await test.step('keyboard: the skip link comes first and leads to the main content', async () => {
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Bỏ qua, đến nội dung chính' });
    await expect(skip).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.locator('main')).toBeFocused();
  });

  await test.step('signs in with the national e-ID: password, SMS code, consent', async () => {
    await page.getByRole('main').getByRole('link', { name: 'Đăng nhập', exact: true }).click();
    await expectHeading(page, 'Đăng nhập');
    await checkA11y(page, 'portal sign-in');
    await screenshot(page, JOURNEY, 'login');
    await page.getByRole('link', { name: 'Đăng nhập bằng tài khoản định danh điện tử' }).click();
    await eidSignIn(page, DEMO_CITIZEN);
    await expect(page.getByRole('banner')).toContainText(DEMO_CITIZEN.fullName);
    await expect(page.getByRole('button', { name: 'Đăng xuất' })).toBeVisible();
    await checkA11y(page, 'portal home, signed in');
  });

  await test.step('searches "ho chieu" without diacritics', async () => {
    await page.getByRole('searchbox', { name: 'Tìm kiếm dịch vụ công' }).fill('ho chieu');
    await page.getByRole('button', { name: 'Tìm kiếm' }).click();
    await expectHeading(page, 'Dịch vụ công');
    await expect(page.getByRole('heading', { level: 2 })).toHaveText(/^\d+ kết quả cho “ho chieu”$/);
    await expect(page.getByRole('link', { name: PASSPORT_FIRST })).toBeVisible();
    await expect(
      page.getByRole('link', { name: 'Cấp lại hộ chiếu phổ thông không gắn chíp điện tử ở trong nước' }),
    ).toBeVisible();
    await checkA11y(page, 'search results');
    await screenshot(page, JOURNEY, 'search');
  });

  await test.step('the procedure: conditions, fee, deadline, documents', async () => {
    await page.getByRole('link', { name: PASSPORT_FIRST }).click();
    await expectHeading(page, PASSPORT_FIRST);
    await expect(fact(page, 'Lệ phí')).toContainText('200.000 đồng');
    await expect(fact(page, 'Thời hạn giải quyết')).toContainText('8 ngày làm việc');
    await expect(page.getByRole('heading', { name: 'Điều kiện thực hiện' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Thành phần hồ sơ' })).toBeVisible();
    await checkA11y(page, 'procedure');
    await screenshot(page, JOURNEY, 'procedure');
  });

  await test.step('the form: what the e-ID verified is shown, not asked', async () => {
    await page.getByRole('link', { name: 'Nộp trực tuyến' }).click();
    await expect(page).toHaveURL(/\/ho-so\/[0-9a-f-]{36}$/);
    dossierUrl = page.url();
    await expectHeading(page, PASSPORT_FIRST);
    await expect(fact(page, 'Họ và tên')).toHaveText(DEMO_CITIZEN.fullName);
    await expect(fact(page, 'Số định danh cá nhân')).toHaveText(DEMO_CITIZEN.pin);
    await expect(page.getByLabel('Số điện thoại liên hệ')).toHaveValue(DEMO_CITIZEN.phone);
    await checkA11y(page, 'application form');
  });

  await test.step('uploads the portrait and both sides of the ID card, fills the starred fields', async () => {
    await page.getByLabel(/^Ảnh chân dung/).setInputFiles(file('chan-dung.jpg', 'image/jpeg', portraitJpeg()));
    await page
      .getByLabel('Ảnh mặt trước căn cước công dân')
      .setInputFiles(file('cccd-mat-truoc.jpg', 'image/jpeg', cardJpeg('front')));
    await page
      .getByLabel('Ảnh mặt sau căn cước công dân')
      .setInputFiles(file('cccd-mat-sau.jpg', 'image/jpeg', cardJpeg('back')));
    await page.getByLabel('Nơi sinh').selectOption('Hà Nội');
    await page.getByLabel('Nghề nghiệp').fill('Kỹ sư phần mềm');
    await page.getByLabel('Địa chỉ liên hệ').fill('Số 8 phố Hàng Bài, phường Hoàn Kiếm, Thành phố Hà Nội');
    await page.getByLabel('Số điện thoại liên hệ').fill(DEMO_CITIZEN.phone);
    await page.getByLabel('Cơ quan tiếp nhận hồ sơ').selectOption('XNC-HNI');
    await page.getByLabel(/Nhận qua dịch vụ bưu chính/).check();
    await page.getByLabel('Người nhận', { exact: true }).fill(DEMO_CITIZEN.fullName);
    await page.getByLabel('Số điện thoại người nhận').fill(DEMO_CITIZEN.phone);
    await page.getByLabel('Số nhà, đường, thôn/xóm').fill('Số 8 phố Hàng Bài');
    await page.getByLabel('Phường, xã, đặc khu').fill('Phường Hoàn Kiếm');
    await page.getByLabel('Tỉnh, thành phố').selectOption('Thành phố Hà Nội');
    await screenshot(page, JOURNEY, 'form');
    await page.getByRole('button', { name: 'Đồng ý và tiếp tục' }).click();
  });

  await test.step('reviews: the facts, the confirmation code (its question), the declaration', async () => {
    await expectHeading(page, 'Kiểm tra thông tin hồ sơ');
    await expect(fact(page, 'Nghề nghiệp')).toHaveText('Kỹ sư phần mềm');
    await expect(fact(page, 'Cơ quan tiếp nhận')).toHaveText('Phòng Quản lý xuất nhập cảnh, Công an Thành phố Hà Nội');
    await expect(fact(page, 'Nơi nhận hộ chiếu')).toContainText('Qua bưu chính: Nguyễn Văn An');
    await expect(fact(page, 'Ảnh và tài liệu')).toContainText('chan-dung.jpg (660 × 990)');
    await expect(fact(page, 'Ảnh và tài liệu')).toContainText('cccd-mat-truoc.jpg (856 × 540)');
    await checkA11y(page, 'review (picture code)');
    await useCaptchaQuestion(page);
    await answerCaptchaQuestion(page);
    await page.getByLabel('Tôi xin chịu trách nhiệm trước pháp luật về lời khai trên').check();
    await screenshot(page, JOURNEY, 'review');
    await page.getByRole('button', { name: 'Nộp hồ sơ' }).click();
  });

  await test.step('submitted: the dossier number and the VietQR code', async () => {
    await expectHeading(page, 'Thanh toán lệ phí');
    await expect(page.getByRole('status')).toContainText(/Nộp hồ sơ thành công\. Số hồ sơ của bạn: HC-\d{8}-\d{6}\./);
    number = (await fact(page, 'Số hồ sơ').textContent())!.trim();
    expect(number).toMatch(/^HC-\d{8}-\d{6}$/);
    await expect(fact(page, 'Số tiền')).toHaveText('200.000 đồng');
    await expect(fact(page, 'Trạng thái')).toHaveText('Chưa thanh toán');
    await expect(
      page.getByRole('img', { name: `Mã VietQR thanh toán 200.000 đồng cho hồ sơ ${number}` }),
    ).toBeVisible();
    await expect(page.getByText(`Nội dung chuyển khoản: DVCQG ${number}`)).toBeVisible();
    await checkA11y(page, 'payment (VietQR)');
    await screenshot(page, JOURNEY, 'payment');
  });

  // The officer works in a browser of their own (their own platform and portal sessions).
  const officerContext = await browser.newContext({ baseURL: baseURL! });
  const desk = await officerContext.newPage();

  await test.step('unpaid, the dossier is in no officer’s queue', async () => {
    await desk.goto(portal('/backoffice'));
    await expectHeading(desk, 'Cán bộ xử lý hồ sơ');
    await checkA11y(desk, 'back office: sign in');
    await desk.getByRole('link', { name: 'Đăng nhập cán bộ' }).click();
    await eidSignIn(desk, officer);
    await expectHeading(desk, 'Hàng đợi hồ sơ cấp hộ chiếu');
    await expect(desk.getByRole('banner')).toContainText(officer.fullName);
    await expect(desk.getByText(/^\d+ hồ sơ đang chờ nộp lệ phí \(chưa được xử lý\)\.$/)).toBeVisible();
    await expect(desk.getByRole('link', { name: number })).toHaveCount(0);
  });

  await test.step('pays through the sandbox gateway: the signed notification marks it paid', async () => {
    await page.getByRole('button', { name: 'Thanh toán qua cổng thanh toán thử nghiệm' }).click();
    await expect(page).toHaveURL(dossierUrl);
    await expectHeading(page, `Hồ sơ ${number}`);
    await expect(fact(page, 'Trạng thái')).toHaveText('Đã nộp lệ phí, chờ tiếp nhận');
    await expect(fact(page, 'Lệ phí')).toHaveText('200.000 đồng — đã thanh toán');
    await checkA11y(page, 'dossier: paid');
    await screenshot(page, JOURNEY, 'paid');
  });

  /** The officer takes one action on the dossier's page (with its text where it needs one). */
  async function act(button: string, text?: { label: string | RegExp; value: string }) {
    if (text) await desk.getByLabel(text.label).fill(text.value);
    await desk.getByRole('button', { name: button, exact: true }).click();
    await expectHeading(desk, `Hồ sơ ${number}`);
  }

  /** What the applicant's page says now. */
  async function applicantSees(state: string) {
    await page.goto(dossierUrl);
    await expect(fact(page, 'Trạng thái')).toHaveText(state);
  }

  await test.step('the officer receives it: the deadline is 8 working days on', async () => {
    await desk.reload();
    await expect(desk.getByRole('link', { name: number })).toBeVisible();
    await checkA11y(desk, 'back office queue');
    await screenshot(desk, JOURNEY, 'backoffice-queue');
    await desk.getByRole('link', { name: number }).click();
    await expectHeading(desk, `Hồ sơ ${number}`);
    await expect(fact(desk, 'Nghề nghiệp')).toHaveText('Kỹ sư phần mềm');
    await expect(desk.getByRole('link', { name: 'chan-dung.jpg' })).toBeVisible();
    await checkA11y(desk, 'back office dossier');
    await screenshot(desk, JOURNEY, 'backoffice-dossier');
    await act('Tiếp nhận hồ sơ');
    await expect(desk.getByText('Đã tiếp nhận, đang xử lý')).toBeVisible();
    await expect(fact(desk, 'Hạn giải quyết')).toHaveText(/^\d{2}\/\d{2}\/\d{4}$/);

    await applicantSees('Đã tiếp nhận, đang xử lý');
    await expect(fact(page, 'Hạn giải quyết')).toHaveText(/^trước 24 giờ ngày \d{2}\/\d{2}\/\d{4}$/);
    await checkA11y(page, 'dossier: received');
    await screenshot(page, JOURNEY, 'received');
  });

  await test.step('the officer asks for additions (reasons required); the applicant supplements', async () => {
    const reasonsError = 'Vui lòng ghi rõ lý do (ít nhất 5 ký tự).';
    await desk.getByRole('button', { name: 'Yêu cầu bổ sung', exact: true }).click();
    await expect(desk.locator('#f-reason-request_additions-error')).toHaveText(reasonsError);
    await expect(desk.getByLabel('Nội dung yêu cầu bổ sung (bắt buộc)')).toHaveAttribute('aria-invalid', 'true');
    await expect(desk.getByRole('alert').getByRole('link', { name: reasonsError })).toHaveAttribute(
      'href',
      '#f-reason-request_additions',
    );
    await checkA11y(desk, 'back office: reasons required');
    await act('Yêu cầu bổ sung', {
      label: 'Nội dung yêu cầu bổ sung (bắt buộc)',
      value: 'Ảnh chân dung chưa đúng nền trắng, đề nghị bổ sung ảnh khác.',
    });
    await expect(desk.locator('main ol')).toContainText('Thanh toán lệ phí (cổng thanh toán)');

    await applicantSees('Yêu cầu bổ sung hồ sơ');
    await expect(fact(page, 'Lý do')).toHaveText('Ảnh chân dung chưa đúng nền trắng, đề nghị bổ sung ảnh khác.');
    await checkA11y(page, 'dossier: additions requested');
    await screenshot(page, JOURNEY, 'additions');
    await page
      .getByLabel('Tài liệu bổ sung (ảnh JPEG)')
      .setInputFiles(file('anh-nen-trang.jpg', 'image/jpeg', portraitJpeg()));
    await page.getByLabel(/^Nội dung bổ sung/).fill('Bổ sung ảnh chân dung nền trắng.');
    await page.getByRole('button', { name: 'Gửi bổ sung' }).click();
    await expect(fact(page, 'Trạng thái')).toHaveText('Đã tiếp nhận, đang xử lý');
    await desk.reload();
    await expect(desk.getByRole('link', { name: 'anh-nen-trang.jpg' })).toBeVisible();
  });

  await test.step('approves, records production and delivery; the applicant follows each step', async () => {
    await act('Duyệt cấp hộ chiếu');
    await applicantSees('Đã duyệt, chờ in hộ chiếu');
    await act('Ghi nhận đã in hộ chiếu', { label: 'Số hộ chiếu đã in', value: 'C1234567' });
    await applicantSees('Đã in hộ chiếu, chờ trả kết quả');
    await act('Ghi nhận đã trả kết quả', {
      label: /^Ghi chú trả kết quả/,
      value: 'Vận đơn EMS EE123456789VN',
    });
    await expect(desk.getByText('Không còn thao tác nào.')).toBeVisible();
    await checkA11y(desk, 'back office dossier: delivered');
    await applicantSees('Đã trả kết quả');
    await expect(fact(page, 'Trả kết quả')).toHaveText('Vận đơn EMS EE123456789VN');
    const history = page.locator('main ol');
    for (const step of [
      'Nộp hồ sơ: Chờ nộp lệ phí',
      'Thanh toán lệ phí: Đã nộp lệ phí, chờ tiếp nhận',
      'Tiếp nhận hồ sơ: Đã tiếp nhận, đang xử lý',
      'Yêu cầu bổ sung: Yêu cầu bổ sung hồ sơ (Ảnh chân dung chưa đúng nền trắng',
      'Bổ sung hồ sơ: Đã tiếp nhận, đang xử lý (Bổ sung ảnh chân dung nền trắng.)',
      'Duyệt cấp hộ chiếu: Đã duyệt, chờ in hộ chiếu',
      'Ghi nhận đã in hộ chiếu: Đã in hộ chiếu, chờ trả kết quả',
      'Ghi nhận đã trả kết quả: Đã trả kết quả',
    ])
      await expect(history).toContainText(step);
    await checkA11y(page, 'dossier: delivered');
    await screenshot(page, JOURNEY, 'delivered');
  });
  await officerContext.close();

  await test.step('a notification at each step, in the portal and by SMS', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Thông báo' }).click();
    await expectHeading(page, 'Thông báo');
    for (const text of [
      `Hồ sơ ${number} đã được nộp.`,
      `Hồ sơ ${number} đã được nộp lệ phí`,
      `Hồ sơ ${number} đã được tiếp nhận. Hạn giải quyết:`,
      `Hồ sơ ${number} cần bổ sung.`,
      `Hồ sơ ${number} đã được bổ sung`,
      `Hồ sơ ${number} đã được duyệt cấp hộ chiếu.`,
      `Hộ chiếu của hồ sơ ${number} đã được in`,
      `Hồ sơ ${number} đã trả kết quả.`,
    ])
      await expect(page.getByRole('main').getByText(text)).toBeVisible();
    await checkA11y(page, 'notifications');
    await screenshot(page, JOURNEY, 'notifications');
    await expect
      .poll(async () => (await smsTexts(page.request, DEMO_CITIZEN.phone)).filter((t) => t.includes(number)).length, {
        message: 'an SMS per step to the contact phone',
      })
      .toBeGreaterThanOrEqual(8);
  });

  await test.step('my dossiers', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Hồ sơ của tôi' }).click();
    await expectHeading(page, 'Hồ sơ của tôi');
    await expect(page.getByRole('row').filter({ hasText: number })).toContainText('Đã trả kết quả');
    await checkA11y(page, 'my dossiers');
  });
});

test('a level-1 account cannot open the passport application and is told how to upgrade', async ({ page }) => {
  await test.step('signs in with the e-ID at level 1 (password and SMS code)', async () => {
    await page.goto(portal('/dang-nhap'));
    await page.getByRole('link', { name: 'Đăng nhập bằng tài khoản định danh điện tử' }).click();
    await eidSignIn(page, DEMO_LEVEL1);
    await expect(page.getByRole('banner')).toContainText(DEMO_LEVEL1.fullName);
  });

  await test.step('the passport application is refused, with the way to level 2', async () => {
    await page.goto(portal(`/dich-vu/XNC-HC-01`));
    await page.getByRole('link', { name: 'Nộp trực tuyến' }).click();
    await expectHeading(page, 'Cần tài khoản định danh điện tử mức độ 2');
    await expect(page.getByText('Bạn đang đăng nhập bằng tài khoản định danh điện tử mức độ 1.')).toBeVisible();
    await expect(page.getByText('Dịch vụ này yêu cầu tài khoản định danh điện tử mức độ 2.')).toBeVisible();
    await expect(page.getByText(/Công an cấp xã/)).toBeVisible();
    await expect(page.getByText(/trên ứng dụng VNeID, chọn “Nâng mức tài khoản”/)).toBeVisible();
    await checkA11y(page, 'level 2 required');
    await screenshot(page, JOURNEY, 'level1-refused');
  });

  await test.step('asking the platform for level 2 with a level-1 account: refused, explained', async () => {
    await page.getByRole('link', { name: 'Đăng nhập bằng tài khoản định danh điện tử mức độ 2' }).click();
    await page.waitForURL((url) => url.href.startsWith(portal('/')) || url.pathname.includes('/interaction/'));
    if (page.url().includes('/interaction/')) await eidSignIn(page, DEMO_LEVEL1);
    await expectHeading(page, 'Chưa đủ mức độ tài khoản');
    await expect(page.getByText('Dịch vụ này yêu cầu tài khoản định danh điện tử mức độ 2.')).toBeVisible();
    await checkA11y(page, 'account level too low');
  });
});
