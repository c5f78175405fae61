import type { FastifyPluginAsync } from 'fastify';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { TOTP, Secret } from 'otpauth';
import { demoTotpSecret, seedDemoAccounts, type DemoLogin } from '../auth/demo.ts';
import type { PolicyOverrides } from '../auth/model.ts';
import { buildServer, type App } from '../http/server.ts';
import { SmppSmsChannel } from '../notify/channels/smpp.ts';
import { TestSmsc } from '../notify/testing/smsc.ts';
import { createNotifyWorker } from '../notify/worker.ts';
import type { Clock } from '../platform/clock.ts';
import type { Platform } from '../platform/context.ts';
import type pg from 'pg';
import { seedSandbox } from '../registries/seed.ts';
import { createServices, type Services } from '../services.ts';
import type { RelyingPartyInput } from './clients.ts';
import type { Oidc, OidcOptions } from './service.ts';

/**
 * Test support for the OpenID context (not a test file): the real HTTP server (the platform's
 * buildServer with the OpenID routes) listening on 127.0.0.1 and an ephemeral port, the real
 * identity/auth/backoffice services over a seeded sandbox with its demo accounts, an in-process
 * SMSC that receives the one-time codes through the notification worker, a browser made of fetch
 * and a hand-made cookie jar, and openid-client as the relying party.
 */

/** A cookie jar that honours Path, Max-Age and Expires (enough for one host). */
export class CookieJar {
  private cookies = new Map<string, { name: string; value: string; path: string }>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';').map((s) => s.trim());
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      let path = '/';
      let expired = value === '';
      for (const attr of attrs) {
        const [k = '', v = ''] = attr.split('=');
        if (k.toLowerCase() === 'path') path = v;
        if (k.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
        if (k.toLowerCase() === 'expires' && Date.parse(v) < Date.now()) expired = true;
      }
      const key = `${name}|${path}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path });
    }
  }

  header(url: URL): string {
    return [...this.cookies.values()]
      .filter((c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  names(): string[] {
    return [...this.cookies.values()].map((c) => c.name);
  }

  clear(): void {
    this.cookies.clear();
  }
}

export interface Page {
  url: string;
  status: number;
  html: string;
  response: Response;
}

/** A browser without JavaScript: follows redirects by hand (stopping at the relying party), keeps cookies. */
export class Browser {
  readonly jar = new CookieJar();
  constructor(private readonly stopAt: string[] = []) {}

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url);
    const headers: Record<string, string> = {};
    const cookie = this.jar.header(target);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(target, {
      method: init.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
    });
    this.jar.store(response);
    return response;
  }

  /** Requests, then follows redirects until a page, or a redirect to the relying party. */
  async go(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Page> {
    let current = url;
    let response = await this.request(current, init);
    for (let hops = 0; hops < 20; hops++) {
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) break;
      current = new URL(location, current).toString();
      if (this.stopAt.some((prefix) => current.startsWith(prefix))) {
        return { url: current, status: response.status, html: '', response };
      }
      response = await this.request(current);
    }
    return { url: current, status: response.status, html: await response.text(), response };
  }

  /** Submits the form of `page` whose action ends with `/<action>`, with its anti-forgery token. */
  async submit(page: Page, action: string, fields: Record<string, string> = {}): Promise<Page> {
    const forms = [...page.html.matchAll(/<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)];
    const form = forms.find((f) => f[1]!.endsWith(`/${action}`));
    if (!form) throw new Error(`no form ${action} on ${page.url}:\n${page.html}`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(form[2]!)?.[1] ?? '';
    return this.go(new URL(form[1]!.replace(/&amp;/g, '&'), page.url).toString(), { form: { csrf, ...fields } });
  }
}

/** A relying party's endpoints on loopback: the redirect target and a back-channel logout receiver. */
export class RelyingPartyServer {
  readonly logoutTokens: string[] = [];
  private server: Server;
  private waiters: { count: number; resolve: () => void }[] = [];
  port = 0;

  constructor() {
    this.server = createServer((req: IncomingMessage, res) => {
      if (req.method === 'POST' && req.url === '/backchannel-logout') {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          const token = new URLSearchParams(body).get('logout_token');
          if (token) this.logoutTokens.push(token);
          res.writeHead(200).end();
          const ready = this.waiters.filter((w) => this.logoutTokens.length >= w.count);
          this.waiters = this.waiters.filter((w) => this.logoutTokens.length < w.count);
          for (const w of ready) w.resolve();
        });
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('relying party');
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  waitForLogoutTokens(count: number): Promise<void> {
    if (this.logoutTokens.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export interface Harness {
  platform: Platform;
  kit: Services;
  oidc: Oidc;
  app: App;
  baseUrl: string;
  smsc: TestSmsc;
  rp: RelyingPartyServer;
  demo: Record<string, DemoLogin>;
  adminToken: string;
  /** Registers a relying party through the admin API. */
  register(
    input: Partial<RelyingPartyInput> & { client_id: string },
  ): Promise<{ client_id: string; client_secret?: string }>;
  /** openid-client's view of the provider for a client. */
  rpConfig(clientId: string, secret?: string, auth?: client.ClientAuth): Promise<client.Configuration>;
  /** Runs the notification worker once and returns the latest one-time code sent to the phone. */
  readOtp(phoneE164: string): Promise<string>;
  /** A TOTP code of a demo officer, at the platform clock's time. */
  totp(label: string): string;
  stop(): Promise<void>;
}

/**
 * `platform` must have an admin token and a clock the test controls; `pool` is the test database's.
 * The issuer is the listening address, known once the server listens (port 0): the provider is
 * built after the base URL is set.
 */
export async function startHarness(
  platform: Platform,
  pool: pg.Pool,
  options: {
    clock: Clock;
    oidc?: OidcOptions;
    seed?: string;
    authPolicy?: PolicyOverrides;
    /** Extra route plugins (e.g. the sandbox relying party), given the services. */
    plugins?: (services: Services) => FastifyPluginAsync[];
  },
): Promise<Harness> {
  const adminToken = platform.config.adminToken ?? '';
  await seedSandbox(pool, { citizens: 300, seed: options.seed ?? 'oidc' });
  const kit = createServices(platform, {
    oidc: { allowPrivateNetworkFetch: true, ...options.oidc },
    // Tests sign the same people in many times: no pause between codes (the limits have their own tests).
    authPolicy: options.authPolicy ?? { otp: { resendIntervalMs: 0, sendsPerHour: 10_000 } },
  });
  const oidc = kit.oidc;
  const logins = await seedDemoAccounts(platform, kit);
  const demo = Object.fromEntries(logins.map((l) => [l.label, l]));
  const app = await buildServer(platform, kit, { plugins: options.plugins?.(kit) ?? [] });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  platform.config.baseUrl = baseUrl;
  await oidc.ready();

  const smsc = await new TestSmsc({ systemId: 'dinhdanh', password: 'secret' }).start();
  const channel = new SmppSmsChannel({
    url: smsc.url,
    systemId: 'dinhdanh',
    password: 'secret',
    sourceAddr: 'DINHDANH',
  });
  const worker = createNotifyWorker({ db: platform.db, channels: { sms: channel }, clock: options.clock });
  const rp = await new RelyingPartyServer().start();
  /** Per phone, how many messages readOtp has already looked past. */
  const handedOut = new Map<string, number>();

  return {
    platform,
    kit,
    oidc,
    app,
    baseUrl,
    smsc,
    rp,
    demo,
    adminToken,
    async register(input) {
      const response = await fetch(`${baseUrl}/api/v1/admin/relying-parties`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          kind: 'state',
          name_vi: `Dịch vụ ${input.client_id}`,
          name_en: `Service ${input.client_id}`,
          redirect_uris: [`${rp.origin}/cb`],
          post_logout_redirect_uris: [`${rp.origin}/bye`],
          scopes: ['profile'],
          ...input,
        }),
      });
      const body = (await response.json()) as { client_id: string; client_secret?: string };
      if (response.status !== 201) throw new Error(`registration failed: ${JSON.stringify(body)}`);
      return body;
    },
    async rpConfig(clientId, secret, auth) {
      return client.discovery(
        new URL(baseUrl),
        clientId,
        secret ? { client_secret: secret } : {},
        auth ?? (secret ? client.ClientSecretBasic(secret) : client.None()),
        {
          execute: [client.allowInsecureRequests],
        },
      );
    },
    async readOtp(phoneE164) {
      // Waits for a code this harness has not handed out yet (logins may run side by side, and the
      // worker may be busy with another client's round): runs the worker until one arrives.
      const destination = phoneE164.replace(/^\+/, '');
      // Only one-time codes count: the same phone also receives application notices with numbers in them.
      const mine = () => smsc.messages().filter((m) => m.destination === destination && OTP_TEXT.test(m.text));
      for (let round = 0; round < 50 && mine().length <= (handedOut.get(destination) ?? 0); round++) {
        await worker.runOnce();
        await new Promise((resolve) => setImmediate(resolve));
      }
      const messages = mine();
      const last = messages[messages.length - 1];
      const code = messages.length > (handedOut.get(destination) ?? 0) && last && OTP_TEXT.exec(last.text)?.[1];
      if (!code) throw new Error(`no new code sent to ${phoneE164}: ${JSON.stringify(smsc.messages())}`);
      handedOut.set(destination, messages.length);
      return code;
    },
    totp(label) {
      return new TOTP({
        secret: Secret.fromBase32(demoTotpSecret(label)),
        digits: 6,
        period: 30,
        algorithm: 'SHA1',
      }).generate({
        timestamp: options.clock.now().getTime(),
      });
    },
    async stop() {
      await worker.stop();
      await channel.close();
      await smsc.stop();
      await rp.stop();
      await app.close();
    },
  };
}

/** The one-time code in the `otp` template's SMS (Vietnamese or English). */
const OTP_TEXT =
  /(?:Mã xác thực (?:của bạn|để [^\d]+ đăng nhập) là|Your verification code(?: for [^\d]+ to sign in)? is) (\d{6})/;

/** An authorization request as a relying party builds it (PKCE S256, state, nonce). */
export async function authorizationRequest(
  config: client.Configuration,
  params: Record<string, string>,
): Promise<{ url: string; verifier: string; state: string; nonce: string }> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    response_type: 'code',
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return { url: url.toString(), verifier, state, nonce };
}

/**
 * Signs in through the interaction pages: identifier, password, then the SMS code (read from the
 * SMSC) or the officer's TOTP code. Returns the page (or the redirect to the relying party) that
 * follows the code.
 */
export async function signIn(
  h: Harness,
  browser: Browser,
  start: Page,
  who: { identifier: string; password: string; phone?: string | null; totpLabel?: string },
): Promise<Page> {
  let page = await browser.submit(start, 'identifier', { identifier: who.identifier });
  page = await browser.submit(page, 'password', { password: who.password });
  if (page.status !== 200 || !page.html.includes('name="code"')) return page;
  const code = who.totpLabel ? h.totp(who.totpLabel) : await h.readOtp(who.phone!);
  return browser.submit(page, 'otp', { code });
}

/**
 * A whole sign-in as a first-party client does it: the authorization request, the login pages
 * (SMS code or the officer's TOTP), the code exchange. Returns the token response. The caller
 * moves its clock to a fresh 30-second step before a second TOTP sign-in of the same officer.
 */
export async function signInForTokens(
  h: Harness,
  config: client.Configuration,
  scope: string,
  who: { identifier: string; password: string; phone?: string | null; totpLabel?: string },
) {
  const browser = new Browser([`${h.rp.origin}/`]);
  const request = await authorizationRequest(config, { redirect_uri: `${h.rp.origin}/cb`, scope });
  let page = await browser.go(request.url);
  if (page.html.includes('name="identifier"')) page = await signIn(h, browser, page, who);
  if (!page.url.startsWith(h.rp.origin)) {
    throw new Error(
      `sign-in stopped at ${page.url}: ${page.html.replace(/<style[\s\S]*?<\/style>/, '').slice(0, 3000)}`,
    );
  }
  return client.authorizationCodeGrant(config, new URL(page.url), {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
}
