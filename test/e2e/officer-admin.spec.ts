import { expect, test } from '@playwright/test';
import { expectHeading, officerSignIn, openFromNav, personPage } from './officer-support.ts';
import { DEMO_CITIZEN, DEMO_ORGANISATION, checkA11y, demoOfficer, screenshot } from './support.ts';

/**
 * The console's other pages, each by the role that opens it: TK02 at the counter (receiver), the
 * on-time report with its charts (receiver), the call centre's activation reissue (C06 hotline),
 * and the holiday calendar editor (C06 administrator, the console's token with api:admin).
 */
test.use({ viewport: { width: 1280, height: 900 } });
test.setTimeout(300_000);

const JOURNEY = 'officer-admin';

test('TK02, the report, the call centre and the holiday calendar', async ({ page, browser, baseURL }) => {
  const receiver = await demoOfficer('officer-receiver-hoankiem', 'RECEIVER', 'CAP-HNI-HOANKIEM');
  const hotline = await demoOfficer('officer-callcenter-c06', 'CALL_CENTER', 'C06');
  const admin = await demoOfficer('officer-admin-c06', 'ADMIN', 'C06');

  await test.step('TK02: errors next to the fields, then received with its receipt', async () => {
    await officerSignIn(page, receiver);
    await openFromNav(page, 'Tiếp nhận TK02', 'Tiếp nhận hồ sơ của tổ chức (mẫu TK02)');
    await page.getByLabel('Mã số doanh nghiệp').fill('12345');
    await page.getByRole('button', { name: 'Gửi hồ sơ' }).click();
    await expect(page.locator('#enterprise_code-error')).toHaveText(
      'Mã số doanh nghiệp gồm 10 chữ số (có thể thêm -3 chữ số).',
    );
    await expect(page.locator('#filer_pin-error')).toHaveText('Số định danh cá nhân gồm đúng 12 chữ số.');
    await checkA11y(page, 'TK02: errors');
    await page.getByLabel('Mã số doanh nghiệp').fill(DEMO_ORGANISATION.enterpriseCode);
    await page.getByLabel('Tên tổ chức').fill(DEMO_ORGANISATION.name);
    await page.getByLabel('Số định danh của người đại diện theo pháp luật').fill(DEMO_CITIZEN.pin);
    await page.getByRole('button', { name: 'Gửi hồ sơ' }).click();
    await expect(page.getByRole('heading', { name: /^Hồ sơ DD-/ })).toBeVisible();
    await expect(page.getByRole('button', { name: 'In phiếu tiếp nhận và hẹn trả kết quả' })).toBeVisible();
    await checkA11y(page, 'TK02: received');
    await screenshot(page, JOURNEY, 'tk02');
  });

  await test.step('the report: charts and the same figures in a table', async () => {
    await openFromNav(page, 'Báo cáo', 'Báo cáo giải quyết hồ sơ đúng hạn');
    await expect(page.getByRole('img', { name: /Tỷ lệ giải quyết đúng hạn theo đơn vị/ })).toBeVisible();
    await expect(page.getByRole('img', { name: /Số hồ sơ theo đơn vị/ })).toBeVisible();
    const table = page.getByRole('table', { name: 'Số liệu hồ sơ theo đơn vị' });
    await expect(table.getByRole('rowheader', { name: /Công an phường Hoàn Kiếm/ })).toBeVisible();
    await page.getByLabel('Từ ngày').fill('2026-12-31');
    await page.getByLabel('Đến ngày').fill('2026-01-01');
    await page.getByRole('button', { name: 'Xem báo cáo' }).click();
    await expect(page.locator('#to-error')).toHaveText('Ngày kết thúc phải sau ngày bắt đầu.');
    await checkA11y(page, 'report');
    await screenshot(page, JOURNEY, 'report');
  });

  await test.step('in English too', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await expectHeading(page, 'Applications decided on time');
    await checkA11y(page, 'report (English)');
    await page.getByRole('button', { name: 'Tiếng Việt' }).click();
    await expectHeading(page, 'Báo cáo giải quyết hồ sơ đúng hạn');
  });

  const hotlinePage = await personPage(browser, baseURL!);
  await test.step('call centre: an account looked up; activation reopens only after it expired', async () => {
    await officerSignIn(hotlinePage, hotline);
    await expectHeading(hotlinePage, 'Công việc của bạn');
    await checkA11y(hotlinePage, 'call-centre start');
    await openFromNav(hotlinePage, 'Tổng đài hỗ trợ', 'Tổng đài: mở lại kích hoạt tài khoản');
    await hotlinePage.getByLabel('Định danh đăng nhập').fill('001099000000');
    await hotlinePage.getByRole('button', { name: 'Tra cứu tài khoản' }).click();
    await expect(hotlinePage.locator('#identifier-error')).toHaveText('Không có tài khoản nào với định danh này.');
    await hotlinePage.getByLabel('Định danh đăng nhập').fill('001162011590');
    await hotlinePage.getByRole('button', { name: 'Tra cứu tài khoản' }).click();
    await expect(hotlinePage.getByText('Chờ kích hoạt')).toBeVisible();
    await expect(hotlinePage.getByText(/không cần mở lại/)).toBeVisible();
    await checkA11y(hotlinePage, 'call centre: account');
    await screenshot(hotlinePage, JOURNEY, 'call-centre');
    await hotlinePage.context().close();
  });

  const adminPage = await personPage(browser, baseURL!);
  await test.step('holidays: a Government decision added, edited and removed', async () => {
    await officerSignIn(adminPage, admin);
    await openFromNav(adminPage, 'Lịch nghỉ lễ', 'Lịch nghỉ lễ, ngày nghỉ và ngày làm bù');
    await adminPage.getByRole('button', { name: 'Năm sau →' }).click();
    await expect(adminPage.getByRole('table', { name: /năm 2027/ })).toBeVisible();
    await adminPage.getByLabel('Ngày', { exact: true }).fill('2027-10-15');
    await adminPage.getByLabel('Loại').selectOption('day_off');
    await adminPage.getByRole('button', { name: 'Lưu' }).click();
    await expect(adminPage.locator('#name_vi-error')).toHaveText('Chưa nhập: Tên tiếng Việt.');
    await adminPage.getByLabel('Tên tiếng Việt').fill('Nghỉ bù dịp 30/4 – 1/5');
    await adminPage.getByLabel('Tên tiếng Anh').fill('Day off in lieu, 30 April – 1 May');
    await adminPage.getByLabel('Căn cứ pháp lý').fill('Công văn số 1234/LĐTBXH-CV ngày 01/11/2026');
    await adminPage.getByRole('button', { name: 'Lưu' }).click();
    await expect(adminPage.getByText('Đã lưu ngày 15/10/2027.')).toBeVisible();
    const row = adminPage.getByRole('row', { name: /15\/10\/2027/ });
    await expect(row).toContainText('Theo quyết định');
    await checkA11y(adminPage, 'holidays');
    await screenshot(adminPage, JOURNEY, 'holidays');
    await row.getByRole('button', { name: 'Sửa ngày 15/10/2027' }).click();
    await adminPage.getByLabel('Căn cứ pháp lý').fill('Công văn số 1235/LĐTBXH-CV ngày 02/11/2026');
    await adminPage.getByRole('button', { name: 'Lưu' }).click();
    await expect(adminPage.getByText('Đã lưu ngày 15/10/2027.')).toBeVisible();
    await expect(row).toContainText('1235/LĐTBXH-CV');
    adminPage.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Xóa ngày 15/10/2027' }).click();
    await expect(adminPage.getByText('Đã xóa ngày 15/10/2027.')).toBeVisible();
    await expect(adminPage.getByRole('row', { name: /15\/10\/2027/ })).toHaveCount(0);
    await adminPage.context().close();
  });
});
