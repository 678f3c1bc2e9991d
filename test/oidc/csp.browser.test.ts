/**
 * The Content-Security-Policy allows stylesheets from this origin only (no `https:`, no `'unsafe-inline'`), and the
 * login pages, the console (a Vite build) and the dev inbox still render styled in Chromium without one violation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { createUser, setRoles } from '../../src/identity/users.js';
import { devSmsPlugin } from '../../src/web/dev-sms/plugin.js';
import { ensureConsoleBuilt, launchBrowser, signIn, skipReason, startConsoleServer } from '../console/support.js';
import type { TestServer } from '../support/server.js';

const skip = skipReason();

/** Collects CSP violations in the page (an init script is not subject to the page's CSP). */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __violations: string[] }).__violations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  const messages: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) messages.push(m.text());
  });
  return async () => [
    ...messages,
    ...(await page.evaluate(() => (window as unknown as { __violations?: string[] }).__violations ?? [])),
  ];
}

const styleOf = (page: Page, selector: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((el) => {
      const s = getComputedStyle(el);
      return { boxSizing: s.boxSizing, background: getComputedStyle(document.body).backgroundColor };
    });

describe('CSP in Chromium', { skip }, () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    ensureConsoleBuilt();
    server = await startConsoleServer();
    const s = server.services;
    const admin = await createUser(s.db, s.hasher, { username: 'root', password: 'correct horse battery', claims: {} });
    await setRoles(s.db, admin.id, ['admin']);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("the policy allows styles and fonts from 'self' only", async () => {
    const res = await fetch(`${server.url}/console/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    const directive = (name: string) =>
      csp
        .split(';')
        .map((d) => d.trim())
        .find((d) => d.startsWith(`${name} `));
    assert.equal(directive('style-src'), "style-src 'self'");
    assert.equal(directive('font-src'), "font-src 'self'");
    assert.equal(directive('script-src'), "script-src 'self'");
    assert.ok(!csp.includes('unsafe-inline'), csp);
    assert.ok(!/\bhttps:(?!\/)/.test(csp), csp);
  });

  test('the login page and the console render styled with no CSP violation', async () => {
    const page = await browser.newPage();
    const violations = await watchViolations(page);
    await page.goto(`${server.url}/console/`);
    await page.waitForURL(/\/interaction\//);
    const login = await styleOf(page, 'main');
    assert.equal(login.boxSizing, 'border-box', 'login.css was not applied');
    assert.equal(login.background, 'rgb(244, 246, 248)');
    await signIn(page, server.url, 'root', 'correct horse battery');
    await page.waitForSelector('nav, main');
    const console = await styleOf(page, 'main');
    assert.equal(console.boxSizing, 'border-box', "the console's stylesheet was not applied");
    assert.deepEqual(await violations(), []);
    await page.close();
  });
});

describe('CSP in Chromium: the dev inbox', { skip }, () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    const { startStepgate } = await import('../support/server.js');
    server = await startStepgate({
      plugins: [
        {
          plugin: devSmsPlugin as unknown as FastifyPluginAsync<Record<string, unknown>>,
          options: { prefix: '/dev/sms', apiKey: 'k', apiSecret: 's' },
        },
      ],
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('renders styled, and its Clear button works under the policy', async () => {
    const page = await browser.newPage();
    const violations = await watchViolations(page);
    await page.goto(`${server.url}/dev/sms/`);
    const clear = await page.locator('#clear').evaluate((el) => getComputedStyle(el).borderTopColor);
    assert.equal(clear, 'rgb(180, 35, 24)', 'inbox.css was not applied');
    await page.locator('#clear').click();
    await page.waitForLoadState('networkidle');
    assert.deepEqual(await violations(), []);
    await page.close();
  });
});
