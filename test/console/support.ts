/**
 * Fixtures for the console's browser tests: the built console, a Stepgate with the admin API and the console
 * mounted, the console's own application, Chromium via playwright-core, and the login through Stepgate's pages.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { ensureConsoleApplication } from '../../src/identity/console-app.js';
import { adminApiPlugin } from '../../src/web/admin-api/index.js';
import { consolePlugin } from '../../src/web/console/index.js';
import { startStepgate, type TestServer } from '../support/server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOTS = join(root, 'docs/screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser suites cannot run here, or undefined when they can. */
export function skipReason(): string | undefined {
  return existsSync(CHROMIUM)
    ? undefined
    : `Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
}

/** Builds console/dist once when it is missing (a fresh checkout); a present build is used as it is. */
export function ensureConsoleBuilt(): void {
  if (existsSync(join(root, 'console/dist/index.html'))) return;
  const out = spawnSync('npx', ['vite', 'build', '--config', 'console/vite.config.ts'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (out.status !== 0) throw new Error(`console build failed:\n${out.stdout}\n${out.stderr}`);
}

type AnyPlugin = FastifyPluginAsync<Record<string, unknown>>;

/** Stepgate with the admin API and the console, and the console's own OIDC client registered. */
export async function startConsoleServer(): Promise<TestServer> {
  const server = await startStepgate({
    plugins: (services) => [
      {
        plugin: adminApiPlugin as unknown as AnyPlugin,
        options: { services, rateLimit: { max: 10_000, timeWindow: 60_000 } },
      },
      { plugin: consolePlugin as unknown as AnyPlugin, options: { services } },
    ],
  });
  await ensureConsoleApplication(server.services.applications, server.url);
  return server;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Opens the console, signs in on Stepgate's password page and waits until the console is back. */
export async function signIn(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.waitForURL(/\/interaction\//);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((u) => u.pathname.startsWith('/console/') && !u.pathname.startsWith('/console/callback'));
}

/** A 1280×800 (viewport) screenshot; `top` scrolls that element to the top of the window first. */
export async function screenshot(
  page: Page,
  name: string,
  options: { fullPage?: boolean; top?: string } = {},
): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  if (options.top)
    await page
      .locator(options.top)
      .first()
      .evaluate((el) => el.scrollIntoView({ block: 'start' }));
  // let transitions and fonts settle so screenshots are stable
  await page.waitForTimeout(100);
  await page.screenshot({ path: join(SCREENSHOTS, `console-${name}.png`), fullPage: options.fullPage ?? false });
}
