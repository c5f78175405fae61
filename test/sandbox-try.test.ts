import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixedClock, testPlatform, useTestDatabase } from './database.ts';
import { Browser, signIn, startHarness, type Harness } from '../src/oidc/testing.ts';
import { sandboxRelyingParty } from '../src/oidc/sandbox-relying-party.ts';

/**
 * The sandbox's "try a login" relying party: a person clicks /sandbox/try, signs in on the
 * provider's pages (password, then the SMS code), consents, and sees what a relying party
 * received. It is a real relying party (openid-client, PKCE) against the real provider.
 */
const t = useTestDatabase();
const clock = fixedClock(new Date());
let h: Harness;

beforeAll(async () => {
  const platform = testPlatform(t.db, { clock, config: { adminToken: 'admin-secret' } });
  h = await startHarness(platform, t.database.pool, {
    clock,
    plugins: (services) => [sandboxRelyingParty(platform, services.oidc)],
  });
});
afterAll(async () => {
  await h?.stop();
});

describe('sandbox: try a login', () => {
  test('a level-2 citizen signs in and the page shows the released claims', async () => {
    const browser = new Browser(); // follows every redirect, through the callback to the result page
    let page = await browser.go(`${h.baseUrl}/sandbox/try?level=2`);
    expect(page.html).toContain('name="identifier"');
    page = await signIn(h, browser, page, {
      identifier: h.demo.citizen!.identifier,
      password: h.demo.citizen!.password,
      phone: '+84912345678',
    });
    if (page.html.includes('/consent"')) page = await browser.submit(page, 'consent', { decision: 'allow' });
    expect(page.status).toBe(200);
    expect(page.html).toContain('Đăng nhập thành công');
    expect(page.html).toContain('urn:dinhdanh:loa:2');
    expect(page.html).toContain(h.demo.citizen!.identifier);
  });

  test('a level-1 account asking for level 2 is told how to upgrade', async () => {
    const browser = new Browser(); // follows every redirect, through the callback to the result page
    let page = await browser.go(`${h.baseUrl}/sandbox/try?level=2`);
    page = await signIn(h, browser, page, {
      identifier: h.demo.spouse!.identifier,
      password: h.demo.spouse!.password,
      phone: '+84987654321',
    });
    expect(page.status).toBe(400);
    expect(page.html).toContain('unmet_authentication_requirements');
  });
});
