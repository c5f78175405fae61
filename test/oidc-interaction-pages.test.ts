import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as client from 'openid-client';
import { fixedClock, testPlatform, useTestDatabase } from './database.ts';
import { Browser, authorizationRequest, startHarness, type Harness, type Page } from '../src/oidc/testing.ts';

/**
 * The login pages themselves: accessible, Vietnamese first with an English switch, working
 * without JavaScript, problems from the auth service shown on the page with their status (never a
 * 500), and every POST bound to its interaction by an anti-forgery token.
 */
const t = useTestDatabase();
const clock = fixedClock(new Date());
let h: Harness;
let portal: client.Configuration;

beforeAll(async () => {
  h = await startHarness(testPlatform(t.db, { clock, config: { adminToken: 'admin-secret' } }), t.database.pool, {
    clock,
    // Low limits, to see the lockout message.
    authPolicy: {
      otp: { resendIntervalMs: 0, sendsPerHour: 10_000 },
      password: { perAccount: { max: 3, windowMs: 15 * 60_000, lockMs: 15 * 60_000 } },
    },
  });
  const p = await h.register({ client_id: 'dvc-portal', scopes: ['profile'] });
  portal = await h.rpConfig('dvc-portal', p.client_secret);
});

afterAll(async () => {
  await h?.stop();
});

async function start(params: Record<string, string> = {}): Promise<{ browser: Browser; page: Page }> {
  const browser = new Browser([`${h.rp.origin}/`]);
  const request = await authorizationRequest(portal, { redirect_uri: `${h.rp.origin}/cb`, ...params });
  return { browser, page: await browser.go(request.url) };
}

describe('login pages', () => {
  test('accessible markup: language, labels, autocomplete, no framing, no caching', async () => {
    const { page } = await start();
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/^<!DOCTYPE html>\n<html lang="vi">/);
    expect(page.html).toContain('<label for="identifier">');
    expect(page.html).toContain('id="identifier" name="identifier" autocomplete="username"');
    expect(page.html).toContain('aria-describedby="identifier-hint"');
    expect(page.html).not.toContain('<script');
    expect(page.response.headers.get('x-frame-options')).toBe('DENY');
    expect(page.response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.response.headers.get('cache-control')).toBe('no-store');
  });

  test('English by ?lang=en, remembered in a cookie; or asked by the relying party with ui_locales', async () => {
    const { browser, page } = await start();
    const english = await browser.go(`${page.url}?lang=en`);
    expect(english.html).toContain('<html lang="en">');
    expect(english.html).toContain('Personal identification number');
    expect(english.html).toContain('hreflang="vi"');
    const next = await browser.submit(english, 'identifier', { identifier: h.demo.citizen!.identifier });
    expect(next.html).toContain('<html lang="en">');

    const byRp = await start({ ui_locales: 'en' });
    expect(byRp.page.html).toContain('<html lang="en">');
  });

  test('a malformed identifier is shown as an error on the page (400), in an alert summary', async () => {
    const { browser, page } = await start();
    const bad = await browser.submit(page, 'identifier', { identifier: '12-34' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('role="alert"');
    expect(bad.html).toContain('aria-invalid="true"');
    expect(bad.html).toContain('12 chữ số');
  });

  test('wrong passwords: a 401 message on the page, then the lockout with its end time and Retry-After', async () => {
    const spouse = h.demo.spouse!;
    const { browser, page } = await start();
    const passwordPage = await browser.submit(page, 'identifier', { identifier: spouse.identifier });
    let last: Page = passwordPage;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      last = await browser.submit(passwordPage, 'password', { password: `Sai@${i}mat-khau` });
      statuses.push(last.status);
    }
    // Wrong passwords are 401 until the per-account limit (3 here) locks the account for a while.
    expect(statuses[0]).toBe(401);
    expect(statuses[3]).toBe(429);
    expect(statuses.indexOf(429)).toBeGreaterThan(0);
    expect(last.html).toContain('role="alert"');
    expect(last.html).toContain('tạm thời bị khóa đến');
    expect(last.html).toContain('(giờ Việt Nam)');
    expect(last.response.headers.get('retry-after')).toMatch(/^\d+$/);
    // The same answer for an identifier that has no account: nothing to enumerate.
    const ghost = await start();
    const ghostPassword = await ghost.browser.submit(ghost.page, 'identifier', { identifier: '001099999999' });
    const ghostAnswer = await ghost.browser.submit(ghostPassword, 'password', { password: 'Sai@0mat-khau' });
    expect(ghostAnswer.status).toBe(401);
    const message = (p: Page) => /<ul><li>(.*?)<\/li><\/ul>/.exec(p.html)?.[1];
    const first = await (async () => {
      const s = await start();
      const pw = await s.browser.submit(s.page, 'identifier', { identifier: h.demo.citizen!.identifier });
      return s.browser.submit(pw, 'password', { password: 'Sai@0mat-khau' });
    })();
    expect(message(ghostAnswer)).toBe(message(first));
  });

  test('a wrong one-time code says so, on the page; the right one goes on', async () => {
    const citizen = h.demo.citizen!;
    const { browser, page } = await start();
    const pw = await browser.submit(page, 'identifier', { identifier: citizen.identifier });
    const otp = await browser.submit(pw, 'password', { password: citizen.password });
    const code = await h.readOtp('+84912345678');
    const wrong = await browser.submit(otp, 'otp', { code: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain('role="alert"');
    const right = await browser.submit(wrong, 'otp', { code });
    // Signed in: on to the consent page (first visit to this relying party).
    expect(right.status).toBe(200);
    expect(right.html).not.toContain('name="code"');
    expect(right.html).toContain('/consent"');
  });

  test('a POST without the anti-forgery token, or with another interaction’s, is refused', async () => {
    const a = await start();
    const b = await start();
    const tokenOf = (p: Page) => /name="csrf" value="([^"]+)"/.exec(p.html)![1]!;
    const forged = await a.browser.go(`${a.page.url}/identifier`, {
      form: { csrf: tokenOf(b.page), identifier: h.demo.citizen!.identifier },
    });
    expect(forged.status).toBe(403);
    const missing = await a.browser.go(`${a.page.url}/identifier`, {
      form: { identifier: h.demo.citizen!.identifier },
    });
    expect(missing.status).toBe(403);
    // Another interaction's URL with this browser's cookie: the interaction does not match.
    const crossed = await a.browser.go(`${b.page.url}/identifier`, {
      form: { csrf: tokenOf(b.page), identifier: h.demo.citizen!.identifier },
    });
    expect(crossed.status).toBe(400);
    // A browser without the interaction cookie at all.
    const stranger = await new Browser().go(a.page.url);
    expect(stranger.status).toBe(400);
    expect(stranger.html).toContain('hết hạn');
  });

  test('cancel goes back to the relying party with access_denied', async () => {
    const { browser, page } = await start({ state: 'st' });
    const back = await browser.submit(page, 'abort');
    const url = new URL(back.url);
    expect(url.searchParams.get('error')).toBe('access_denied');
    expect(url.searchParams.get('state')).toBe('st');
  });

  test('a resubmitted step changes nothing (Post/Redirect/Get)', async () => {
    const { browser, page } = await start();
    const once = await browser.submit(page, 'identifier', { identifier: h.demo.citizen!.identifier });
    const twice = await browser.submit(page, 'identifier', { identifier: h.demo.spouse!.identifier });
    expect(twice.html).toBe(once.html);
  });
});
