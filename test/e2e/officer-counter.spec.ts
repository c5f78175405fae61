import { expect, test } from '@playwright/test';
import {
  capturesOf,
  counterCandidate,
  expectHeading,
  officerSignIn,
  openFromNav,
  personPage,
  sampleFile,
} from './officer-support.ts';
import { checkA11y, demoOfficer, screenshot, signInWithSms } from './support.ts';

/**
 * Journey (b): a receiving officer takes a level-2 application at the commune counter (TK01): looks
 * the citizen up in the registry, uploads a portrait and two fingerprints the real matchers accept,
 * submits and prints the receipt; a second officer (maker–checker) approves it; the citizen
 * activates the account in the app, opens the electronic identity card, locks it and unlocks it.
 */
test.use({ viewport: { width: 1280, height: 900 } });
test.setTimeout(480_000);

const JOURNEY = 'officer-counter';
const PASSWORD = 'Demo@2026';
const PASSCODE = '246810';

test('TK01 at the counter, approved by a second officer, then activated, card, lock, unlock', async ({
  page,
  browser,
  baseURL,
}) => {
  const receiver = await demoOfficer('officer-receiver-hoankiem', 'RECEIVER', 'CAP-HNI-HOANKIEM');
  const approver = await demoOfficer('officer-approver-hoankiem', 'APPROVER', 'CAP-HNI-HOANKIEM');
  const citizen = await counterCandidate();
  const captures = await capturesOf(page.request, citizen.pin);
  expect(captures.face.genuine.length, 'genuine portraits').toBeGreaterThan(0);
  expect(captures.fingerprints.genuine.length, 'genuine fingerprints').toBeGreaterThanOrEqual(2);
  const face = await sampleFile(page.request, captures.face.genuine[0]!);
  const thumb = await sampleFile(page.request, captures.fingerprints.genuine[0]!);
  const index = await sampleFile(page.request, captures.fingerprints.genuine[1]!);
  let number = '';

  await test.step('the receiver signs in: the unit and the menus of the role', async () => {
    await officerSignIn(page, receiver);
    await expect(page.getByText('Công an phường Hoàn Kiếm')).toBeVisible();
    const nav = page.getByRole('navigation', { name: 'Điều hướng chính' });
    await expect(nav.getByRole('link', { name: 'Tiếp nhận TK01' })).toBeVisible();
    // Not a call-centre agent nor an administrator here.
    await expect(nav.getByRole('link', { name: 'Tổng đài hỗ trợ' })).toHaveCount(0);
    await expect(nav.getByRole('link', { name: 'Lịch nghỉ lễ' })).toHaveCount(0);
    await checkA11y(page, 'queue (receiver)');
  });

  await test.step('TK01: a wrong PIN is said next to the field', async () => {
    await openFromNav(page, 'Tiếp nhận TK01', 'Tiếp nhận hồ sơ mức độ 2 (mẫu TK01)');
    const pin = page.getByLabel('Số định danh cá nhân');
    await pin.fill('00109004821');
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await expect(page.locator('#pin-error')).toHaveText('Số định danh cá nhân gồm đúng 12 chữ số.');
    await expect(pin).toHaveAttribute('aria-invalid', 'true');
    await checkA11y(page, 'TK01: PIN error');
    // A well-formed number nobody has: the registry's answer, next to the field.
    await pin.fill('001099000000');
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await expect(page.locator('#pin-error')).toHaveText(
      'Không tìm thấy công dân có số định danh này trong Cơ sở dữ liệu quốc gia.',
    );
  });

  await test.step('TK01: the record, checked against the person', async () => {
    await page.getByLabel('Số định danh cá nhân').fill(citizen.pin);
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    const record = page.getByRole('region', { name: 'Thông tin trong Cơ sở dữ liệu' });
    await expect(record.getByText(citizen.fullName)).toBeVisible();
    await expect(record.getByText(/còn giá trị/)).toBeVisible();
    await expect(record.getByText('Ảnh chân dung, Vân tay')).toBeVisible();
    await checkA11y(page, 'TK01: record');
    await screenshot(page, JOURNEY, 'record');
  });

  await test.step('TK01: nothing captured yet: the fields at fault say so', async () => {
    await page.getByLabel('Số điện thoại di động (chính chủ)').fill(citizen.phone);
    await page.getByRole('button', { name: 'Gửi hồ sơ' }).click();
    await expect(page.locator('#face-error')).toHaveText('Hãy chụp hoặc tải lên ảnh chân dung.');
    await expect(page.locator('#fingerprints-error')).toHaveText('Hãy tải lên vân tay ngón cái và ngón trỏ tay phải.');
    await expect(
      page.getByRole('alert').getByRole('link', { name: 'Hãy chụp hoặc tải lên ảnh chân dung.' }),
    ).toBeVisible();
    await checkA11y(page, 'TK01: capture errors');
  });

  await test.step('TK01: what was typed survives a reload', async () => {
    await page.reload();
    await expectHeading(page, 'Tiếp nhận hồ sơ mức độ 2 (mẫu TK01)');
    await expect(page.getByLabel('Số định danh cá nhân')).toHaveValue(citizen.pin);
    await expect(page.getByLabel('Số điện thoại di động (chính chủ)')).toHaveValue(citizen.phone);
  });

  await test.step('TK01: portrait and the two fingers, labelled by position', async () => {
    await page.getByLabel('Hoặc tải lên tệp ảnh').setInputFiles(face);
    await expect(page.getByRole('img', { name: 'Ảnh chân dung đã thu nhận' })).toBeVisible();
    await page.getByLabel('Ngón 1: ngón cái tay phải').setInputFiles(thumb);
    await page.getByLabel('Ngón 2: ngón trỏ tay phải').setInputFiles(index);
    await expect(page.getByText(`Đã chọn: ${index.name}`)).toBeVisible();
    await checkA11y(page, 'TK01: captures');
    await screenshot(page, JOURNEY, 'capture');
  });

  await test.step('TK01: submitted, matched by the real matchers, received', async () => {
    await page.getByRole('button', { name: 'Gửi hồ sơ' }).click();
    await expect(page.getByText('Đang gửi hồ sơ và đối chiếu sinh trắc học…')).toBeVisible();
    const result = page.getByRole('heading', { name: /^Hồ sơ DD-/ });
    await expect(result).toBeVisible({ timeout: 90_000 });
    number = (await result.textContent())!.replace('Hồ sơ ', '').trim();
    await expect(page.getByText('Đã tiếp nhận hồ sơ. Trạng thái: Đã tiếp nhận.')).toBeVisible();
    const bio = page.locator('.bio-list');
    await expect(bio.getByRole('heading', { name: 'Ảnh chân dung: Khớp' })).toBeVisible();
    await expect(bio.getByRole('heading', { name: 'Vân tay: Khớp' })).toBeVisible();
    await expect(bio.getByText(/Điểm đối chiếu [\d.]+, ngưỡng chấp nhận [\d.]+\./).first()).toBeVisible();
    await checkA11y(page, 'TK01: result');
    await screenshot(page, JOURNEY, 'result');
  });

  await test.step('TK01: the receipt prints from the result', async () => {
    const popup = page.waitForEvent('popup');
    const pdf = page.waitForResponse((r) => r.url().endsWith('/receipt.pdf'));
    await page.getByRole('button', { name: 'In phiếu tiếp nhận và hẹn trả kết quả' }).click();
    const response = await pdf;
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('application/pdf');
    const tab = await popup;
    await expect.poll(() => tab.url()).toMatch(/^blob:/);
    await tab.close();
  });

  await test.step('the receiver sees it in the queue but may not decide it', async () => {
    await openFromNav(page, 'Hồ sơ chờ xử lý', 'Hồ sơ chờ xử lý');
    await page.getByRole('link', { name: number }).click();
    await expectHeading(page, `Hồ sơ ${number}`);
    await expect(page.getByText('Vai trò của bạn không cho phép quyết định hồ sơ ở bước này.')).toBeVisible();
    await checkA11y(page, 'application (receiver)');
  });

  const second = await personPage(browser, baseURL!);
  await test.step('a second officer opens the application: checks, scores, deadline', async () => {
    await officerSignIn(second, approver);
    await expectHeading(second, 'Hồ sơ chờ xử lý');
    await second.getByRole('link', { name: number }).click();
    await expectHeading(second, `Hồ sơ ${number}`);
    await expect(second.getByText(/Còn \d+ ngày làm việc|Đến hạn hôm nay/)).toBeVisible();
    await expect(second.getByText('3 ngày làm việc kể từ khi nhận đủ hồ sơ')).toBeVisible();
    await expect(second.getByRole('heading', { name: 'Vân tay: Khớp' })).toBeVisible();
    await checkA11y(second, 'application (approver)');
    await screenshot(second, JOURNEY, 'application');
  });

  await test.step('a refusal needs its reasons, next to them', async () => {
    await second.getByLabel('Từ chối (nêu rõ lý do)').check();
    await second.getByRole('button', { name: 'Ghi nhận quyết định' }).click();
    await expect(second.locator('#reasons-error')).toHaveText('Hãy chọn ít nhất một lý do từ chối.');
    await checkA11y(second, 'decision: reasons missing');
  });

  await test.step('approves: the account is created', async () => {
    await second.getByLabel('Phê duyệt', { exact: true }).check();
    await second.getByRole('button', { name: 'Ghi nhận quyết định' }).click();
    await expect(second.getByText('Đã ghi nhận. Trạng thái hồ sơ: Đã phê duyệt.')).toBeVisible();
    await expect(second.getByRole('cell', { name: 'Phê duyệt', exact: true })).toBeVisible();
    await checkA11y(second, 'decision: approved');
    await screenshot(second, JOURNEY, 'approved');
    await second.context().close();
  });

  const phone = await personPage(browser, baseURL!, { width: 390, height: 844 });
  await test.step('the citizen activates the account in the app', async () => {
    await phone.goto(`/activate?identifier=${citizen.pin}`);
    await expectHeading(phone, 'Kích hoạt tài khoản định danh điện tử');
    await expect(phone.getByLabel('Số định danh cá nhân')).toHaveValue(citizen.pin);
    const before = await smsTexts(phone, citizen.phone);
    await phone.getByRole('button', { name: 'Gửi mã xác thực' }).click();
    await expect(phone.getByText(/Mã xác thực đã gửi tới số/)).toBeVisible();
    const code = await codeAfter(phone, citizen.phone, before.length);
    await phone.getByLabel('Mã xác thực (6 chữ số)').fill(code);
    await phone.getByLabel('Mật khẩu', { exact: true }).fill(PASSWORD);
    await phone.getByLabel('Nhập lại mật khẩu').fill(PASSWORD);
    await phone.getByLabel('Mã bảo vệ (6 chữ số)').fill(PASSCODE);
    await phone.getByLabel('Nhập lại mã bảo vệ').fill(PASSCODE);
    await phone.getByRole('button', { name: 'Kích hoạt tài khoản' }).click();
    await expect(phone.getByText('Tài khoản đã được kích hoạt.')).toBeVisible();
    await checkA11y(phone, 'citizen: activated');
    await screenshot(phone, JOURNEY, 'activated');
  });

  await test.step('signs in: level 2', async () => {
    await phone.getByRole('button', { name: 'Đăng nhập' }).click();
    await signInWithSms(phone, citizen);
    await expectHeading(phone, `Xin chào, ${citizen.fullName}`);
    await expect(phone.getByText('Mức 2')).toBeVisible();
    await checkA11y(phone, 'citizen: home');
  });

  await test.step('opens the electronic identity card with the passcode', async () => {
    await phone.getByRole('navigation').getByRole('link', { name: 'Căn cước điện tử' }).click();
    await expectHeading(phone, 'Căn cước điện tử');
    await phone.getByLabel('Mã bảo vệ (6 chữ số)').fill(PASSCODE);
    await phone.getByRole('button', { name: 'Mở căn cước' }).click();
    await expect(phone.getByRole('definition').filter({ hasText: citizen.pin }).first()).toBeVisible();
    await checkA11y(phone, 'citizen: card');
    await screenshot(phone, JOURNEY, 'card');
  });

  await test.step('locks the identity', async () => {
    await phone.getByRole('navigation').getByRole('link', { name: 'Khóa định danh' }).click();
    await expectHeading(phone, 'Khóa tài khoản định danh điện tử');
    await phone.getByLabel('Tôi hiểu và muốn khóa tài khoản của mình').check();
    await phone.getByLabel('Mã bảo vệ (6 chữ số)').fill(PASSCODE);
    await phone.getByRole('button', { name: 'Khóa tài khoản' }).click();
    await expectHeading(phone, 'Tài khoản đã bị khóa');
    await checkA11y(phone, 'citizen: locked');
  });

  await test.step('unlocks from the restricted view', async () => {
    await phone.getByRole('button', { name: 'Đăng nhập để mở khóa' }).click();
    await signInWithSms(phone, citizen);
    await expectHeading(phone, 'Tài khoản đang bị khóa');
    await checkA11y(phone, 'citizen: restricted view');
    await phone.getByLabel('Mã bảo vệ (6 chữ số)').fill(PASSCODE);
    await phone.getByRole('button', { name: 'Mở khóa', exact: true }).click();
    await expectHeading(phone, 'Đã mở khóa');
    await checkA11y(phone, 'citizen: unlocked');
    await screenshot(phone, JOURNEY, 'unlocked');
  });
  await phone.context().close();
});

// --- the sandbox's SMS (what support.ts's sign-in reads too) -------------------------------------

const sameNumber = (a: string, b: string) => a.replace(/\D/g, '').slice(-9) === b.replace(/\D/g, '').slice(-9);

async function smsTexts(page: import('@playwright/test').Page, phone: string): Promise<string[]> {
  const body = (await (await page.request.get('/sandbox/messages.json')).json()) as {
    sms: { to: string; text: string }[];
  };
  return body.sms.filter((m) => sameNumber(m.to, phone)).map((m) => m.text);
}

/** The 6-digit verification code of the first code SMS to `phone` after the first `seen` ones. */
async function codeAfter(page: import('@playwright/test').Page, phone: string, seen: number): Promise<string> {
  let code: string | undefined;
  await expect
    .poll(
      async () => {
        const texts = (await smsTexts(page, phone)).slice(seen).filter((t) => /Mã xác thực|verification code/i.test(t));
        code = texts.map((t) => /\b(\d{6})\b/.exec(t)?.[1]).find(Boolean);
        return code;
      },
      { message: `an SMS code to ${phone}`, timeout: 20_000, intervals: [250, 500, 1000] },
    )
    .toBeTruthy();
  return code!;
}
