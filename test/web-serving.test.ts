import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildServer, type App } from '../src/http/server.ts';
import { isAppRoute, webBuildIsStale } from '../src/http/web.ts';
import { ensureFirstPartyClients } from '../src/oidc/first-party.ts';
import { createServices } from '../src/services.ts';
import { testPlatform, useTestDatabase } from './database.ts';

/**
 * The web apps beside the API (src/http/web.ts): each app's index.html for its page paths, the
 * built files as they are, and never a page where the API, the provider or a file is missing; the
 * first-party clients registered at start-up (src/oidc/first-party.ts).
 */
const t = useTestDatabase();
const dir = mkdtempSync(path.join(os.tmpdir(), 'dinhdanh-web-'));
let app: App;

function fakeBuild(root: string): void {
  mkdirSync(path.join(root, 'officer'), { recursive: true });
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>citizen</title>');
  writeFileSync(path.join(root, 'officer', 'index.html'), '<!doctype html><title>officer</title>');
  writeFileSync(path.join(root, 'assets', 'app-abc123.js'), 'console.log(1)');
}

beforeAll(async () => {
  fakeBuild(path.join(dir, 'dist'));
  const platform = testPlatform(t.db);
  app = await buildServer(platform, createServices(platform), { web: { root: path.join(dir, 'dist') } });
});
afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('serving the web apps', () => {
  test.each([
    ['/', 'citizen'],
    ['/callback?code=x&state=y', 'citizen'],
    ['/card', 'citizen'],
    ['/officer', 'officer'],
    ['/officer/', 'officer'],
    ['/officer/callback', 'officer'],
  ])('%s is the %s app, with its security headers', async (url, which) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<title>${which}</title>`);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  test('hashed assets are cached for good', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/app-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toContain('immutable');
  });

  test.each(['/api/v1/nothing', '/assets/gone.js', '/favicon.png', '/docs/x', '/sandbox/x', '/.well-known/x'])(
    '%s stays a 404 problem, never a page',
    async (url) => {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    },
  );

  test('API and provider routes win over the apps', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const discovery = await app.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
    expect(discovery.statusCode).toBe(200);
  });

  test('isAppRoute keeps the platform prefixes', () => {
    expect(isAppRoute('/lock')).toBe(true);
    expect(isAppRoute('/apis')).toBe(true);
    expect(isAppRoute('/api')).toBe(false);
    expect(isAppRoute('/interaction/abc')).toBe(false);
    expect(isAppRoute('/manifest.json')).toBe(false);
  });
});

describe('the build is redone when a source is newer than it', () => {
  test('missing, fresh, stale', () => {
    const web = path.join(dir, 'web');
    mkdirSync(path.join(web, 'src'), { recursive: true });
    writeFileSync(path.join(web, 'src', 'main.tsx'), 'export {}');
    const past = new Date(Date.now() - 60_000);
    utimesSync(path.join(web, 'src', 'main.tsx'), past, past);
    expect(webBuildIsStale(web)).toBe(true);
    fakeBuild(path.join(web, 'dist'));
    expect(webBuildIsStale(web)).toBe(false);
    const future = new Date(Date.now() + 60_000);
    utimesSync(path.join(web, 'src', 'main.tsx'), future, future);
    expect(webBuildIsStale(web)).toBe(true);
  });
});

describe('first-party clients', () => {
  test('registered once, then re-aligned with a new base URL', async () => {
    const platform = testPlatform(t.db, { config: { baseUrl: 'http://localhost:4100' } });
    const services = createServices(platform);
    const deps = { clients: services.oidc.clients, audit: services.audit };
    await ensureFirstPartyClients(platform, deps);
    await ensureFirstPartyClients(platform, deps);
    const citizen = await services.oidc.clients.get('citizen-app');
    expect(citizen).toMatchObject({
      redirect_uris: ['http://localhost:4100/callback'],
      token_endpoint_auth_method: 'none',
      first_party: true,
      officer_console: false,
    });
    expect(citizen!.allowed_scopes).toEqual(expect.arrayContaining(['api:app', 'api:app:locked']));
    const console = await services.oidc.clients.get('officer-console');
    expect(console).toMatchObject({ officer_console: true, redirect_uris: ['http://localhost:4100/officer/callback'] });

    const moved = testPlatform(t.db, { config: { baseUrl: 'https://id.example.vn' } });
    await ensureFirstPartyClients(moved, deps);
    expect((await services.oidc.clients.get('citizen-app'))!.redirect_uris).toEqual(['https://id.example.vn/callback']);
  });
});
