import { expect, test } from '@playwright/test';
import {
  DEMO_CITIZEN,
  DEMO_ORGANISATION,
  accessToken,
  checkA11y,
  demoOfficer,
  screenshot,
  signInWithTotp,
} from './support.ts';

/**
 * Journey: an officer signs in to the console with the TOTP code and sees the unit's queue sorted
 * by legal deadline, with the working days left. The application in it is a TK02 the same officer
 * receives through the API (the counter-intake page comes in a later batch); "Refresh" shows it.
 */
test.use({ viewport: { width: 1280, height: 800 } });

const JOURNEY = 'officer';

test('an officer signs in with TOTP and sees the queue by deadline', async ({ page }) => {
  const officer = await demoOfficer('officer-receiver-hoankiem', 'RECEIVER', 'CAP-HNI-HOANKIEM');

  await test.step('the console asks to sign in', async () => {
    await page.goto('/officer/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Cổng cán bộ');
    await checkA11y(page, 'officer welcome');
    await screenshot(page, JOURNEY, 'welcome');
  });

  await test.step('signs in with password and TOTP', async () => {
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await signInWithTotp(page, officer);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hồ sơ chờ xử lý');
    await expect(page.getByText(`Đăng nhập với tên ${officer.fullName}`)).toBeVisible();
    await checkA11y(page, 'officer queue (as it is)');
  });

  // Other journeys file for the same organisation: the row is found by this application's number.
  let number = '';
  await test.step('set-up: the officer receives a TK02 for an organisation', async () => {
    const response = await page.request.post(`/api/v1/officer/units/${officer.unitId}/applications/organisation`, {
      headers: {
        authorization: `Bearer ${await accessToken(page, 'officer-console')}`,
        'idempotency-key': `e2e-${Date.now()}`,
      },
      data: {
        enterprise_code: DEMO_ORGANISATION.enterpriseCode,
        organisation_name: DEMO_ORGANISATION.name,
        filer_pin: DEMO_CITIZEN.pin,
      },
    });
    expect(response.status(), await response.text()).toBeLessThan(300);
    number = ((await response.json()) as { number: string }).number;
  });

  await test.step('the queue, soonest deadline first, with the working days left', async () => {
    await page.getByRole('button', { name: 'Làm mới' }).click();
    const table = page.getByRole('table', { name: 'Danh sách hồ sơ chờ xử lý của đơn vị' });
    await expect(table).toBeVisible();
    const row = table.getByRole('row', { name: new RegExp(`${number}.*${DEMO_ORGANISATION.name}`) });
    await expect(row).toBeVisible();
    await expect(row.getByText(/Còn \d+ ngày làm việc|Đến hạn hôm nay/)).toBeVisible();
    await checkA11y(page, 'officer queue');
    await screenshot(page, JOURNEY, 'queue');
  });

  await test.step('signs out at the provider and is back at the start of the console', async () => {
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await expect(page).toHaveURL(/\/oidc\/session\/end/);
    await checkA11y(page, 'provider sign-out');
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Cổng cán bộ');
    await expect(page).toHaveURL(/\/officer\/$/);
  });
});
