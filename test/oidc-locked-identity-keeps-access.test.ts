import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { LockReason } from '../src/identity/model.ts';
import { fixedClock, testPlatform, useTestDatabase } from './database.ts';
import { Browser, authorizationRequest, signIn, startHarness, type Harness } from '../src/oidc/testing.ts';

/**
 * Threat: a locked identity keeps access. DOMAIN.md §6 (Law on Identification Arts 31–34; Decree
 * 69/2024 Arts 28–30): a lock must take effect everywhere at once: no new login, no OTP sent, no
 * token issued or refreshed, introspection inactive, userinfo refused, existing sessions ended and
 * relying parties registered for back-channel logout told; and yet locking must never make
 * unlocking impossible: the holder still signs in to the citizen app's locked view, which only
 * reads notices and files an unlock request.
 *
 * A relying party (the public-service portal) holds valid access and refresh tokens and is
 * registered for back-channel logout; the identity is locked (`identity.lock`, then the provider's
 * `sessions.terminate`, as the locks context does after its commit); a lock made by another
 * process, without terminate, must hold all the same.
 */
const t = useTestDatabase();
const clock = fixedClock(new Date());
let h: Harness;
let app: client.Configuration;
let portal: client.Configuration;
let down: client.Configuration;

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

beforeAll(async () => {
  h = await startHarness(testPlatform(t.db, { clock, config: { adminToken: 'admin-secret' } }), t.database.pool, {
    clock,
  });
  await h.register({
    client_id: 'citizen-app',
    first_party: true,
    token_endpoint_auth_method: 'none',
    scopes: ['profile', 'api:app', 'api:app:locked'],
  });
  const p = await h.register({
    client_id: 'dvc-portal',
    scopes: ['profile', 'pin', 'level'],
    backchannel_logout_uri: `${h.rp.origin}/backchannel-logout`,
  });
  // A relying party whose back-channel endpoint is down (nothing listens on port 9 of loopback).
  const d = await h.register({
    client_id: 'down-portal',
    scopes: ['profile'],
    backchannel_logout_uri: 'http://127.0.0.1:9/backchannel-logout',
  });
  app = await h.rpConfig('citizen-app');
  portal = await h.rpConfig('dvc-portal', p.client_secret);
  down = await h.rpConfig('down-portal', d.client_secret);
});

afterAll(async () => {
  await h?.stop();
});

type Who = { identifier: string; password: string; phone: string; accountId: string };

const citizen = (): Who => ({
  identifier: h.demo.citizen!.identifier,
  password: h.demo.citizen!.password,
  phone: '+84912345678',
  accountId: h.demo.citizen!.accountId,
});

const spouse = (): Who => ({
  identifier: h.demo.spouse!.identifier,
  password: h.demo.spouse!.password,
  phone: '+84987654321',
  accountId: h.demo.spouse!.accountId,
});

/** A whole sign-in and code exchange (offline_access asks prompt=consent, OIDC Core §11). */
async function tokensFor(config: client.Configuration, scope: string, who: Who, browser = newBrowser()) {
  const request = await authorizationRequest(config, {
    redirect_uri: `${h.rp.origin}/cb`,
    scope,
    ...(scope.includes('offline_access') ? { prompt: 'consent' } : {}),
  });
  let page = await browser.go(request.url);
  if (page.html.includes('name="identifier"')) page = await signIn(h, browser, page, who);
  if (page.html.includes('/consent"')) page = await browser.submit(page, 'consent', { decision: 'allow' });
  if (!page.url.startsWith(h.rp.origin)) throw new Error(`sign-in stopped at ${page.url} (${page.status})`);
  const tokens = await client.authorizationCodeGrant(config, new URL(page.url), {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
  return { tokens, browser };
}

function newBrowser(): Browser {
  return new Browser([`${h.rp.origin}/`]);
}

/** A sign-in up to the page that follows the password (a code page, or a refusal). */
async function passwordStep(config: client.Configuration, scope: string, who: Who, browser = newBrowser()) {
  const request = await authorizationRequest(config, { redirect_uri: `${h.rp.origin}/cb`, scope });
  let page = await browser.go(request.url);
  page = await browser.submit(page, 'identifier', { identifier: who.identifier });
  return browser.submit(page, 'password', { password: who.password });
}

async function api(path: string, token: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${h.baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    body: (text ? JSON.parse(text) : undefined) as Record<string, unknown>,
  };
}

async function userinfo(accessToken: string) {
  const response = await fetch(`${h.baseUrl}/oidc/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  return { status: response.status, challenge: response.headers.get('www-authenticate') ?? '' };
}

/** One-time codes queued for an account (the SMS exists if and only if its outbox row does). */
async function otpsQueued(accountId: string): Promise<number> {
  const rows = await h.platform.db
    .selectFrom('notify.outbox')
    .select('id')
    .where('template', '=', 'otp')
    .where('account_id', '=', accountId)
    .execute();
  return rows.length;
}

async function lock(who: Who, reason: LockReason) {
  const current = (await h.kit.identity.get(who.accountId))!;
  return h.kit.identity.lock(h.platform.db, who.accountId, reason, {
    expectedVersion: current.version,
    actor: { kind: 'officer', id: 'test' },
  });
}

async function unlock(who: Who, reason: LockReason) {
  const current = (await h.kit.identity.get(who.accountId))!;
  return h.kit.identity.unlock(h.platform.db, who.accountId, reason, {
    expectedVersion: current.version,
    actor: { kind: 'officer', id: 'test' },
  });
}

/** What a relying party holds: access, refresh and ID tokens from a consented sign-in. */
async function portalHolds(who: Who) {
  const { tokens, browser } = await tokensFor(portal, 'openid profile offline_access', who);
  expect(tokens.refresh_token).toBeTruthy();
  expect((await client.tokenIntrospection(portal, tokens.access_token)).active).toBe(true);
  return { tokens, browser, sid: String(tokens.claims()!.sid) };
}

describe('a lock holds everywhere, at once', () => {
  test('lock then terminate: tokens, refresh, introspection, userinfo, login and OTP all stop; the relying party is told', async () => {
    const who = citizen();
    const held = await portalHolds(who);
    const appFull = (await tokensFor(app, 'openid api:app', who)).tokens;
    expect((await api('/api/v1/app/me', appFull.access_token)).status).toBe(200);
    const logoutsBefore = h.rp.logoutTokens.length;

    await lock(who, 'authority_request');
    const ended = await h.oidc.sessions.terminate(who.accountId, 'identity_locked');
    try {
      expect(ended.sessions).toBeGreaterThan(0);
      expect(ended.backchannel).toContainEqual({ clientId: 'dvc-portal', sid: held.sid, delivered: true });

      // No token refreshed, nothing active, no claims.
      await expect(client.refreshTokenGrant(portal, held.tokens.refresh_token!)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
      expect((await client.tokenIntrospection(portal, held.tokens.access_token)).active).toBe(false);
      expect((await client.tokenIntrospection(portal, held.tokens.refresh_token!)).active).toBe(false);
      const info = await userinfo(held.tokens.access_token);
      expect(info.status).toBe(401);
      expect(info.challenge).toContain('invalid_token');
      expect((await api('/api/v1/app/me', appFull.access_token)).status).toBe(401);

      // The back-channel logout token: signed with the provider's keys, for this relying party,
      // naming the subject and the session of the ID token it holds.
      const jwks = createRemoteJWKSet(new URL(`${h.baseUrl}/oidc/jwks`));
      const received = await Promise.all(
        h.rp.logoutTokens
          .slice(logoutsBefore)
          .map(async (token) =>
            jwtVerify(token, jwks, { issuer: h.baseUrl, audience: 'dvc-portal', typ: 'logout+jwt' }),
          ),
      );
      const forSession = received.find((r) => r.payload.sid === held.sid);
      expect(forSession).toBeDefined();
      expect(forSession!.payload).toMatchObject({ sub: who.accountId, events: { [LOGOUT_EVENT]: {} } });
      expect(forSession!.payload.jti).toBeTruthy();
      expect(forSession!.payload.nonce).toBeUndefined();

      // The browser's session is gone: a new login at the relying party starts over, and is refused
      // after the password, before any code is sent.
      const codes = await otpsQueued(who.accountId);
      const next = await held.browser.go(
        (await authorizationRequest(portal, { redirect_uri: `${h.rp.origin}/cb`, scope: 'openid profile' })).url,
      );
      expect(next.html).toContain('name="identifier"');
      const refused = await passwordStep(portal, 'openid profile', who);
      expect(refused.status).toBe(403);
      expect(refused.html).toContain('đang bị khóa');
      expect(refused.html).not.toContain('name="code"');
      expect(await otpsQueued(who.accountId)).toBe(codes);
      await expect(h.readOtp(who.phone)).rejects.toThrow(/no new code/);
      // The citizen app without its locked view is refused alike.
      expect((await passwordStep(app, 'openid api:app', who)).status).toBe(403);
      expect(await otpsQueued(who.accountId)).toBe(codes);
    } finally {
      await unlock(who, 'authority_request');
    }
    // After unlock a fresh login works again (the old tokens stay ended).
    const fresh = await tokensFor(portal, 'openid profile', who);
    await expect(client.fetchUserInfo(portal, fresh.tokens.access_token, who.accountId)).resolves.toMatchObject({
      sub: who.accountId,
    });
    expect((await client.tokenIntrospection(portal, held.tokens.access_token)).active).toBe(false);
  });

  test('the holder still reaches the locked view: notices yes, the rest of the app no', async () => {
    const who = citizen();
    await lock(who, 'holder_request');
    await h.oidc.sessions.terminate(who.accountId, 'identity_locked');
    try {
      await h.kit.notify.enqueue(h.platform.db, {
        channel: 'inbox',
        recipient: who.accountId,
        template: 'account_locked',
        params: { ground: 'holder_request', lockedOn: '2026-03-02' },
      });
      const codes = await otpsQueued(who.accountId);
      // The app asks for both views; a locked account gets the locked view only.
      const { tokens } = await tokensFor(app, 'openid profile api:app api:app:locked', who);
      expect(await otpsQueued(who.accountId)).toBe(codes + 1); // the holder proved the phone
      expect(tokens.scope?.split(' ').sort()).toEqual(['api:app:locked', 'openid']);
      expect(tokens.refresh_token).toBeUndefined();
      const claims = tokens.claims()!;
      expect(claims).toMatchObject({ sub: who.accountId, restricted: true, acr: 'urn:dinhdanh:loa:2' });
      expect(claims).not.toHaveProperty('name');
      const stored = await h.oidc.provider().AccessToken.find(tokens.access_token);
      expect(stored?.extra).toMatchObject({ restricted: true });

      const notices = await api('/api/v1/app/notices', tokens.access_token);
      expect(notices.status).toBe(200);
      const list = notices.body.notices as { id: string; template: string; read: boolean }[];
      expect(list.map((n) => n.template)).toContain('account_locked');
      expect(notices.body.unread).toBeGreaterThan(0);
      const read = await api('/api/v1/app/notices/read', tokens.access_token, {
        method: 'POST',
        body: { ids: [list[0]!.id] },
      });
      expect(read).toMatchObject({ status: 200, body: { marked: 1 } });

      // Nothing else: not the account, not the consents, not userinfo.
      const me = await api('/api/v1/app/me', tokens.access_token);
      expect(me.status).toBe(403);
      expect(me.body.code).toBe('OIDC_LOCKED_VIEW');
      expect((await api('/api/v1/app/consents', tokens.access_token)).status).toBe(403);
      expect((await userinfo(tokens.access_token)).status).toBe(401);

      // A relying party cannot ask for the locked view.
      const request = await authorizationRequest(portal, {
        redirect_uri: `${h.rp.origin}/cb`,
        scope: 'openid api:app:locked',
      });
      const answer = await newBrowser().go(request.url);
      expect(new URL(answer.url).searchParams.get('error')).toBe('invalid_scope');
    } finally {
      await unlock(who, 'holder_request');
    }
  });

  test('the locked view files an unlock request for a ground the holder cannot lift alone (DOMAIN.md §6)', async () => {
    const who = citizen();
    const approver = h.demo['officer-approver-c06']!.accountId;
    // A C06 approver locks for a terms violation through the locks context: sessions end at once.
    await h.kit.locks.setTermsViolation(approver, who.accountId, 'Tài khoản bị dùng để lừa đảo (thử nghiệm)');
    try {
      const { tokens } = await tokensFor(app, 'openid api:app api:app:locked', who);
      expect(tokens.scope?.split(' ').sort()).toEqual(['api:app:locked', 'openid']);
      const grounds = await api('/api/v1/app/locks', tokens.access_token);
      expect(grounds.status).toBe(200);
      const ground = (grounds.body.grounds as { id: string; ground: string; can_request_unlock: boolean }[]).find(
        (g) => g.ground === 'terms_violation',
      );
      expect(ground).toMatchObject({ can_request_unlock: true });
      const filed = await api('/api/v1/app/unlock-requests', tokens.access_token, {
        method: 'POST',
        body: { ground_id: ground!.id, statement: 'Tôi đã khắc phục vi phạm và đề nghị mở khóa.' },
      });
      expect(filed.status).toBe(201);
      // Still the locked view only: the rest of the app stays closed.
      expect((await api('/api/v1/app/me', tokens.access_token)).status).toBe(403);
    } finally {
      await h.kit.locks.liftTermsViolation(approver, who.accountId, 'Kết thúc thử nghiệm');
    }
  });

  test('a locked view token ends with the lock; a full sign-in never carries the locked view', async () => {
    const who = citizen();
    await lock(who, 'suspected_misuse');
    let lockedToken: string;
    try {
      lockedToken = (await tokensFor(app, 'openid api:app:locked', who)).tokens.access_token;
      expect((await api('/api/v1/app/notices', lockedToken)).status).toBe(200);
    } finally {
      await unlock(who, 'suspected_misuse');
    }
    const after = await api('/api/v1/app/notices', lockedToken);
    expect(after.status).toBe(401);
    expect(after.challenge).toContain('invalid_token');

    const { tokens } = await tokensFor(app, 'openid api:app api:app:locked', who);
    expect(tokens.scope?.split(' ').sort()).toEqual(['api:app', 'openid']);
    expect(tokens.claims()).not.toHaveProperty('restricted');
    expect((await api('/api/v1/app/me', tokens.access_token)).status).toBe(200);
    expect((await api('/api/v1/app/notices', tokens.access_token)).status).toBe(200);
  });

  test('a lock made elsewhere, without terminate: refresh, introspection, userinfo and the session all stop', async () => {
    const who = citizen();
    const held = await portalHolds(who);
    const appFull = (await tokensFor(app, 'openid api:app', who, held.browser)).tokens;

    await lock(who, 'terms_violation');
    try {
      await expect(client.refreshTokenGrant(portal, held.tokens.refresh_token!)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
      expect((await client.tokenIntrospection(portal, held.tokens.access_token)).active).toBe(false);
      expect((await client.tokenIntrospection(portal, held.tokens.refresh_token!)).active).toBe(false);
      const info = await userinfo(held.tokens.access_token);
      expect(info.status).toBe(401);
      expect(info.challenge).toContain('invalid_token');
      const me = await api('/api/v1/app/me', appFull.access_token);
      expect(me).toMatchObject({ status: 403, body: { code: 'OIDC_ACCOUNT_INACTIVE' } });
      // The full app token does not become a locked view either.
      expect((await api('/api/v1/app/notices', appFull.access_token)).status).toBe(403);

      // The browser still has its provider session: it is not honoured. prompt=none gets
      // login_required; otherwise the person is asked to sign in, and refused.
      const silent = await held.browser.go(
        (
          await authorizationRequest(portal, {
            redirect_uri: `${h.rp.origin}/cb`,
            scope: 'openid profile',
            prompt: 'none',
          })
        ).url,
      );
      expect(new URL(silent.url).searchParams.get('error')).toBe('login_required');
      const codes = await otpsQueued(who.accountId);
      const again = await held.browser.go(
        (await authorizationRequest(portal, { redirect_uri: `${h.rp.origin}/cb`, scope: 'openid profile' })).url,
      );
      expect(again.html).toContain('name="identifier"');
      const refused = await passwordStep(portal, 'openid profile', who, held.browser);
      expect(refused.status).toBe(403);
      expect(await otpsQueued(who.accountId)).toBe(codes);
    } finally {
      await unlock(who, 'terms_violation');
    }
    const fresh = await tokensFor(portal, 'openid profile', who);
    expect((await client.tokenIntrospection(portal, fresh.tokens.access_token)).active).toBe(true);
  });

  test('terminate is idempotent, and a relying party whose endpoint is down is recorded, not thrown', async () => {
    const who = citizen();
    const browser = newBrowser();
    const held = await portalHolds(who);
    const other = await tokensFor(down, 'openid profile', who, browser);
    const downSid = String(other.tokens.claims()!.sid);

    await lock(who, 'card_revoked_or_held');
    try {
      const first = await h.oidc.sessions.terminate(who.accountId, 'identity_locked');
      expect(first.backchannel).toContainEqual({ clientId: 'dvc-portal', sid: held.sid, delivered: true });
      const failed = first.backchannel.find((o) => o.clientId === 'down-portal');
      expect(failed).toMatchObject({ sid: downSid, delivered: false });
      expect(failed!.error).toBeTruthy();
      const ledger = await h.platform.db
        .selectFrom('audit.entries')
        .select(['outcome', 'detail'])
        .where('action', '=', 'oidc.backchannel_logout.sent')
        .where('subject_id', '=', who.accountId)
        .execute();
      expect(
        ledger.some((e) => e.outcome === 'failure' && (e.detail as { client_id?: string }).client_id === 'down-portal'),
      ).toBe(true);
      expect((await client.tokenIntrospection(down, other.tokens.access_token)).active).toBe(false);

      const second = await h.oidc.sessions.terminate(who.accountId, 'identity_locked');
      expect(second).toMatchObject({ sessions: 0, removed: 0, backchannel: [] });
    } finally {
      await unlock(who, 'card_revoked_or_held');
    }
  });

  test('a refresh token that outlived its 12-hour session: its relying party is told all the same', async () => {
    const who = citizen();
    const held = await portalHolds(who);
    // The browser session is over (expired and purged); the offline grant lives on.
    await h.platform.db
      .deleteFrom('oidc.payloads')
      .where('model', '=', 'Session')
      .where('account_id', '=', who.accountId)
      .execute();
    await lock(who, 'holder_request');
    try {
      const ended = await h.oidc.sessions.terminate(who.accountId, 'identity_locked');
      expect(ended.sessions).toBe(0);
      expect(ended.backchannel).toContainEqual({ clientId: 'dvc-portal', sid: held.sid, delivered: true });
      await expect(client.refreshTokenGrant(portal, held.tokens.refresh_token!)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
    } finally {
      await unlock(who, 'holder_request');
    }
    // Unlocked: the ended grant stays ended.
    await expect(client.refreshTokenGrant(portal, held.tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  test('death has no unlock and no locked view', async () => {
    const who = spouse();
    await lock(who, 'death');
    const codes = await otpsQueued(who.accountId);
    const refused = await passwordStep(app, 'openid api:app:locked', who);
    expect(refused.status).toBe(403);
    expect(refused.html).not.toContain('name="code"');
    expect(await otpsQueued(who.accountId)).toBe(codes);
  });
});
