import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, type APIRequestContext, type Page } from '@playwright/test';

/**
 * What the citizen app's journeys add to support.ts: reading the run's database (to pick a sandbox
 * person fit for a case, or to move a deadline), the sandbox's sample images of a person, and the
 * SMS codes sent to a phone.
 */

export { withDatabase } from './support.ts';
import { withDatabase } from './support.ts';

export interface SandboxPerson {
  pin: string;
  fullName: string;
  dateOfBirth: string;
  sex: 'male' | 'female';
  phone: string;
}

/**
 * Sandbox citizens who may register level 1 in the app on their own (Decree 69 Art 10.1(a)): alive,
 * 18 to 60, every ID card on record valid for a while yet, a phone registered in their own name and
 * used by them, no account, the phone bound to no account. Generated people only (the demo ones are
 * the other journeys'), in registry order: the same candidates on every fresh database.
 */
export async function level1Candidates(limit = 20): Promise<SandboxPerson[]> {
  return withDatabase(async (db) => {
    const { rows } = await db.query<{
      pin: string;
      full_name: string;
      date_of_birth: string;
      sex: 'male' | 'female';
      phone: string;
    }>(
      `SELECT p.pin, p.full_name, p.date_of_birth::text AS date_of_birth, p.sex, s.phone
         FROM sandbox.persons p
         JOIN sandbox.subscribers s ON s.owner_kind = 'citizen' AND s.owner_id = p.id AND s.actual_user_id IS NULL
        WHERE p.date_of_death IS NULL
          AND p.id > 100
          AND p.date_of_birth BETWEEN current_date - interval '60 years' AND current_date - interval '18 years'
          AND EXISTS (SELECT 1 FROM sandbox.id_cards c WHERE c.person_id = p.id)
          AND NOT EXISTS (
                SELECT 1 FROM sandbox.id_cards c
                 WHERE c.person_id = p.id
                   AND (c.status <> 'valid' OR (c.expires_on IS NOT NULL AND c.expires_on < current_date + 60)))
          AND NOT EXISTS (
                SELECT 1 FROM sandbox.subscribers o WHERE o.actual_user_id = p.id)
          AND NOT EXISTS (
                SELECT 1 FROM identity.accounts a WHERE a.subject_kind = 'citizen' AND a.registry_id = p.id::text)
          AND NOT EXISTS (
                SELECT 1 FROM identity.accounts a WHERE right(a.phone, 9) = right(s.phone, 9))
        ORDER BY p.id
        LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      pin: r.pin,
      fullName: r.full_name,
      dateOfBirth: r.date_of_birth,
      sex: r.sex,
      phone: r.phone,
    }));
  });
}

/** GET /sandbox/biometrics/:pin (sandbox only): which sample images stand for a person. */
export interface SandboxSamples {
  face: { genuine: string[]; impostor: string[] };
}

export async function samplesOf(request: APIRequestContext, pin: string): Promise<SandboxSamples | undefined> {
  const response = await request.get(`/sandbox/biometrics/${pin}`);
  if (!response.ok()) return undefined;
  return (await response.json()) as SandboxSamples;
}

/** Downloads a sample to a temporary file (the page's file input takes a path). */
export async function downloadSample(request: APIRequestContext, url: string, name: string): Promise<string> {
  const response = await request.get(url);
  expect(response.ok(), url).toBe(true);
  const ext = url.toLowerCase().endsWith('.png') ? '.png' : '.jpg';
  const file = path.join(os.tmpdir(), `dinhdanh-e2e-${process.pid}-${name}${ext}`);
  await writeFile(file, await response.body());
  return file;
}

// --- SMS -----------------------------------------------------------------------------------------

const sameNumber = (a: string, b: string) => a.replace(/\D/g, '').slice(-9) === b.replace(/\D/g, '').slice(-9);

/** How many SMS the sandbox holds for `phone` (take it before the action that sends one). */
export async function smsCount(request: APIRequestContext, phone: string): Promise<number> {
  const body = (await (await request.get('/sandbox/messages.json')).json()) as { sms: { to: string }[] };
  return body.sms.filter((m) => sameNumber(m.to, phone)).length;
}

/** A verification-code SMS (src/notify templates `otp`), not a notice that happens to hold 6 digits. */
const OTP_TEXT = /Mã xác thực|verification code/i;

/** The 6-digit code of the latest code SMS to `phone` after the first `seen` ones. */
export async function codeAfter(request: APIRequestContext, phone: string, seen: number): Promise<string> {
  let code: string | undefined;
  await expect
    .poll(
      async () => {
        const body = (await (await request.get('/sandbox/messages.json')).json()) as {
          sms: { to: string; text: string }[];
        };
        const texts = body.sms.filter((m) => sameNumber(m.to, phone)).map((m) => m.text);
        code = texts
          .slice(seen)
          .filter((t) => OTP_TEXT.test(t))
          .reverse()
          .map((t) => /\b(\d{6})\b/.exec(t)?.[1])
          .find(Boolean);
        return code;
      },
      { message: `an SMS code to ${phone}`, timeout: 20_000, intervals: [250, 500, 1000] },
    )
    .toBeTruthy();
  return code!;
}

// --- pages ---------------------------------------------------------------------------------------

export async function expectHeading(page: Page, text: string | RegExp): Promise<void> {
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(text);
}

/** A password that meets the policy (8–20 characters, upper, lower, digit, symbol). */
export const NEW_PASSWORD = 'Demo@2026';
export const NEW_PASSCODE = '135790';
