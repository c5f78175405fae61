import net from 'node:net';
import { defineConfig } from '@playwright/test';

/**
 * Browser journeys (`npm run test:e2e`): Debian's Chromium (/usr/bin/chromium, installed by apt, never
 * a Playwright browser download) against a platform started for the run by test/e2e/platform.ts on
 * a fresh PostgreSQL database and a free port. One worker: the journeys share the demo accounts.
 *
 * The port and database name are chosen once, in the runner; workers load this file again but
 * inherit the runner's environment, so they agree.
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

process.env.E2E_PORT ??= String(await freePort());
process.env.E2E_PORTAL_PORT ??= String(await freePort());
process.env.E2E_DATABASE ??= `dinhdanh_e2e_${Date.now()}_${process.pid}`;
const port = Number(process.env.E2E_PORT);
const baseURL = `http://127.0.0.1:${port}`;

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    baseURL,
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    // The journeys test the app, not the offline cache; pwa.spec.ts lets the service worker in.
    serviceWorkers: 'block',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: 'node bin/run-ts.js test/e2e/platform.ts',
    url: `${baseURL}/readyz`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGINT', timeout: 20_000 },
    env: {
      E2E_PORT: String(port),
      E2E_PORTAL_PORT: process.env.E2E_PORTAL_PORT,
      E2E_DATABASE: process.env.E2E_DATABASE,
      BASE_URL: baseURL,
    },
  },
});
