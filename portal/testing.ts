import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { Browser, signIn, startHarness, type Harness, type Page } from '../src/oidc/testing.ts';
import { fixedClock, testPlatform, type TestDatabase } from '../test/database.ts';
import { fold } from './fold.ts';
import { seedCatalogue } from './catalogue.ts';
import { connectPortal, ensureDatabase, type PortalDatabase } from './database.ts';
import { smppSender } from './messaging.ts';
import { migratePortal } from './migrations.ts';
import { startPortal, type RunningPortal } from './server.ts';

/**
 * Test support for the portal (not a test file): the real platform (the OpenID harness of
 * src/oidc/testing.ts, with the registry endpoint for state relying parties mounted) and the real
 * portal beside it on its own database, its SMS going over SMPP to the harness's SMSC; a browser
 * without JavaScript, the portal's forms and captcha questions.
 */
export interface PortalHarness {
  h: Harness;
  portal: RunningPortal;
  stop(): Promise<void>;
}

/** A database name the global teardown drops if a file crashes (dd_<run>_…). */
function portalDatabaseUrl(): { url: string; drop(): Promise<void> } {
  const name = `dd_${inject('testRunId')}_portal_${randomBytes(4).toString('hex')}`;
  const u = new URL(inject('adminDatabaseUrl'));
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
      await admin.connect();
      try {
        await admin.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** A migrated, seeded portal database of its own for the current test file (no platform). */
export function usePortalDatabase(): { database: PortalDatabase } {
  const handle = {} as { database: PortalDatabase };
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const target = portalDatabaseUrl();
    drop = target.drop;
    await ensureDatabase(target.url);
    handle.database = connectPortal(target.url, { max: 4 });
    await migratePortal(handle.database.db);
    await seedCatalogue(handle.database.db);
  });
  afterAll(async () => {
    await handle.database?.close();
    await drop?.();
  });
  return handle;
}

export async function startPortalHarness(t: TestDatabase, options: { sandbox?: boolean } = {}): Promise<PortalHarness> {
  const clock = fixedClock(new Date());
  const platform = testPlatform(t.db, { clock, config: { adminToken: 'admin-secret' } });
  const h = await startHarness(platform, t.database.pool, { clock });
  const database = portalDatabaseUrl();
  const officers = Object.values(h.demo)
    .filter((d) => d.totpUri)
    .map((d) => ({ sub: d.accountId, fullName: d.fullName }));
  const portal = await startPortal({
    platformUrl: h.baseUrl,
    adminToken: h.adminToken,
    databaseUrl: database.url,
    port: 0,
    sandbox: options.sandbox ?? true,
    officers,
    logLevel: 'silent',
    workers: false,
    otpPolicy: { ttlMs: 5 * 60_000, maxAttempts: 5, resendIntervalMs: 0, sendsPerHour: 1000 },
    hasher: fastHasher(),
    sender: smppSender({ url: h.smsc.url, systemId: 'dinhdanh', password: 'secret', sourceAddr: 'DICHVUCONG' }),
  });
  return {
    h,
    portal,
    async stop() {
      await portal.stop();
      await database.drop();
      await h.stop();
    },
  };
}

/** argon2id with the smallest parameters: tests hash many passwords on two cores. */
function fastHasher() {
  return {
    hash: async (s: string) => `plain:${s}`,
    verify: async (phc: string, s: string) => phc === `plain:${s}`,
    needsRehash: () => false,
  };
}

/** The portal's anti-forgery token on a page (the first form's). */
export function csrfOf(page: Page): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(page.html);
  if (!m) throw new Error(`no _csrf on ${page.url}:\n${page.html.slice(0, 2000)}`);
  return m[1]!;
}

/** Answers the accessible captcha's question ("Năm cộng bảy bằng mấy?") as a screen-reader user would. */
export function solveQuestion(question: string): string {
  const words = fold(question).split(' ');
  const vi = ['khong', 'mot', 'hai', 'ba', 'bon', 'nam', 'sau', 'bay', 'tam', 'chin', 'muoi'];
  const en = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
  const numbers: number[] = [];
  let op: '+' | '-' | undefined;
  for (const w of words) {
    if (w === 'cong' || w === 'plus') op = '+';
    else if (w === 'tru' || w === 'minus') op = '-';
    else {
      const i = Math.max(vi.indexOf(w), en.indexOf(w));
      if (i >= 0) numbers.push(i);
    }
  }
  if (numbers.length !== 2 || !op) throw new Error(`cannot read the question: ${question}`);
  return String(op === '+' ? numbers[0]! + numbers[1]! : numbers[0]! - numbers[1]!);
}

/** The captcha id and, for a question challenge, its answer, from a form page. */
export function captchaOf(page: Page): { captcha_id: string; captcha: string } {
  const id = /name="captcha_id" value="([^"]+)"/.exec(page.html)?.[1];
  const question = /<label for="f-captcha">([^<]+)<\/label>/.exec(page.html)?.[1];
  if (!id || !question) throw new Error(`no question captcha on ${page.url}`);
  return { captcha_id: id, captcha: solveQuestion(question.replace(/&#39;/g, "'")) };
}

/** Runs the portal's SMS sender and returns the latest portal code sent to the phone. */
export async function portalOtp(ph: PortalHarness, phoneE164: string): Promise<string> {
  await ph.portal.flushSms();
  const destination = phoneE164.replace(/^\+/, '');
  const texts = ph.h.smsc
    .messages()
    .filter((m) => m.destination === destination && /Cong Dich vu cong/.test(m.text))
    .map((m) => m.text);
  const code = /la (\d{6})/.exec(texts[texts.length - 1] ?? '')?.[1];
  if (!code) throw new Error(`no portal code sent to ${phoneE164}: ${JSON.stringify(texts)}`);
  return code;
}

/** Signs a demo person in to the portal through the platform's pages (password, SMS code, consent). */
export async function ssoSignIn(
  ph: PortalHarness,
  browser: Browser,
  start: string,
  who: { identifier: string; password: string; phone?: string | null },
): Promise<Page> {
  let page = await browser.go(start);
  if (page.html.includes('name="identifier"')) page = await signIn(ph.h, browser, page, who);
  if (page.html.includes('/consent"')) page = await browser.submit(page, 'consent', { decision: 'allow' });
  return page;
}

export { Browser };
