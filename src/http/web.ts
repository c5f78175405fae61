import { existsSync, readdirSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Logger } from '../platform/logger.ts';

/**
 * The web front ends (web/: the citizen app at `/`, the officer console at `/officer/`), served by
 * the platform itself from web/dist, so one process and one origin carry the API, the OpenID
 * provider and the pages (no CORS, cookies of one site). `npm start` builds them with Vite's JS API
 * when web/dist is missing or older than web/'s sources, so a fresh clone needs no extra command;
 * `npm run build:web` does the same by hand.
 */

export const WEB_DIR = path.resolve(import.meta.dirname, '../../web');

export interface WebApp {
  /** The built files (web/dist). */
  root: string;
}

/** Paths that belong to the platform, never to the single-page apps: a miss there is a 404 problem. */
const RESERVED = [
  '/api',
  '/oidc',
  '/sandbox',
  '/.well-known',
  '/healthz',
  '/readyz',
  '/docs',
  '/interaction',
  '/assets',
];

/** Whether a GET of this path may be answered with an app's index.html (client-side routing). */
export function isAppRoute(pathname: string): boolean {
  if (RESERVED.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`))) return false;
  // A missing file (icon.png, main.js…) is a 404, not a page.
  const last = pathname.split('/').pop() ?? '';
  return !last.includes('.');
}

/** The newest modification time among the files a build reads (web/ but dist, and the lockfile). */
export function newestSourceTime(webDir: string = WEB_DIR): number {
  let newest = 0;
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'dist' || entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  visit(webDir);
  const lock = path.join(webDir, '..', 'package-lock.json');
  if (existsSync(lock)) newest = Math.max(newest, statSync(lock).mtimeMs);
  return newest;
}

const ENTRIES = ['index.html', 'officer/index.html'];

/** Whether web/dist lacks an entry or is older than a source file. */
export function webBuildIsStale(webDir: string = WEB_DIR): boolean {
  const dist = path.join(webDir, 'dist');
  const built = ENTRIES.map((entry) => path.join(dist, entry));
  if (!built.every((file) => existsSync(file))) return true;
  const builtAt = Math.min(...built.map((file) => statSync(file).mtimeMs));
  return newestSourceTime(webDir) > builtAt;
}

/**
 * Builds web/ into web/dist with Vite. The build goes to a folder of its own first and replaces
 * web/dist in one rename, so a process starting beside this one (tests start several) never
 * serves half a build, and two builds at once do not write into each other.
 */
export async function buildWebApp(log: Logger, webDir: string = WEB_DIR): Promise<void> {
  const started = performance.now();
  const { build } = await import('vite');
  const staging = path.join(webDir, `.build-${process.pid}-${Date.now()}`);
  try {
    await build({
      configFile: path.join(webDir, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: staging, emptyOutDir: true },
    });
    const dist = path.join(webDir, 'dist');
    await rm(dist, { recursive: true, force: true });
    await rename(staging, dist).catch(async (error: unknown) => {
      // Another process put its build there between the two calls: keep theirs.
      if (!existsSync(path.join(dist, 'index.html'))) throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  log.info({ ms: Math.round(performance.now() - started), dir: path.join(webDir, 'dist') }, 'web app built');
}

/**
 * The web app to serve: web/dist, built first when missing or stale. A failed build leaves the
 * platform running: an older build is served if there is one, otherwise no pages (the API works).
 */
export async function prepareWebApp(log: Logger, webDir: string = WEB_DIR): Promise<WebApp | undefined> {
  if (!existsSync(path.join(webDir, 'vite.config.ts'))) return undefined;
  if (webBuildIsStale(webDir)) {
    log.info('web app sources changed: building web/dist');
    try {
      await buildWebApp(log, webDir);
    } catch (error) {
      log.error({ err: error }, 'web app build failed');
    }
  }
  const root = path.join(webDir, 'dist');
  return ENTRIES.every((entry) => existsSync(path.join(root, entry))) ? { root } : undefined;
}

/**
 * Headers of the apps' pages. The CSP allows only this origin (the API and the provider are here):
 * no inline script, images from here or data: (the eID QR code comes as a data: PNG).
 */
const PAGE_HEADERS: Record<string, string> = {
  'cache-control': 'no-cache',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "manifest-src 'self'; worker-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

function setHeaders(reply: FastifyReply, file: string): void {
  if (file.endsWith('.html')) reply.headers(PAGE_HEADERS);
  // Vite names assets by content hash: cached for good. The service worker must be re-checked.
  else if (file.includes(`${path.sep}assets${path.sep}`))
    reply.header('cache-control', 'public, max-age=31536000, immutable');
  else reply.header('cache-control', 'no-cache');
}

/**
 * Serves web/dist: its files as they are, and each app's index.html for its client-side routes
 * (`/officer/*` the console, any other page path the citizen app). Register it last: the API and
 * provider routes are more specific and win, and a miss under a reserved prefix stays a 404 problem.
 */
export function webRoutes(web: WebApp): FastifyPluginAsync {
  return async (app) => {
    await app.register(fastifyStatic, {
      root: web.root,
      // Routes for the files present now (the build precedes the server), so the catch-all below
      // only sees paths that are no file.
      wildcard: false,
      redirect: false,
      index: 'index.html',
      setHeaders: (reply, file) => setHeaders(reply, file),
    });
    app.get('/*', { schema: { hide: true } }, async (request, reply) => {
      const pathname = request.url.split('?')[0] ?? '/';
      if (!isAppRoute(pathname)) return reply.callNotFound();
      const entry = pathname === '/officer' || pathname.startsWith('/officer/') ? 'officer/index.html' : 'index.html';
      return reply.headers(PAGE_HEADERS).sendFile(entry);
    });
  };
}
