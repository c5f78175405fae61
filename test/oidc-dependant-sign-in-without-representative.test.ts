import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as client from 'openid-client';
import { fixedClock, testPlatform, useTestDatabase } from './database.ts';
import { DEMO_PERSONS } from '../src/registries/demo.ts';
import {
  Browser,
  authorizationRequest,
  signInForTokens,
  startHarness,
  type Harness,
  type Page,
} from '../src/oidc/testing.ts';

/**
 * Threat: a dependant's account used without the representative. Minors under 14, wards and
 * represented persons use their account only with the consent or confirmation of their
 * representative in the app (Decree 69/2024 Art 10.1(b); DOMAIN.md §5), and they use the
 * representative's phone (DOMAIN.md §4). A father registers his son Khôi (10) and activates the
 * account with the code sent to his own phone; a relying party then signs Khôi in: the code goes
 * to the father's phone, and Khôi waits until the father confirms in the app. A refusal, a request
 * of another sign-in or of another dependant never signs anyone in. Real server, real tokens.
 */
const t = useTestDatabase();
const clock = fixedClock(new Date());
const FATHER_PHONE = '+84912345678';
const CHILD_PASSWORD = 'Kich@hoat2026';
let h: Harness;
let school: client.Configuration;
let library: client.Configuration;
let fatherToken: string;
const children: Record<'khoi' | 'han', { pin: string; accountId: string }> = {
  khoi: { pin: '', accountId: '' },
  han: { pin: '', accountId: '' },
};

async function call(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const response = await fetch(`${h.baseUrl}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Art 10.1(b) and 14.1: the father files for the child, then activates it with the code on his phone. */
async function registerAndActivate(person: { pin: string; fullName: string; dateOfBirth: string }) {
  const filed = await call('POST', '/api/v1/app/applications/dependants', {
    token: fatherToken,
    body: { pin: person.pin, full_name: person.fullName, date_of_birth: person.dateOfBirth },
  });
  expect(filed.status).toBe(201);
  expect(filed.body.state).toBe('approved');
  const started = await call('POST', '/api/v1/public/activation/start', { body: { identifier: person.pin } });
  expect(started.status).toBe(202);
  const completed = await call('POST', '/api/v1/public/activation/complete', {
    body: {
      identifier: person.pin,
      challenge_id: started.body.challenge_id,
      code: await h.readOtp(FATHER_PHONE),
      password: CHILD_PASSWORD,
      passcode: '246813',
      device_name: 'Điện thoại của bố',
    },
  });
  expect(completed.body).toEqual({ account_id: filed.body.account_id, status: 'active' });
  return { pin: person.pin, accountId: String(filed.body.account_id) };
}

beforeAll(async () => {
  h = await startHarness(testPlatform(t.db, { clock, config: { adminToken: 'admin-secret' } }), t.database.pool, {
    clock,
    // The interaction outlives the sign-in request here (10 minutes, policy), so that the request's
    // own expiry shows; with the default 10 minutes the interaction ends first.
    oidc: { ttl: { Interaction: 30 * 60 } },
  });
  await h.register({
    client_id: 'citizen-app',
    first_party: true,
    token_endpoint_auth_method: 'none',
    scopes: ['profile', 'api:app'],
  });
  const s = await h.register({ client_id: 'truong-hoc', name_vi: 'Cổng trường học', name_en: 'School portal' });
  const l = await h.register({ client_id: 'thu-vien', name_vi: 'Thư viện số', name_en: 'Digital library' });
  school = await h.rpConfig('truong-hoc', s.client_secret);
  library = await h.rpConfig('thu-vien', l.client_secret);
  const father = h.demo.citizen!;
  const tokens = await signInForTokens(h, await h.rpConfig('citizen-app'), 'openid profile api:app', {
    identifier: father.identifier,
    password: father.password,
    phone: FATHER_PHONE,
  });
  fatherToken = tokens.access_token;
  children.khoi = await registerAndActivate(DEMO_PERSONS.child);
  children.han = await registerAndActivate(DEMO_PERSONS.youngChild);
});

afterAll(async () => {
  await h?.stop();
});

interface Login {
  browser: Browser;
  request: Awaited<ReturnType<typeof authorizationRequest>>;
  config: client.Configuration;
  page: Page;
}

const uidOf = (page: Page) => new URL(page.url).pathname.split('/').pop()!;

/** A relying party's login as a child, up to the page after the code (sent to the father's phone). */
async function childLogin(pin: string, config = school, options: { checkOtpPage?: boolean } = {}): Promise<Login> {
  const browser = new Browser([`${h.rp.origin}/`]);
  const request = await authorizationRequest(config, { redirect_uri: `${h.rp.origin}/cb`, scope: 'openid profile' });
  let page = await browser.go(request.url);
  page = await browser.submit(page, 'identifier', { identifier: pin });
  page = await browser.submit(page, 'password', { password: CHILD_PASSWORD });
  expect(page.status).toBe(200);
  if (options.checkOtpPage) {
    // The child has no phone: the code went to the representative's, and the page says so, masked.
    expect(page.html).toContain('số điện thoại của người đại diện 0912***678');
  }
  page = await browser.submit(page, 'otp', { code: await h.readOtp(FATHER_PHONE) });
  return { browser, request, config, page };
}

/** The father's pending requests, as his app lists them. */
async function pendingForFather() {
  const listed = await call('GET', '/api/v1/app/confirmations', { token: fatherToken });
  expect(listed.status).toBe(200);
  return listed.body.confirmations as {
    id: string;
    dependant_account_id: string;
    dependant_name: string;
    action: string;
    detail: Record<string, string>;
    version: number;
  }[];
}

async function confirmationIdOf(login: Login): Promise<string> {
  const row = await t.db
    .selectFrom('oidc.login_flows')
    .select('confirmation_id')
    .where('uid', '=', uidOf(login.page))
    .executeTakeFirstOrThrow();
  return row.confirmation_id!;
}

async function decide(confirmationId: string, decision: 'confirm' | 'refuse') {
  const request = (await pendingForFather()).find((c) => c.id === confirmationId)!;
  const answered = await call('POST', `/api/v1/app/confirmations/${confirmationId}/decision`, {
    token: fatherToken,
    body: { decision, version: request.version },
  });
  expect(answered.status).toBe(200);
}

/** Continue on the waiting page, through the consent page if any, to the relying party's tokens. */
async function continueToTokens(login: Login) {
  let page = await login.browser.submit(login.page, 'confirmation');
  if (page.html.includes('/consent"')) page = await login.browser.submit(page, 'consent', { decision: 'allow' });
  expect(page.url.startsWith(`${h.rp.origin}/cb?`)).toBe(true);
  return client.authorizationCodeGrant(login.config, new URL(page.url), {
    pkceCodeVerifier: login.request.verifier,
    expectedState: login.request.state,
    expectedNonce: login.request.nonce,
  });
}

/** A refusal page: the reason in the alert, and the link back that brings the error to the relying party. */
async function followBack(login: Login, page: Page): Promise<URL> {
  const href = /<a href="([^"]+)">/.exec(page.html)?.[1]?.replace(/&amp;/g, '&');
  expect(href).toBeTruthy();
  const back = await login.browser.go(new URL(href!, page.url).toString());
  expect(back.url.startsWith(`${h.rp.origin}/cb?`)).toBe(true);
  return new URL(back.url);
}

describe("a child's sign-in waits for the representative's confirmation (Decree 69 Art 10.1(b))", () => {
  test('code on the father’s phone, waiting page, still pending, father confirms, tokens for Khôi', async () => {
    const login = await childLogin(children.khoi.pin, school, { checkOtpPage: true });
    expect(login.page.status).toBe(200);
    expect(login.page.url).toMatch(/\/interaction\/[\w-]+$/);
    const waiting = login.page.html;
    expect(waiting).toContain('<h1>Đang chờ người đại diện xác nhận</h1>');
    expect(waiting).toContain('N. V. An');
    expect(waiting).toContain('0912***678');
    expect(waiting).toContain('(giờ Việt Nam)');
    expect(waiting).toContain('Tôi đã được xác nhận, tiếp tục');
    expect(waiting).toMatch(/action="\/interaction\/[\w-]+\/confirmation"/);
    expect(waiting).toMatch(/action="\/interaction\/[\w-]+\/abort"/);

    // English through the language switch, same step.
    const english = await login.browser.go(`${login.page.url}?lang=en`);
    expect(english.html).toContain('<html lang="en">');
    expect(english.html).toContain('Waiting for your representative');
    expect(english.html).toContain('(Vietnam time)');
    await login.browser.go(`${login.page.url}?lang=vi`);

    // "Continue" while the father has not answered: the same page, with a status message.
    const again = await login.browser.submit(login.page, 'confirmation');
    expect(again.status).toBe(200);
    expect(again.html).toContain('role="status">Người đại diện chưa xác nhận');
    expect(again.html).toContain('Tôi đã được xác nhận, tiếp tục');

    // The father sees the request in his app: his son, a sign-in, to the school portal.
    const pending = await pendingForFather();
    const request = pending.find((c) => c.dependant_account_id === children.khoi.accountId)!;
    expect(request).toMatchObject({
      dependant_name: DEMO_PERSONS.child.fullName,
      action: 'sign_in',
      detail: { client_id: 'truong-hoc', client_name: 'Cổng trường học', client_name_en: 'School portal' },
    });
    expect(request.id).toBe(await confirmationIdOf(login));
    await decide(request.id, 'confirm');

    const tokens = await continueToTokens({ ...login, page: again });
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(children.khoi.accountId);
    expect(claims.amr).toEqual(['pwd', 'sms']);
    expect(claims.acr).toBe('urn:dinhdanh:loa:1');
    const info = await client.fetchUserInfo(school, tokens.access_token, claims.sub);
    expect(info.name).toBe(DEMO_PERSONS.child.fullName);

    const ledger = await h.kit.audit.historyOf({ kind: 'account', id: children.khoi.accountId }, 50);
    const success = ledger.find((e) => e.action === 'oidc.login.success');
    expect(success?.detail).toMatchObject({
      client_id: 'truong-hoc',
      representative_confirmed: true,
      confirmation_id: request.id,
      representative_account_id: h.demo.citizen!.accountId,
    });
    expect(ledger.map((e) => e.action)).toContain('oidc.login.representative_asked');
  });

  test('the father refuses: the page says so and the relying party gets access_denied, no code', async () => {
    const login = await childLogin(children.khoi.pin);
    await decide(await confirmationIdOf(login), 'refuse');
    const refused = await login.browser.submit(login.page, 'confirmation');
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('role="alert"');
    expect(refused.html).toContain('Người đại diện đã từ chối xác nhận việc đăng nhập này');
    const back = await followBack(login, refused);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('code')).toBeNull();
    // The interaction is over: pressing continue again does not sign in.
    const replay = await login.browser.submit(login.page, 'confirmation');
    expect(replay.url.startsWith(h.rp.origin)).toBe(false);
    expect(replay.status).toBeGreaterThanOrEqual(400);
  });

  test('Khôi cancels while waiting: the request is withdrawn and the father is no longer asked', async () => {
    const login = await childLogin(children.khoi.pin);
    const id = await confirmationIdOf(login);
    expect((await pendingForFather()).map((c) => c.id)).toContain(id);
    const cancelled = await login.browser.submit(login.page, 'abort');
    expect(new URL(cancelled.url).searchParams.get('error')).toBe('access_denied');
    expect((await pendingForFather()).map((c) => c.id)).not.toContain(id);
    expect(await h.kit.representation.confirmationOf(id)).toMatchObject({ status: 'expired' });
    const entries = await h.kit.audit.historyOf({ kind: 'account', id: children.khoi.accountId }, 20);
    expect(entries.find((e) => e.action === 'representation.confirmation.expire')?.detail).toMatchObject({
      confirmationId: id,
      why: 'withdrawn_by_dependant',
    });
  });

  test('an adult without a representative signs in as before: code on his own phone, no waiting', async () => {
    const browser = new Browser([`${h.rp.origin}/`]);
    const request = await authorizationRequest(library, { redirect_uri: `${h.rp.origin}/cb`, scope: 'openid' });
    let page = await browser.go(request.url);
    page = await browser.submit(page, 'identifier', { identifier: h.demo.citizen!.identifier });
    page = await browser.submit(page, 'password', { password: h.demo.citizen!.password });
    expect(page.html).toContain('đến số điện thoại 0912***678');
    expect(page.html).not.toContain('người đại diện');
    page = await browser.submit(page, 'otp', { code: await h.readOtp(FATHER_PHONE) });
    if (page.html.includes('/consent"')) page = await browser.submit(page, 'consent', { decision: 'allow' });
    expect(page.url.startsWith(`${h.rp.origin}/cb?`)).toBe(true);
  });
});

describe('threat: a confirmation of another sign-in or of another dependant does not open this one', () => {
  test('an id posted by the browser is ignored; a request of another interaction is refused', async () => {
    const first = await childLogin(children.khoi.pin);
    const second = await childLogin(children.khoi.pin);
    const firstId = await confirmationIdOf(first);
    await decide(firstId, 'confirm');

    // The browser names the confirmed request: the server reads its own row, still pending.
    const posted = await second.browser.submit(second.page, 'confirmation', { confirmation_id: firstId });
    expect(posted.status).toBe(200);
    expect(posted.html).toContain('Người đại diện chưa xác nhận');

    // The other interaction's URL with this browser's cookies: not this browser's interaction.
    const crossed = await second.browser.request(`${h.baseUrl}/interaction/${uidOf(first.page)}/confirmation`, {
      form: { csrf: /name="csrf" value="([^"]+)"/.exec(second.page.html)![1]! },
    });
    expect(crossed.status).toBe(400);

    // Even with the flow's row pointing at it (a tampered row), the request is another sign-in's.
    await t.db
      .updateTable('oidc.login_flows')
      .set({ confirmation_id: firstId })
      .where('uid', '=', uidOf(second.page))
      .execute();
    const foreign = await second.browser.submit(second.page, 'confirmation');
    expect(foreign.status).toBe(403);
    expect(foreign.html).toContain('role="alert"');
    expect(foreign.html).toContain('Yêu cầu xác nhận không thuộc về lần đăng nhập này');
    expect((await followBack(second, foreign)).searchParams.get('error')).toBe('access_denied');

    // The first sign-in, the one the father confirmed, still goes through.
    const tokens = await continueToTokens(first);
    expect(tokens.claims()!.sub).toBe(children.khoi.accountId);
  });

  test("a confirmation of Khôi's sign-in does not sign his sister Hân in", async () => {
    const khoi = await childLogin(children.khoi.pin);
    const han = await childLogin(children.han.pin);
    expect(han.page.html).toContain('Đang chờ người đại diện xác nhận');
    const khoiId = await confirmationIdOf(khoi);
    await decide(khoiId, 'confirm');
    await t.db
      .updateTable('oidc.login_flows')
      .set({ confirmation_id: khoiId })
      .where('uid', '=', uidOf(han.page))
      .execute();
    const foreign = await han.browser.submit(han.page, 'confirmation');
    expect(foreign.status).toBe(403);
    expect((await followBack(han, foreign)).searchParams.get('error')).toBe('access_denied');
    const ledger = await h.kit.audit.historyOf({ kind: 'account', id: children.han.accountId }, 50);
    expect(ledger.map((e) => e.action)).toContain('oidc.login.representative_mismatch');
    expect(ledger.map((e) => e.action)).not.toContain('oidc.login.success');
  });

  test('a request left unanswered expires: the page says so and offers to sign in again', async () => {
    const login = await childLogin(children.khoi.pin);
    clock.advance(16 * 60_000); // the sign-in request's 10 minutes (policy) are over
    const expired = await login.browser.submit(login.page, 'confirmation');
    expect(expired.status).toBe(409);
    expect(expired.html).toContain('role="alert"');
    expect(expired.html).toContain('Yêu cầu xác nhận đã hết hạn');
    const restarted = await login.browser.submit(expired, 'restart');
    expect(restarted.html).toContain('name="identifier"');
  });
});
