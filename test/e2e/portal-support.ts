import { readFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import jpeg from 'jpeg-js';
import pg from 'pg';
import { fold } from '../../portal/fold.ts';
import { checkA11y, signInWithSms, withDatabase } from './support.ts';

/**
 * What the portal journeys share: the portal's address (its own process and port, forked by
 * `npm start` beside the platform), reading its SMS codes from the platform's sandbox SMSC,
 * answering its captcha through the accessible question, signing in with the national e-ID on
 * the provider's pages (consent included), the images a citizen uploads, and look-ups in the
 * run's platform database for people the sandbox generated.
 */

export const PORTAL_URL = `http://127.0.0.1:${process.env.E2E_PORTAL_PORT ?? '3001'}`;

/** A path on the portal (the platform is the config's baseURL; the portal is another origin). */
export const portal = (p: string) => `${PORTAL_URL}${p}`;

/** src/registries/demo.ts: the level-1 demo citizen (Nguyễn Văn An's wife), own phone. */
export const DEMO_LEVEL1 = { pin: '001192031775', fullName: 'Trần Thị Bình', phone: '0987654321' };

/**
 * Waits for the portal: the run's webServer waits for the platform's /readyz, and the platform
 * forks the portal only once it listens (migrations, registration), so it may come a moment later.
 */
export async function portalReady(request: APIRequestContext): Promise<void> {
  await expect
    .poll(async () => (await request.get(portal('/readyz')).catch(() => undefined))?.status(), {
      message: `the portal at ${PORTAL_URL}`,
      timeout: 90_000,
      intervals: [500, 1000],
    })
    .toBe(200);
}

export async function expectHeading(page: Page, text: string | RegExp): Promise<void> {
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(text);
}

// --- the run's platform database ---------------------------------------------------------------

async function platformQuery<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  return withDatabase(async (client) => (await client.query<T>(text, values)).rows);
}

export interface SandboxCitizen {
  pin: string;
  fullName: string;
  /** yyyy-mm-dd */
  birthdate: string;
  /** 0xxxxxxxxx, registered in their own name (thuê bao chính chủ). */
  phone: string;
}

/**
 * A generated adult citizen (alive, with a valid chip ID card, as seed 004 asks) whose mobile
 * subscription the subscriber registry shows in their own name and used by them, with no platform
 * account (so no demo person with a story of their own, and no officer).
 */
export async function citizenWithOwnPhone(): Promise<SandboxCitizen> {
  const rows = await platformQuery<{ pin: string; full_name: string; birthdate: string; phone: string }>(
    `SELECT p.pin, p.full_name, to_char(p.date_of_birth, 'YYYY-MM-DD') AS birthdate, s.phone
       FROM sandbox.persons p
       JOIN sandbox.subscribers s ON s.owner_kind = 'citizen' AND s.owner_id = p.id
       JOIN sandbox.id_cards c ON c.person_id = p.id
      WHERE p.date_of_death IS NULL
        AND c.chip AND c.status = 'valid' AND (c.expires_on IS NULL OR c.expires_on > now())
        AND p.date_of_birth < now() - interval '20 years'
        AND (s.actual_user_id IS NULL OR s.actual_user_id = p.id)
        AND s.phone ~ '^0[35789][0-9]{8}$'
        AND NOT EXISTS (SELECT 1 FROM identity.accounts a WHERE a.pin = p.pin)
      ORDER BY p.id
      LIMIT 1`,
  );
  const row = rows[0];
  if (!row) throw new Error('no generated citizen with a phone of their own');
  return { pin: row.pin.trim(), fullName: row.full_name, birthdate: row.birthdate, phone: row.phone.trim() };
}

export interface PortalOfficer {
  label: string;
  pin: string;
  fullName: string;
  phone: string;
}

/**
 * A demo officer of the run (src/auth/demo.ts picks them among the generated citizens, so they
 * are looked up): the portal lists the platform's demo officers as its immigration officers, who
 * sign in like any relying party's user, with password and SMS code.
 */
export async function portalOfficer(label: string, role: string, unitCode: string): Promise<PortalOfficer> {
  const rows = await platformQuery<{ pin: string; full_name: string; phone: string | null }>(
    `SELECT a.pin, a.full_name, a.phone FROM identity.accounts a
       JOIN backoffice.assignments s ON s.account_id = a.id
       JOIN backoffice.units u ON u.id = s.unit_id
      WHERE s.role = $1 AND u.code = $2
      ORDER BY s.assigned_at LIMIT 1`,
    [role, unitCode],
  );
  const row = rows[0];
  if (!row) throw new Error(`no demo officer ${role}@${unitCode}`);
  if (!row.phone) throw new Error(`demo officer ${label} has no phone for the SMS code`);
  return { label, pin: row.pin, fullName: row.full_name, phone: row.phone };
}

// --- SMS from the portal (its own sender, through the platform's sandbox SMSC) ----------------------

const sameNumber = (a: string, b: string) => a.replace(/\D/g, '').slice(-9) === b.replace(/\D/g, '').slice(-9);

/** The texts the sandbox SMSC delivered to `phone`, oldest first. */
export async function smsTexts(request: APIRequestContext, phone: string): Promise<string[]> {
  const response = await request.get('/sandbox/messages.json');
  const body = (await response.json()) as { sms: { to: string; text: string }[] };
  return body.sms.filter((m) => sameNumber(m.to, phone)).map((m) => m.text);
}

/** Waits for a portal OTP SMS to `phone` after the first `seen` texts, and returns its code. */
export async function portalCode(request: APIRequestContext, phone: string, seen: number): Promise<string> {
  let code: string | undefined;
  await expect
    .poll(
      async () => {
        const fresh = (await smsTexts(request, phone)).slice(seen).filter((t) => /Cong Dich vu cong/.test(t));
        code = /la (\d{6})/.exec(fresh[fresh.length - 1] ?? '')?.[1];
        return code;
      },
      { message: `a portal code to ${phone}`, timeout: 20_000, intervals: [250, 500, 1000] },
    )
    .toBeTruthy();
  return code!;
}

// --- captcha: the accessible alternative ---------------------------------------------------------

const NUMBERS_VI = ['khong', 'mot', 'hai', 'ba', 'bon', 'nam', 'sau', 'bay', 'tam', 'chin', 'muoi'];
const NUMBERS_EN = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** A number said in words ("mười bảy", "hai mươi", "seven"), folded. */
function numberOf(words: string[]): number {
  let value = 0;
  let seen = false;
  for (const w of words) {
    if (w === 'muoi' || w === 'ten') {
      value = seen ? value * 10 : 10;
      seen = true;
      continue;
    }
    const n = w === 'lam' ? 5 : Math.max(NUMBERS_VI.indexOf(w), NUMBERS_EN.indexOf(w));
    if (n < 0) continue;
    value = seen ? value + n : n;
    seen = true;
  }
  if (!seen) throw new Error(`no number in "${words.join(' ')}"`);
  return value;
}

/** Answers "Năm cộng bảy bằng mấy?" / "What is five plus seven?" as a screen-reader user would. */
export function solveQuestion(question: string): string {
  const words = fold(question)
    .split(' ')
    .filter((w) => !['bang', 'may', 'what', 'is'].includes(w));
  const at = words.findIndex((w) => ['cong', 'tru', 'plus', 'minus'].includes(w));
  if (at < 0) throw new Error(`cannot read the question: ${question}`);
  const a = numberOf(words.slice(0, at));
  const b = numberOf(words.slice(at + 1));
  return String(words[at] === 'cong' || words[at] === 'plus' ? a + b : a - b);
}

/**
 * Switches the page's captcha to its accessible question (the link under the picture reloads the
 * page, so call it before typing anything else) and checks that page with axe-core.
 */
export async function useCaptchaQuestion(page: Page): Promise<void> {
  await expect(page.getByRole('img', { name: /Mã xác (thực|nhận) dạng ảnh/ })).toBeVisible();
  await page.getByRole('link', { name: /Không đọc được ảnh\? Trả lời câu hỏi thay thế/ }).click();
  await expect(page.getByRole('textbox', { name: /bằng mấy\?/ })).toBeVisible();
  await checkA11y(page, `${new URL(page.url()).pathname}: captcha question`);
}

/** Types the answer to the captcha question shown on the page. */
export async function answerCaptchaQuestion(page: Page): Promise<void> {
  const label = page.locator('label[for="f-captcha"]');
  const question = (await label.textContent())!.trim();
  await page.locator('#f-captcha').fill(solveQuestion(question));
}

// --- the national e-ID (SSO) ------------------------------------------------------------------

/**
 * On the provider's pages after the portal sent the browser there: PIN, password, SMS code (the
 * support.ts steps, each page checked with axe-core), then the consent the platform asks once of
 * a state relying party, and back to the portal.
 */
export async function eidSignIn(
  page: Page,
  person: { pin: string; phone: string },
  options: { journey?: string } = {},
): Promise<void> {
  await signInWithSms(page, person, options);
  await page.waitForURL((url) => url.href.startsWith(PORTAL_URL) || url.pathname.includes('/interaction/'));
  if (page.url().includes('/interaction/')) {
    const allow = page.getByRole('button', { name: 'Đồng ý', exact: true });
    await expect(allow).toBeVisible();
    await checkA11y(page, 'consent');
    await allow.click();
  }
  await page.waitForURL((url) => url.href.startsWith(PORTAL_URL));
}

// --- images to upload ----------------------------------------------------------------------------

const FACES = path.resolve(import.meta.dirname, '../../../shared/data/biometrics/faces');

/** A real face photograph, upright (660 × 990): the portrait. */
export function portraitJpeg(): Buffer {
  return readFileSync(path.join(FACES, 'deepface-09/4.jpg'));
}

type Rgb = [number, number, number];

/**
 * A plausible photo of a chip ID card (85.6 × 54 mm at 10 px/mm): pale background with a red
 * band, the photo and the chip on the front, lines of text; on the back the fingerprint boxes
 * and the three machine-readable lines.
 */
export function cardJpeg(side: 'front' | 'back', width = 856, height = 540): Buffer {
  const data = Buffer.alloc(width * height * 4);
  const fill = (x0: number, y0: number, w: number, h: number, [r, g, b]: Rgb) => {
    for (let y = Math.max(0, y0); y < Math.min(height, y0 + h); y++)
      for (let x = Math.max(0, x0); x < Math.min(width, x0 + w); x++) {
        const i = (y * width + x) * 4;
        data[i] = r;
        data[i + 1] = g;
        data[i + 2] = b;
        data[i + 3] = 255;
      }
  };
  // Background: a soft diagonal gradient, as the card's guilloche reads from afar.
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const t = (x + y) / (width + height);
      data[i] = Math.round(226 - 30 * t);
      data[i + 1] = Math.round(236 - 10 * t);
      data[i + 2] = Math.round(232 + 12 * t);
      data[i + 3] = 255;
    }
  const ink: Rgb = [40, 40, 48];
  const text = (x: number, y: number, w: number) => fill(x, y, w, 12, ink);
  if (side === 'front') {
    fill(0, 0, width, 70, [196, 30, 36]);
    fill(30, 15, 40, 40, [250, 210, 60]);
    text(100, 22, 420);
    fill(40, 140, 220, 290, [205, 205, 210]);
    fill(110, 200, 80, 80, [150, 150, 160]);
    fill(90, 290, 120, 120, [150, 150, 160]);
    for (let row = 0; row < 8; row++) text(300, 120 + row * 40, 260 + ((row * 73) % 240));
  } else {
    fill(60, 60, 90, 70, [200, 170, 70]);
    for (let row = 0; row < 4; row++) text(200, 60 + row * 30, 380 - row * 40);
    fill(620, 40, 180, 200, [210, 210, 214]);
    fill(620, 250, 180, 60, [210, 210, 214]);
    fill(0, 380, width, 160, [246, 246, 240]);
    for (let row = 0; row < 3; row++) text(40, 405 + row * 42, 776);
  }
  return Buffer.from(jpeg.encode({ width, height, data }, 85).data);
}

/** A grey PNG (a screenshot, say): the wrong type for a portrait, whatever its name says. */
export function pngImage(width = 600, height = 900): Buffer {
  const chunk = (type: string, body: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([Buffer.from(type, 'latin1'), body])));
    return Buffer.concat([length, Buffer.from(type, 'latin1'), body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0xdd)]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A file for setInputFiles. */
export const file = (name: string, mimeType: string, buffer: Buffer) => ({ name, mimeType, buffer });
