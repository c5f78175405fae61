import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { Secret, TOTP } from 'otpauth';
import pg from 'pg';

/**
 * What every journey uses: the accessibility check run on each page visited, screenshots of key
 * screens, and signing in through the provider's real pages (password, then the SMS code read from
 * the sandbox's message page, or the officer's TOTP code).
 */

export const DEMO_PASSWORD = 'Demo@2026';
export const DEMO_PASSCODE = '123456';

/** src/registries/demo.ts: the fixed demo citizen (level 2, own phone). */
export const DEMO_CITIZEN = { pin: '001090048213', fullName: 'Nguyễn Văn An', phone: '0912345678' };
/** Their company (src/registries/demo.ts): an organisation whose TK02 an officer receives. */
export const DEMO_ORGANISATION = { enterpriseCode: '0101234567', name: 'Công ty Cổ phần Công nghệ Sao Mai' };

// --- accessibility ---------------------------------------------------------------------------

/**
 * Runs axe-core on the page as it is and fails on any serious or critical violation (the issue's
 * bar), listing each rule with the elements at fault.
 */
export async function checkA11y(page: Page, context = ''): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze();
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = blocking
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}`).join('\n')}`)
    .join('\n');
  expect(blocking, `axe-core on ${context || page.url()}:\n${report}`).toEqual([]);
}

// --- screenshots -----------------------------------------------------------------------------

const SCREENSHOTS = path.join(import.meta.dirname, 'screenshots');

/** Saves test/e2e/screenshots/<journey>-<step>.png (CI keeps the folder as an artifact). */
export async function screenshot(page: Page, journey: string, step: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${journey}-${step}.png`), fullPage: true });
}

// --- the provider's login pages --------------------------------------------------------------

interface SandboxMessages {
  sms: { to: string; text: string }[];
}

/** The last 9 digits: the sandbox SMSC may show 0912… or 84912… */
const sameNumber = (a: string, b: string) => a.replace(/\D/g, '').slice(-9) === b.replace(/\D/g, '').slice(-9);

async function smsTo(request: APIRequestContext, phone: string): Promise<string[]> {
  const response = await request.get('/sandbox/messages.json');
  const body = (await response.json()) as SandboxMessages;
  return body.sms.filter((m) => sameNumber(m.to, phone)).map((m) => m.text);
}

/** Waits for an SMS to `phone` after the first `seen` ones, and returns its 6-digit code. */
async function nextCode(request: APIRequestContext, phone: string, seen: number): Promise<string> {
  let code: string | undefined;
  await expect
    .poll(
      async () => {
        const texts = await smsTo(request, phone);
        code = texts.length > seen ? /\b(\d{6})\b/.exec(texts[texts.length - 1]!)?.[1] : undefined;
        return code;
      },
      { message: `an SMS code to ${phone}`, timeout: 20_000, intervals: [250, 500, 1000] },
    )
    .toBeTruthy();
  return code!;
}

async function submitStep(page: Page, field: string, value: string): Promise<void> {
  await page.locator(`#${field}`).fill(value);
  await page.locator(`form:has(#${field}) button[type=submit]`).click();
}

/**
 * Signs a citizen in on the provider's pages (the app already sent the browser there): PIN,
 * password, then the SMS code from the sandbox. Checks each page with axe-core.
 */
export async function signInWithSms(
  page: Page,
  person: { pin: string; phone: string },
  options: { journey?: string } = {},
): Promise<void> {
  await expect(page).toHaveURL(/\/interaction\//);
  await checkA11y(page, 'login: identifier');
  if (options.journey) await screenshot(page, options.journey, 'login');
  await submitStep(page, 'identifier', person.pin);
  await expect(page.locator('#password')).toBeVisible();
  const seen = (await smsTo(page.request, person.phone)).length;
  await submitStep(page, 'password', DEMO_PASSWORD);
  await expect(page.locator('#code')).toBeVisible();
  await checkA11y(page, 'login: SMS code');
  await submitStep(page, 'code', await nextCode(page.request, person.phone, seen));
}

/** The seed of a demo officer's authenticator: src/auth/demo.ts demoTotpSecret (public on purpose). */
function demoTotp(label: string): TOTP {
  const seed = createHmac('sha256', 'dinhdanh sandbox demo TOTP seed v1').update(label).digest().subarray(0, 20);
  return new TOTP({ secret: Secret.fromHex(seed.toString('hex')), digits: 6, period: 30, algorithm: 'SHA1' });
}

/** A code not about to roll over (the provider may refuse a code used twice in one period). */
async function freshTotp(totp: TOTP): Promise<string> {
  const left = totp.period - (Math.floor(Date.now() / 1000) % totp.period);
  if (left < 3) await new Promise((resolve) => setTimeout(resolve, left * 1000 + 200));
  return totp.generate();
}

export async function signInWithTotp(page: Page, officer: DemoOfficer): Promise<void> {
  await expect(page).toHaveURL(/\/interaction\//);
  await checkA11y(page, 'officer login: identifier');
  await submitStep(page, 'identifier', officer.pin);
  await expect(page.locator('#password')).toBeVisible();
  await submitStep(page, 'password', DEMO_PASSWORD);
  await expect(page.locator('#code')).toBeVisible();
  await checkA11y(page, 'officer login: TOTP');
  await submitStep(page, 'code', await freshTotp(demoTotp(officer.label)));
}

// --- demo officers -----------------------------------------------------------------------------

export interface DemoOfficer {
  label: string;
  pin: string;
  fullName: string;
  unitId: string;
}

/** Runs `work` on the run's platform database (the one test/e2e/platform.ts created). */
export async function withDatabase<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${process.env.E2E_DATABASE}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A demo officer of the run's database. Their PINs are picked among the generated citizens at the
 * first start (src/auth/demo.ts), so they are looked up, not known in advance.
 */
export async function demoOfficer(label: string, role: string, unitCode: string): Promise<DemoOfficer> {
  return withDatabase(async (client) => {
    const { rows } = await client.query<{ pin: string; full_name: string; unit_id: string }>(
      `SELECT a.pin, a.full_name, s.unit_id FROM identity.accounts a
         JOIN backoffice.assignments s ON s.account_id = a.id
         JOIN backoffice.units u ON u.id = s.unit_id
        WHERE s.role = $1 AND u.code = $2
        ORDER BY s.assigned_at LIMIT 1`,
      [role, unitCode],
    );
    if (!rows[0]) throw new Error(`no demo officer ${role}@${unitCode}`);
    return { label, pin: rows[0].pin, fullName: rows[0].full_name, unitId: rows[0].unit_id };
  });
}

/** An app's access token in this tab (to set data up through the API where no page does it yet). */
export async function accessToken(page: Page, clientId: 'citizen-app' | 'officer-console'): Promise<string> {
  const token = await page.evaluate((key) => {
    const raw = sessionStorage.getItem(key);
    return raw ? (JSON.parse(raw) as { accessToken: string }).accessToken : undefined;
  }, `dd:session:${clientId}`);
  if (!token) throw new Error(`${clientId} holds no session`);
  return token;
}
