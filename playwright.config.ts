import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 3210);
// A fresh embedded database per run, outside the developer's own .data/.
const dataDir = path.join(os.tmpdir(), `neurocache-e2e-${process.pid}`);

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  workers: 1,
  // In CI the dev server compiles each page on first use; a first visit that lands mid-compile can
  // lose its click (seen once, on the first test of a fresh clone). One retry there, none locally.
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${port}`,
    launchOptions: {
      // Debian's Chromium: nothing downloads a browser.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  webServer: {
    command: 'pnpm dev',
    url: `http://localhost:${port}/sign-in`,
    timeout: 180_000,
    reuseExistingServer: false,
    // Embedded defaults unless E2E_DATABASE_URL points the hub at a real (migrated) Postgres.
    // The specs sign up many people from one address and send fast: the abuse limits stay on, high.
    env: {
      PORT: String(port),
      PGLITE_DIR: dataDir,
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? '',
      REDIS_URL: '',
      OPENAI_API_KEY: '',
      AUTH_SIGNIN_ACCOUNT_LIMIT: '100000',
      AUTH_SIGNIN_ADDRESS_LIMIT: '100000',
      AUTH_SIGNUP_ADDRESS_LIMIT: '100000',
      SEND_RATE_LIMIT_MESSAGES: '100000',
    },
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
