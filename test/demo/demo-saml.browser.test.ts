/**
 * "Try it out" over SAML 2.0, as the README tells it: `npm start`, then the SAML Pickup Dispatch (a service provider
 * on @node-saml/node-saml) in real Chromium — Login → admin's password → the OTP from the SMS inbox → the home page
 * shows the NameID (the mobile number), the attributes and a two-factor authentication context; Logout runs Single
 * Logout through Stepgate, so the next login (HTTP-POST binding this time) asks for both steps again.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, skipChromium } from '../support/chromium.js';
import { screenshotPath } from '../support/screenshots.js';
import { freePort } from '../support/server.js';
import { ADMIN_PASSWORD, type Demo, latestOtp, running, startDemo, stopDemo } from './support.js';

describe('the SAML Pickup Dispatch of the demo, in Chromium', { skip: skipChromium }, () => {
  let dataDir: string;
  let browser: Browser;
  let demo: Demo;
  // one browser profile for the whole suite: the second test starts with the Stepgate session of the first
  let context: BrowserContext;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'stepgate-demo-saml-'));
    demo = await startDemo(dataDir, await freePort(), await freePort());
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  });
  after(async () => {
    await browser?.close();
    if (running(demo)) await stopDemo(demo);
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Both steps of the guide: the password page, then the code from the dev SMS inbox. */
  async function passBothSteps(page: Page): Promise<void> {
    await page.waitForURL(/\/interaction\//);
    assert.match(await page.content(), /Pickup Dispatch \(SAML\)/, 'the login page does not name the application');
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    const sentAfter = Date.now() - 1000;
    await page.getByRole('button', { name: /continue/i }).click();
    await page.waitForSelector('input[autocomplete="one-time-code"]');
    await page.fill('input[name=code]', await latestOtp(demo.stepgate, sentAfter));
    await page.locator('#sms-otp-verify button[type=submit]').click();
    await page.waitForURL(`${demo.pickupSaml}/home`);
  }

  test('the start prints the SAML sample and the metadata URL; a login takes both steps and shows the assertion', async () => {
    const out = demo.output();
    for (const url of [`${demo.pickupSaml}/`, `${demo.stepgate}/saml2/metadata`])
      assert.ok(out.includes(url), `${url} not printed:\n${out}`);
    const page = await context.newPage();
    await page.goto(`${demo.pickupSaml}/`);
    assert.match(await page.content(), /SAML 2\.0 Sample Application/);
    await page.getByRole('button', { name: /^login$/i }).click();
    await passBothSteps(page);
    assert.equal((await page.textContent('#name-id'))?.trim(), '+94771234567', 'the NameID is not the mobile number');
    assert.match((await page.textContent('#authn-context')) ?? '', /two factors/);
    const attributes = (await page.textContent('#attributes')) ?? '';
    assert.match(attributes, /admin@example\.com/, 'the requested email claim is not an attribute');
    assert.match(attributes, /\+94771234567/);
    await page.screenshot({ path: screenshotPath('demo-saml-1-home') });
    await page.close();
  });

  test('a second login is single sign-on; Logout ends the Stepgate session through Single Logout, so the next login (HTTP-POST binding) asks for both steps', async () => {
    const page = await context.newPage();
    await page.goto(`${demo.pickupSaml}/`);
    assert.equal(page.url(), `${demo.pickupSaml}/home`, 'the sample session of the first test is gone');
    // the sample forgets the user; the browser still holds the Stepgate session: no step runs
    await context.clearCookies({ name: 'pickup_dispatch_saml_session' });
    await page.goto(`${demo.pickupSaml}/`);
    await page.getByRole('button', { name: /^login$/i }).click();
    await page.waitForURL(`${demo.pickupSaml}/home`);
    assert.match((await page.textContent('#authn-context')) ?? '', /two factors/);
    await page
      .getByRole('button', { name: /logout/i })
      .first()
      .click();
    await page.waitForURL(`${demo.pickupSaml}/`);
    assert.match(await page.content(), /SAML 2\.0 Sample Application/);
    await page.goto(`${demo.pickupSaml}/home`);
    assert.equal(page.url(), `${demo.pickupSaml}/`, 'the sample session survived its logout');
    await page.getByRole('button', { name: /HTTP-POST binding/i }).click();
    await passBothSteps(page);
    assert.equal((await page.textContent('#name-id'))?.trim(), '+94771234567');
    await page.close();
  });
});
