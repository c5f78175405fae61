import { expect, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { checkA11y, signInWithTotp, type DemoOfficer } from './support.ts';

/**
 * What the officer console's journeys add to support.ts: the run's database (to pick a sandbox
 * citizen fit for a counter intake, or to give a demo officer a second role), the sandbox's sample
 * captures of a person, a browser context per person, and signing an officer in from the console.
 */

export { withDatabase } from './support.ts';
import { withDatabase } from './support.ts';

export interface CounterCandidate {
  pin: string;
  fullName: string;
  phone: string;
}

/**
 * A sandbox citizen fit for TK01 at the counter (src/issuance/testing.ts pickCitizens): alive, 20 to
 * 55, a valid card for a while yet, a portrait and fingerprints on record, a phone in their own name
 * bound to no account, no account. Taken from the end of the registry (the citizen app's journeys
 * take theirs from the start).
 */
export async function counterCandidate(): Promise<CounterCandidate> {
  return withDatabase(async (db) => {
    const { rows } = await db.query<{ pin: string; full_name: string; phone: string }>(
      `SELECT p.pin, p.full_name, s.phone
         FROM sandbox.persons p
         JOIN sandbox.subscribers s ON s.owner_kind = 'citizen' AND s.owner_id = p.id AND s.actual_user_id IS NULL
         JOIN sandbox.id_cards c ON c.person_id = p.id
        WHERE p.date_of_death IS NULL
          AND p.id > 100
          AND p.date_of_birth BETWEEN current_date - interval '55 years' AND current_date - interval '20 years'
          AND c.status = 'valid' AND (c.expires_on IS NULL OR c.expires_on > current_date + 60)
          AND EXISTS (SELECT 1 FROM sandbox.biometric_references b
                       WHERE b.subject_kind = 'citizen' AND b.subject_id = p.id AND b.kind = 'face')
          AND EXISTS (SELECT 1 FROM sandbox.biometric_references b
                       WHERE b.subject_kind = 'citizen' AND b.subject_id = p.id AND b.kind = 'fingerprint')
          AND NOT EXISTS (SELECT 1 FROM sandbox.subscribers o WHERE o.actual_user_id = p.id)
          AND NOT EXISTS (SELECT 1 FROM identity.accounts a
                           WHERE a.subject_kind = 'citizen' AND a.registry_id = p.id::text)
          AND NOT EXISTS (SELECT 1 FROM identity.accounts a WHERE right(a.phone, 9) = right(s.phone, 9))
        ORDER BY p.id DESC
        LIMIT 1`,
    );
    const row = rows[0];
    if (!row) throw new Error('no sandbox citizen fit for a counter intake');
    return { pin: row.pin, fullName: row.full_name, phone: row.phone };
  });
}

/**
 * Gives a demo officer's account one more role (the sandbox has no PC06 approver among its demo
 * officers, and no admin API for assignments yet): written straight into the run's database.
 */
export async function assignRole(officer: DemoOfficer, role: string, unitCode: string): Promise<void> {
  await withDatabase(async (db) => {
    await db.query(
      `INSERT INTO backoffice.assignments (account_id, unit_id, role, assigned_at, assigned_by)
       SELECT a.id, u.id, $2, now(), 'e2e'
         FROM identity.accounts a, backoffice.units u
        WHERE a.pin = $1 AND u.code = $3
       ON CONFLICT DO NOTHING`,
      [officer.pin, role, unitCode],
    );
  });
}

/** GET /sandbox/biometrics/:pin: sample captures the real matchers accept (genuine) or refuse. */
export interface SandboxCaptures {
  face: { genuine: string[]; impostor: string[] };
  fingerprints: { genuine: string[]; impostor: string[] };
}

export async function capturesOf(request: APIRequestContext, pin: string): Promise<SandboxCaptures> {
  const response = await request.get(`/sandbox/biometrics/${pin}`, { timeout: 120_000 });
  expect(response.ok(), await response.text()).toBe(true);
  return (await response.json()) as SandboxCaptures;
}

/** A sample as a file for an <input type=file>. */
export async function sampleFile(
  request: APIRequestContext,
  url: string,
): Promise<{ name: string; mimeType: string; buffer: Buffer }> {
  const response = await request.get(url);
  expect(response.ok(), url).toBe(true);
  const name = decodeURIComponent(url.split('/').pop()!);
  return {
    name,
    mimeType: response.headers()['content-type'] ?? 'application/octet-stream',
    buffer: await response.body(),
  };
}

/** A fresh browser context (its own cookies: one person per context), as the config's defaults. */
export async function personPage(
  browser: Browser,
  baseURL: string,
  viewport = { width: 1280, height: 900 },
): Promise<Page> {
  const context = await browser.newContext({
    baseURL,
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    serviceWorkers: 'block',
    viewport,
  });
  return context.newPage();
}

/** Opens the console and signs the officer in (password, TOTP); lands on the console's start. */
export async function officerSignIn(page: Page, officer: DemoOfficer): Promise<void> {
  await page.goto('/officer/');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await signInWithTotp(page, officer);
  await expect(page.getByText(`Đăng nhập với tên ${officer.fullName}`)).toBeVisible();
  await expect(page.getByText(/Vai trò tại đơn vị:/)).toBeVisible();
}

export async function expectHeading(page: Page, text: string | RegExp): Promise<void> {
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(text);
}

/** Follows a link of the console's main navigation and checks the page with axe-core. */
export async function openFromNav(page: Page, link: string, heading: string | RegExp): Promise<void> {
  await page.getByRole('navigation', { name: 'Điều hướng chính' }).getByRole('link', { name: link }).click();
  await expectHeading(page, heading);
  await checkA11y(page, link);
}
