import * as client from 'openid-client';
import { Browser, authorizationRequest, signIn, type Harness } from '../oidc/testing.ts';

/**
 * HTTP test support for the eid routes (not a test file): an app access token through the real
 * login pages, and a JSON call that returns status, headers and body.
 */
export async function appToken(h: Harness, config: client.Configuration, label: string, phone: string) {
  const browser = new Browser([`${h.rp.origin}/`]);
  const request = await authorizationRequest(config, { redirect_uri: `${h.rp.origin}/cb`, scope: 'openid api:app' });
  let page = await browser.go(request.url);
  if (page.html.includes('name="identifier"')) {
    page = await signIn(h, browser, page, {
      identifier: h.demo[label]!.identifier,
      password: h.demo[label]!.password,
      phone,
    });
  }
  if (!page.url.startsWith(h.rp.origin)) throw new Error(`sign-in stopped at ${page.url}`);
  const tokens = await client.authorizationCodeGrant(config, new URL(page.url), {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
  return tokens.access_token;
}

export type Json = Record<string, unknown> & {
  code?: string;
  detail?: string;
};

export async function call(
  h: Harness,
  method: string,
  path: string,
  options: { token?: string; proof?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: Json }> {
  const response = await fetch(`${h.baseUrl}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.proof ? { 'x-eid-proof': options.proof } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as Json };
}
