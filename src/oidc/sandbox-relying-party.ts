import { escapeHtml } from '../platform/html.ts';
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import * as client from 'openid-client';
import type { Platform } from '../platform/context.ts';
import type { Oidc } from './service.ts';

/**
 * A relying party for trying the provider by hand in sandbox mode: `/sandbox/try` starts an
 * authorization-code flow with PKCE (like any relying party), `/sandbox/callback` redeems the code
 * with openid-client and shows the ID token's claims and userinfo. Registered as a *state*
 * relying party with a secret this process holds. Mounted only with the sandbox gateway, never in
 * production.
 */
export const SANDBOX_CLIENT_ID = 'sandbox-try';
const COOKIE = 'sandbox_try';

function page(reply: FastifyReply, title: string, body: string) {
  return reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}pre{white-space:pre-wrap;background:#f4f4f4;padding:.5rem}</style>
</head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`);
}

const SANDBOX = { kind: 'system', id: 'sandbox' };

/**
 * Registers the sandbox relying party, or gives it a fresh secret when it exists (a secret is
 * shown only once, and this process keeps it in memory). Returns the secret.
 */
async function ensureSandboxClient(platform: Platform, oidc: Oidc): Promise<string> {
  const registered = (await oidc.clients.get(SANDBOX_CLIENT_ID))
    ? await oidc.clients.rotateSecret(SANDBOX, SANDBOX_CLIENT_ID)
    : await oidc.clients.register(SANDBOX, {
        client_id: SANDBOX_CLIENT_ID,
        kind: 'state',
        name_vi: 'Thử đăng nhập (sandbox)',
        name_en: 'Try signing in (sandbox)',
        redirect_uris: [`${platform.config.baseUrl}/sandbox/callback`],
        post_logout_redirect_uris: [`${platform.config.baseUrl}/sandbox/try`],
        scopes: ['profile', 'pin', 'phone', 'email', 'address', 'level'],
        token_endpoint_auth_method: 'client_secret_basic',
      });
  return registered.client_secret!;
}

export function sandboxRelyingParty(platform: Platform, oidc: Oidc): FastifyPluginAsync {
  let configuration: Promise<client.Configuration> | undefined;
  // Registered and discovered at the first visit (the server is listening by then).
  const discover = () =>
    (configuration ??= ensureSandboxClient(platform, oidc)
      .then((secret) =>
        client.discovery(new URL(platform.config.baseUrl), SANDBOX_CLIENT_ID, {}, client.ClientSecretBasic(secret), {
          execute: [client.allowInsecureRequests],
        }),
      )
      .catch((error: unknown) => {
        configuration = undefined;
        throw error;
      }));

  return async (app) => {
    app.get<{ Querystring: { level?: string } }>('/sandbox/try', { schema: { hide: true } }, async (request, reply) => {
      const config = await discover();
      const verifier = client.randomPKCECodeVerifier();
      const state = randomBytes(16).toString('base64url');
      const nonce = randomBytes(16).toString('base64url');
      const level = request.query.level === '2' ? '2' : '1';
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: `${platform.config.baseUrl}/sandbox/callback`,
        scope: 'openid profile pin phone level',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        acr_values: `urn:dinhdanh:loa:${level}`,
        state,
        nonce,
      });
      const cookie = Buffer.from(JSON.stringify({ verifier, state, nonce })).toString('base64url');
      reply.header('set-cookie', `${COOKIE}=${cookie}; Path=/sandbox; HttpOnly; SameSite=Lax; Max-Age=600`);
      return reply.redirect(url.toString());
    });

    app.get('/sandbox/callback', { schema: { hide: true } }, async (request, reply) => {
      const raw = /(?:^|;\s*)sandbox_try=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
      const query = request.query as Record<string, string>;
      if (query.error) {
        return page(
          reply.status(400),
          'Đăng nhập không thành công',
          `<p>${escapeHtml(query.error)}: ${escapeHtml(query.error_description ?? '')}</p><p><a href="/sandbox/try">Thử lại</a></p>`,
        );
      }
      if (!raw) return page(reply.status(400), 'Phiên thử đã hết hạn', '<p><a href="/sandbox/try">Bắt đầu lại</a></p>');
      const { verifier, state, nonce } = JSON.parse(Buffer.from(raw, 'base64url').toString()) as Record<string, string>;
      const config = await discover();
      const tokens = await client.authorizationCodeGrant(config, new URL(`${platform.config.baseUrl}${request.url}`), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
      const claims = tokens.claims()!;
      const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      const logout = client.buildEndSessionUrl(config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: `${platform.config.baseUrl}/sandbox/try`,
      });
      reply.header('set-cookie', `${COOKIE}=; Path=/sandbox; HttpOnly; Max-Age=0`);
      return page(
        reply,
        'Đăng nhập thành công',
        `<p>Bên sử dụng dịch vụ thử nghiệm đã nhận được:</p>
<h2>ID token</h2><pre>${escapeHtml(JSON.stringify(claims, null, 2))}</pre>
<h2>Userinfo</h2><pre>${escapeHtml(JSON.stringify(userinfo, null, 2))}</pre>
<p><a href="${escapeHtml(logout.toString())}">Đăng xuất</a> · <a href="/sandbox/try?level=2">Thử yêu cầu mức độ 2</a></p>`,
      );
    });
  };
}
