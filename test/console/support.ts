/**
 * Fixtures for the console's browser tests: the built console, a Stepgate with the admin API and the console
 * mounted, the console's own application, Chromium via playwright-core, and the login through Stepgate's pages.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { ensureConsoleApplication } from '../../src/identity/console-app.js';
import { createUser } from '../../src/identity/users.js';
import { adminApiPlugin } from '../../src/web/admin-api/index.js';
import { consolePlugin } from '../../src/web/console/index.js';
import { screenshotPath } from '../support/screenshots.js';
import { startStepgate, type TestServer } from '../support/server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser suites cannot run here, or undefined when they can. */
export function skipReason(): string | undefined {
  return existsSync(CHROMIUM)
    ? undefined
    : `Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
}

/** The newest modification time of the console's sources (console/src, index.html, vite.config.ts). */
function newestSource(): number {
  let newest = 0;
  const visit = (path: string) => {
    const st = statSync(path);
    if (st.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['console/src', 'console/index.html', 'console/vite.config.ts']) {
    const path = join(root, p);
    if (existsSync(path)) visit(path);
  }
  return newest;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Builds console/dist when it is missing or older than the console's sources, so a browser test never runs
 * yesterday's console. Test files run in parallel processes: a lock directory lets one build while the others wait.
 */
export function ensureConsoleBuilt(): void {
  const index = join(root, 'console/dist/index.html');
  const fresh = () => existsSync(index) && statSync(index).mtimeMs >= newestSource();
  if (fresh()) return;
  const lock = join(tmpdir(), 'stepgate-console-build.lock');
  const deadline = Date.now() + 240_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // a build older than the deadline is a crashed one: take the lock over
      if (Date.now() > deadline) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      sleep(500);
      if (fresh()) return;
    }
  }
  try {
    if (fresh()) return;
    const out = spawnSync(
      process.execPath,
      ['node_modules/vite/bin/vite.js', 'build', '--config', 'console/vite.config.ts', '--logLevel', 'warn'],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 180_000,
      },
    );
    if (out.status !== 0) throw new Error(`console build failed:\n${out.stdout}\n${out.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
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

/**
 * Signs in on a console held to SMS OTP: the password page, then the code page with the code `code()` finds (the
 * test's SMS provider received it), then back in the console.
 */
export async function signInWithSms(
  page: Page,
  baseUrl: string,
  username: string,
  password: string,
  code: () => Promise<string> | string,
): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  // after a sign-out the console waits for "Sign in again" instead of starting a login by itself
  const again = page.getByRole('button', { name: 'Sign in again' });
  await Promise.race([page.waitForURL(/\/interaction\//), again.waitFor()]);
  if (await again.isVisible()) await again.click();
  await page.waitForURL(/\/interaction\//);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.locator('input[autocomplete="one-time-code"]').fill(await code());
  await page.locator('#sms-otp-verify button[type=submit]').click();
  await page.waitForURL((u) => u.pathname.startsWith('/console/') && !u.pathname.startsWith('/console/callback'));
}

/** A viewport screenshot into test-results/screenshots/console-<name>.png; `top` scrolls that element up first. */
export async function screenshot(
  page: Page,
  name: string,
  options: { fullPage?: boolean; top?: string } = {},
): Promise<void> {
  if (options.top)
    await page
      .locator(options.top)
      .first()
      .evaluate((el) => el.scrollIntoView({ block: 'start' }));
  // let transitions and fonts settle so screenshots are stable
  await page.waitForTimeout(100);
  await page.screenshot({ path: screenshotPath(`console-${name}`), fullPage: options.fullPage ?? false });
}

export const CONSOLE_ADMIN = { username: 'admin', password: 'correct horse battery staple' };

/**
 * The console signed in as an admin with a mobile number: Stepgate with the admin API and the console, Chromium, and
 * a page back in the console after the password step. `prepare` runs on the page before the sign-in (a dialog handler).
 */
export async function signedInConsole(
  options: { viewport?: { width: number; height: number }; prepare?: (page: Page) => void } = {},
): Promise<{ server: TestServer; browser: Browser; context: BrowserContext; page: Page }> {
  ensureConsoleBuilt();
  const server = await startConsoleServer();
  await createUser(server.services.db, server.services.hasher, {
    username: CONSOLE_ADMIN.username,
    password: CONSOLE_ADMIN.password,
    roles: ['admin'],
    claims: { [ClaimUri.mobile]: '+94771234567' },
  });
  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 } });
  const page = await context.newPage();
  options.prepare?.(page);
  await signIn(page, server.url, CONSOLE_ADMIN.username, CONSOLE_ADMIN.password);
  return { server, browser, context, page };
}

/**
 * The signed-in console and a switched-off smsOTP identity provider with the given sms-otp configuration (a live one
 * could only be changed from a two-factor sign-in; these suites are about forms).
 */
export async function consoleWithSmsOtpProvider(
  smsOtpConfig: Record<string, unknown>,
  prepare: (page: Page) => void = () => undefined,
): Promise<{ server: TestServer; browser: Browser; context: BrowserContext; page: Page; idpId: string }> {
  const signedIn = await signedInConsole({ prepare });
  const idp = await signedIn.server.services.identityProviders.create({
    name: 'smsOTP',
    enabled: false,
    authenticators: [{ type: 'sms-otp', enabled: true, config: smsOtpConfig }],
  });
  return { ...signedIn, idpId: idp.id };
}
