import { expect, test } from '@playwright/test';
import { expectHeading, withDatabase } from './citizen-support.ts';
import { DEMO_CITIZEN, DEMO_ORGANISATION, checkA11y, screenshot, signInWithSms } from './support.ts';

/**
 * Journey (d): an organisation's account requested in the app (Decree 69 Art 13.1). The demo company
 * Sao Mai has two legal representatives, Nguyễn Văn An (level 2) and Trần Thị Bình: he files, she
 * is asked to consent in her own app and answers late, in the last minutes of the 7-day consent
 * window (the window's end is moved near for the journey: nothing else waits 7 days); her consent
 * completes the request and the organisation's account is granted.
 *
 * Runs after officer.spec.ts (file order), whose TK02 for the same company needs it without an
 * account yet.
 */
test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

const JOURNEY = 'organisation-consent';
/** src/registries/demo.ts DEMO_PERSONS.spouse: level 1, active, own phone; Sao Mai's second legal representative. */
const SPOUSE = { pin: '001192031775', fullName: 'Trần Thị Bình', phone: '0987654321' };

test('an organisation request with two co-representatives, the second consenting late', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(300_000);

  await test.step('the first representative signs in and files the request', async () => {
    await page.goto('/');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await signInWithSms(page, DEMO_CITIZEN);
    await expectHeading(page, `Xin chào, ${DEMO_CITIZEN.fullName}`);
    await page.getByRole('navigation').getByRole('link', { name: 'Tổ chức' }).click();
    await expectHeading(page, 'Tài khoản định danh của tổ chức');
    await checkA11y(page, 'organisations');

    // A malformed code: the message next to the field.
    await page.getByLabel('Mã số doanh nghiệp').fill('01012');
    await page.getByRole('button', { name: 'Gửi đề nghị' }).click();
    await expect(page.locator('#enterprise_code-error')).toHaveText(
      'Mã số doanh nghiệp gồm 10 chữ số, có thể kèm “-” và 3 chữ số.',
    );
    await checkA11y(page, 'organisations: error');

    await page.getByLabel('Mã số doanh nghiệp').fill(DEMO_ORGANISATION.enterpriseCode);
    await page.getByRole('button', { name: 'Gửi đề nghị' }).click();
    await expect(
      page.getByText(/Đã gửi đề nghị, số hồ sơ .+: đang chờ những người đại diện khác đồng ý\./),
    ).toBeVisible({
      timeout: 60_000,
    });
    // The request filed in the app (a counter's TK02 for the same company has no consent window).
    const filed = page
      .getByRole('article')
      .filter({ has: page.getByRole('heading', { name: DEMO_ORGANISATION.name }) })
      .filter({ hasText: 'Hạn đồng ý của người đại diện' });
    await expect(filed.getByText('Chờ người đại diện đồng ý')).toBeVisible();
    await expect(filed.getByText('Hạn đồng ý của người đại diện')).toBeVisible();
    await checkA11y(page, 'organisations: filed');
    await screenshot(page, JOURNEY, 'filed');
  });

  await test.step('time passes: the consent window is in its last minutes', async () => {
    const moved = await withDatabase((db) =>
      db.query(
        `UPDATE issuance.applications SET consent_due_at = now() + interval '4 minutes'
          WHERE procedure = 'organisation_app' AND state = 'awaiting_consent' AND subject_name = $1`,
        [DEMO_ORGANISATION.name],
      ),
    );
    expect(moved.rowCount).toBe(1);
  });

  const second = await browser.newContext({
    baseURL: baseURL!,
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
  });
  const spouse = await second.newPage();
  await test.step('the second representative signs in: the request waits on her home screen', async () => {
    await spouse.goto('/');
    await spouse.getByRole('button', { name: 'Đăng nhập' }).click();
    await signInWithSms(spouse, SPOUSE);
    await expectHeading(spouse, `Xin chào, ${SPOUSE.fullName}`);
    await expect(spouse.getByRole('heading', { name: 'Việc cần bạn xử lý' })).toBeVisible();
    await checkA11y(spouse, 'home: a consent waiting');
    await spouse.getByRole('link', { name: /1 đề nghị của tổ chức chờ bạn đồng ý/ }).click();
    await expectHeading(spouse, 'Tài khoản định danh của tổ chức');
  });

  await test.step('she consents late, minutes before the window closes: the account is granted', async () => {
    const request = spouse.getByRole('article').filter({
      has: spouse.getByRole('heading', { name: DEMO_ORGANISATION.name }),
    });
    await expect(request.getByText(DEMO_CITIZEN.fullName)).toBeVisible();
    await expect(request.getByText(/còn \d+ phút/)).toBeVisible();
    await checkA11y(spouse, 'consent request, last minutes');
    await screenshot(spouse, JOURNEY, 'consent-late');
    await request.getByRole('button', { name: 'Đồng ý', exact: true }).click();
    await expect(
      spouse.getByText(
        `Bạn đã đồng ý đề nghị của ${DEMO_ORGANISATION.name}. Mọi người đại diện đã đồng ý: tài khoản của tổ chức đã được cấp.`,
      ),
    ).toBeVisible();
    await expect(spouse.getByText('Không có đề nghị nào chờ bạn đồng ý.')).toBeVisible();
    await checkA11y(spouse, 'consent given');
    await screenshot(spouse, JOURNEY, 'consented');
  });
  await second.close();

  await test.step('the first representative sees the request approved', async () => {
    await page.reload();
    // The request filed in the app (a counter's TK02 for the same company has no consent window).
    const filed = page
      .getByRole('article')
      .filter({ has: page.getByRole('heading', { name: DEMO_ORGANISATION.name }) })
      .filter({ hasText: 'Hạn đồng ý của người đại diện' });
    await expect(filed.getByText('Đã phê duyệt', { exact: true })).toBeVisible();
    await checkA11y(page, 'organisations: approved');
    await screenshot(page, JOURNEY, 'approved');
  });
});
