import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';

// The end-to-end tests run against the built app (`npm run test:e2e` builds first), served by
// `vite preview` on a port of its own so that a running `npm start` or dev server is never mistaken for it.
// The port is a free one, chosen once by the runner and inherited by its workers through the
// environment: two test runs on one machine (two checkouts, two CI jobs) never collide.
function freePort(): number {
  const script = "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})";
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim());
}
process.env.VIRTLAB_E2E_PORT ||= String(freePort());
const PORT = Number(process.env.VIRTLAB_E2E_PORT);
const BASE_URL = `http://127.0.0.1:${PORT}`;

// Debian's Chromium where it is installed (CI, containers); Playwright's own browser elsewhere.
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const launchOptions = existsSync(SYSTEM_CHROMIUM)
  ? {
      executablePath: SYSTEM_CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    }
  : {};

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  // No retries: a test that passes only sometimes is a failing test (issue 9: the loop must hold).
  retries: 0,
  workers: 2,
  timeout: 30_000,
  // Tests wait on what the page shows, never on time; on a loaded 2-core machine that may take a while.
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  use: {
    baseURL: BASE_URL,
    trace: 'retain-on-failure',
    launchOptions,
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], viewport: { width: 1280, height: 800 }, launchOptions } }],
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: BASE_URL,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
  },
});
