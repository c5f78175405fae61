import { expect, test, type Page } from '@playwright/test';
import { assignRole, expectHeading, officerSignIn, openFromNav, personPage } from './officer-support.ts';
import { accessToken, checkA11y, demoOfficer, screenshot, signInWithSms } from './support.ts';

/**
 * Journey (e): a court's written request to lock a citizen's electronic identity, received on paper
 * at PC06 (TK03, origin authority), forwarded by a PC06 approver within 1 working day, approved at
 * C06 within 2 (DOMAIN.md §6, seed 003 (b)); then the citizen signs in and sees the restricted view
 * with the ground. Afterwards the court lifts it through its own system (the authority API, its key
 * registered by a C06 administrator from the console's token) along the same chain, so the demo
 * citizen is left as found.
 */
test.use({ viewport: { width: 1280, height: 900 } });
test.setTimeout(480_000);

const JOURNEY = 'lock-chain';
/** src/registries/demo.ts: the demo citizen's wife (level 1, own phone). */
const SUBJECT = { pin: '001192031775', fullName: 'Trần Thị Bình', phone: '0987654321' };
const COURT = 'Tòa án nhân dân Thành phố Hồ Chí Minh';

async function api<T>(page: Page, method: 'GET' | 'POST', path: string, data?: unknown, bearer?: string): Promise<T> {
  const token = bearer ?? (await accessToken(page, 'officer-console'));
  const response = await page.request.fetch(path, {
    method,
    headers: { authorization: `Bearer ${token}` },
    ...(data === undefined ? {} : { data }),
  });
  expect(response.ok(), `${method} ${path}: ${await response.text()}`).toBe(true);
  return (await response.json()) as T;
}

test('a court lock request: PC06 paper intake, PC06 forwards, C06 approves, the citizen sees it', async ({
  page,
  browser,
  baseURL,
}) => {
  const receiver = await demoOfficer('officer-receiver-pc06-hcm', 'RECEIVER', 'PC06-HCM');
  const pc06 = await demoOfficer('officer-approver-hoankiem', 'APPROVER', 'CAP-HNI-HOANKIEM');
  const c06 = await demoOfficer('officer-approver-c06', 'APPROVER', 'C06');
  const admin = await demoOfficer('officer-admin-c06', 'ADMIN', 'C06');
  // No demo officer approves at a PC06: the commune approver is given that role too.
  await assignRole(pc06, 'APPROVER', 'PC06-HCM');
  let number = '';

  await test.step('PC06 receives the court’s written request on form TK03', async () => {
    await officerSignIn(page, receiver);
    await openFromNav(page, 'Tiếp nhận TK03', 'Tiếp nhận yêu cầu khóa, mở khóa (mẫu TK03)');
    await page.getByLabel('Cơ quan có thẩm quyền (văn bản đề nghị)').check();
    await page.getByLabel('Khóa', { exact: true }).check();
    await page.getByLabel('Số định danh của chủ thể').fill(SUBJECT.pin);
    await page.getByLabel('Qua bưu chính').check();
    await page.getByRole('button', { name: 'Gửi yêu cầu' }).click();
    // What the written request must carry, each next to its field.
    await expect(page.locator('#authority_name-error')).toHaveText('Chưa nhập: Tên cơ quan.');
    await expect(page.locator('#document_no-error')).toHaveText('Chưa nhập: Số văn bản đề nghị.');
    await expect(page.locator('#statement-error')).toHaveText('Hãy nhập nội dung đề nghị.');
    await checkA11y(page, 'TK03: errors');
    await page.getByLabel('Tên cơ quan').fill(COURT);
    await page.getByLabel('Loại cơ quan').selectOption('court');
    await page.getByLabel('Thư điện tử nhận kết quả').fill('vanthu@toaan-hcm.example.vn');
    await page.getByLabel('Số văn bản đề nghị').fill('125/2026/QĐ-TA');
    await page.getByLabel('Ngày văn bản').fill('2026-11-20');
    await page
      .getByLabel('Nội dung đề nghị')
      .fill('Đề nghị tạm khóa danh tính điện tử để phục vụ giải quyết vụ án dân sự số 88/2026.');
    await checkA11y(page, 'TK03: filled');
    await screenshot(page, JOURNEY, 'tk03');
    await page.getByRole('button', { name: 'Gửi yêu cầu' }).click();
    const heading = page.getByRole('heading', { name: /^Yêu cầu TK03-/ });
    await expect(heading).toBeVisible();
    number = (await heading.textContent())!.replace('Yêu cầu ', '').trim();
    await expect(page.getByText('Đã tiếp nhận. Trạng thái: Đã tiếp nhận.')).toBeVisible();
    await checkA11y(page, 'TK03: received');
  });

  const pc06Page = await personPage(browser, baseURL!);
  await test.step('a PC06 approver picks the unit and sees the request with its 1-day deadline', async () => {
    await officerSignIn(pc06Page, pc06);
    await pc06Page.getByLabel('Đơn vị làm việc').selectOption({
      label: 'Phòng Cảnh sát quản lý hành chính về trật tự xã hội, Công an Thành phố Hồ Chí Minh',
    });
    await expect(pc06Page.getByText('Vai trò tại đơn vị: Cán bộ phê duyệt')).toBeVisible();
    await openFromNav(pc06Page, 'Yêu cầu khóa, mở khóa', 'Yêu cầu khóa, mở khóa');
    const row = pc06Page.getByRole('row', { name: new RegExp(number) });
    await expect(row).toContainText(COURT);
    await expect(row).toContainText(/Còn 1 ngày làm việc|Đến hạn hôm nay/);
    await screenshot(pc06Page, JOURNEY, 'queue');
    await row.getByRole('link', { name: number }).click();
    await expectHeading(pc06Page, `Yêu cầu ${number}`);
    await expect(pc06Page.getByText('PC06 xem xét, chuyển C06 trong 1 ngày làm việc')).toBeVisible();
    await checkA11y(pc06Page, 'lock request (PC06)');
  });

  await test.step('forwards it to C06', async () => {
    await pc06Page.getByLabel('Chuyển C06').check();
    await pc06Page.getByRole('button', { name: 'Ghi nhận quyết định' }).click();
    await expect(pc06Page.getByText('Đã ghi nhận. Trạng thái hồ sơ: Đã chuyển C06.')).toBeVisible();
    await checkA11y(pc06Page, 'lock request forwarded');
    await screenshot(pc06Page, JOURNEY, 'forwarded');
  });

  const c06Page = await personPage(browser, baseURL!);
  await test.step('C06: a refusal needs written reasons; then approves within 2 working days', async () => {
    await officerSignIn(c06Page, c06);
    await openFromNav(c06Page, 'Yêu cầu khóa, mở khóa', 'Yêu cầu khóa, mở khóa');
    await c06Page.getByRole('link', { name: number }).click();
    await expectHeading(c06Page, `Yêu cầu ${number}`);
    await expect(c06Page.getByText('C06 phê duyệt hoặc không chấp thuận trong 2 ngày làm việc')).toBeVisible();
    await c06Page.getByLabel('Không chấp thuận (nêu lý do)').check();
    await c06Page.getByRole('button', { name: 'Ghi nhận quyết định' }).click();
    await expect(c06Page.locator('#reasons-error')).toHaveText(
      'Trả lại hoặc không chấp thuận phải nêu lý do bằng văn bản.',
    );
    await checkA11y(c06Page, 'lock request (C06): reasons missing');
    await screenshot(c06Page, JOURNEY, 'c06');
    await c06Page.getByLabel('Phê duyệt', { exact: true }).check();
    await c06Page.getByRole('button', { name: 'Ghi nhận quyết định' }).click();
    await expect(c06Page.getByText('Đã ghi nhận. Trạng thái hồ sơ: Đã phê duyệt.')).toBeVisible();
    await checkA11y(c06Page, 'lock request approved');
    await screenshot(c06Page, JOURNEY, 'approved');
  });

  const phone = await personPage(browser, baseURL!, { width: 390, height: 844 });
  await test.step('the citizen signs in: the restricted view, locked at an authority’s request', async () => {
    await phone.goto('/');
    await phone.getByRole('button', { name: 'Đăng nhập' }).click();
    await signInWithSms(phone, SUBJECT);
    await expectHeading(phone, 'Tài khoản đang bị khóa');
    await expect(phone.getByText(/theo đề nghị của cơ quan có thẩm quyền/).first()).toBeVisible();
    await checkA11y(phone, 'citizen: restricted view');
    await screenshot(phone, JOURNEY, 'citizen');
    await phone.context().close();
  });

  await test.step('the court lifts it through its own system, along the same chain', async () => {
    const adminPage = await personPage(browser, baseURL!);
    await officerSignIn(adminPage, admin);
    const registered = await api<{ authority: { id: string }; api_key: string }>(
      adminPage,
      'POST',
      '/api/v1/admin/authorities',
      {
        code: `TAND-HCM-${Date.now()}`,
        name: COURT,
        kind: 'court',
        email: 'vanthu@toaan-hcm.example.vn',
        unit_code: 'PC06-HCM',
      },
    );
    await adminPage.context().close();
    const unlock = await api<{ id: string; state: string }>(
      page,
      'POST',
      '/api/v1/authority/lock-requests',
      {
        action: 'unlock',
        identifier: SUBJECT.pin,
        document_no: '131/2026/QĐ-TA',
        document_date: '2026-11-25',
        statement: 'Vụ án đã giải quyết xong: đề nghị mở khóa.',
        target_request_number: number,
      },
      registered.api_key,
    );
    expect(unlock.state).toBe('received');
    const { version } = (
      await api<{ request: { version: number } }>(pc06Page, 'GET', `/api/v1/officer/lock-requests/${unlock.id}`)
    ).request;
    const forwarded = await api<{ state: string; version: number }>(
      pc06Page,
      'POST',
      `/api/v1/officer/lock-requests/${unlock.id}/decision`,
      { event: 'forward', version },
    );
    const approved = await api<{ state: string }>(
      c06Page,
      'POST',
      `/api/v1/officer/lock-requests/${unlock.id}/decision`,
      {
        event: 'approve',
        version: forwarded.version,
      },
    );
    expect(approved.state).toBe('approved');
  });
  await pc06Page.context().close();
  await c06Page.context().close();
});
