/**
 * "Try it out", as the README tells it: `npm start` from an empty data folder, then the seed guide's login in real
 * Chromium — Pickup Dispatch → Login → admin's credentials → the OTP from the SMS inbox → logged in with amr sms —
 * logout, a backup code login, a wrong code, and a second start on the same data. Screenshots go to
 * test-results/screenshots (`npm run screenshots` copies them into docs/).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, skipChromium } from '../support/chromium.js';
import { screenshotPath } from '../support/screenshots.js';
import { freePort } from '../support/server.js';
import { ADMIN_PASSWORD, type Demo, latestOtp, refused, root, running, startDemo, stopDemo } from './support.js';

describe('the demo, in Chromium', { skip: skipChromium }, () => {
  let dataDir: string;
  let browser: Browser;
  let demo: Demo;
  let port: number;
  let pickupPort: number;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'stepgate-demo-'));
    port = await freePort();
    pickupPort = await freePort();
    demo = await startDemo(dataDir, port, pickupPort);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    if (running(demo)) await stopDemo(demo);
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function loginToOtpPage(page: Page): Promise<number> {
    await page.goto(`${demo.pickup}/`);
    await page.getByRole('button', { name: /login/i }).click();
    await page.waitForURL(/\/interaction\//);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    const sentAfter = Date.now() - 1000;
    await page.getByRole('button', { name: /continue/i }).click();
    await page.waitForSelector('input[autocomplete="one-time-code"]');
    return sentAfter;
  }

  test('the start prints every URL; the seed guide login works with the OTP from the inbox', async () => {
    const out = demo.output();
    for (const url of [demo.stepgate, `${demo.stepgate}/console/`, `${demo.pickup}/`, `${demo.stepgate}/dev/sms/`])
      assert.ok(out.includes(url), `${url} not printed:\n${out}`);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${demo.pickup}/`);
    assert.match(await page.content(), /PICKUP DISPATCH/);
    await page.getByRole('button', { name: /login/i }).click();
    await page.waitForURL(/\/interaction\//);
    assert.match(await page.content(), /Pickup Dispatch/);
    await page.screenshot({ path: screenshotPath('demo-1-login') });
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    const sentAfter = Date.now() - 1000;
    await page.getByRole('button', { name: /continue/i }).click();
    await page.waitForSelector('input[autocomplete="one-time-code"]');
    const body = await page.textContent('main');
    assert.match(body ?? '', /\*+4567/, 'the masked number is not shown');
    await page.screenshot({ path: screenshotPath('demo-2-otp') });
    const code = await latestOtp(demo.stepgate, sentAfter);
    const inbox = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await inbox.goto(`${demo.stepgate}/dev/sms/`);
    await inbox.waitForSelector(`text=${code}`);
    await inbox.screenshot({ path: screenshotPath('demo-3-sms-inbox') });
    await inbox.close();
    await page.fill('input[name=code]', code);
    await page.locator('#sms-otp-verify button[type=submit]').click();
    await page.waitForURL(`${demo.pickup}/**`);
    const profile = await page.content();
    assert.match(profile, /\+94771234567/, 'the subject (mobile) is not shown');
    assert.match(profile, /&quot;sms&quot;|"sms"/, 'amr does not contain sms');
    await page.screenshot({ path: screenshotPath('demo-4-pickup-profile'), fullPage: false });
    // the inbox posted Vonage's delivery receipt to the node: the code is delivered in the message log (Console › Messages)
    const db = new Database(join(dataDir, 'stepgate.db'), { readonly: true });
    try {
      const latest = () =>
        db.prepare('select status, verified_at from sms_messages order by created_at desc limit 1').get() as
          | { status: string; verified_at: number | null }
          | undefined;
      for (let i = 0; i < 50 && latest()?.status !== 'delivered'; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(latest()?.status, 'delivered', 'no delivery receipt reached the message log');
      assert.ok(latest()?.verified_at, 'the verified code is not marked as a conversion');
    } finally {
      db.close();
    }
    // RP-initiated logout through Stepgate and back to the start page
    await page
      .getByRole('button', { name: /logout/i })
      .first()
      .click();
    await page.waitForURL(new RegExp(`${demo.stepgate.replace(/[.:/]/g, '\\$&')}/oidc/session/end`));
    await page.getByRole('button', { name: /yes, log me out/i }).click();
    await page.waitForURL(`${demo.pickup}/**`);
    assert.match(await page.content(), /PICKUP DISPATCH/);
    await page.close();
    // a whole login later, the terminal still ends with the URLs and the password: no request was logged
    const later = demo.output();
    assert.doesNotMatch(later, /incoming request|request completed|"reqId"/);
    assert.match(later.trimEnd(), /Press Ctrl-C to stop\.\n-+$/);
  });

  test('a wrong OTP shows the retry page; a backup code the admin set as the seed does logs in once', async () => {
    const setup = join(dataDir, 'backup.yaml');
    writeFileSync(
      setup,
      'users:\n  - username: admin\n    claims:\n      http://wso2.org/claims/otpbackupcodes: "10300,21390"\n',
    );
    const applied = spawnSync(process.execPath, [join(root, 'bin', 'stepgate.js'), 'apply', '-f', setup], {
      env: { PATH: process.env.PATH ?? '', STEPGATE_DATA_DIR: dataDir },
      encoding: 'utf8',
    });
    assert.equal(applied.status, 0, applied.stderr);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await loginToOtpPage(page);
    await page.fill('input[name=code]', '000000');
    await page.locator('#sms-otp-verify button[type=submit]').click();
    await page.waitForSelector('[role=alert]');
    assert.match((await page.textContent('[role=alert]')) ?? '', /code|incorrect|wrong/i);
    assert.ok(await page.isVisible('input[autocomplete="one-time-code"]'), 'the retry page has no code box');
    await page.fill('input[name=code]', '21390');
    await page.locator('#sms-otp-verify button[type=submit]').click();
    await page.waitForURL(`${demo.pickup}/**`);
    const profile = await page.content();
    assert.match(profile, /\+94771234567/);
    assert.doesNotMatch(profile, /&quot;sms&quot;|"sms"/, 'a backup-code login claims sms');
    await page.context().clearCookies();
    await loginToOtpPage(page);
    await page.fill('input[name=code]', '21390');
    await page.locator('#sms-otp-verify button[type=submit]').click();
    await page.waitForSelector('[role=alert]');
    assert.ok(page.url().includes('/interaction/'), 'a used backup code worked twice');
    await page.close();
  });

  test('Ctrl-C stops everything cleanly, and a second start keeps the users and settings', async () => {
    assert.equal(await stopDemo(demo), true, `the demo did not stop cleanly:\n${demo.output()}`);
    assert.ok(
      (await refused(`${demo.stepgate}/healthz`)) && (await refused(`${demo.pickup}/`)),
      'a server still answers after Ctrl-C',
    );
    assert.doesNotMatch(demo.output(), /Error| {4}at /);
    demo = await startDemo(dataDir, port, pickupPort);
    assert.doesNotMatch(demo.output(), /Password \(shown once\)/);
    const page = await browser.newPage();
    const sentAfter = await loginToOtpPage(page);
    const code = await latestOtp(demo.stepgate, sentAfter);
    await page.fill('input[name=code]', code);
    await page.locator('#sms-otp-verify button[type=submit]').click();
    await page.waitForURL(`${demo.pickup}/**`);
    assert.match(await page.content(), /\+94771234567/);
    await page.close();
  });

  test('the logins of one number run into the per-number SMS limit; the page says which limit and where', async () => {
    // every SMS login of this suite (before and after the restart) went to admin's number; the demo keeps the real
    // limit of 5 per hour, counted in its database, so the restart did not reset it
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    let hint = '';
    for (let i = 0; i < 6 && !hint; i++) {
      await page.context().clearCookies();
      await page.goto(`${demo.pickup}/`);
      await page.getByRole('button', { name: /login/i }).click();
      await page.waitForURL(/\/interaction\//);
      await page.fill('input[name=username]', 'admin');
      await page.fill('input[name=password]', ADMIN_PASSWORD);
      await page.getByRole('button', { name: /continue/i }).click();
      await page.waitForSelector('input[autocomplete="one-time-code"], #limit-hint');
      hint =
        (await page
          .locator('#limit-hint')
          .textContent({ timeout: 100 })
          .catch(() => null)) ?? '';
    }
    assert.ok(hint, 'six logins within the hour and no limit was reached');
    assert.equal(await page.getAttribute('#notice', 'data-message-id'), 'sms-otp.limit.per-number');
    assert.match(hint, /limits\.perNumber \(5 SMS per 60 minutes\)/);
    assert.match(hint, /SMS OTP Configuration › Send limits › Per phone number/);
    await page.screenshot({ path: screenshotPath('demo-5-sms-limit') });
    await page.close();
  });
});
