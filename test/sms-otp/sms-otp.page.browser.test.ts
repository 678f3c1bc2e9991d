/**
 * The code page in real Chromium: the masked number, the one-time-code input, the resend countdown, a full login;
 * after three wrong codes it says once that the code is dead and never points at the disabled Resend button; the
 * code box takes the letters of a backup code (no numeric keypad while backup codes are on).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { generateBackupCodes } from '../../src/identity/backup-codes.js';
import { PASSWORD, REDIRECT, type SmsOtpFixture, startSmsOtp } from './support/fixture.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM)
  ? false
  : `Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;

describe('SMS OTP code page in Chromium', { skip }, () => {
  let f: SmsOtpFixture;
  let browser: Browser;
  before(async () => {
    f = await startSmsOtp({ config: { resendCooldownSeconds: 30 } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  after(async () => {
    await browser?.close();
    await f?.stop();
  });

  test('masked number, autocomplete="one-time-code", a running resend timer, no CSP errors, and the login finishes', async () => {
    await f.addUser('chromium-user');
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(f.rp.begin().url);
    await page.fill('input[name=username]', 'chromium-user');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('input[name=code]');

    assert.equal(await page.textContent('#masked-mobile'), '+*******4567');
    const code = page.locator('input[name=code]');
    assert.equal(await code.getAttribute('autocomplete'), 'one-time-code');
    // backup codes are on by default, and theirs have letters: a keyboard with letters, no digits-only pattern
    assert.equal(await code.getAttribute('inputmode'), 'text');
    assert.equal(await code.getAttribute('pattern'), null);
    assert.equal(await code.getAttribute('autocapitalize'), 'none');
    assert.equal(
      await page.locator('input[type=text], input[type=tel], input[type=password], input:not([type])').count(),
      1,
    );

    const timer = page.locator('#resend-timer');
    assert.ok(await timer.isVisible());
    const first = await timer.textContent();
    assert.match(first ?? '', /You can ask for a new code in (29|30) seconds\./);
    assert.equal(await page.locator('#resend-button').isDisabled(), true, 'resend is enabled during the cooldown');
    await page.waitForFunction((before) => document.getElementById('resend-timer')?.textContent !== before, first, {
      timeout: 3000,
    });
    assert.match((await timer.textContent()) ?? '', /You can ask for a new code in (27|28|29) seconds\./);

    // the callback (port 1) is not reachable: what matters is the redirect to it, with an authorization code
    const toApp = page.waitForResponse((r) => (r.headers().location ?? '').startsWith(REDIRECT), { timeout: 10_000 });
    await code.fill(f.sms.lastCode());
    await page.click('#sms-otp-verify button[type=submit]');
    const location = new URL((await toApp).headers().location!);
    assert.match(location.searchParams.get('code') ?? '', /.+/, 'no authorization code in the callback');
    assert.equal(problems.filter((p) => /Content Security Policy|Refused/.test(p)).length, 0, problems.join('\n'));
    assert.ok((await f.audit('login.succeeded')).some((e) => e.username === 'chromium-user'));
  });

  async function toCodePage(username: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(f.rp.begin().url);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('input[name=code]');
    return page;
  }

  test('after three wrong codes the page says once that the code is dead, and points at no disabled button', async () => {
    await f.addUser('three-wrong');
    const page = await toCodePage('three-wrong');
    const right = f.sms.lastCode();
    // near misses: the last digit off, the first digit off, one digit short
    const lastOff = right.slice(0, -1) + ((Number(right.at(-1)) + 1) % 10);
    const firstOff = ((Number(right[0]) + 1) % 10) + right.slice(1);
    for (const wrong of [lastOff, firstOff, right.slice(0, -1)]) {
      await page.fill('input[name=code]', wrong);
      await page.click('#sms-otp-verify button[type=submit]');
      await page.waitForSelector('#notice');
    }
    assert.equal(await page.getAttribute('#notice', 'data-message-id'), 'sms-otp.too-many-attempts');
    const text = (await page.textContent('main')) ?? '';
    assert.equal(text.match(/no longer works/g)?.length, 1, `said more than once:\n${text}`);
    assert.equal(text.match(/too many incorrect codes/gi)?.length, 1);
    // the resend button is in its cooldown: nothing tells the user to use it now
    assert.equal(await page.locator('#resend-button').isDisabled(), true);
    assert.doesNotMatch(text, /click|press|tap|resend code to/i);
    assert.match((await page.textContent('#resend-timer')) ?? '', /^You can ask for a new code in \d+ seconds\.$/);
    // what the page does offer now: a backup code in the (enabled) code box
    assert.equal(await page.locator('input[name=code]').isEnabled(), true);
    assert.match((await page.textContent('#no-code')) ?? '', /backup code/);
    await page.close();
  });

  test('a resend during the cooldown: "wait N seconds" is said once, with and without the script', async () => {
    await f.addUser('early-resend');
    const page = await toCodePage('early-resend');
    // the button is disabled: post the form the way a browser without JavaScript would let the user
    const answer = page.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 429);
    await page.evaluate(() => (document.getElementById('sms-otp-resend') as HTMLFormElement).submit());
    const html = await (await answer).text();
    // what a reader sees without the script: the text outside the tags (attributes hold the script's texts)
    const shown = html.replace(/<script[\s\S]*?<\/script>|<[^>]*>/g, ' ');
    assert.equal(shown.match(/ask for a new code in/g)?.length, 1, 'the page as sent says it twice');
    assert.match(html, /data-message-id="sms-otp.resend-wait"/);
    await page.waitForLoadState('load');
    await page.waitForFunction(() => /\d+ seconds/.test(document.getElementById('resend-timer')?.textContent ?? ''));
    const text = (await page.textContent('main')) ?? '';
    assert.equal(text.match(/ask for a new code in/g)?.length, 1, `the page with its script says it twice:\n${text}`);
    assert.equal(await page.locator('#resend-button').isDisabled(), true);
    await page.close();
  });

  test('a backup code with letters is typed into the code box and logs in', async () => {
    const user = await f.addUser('backup-letters');
    const [backup] = generateBackupCodes(1);
    await f.server.services.backupCodes.replace(user.id, [backup!]);
    const page = await toCodePage('backup-letters');
    const code = page.locator('input[name=code]');
    assert.notEqual(await code.getAttribute('inputmode'), 'numeric');
    const toApp = page.waitForResponse((r) => (r.headers().location ?? '').startsWith(REDIRECT), { timeout: 10_000 });
    await code.pressSequentially(backup!.toUpperCase());
    assert.equal(await code.inputValue(), backup!.toUpperCase(), 'the box did not take the letters');
    await page.click('#sms-otp-verify button[type=submit]');
    assert.match(new URL((await toApp).headers().location!).searchParams.get('code') ?? '', /.+/);
    await page.close();
  });

  test('development mode: a send limit names itself on the page and in the audit event, with where to change it', async () => {
    await f.configure({ limits: { perNumber: { max: 1, windowMinutes: 60 } } });
    try {
      await f.addUser('limit-dev');
      (await toCodePage('limit-dev')).close();
      const page = await browser.newPage();
      await page.goto(f.rp.begin().url);
      await page.fill('input[name=username]', 'limit-dev');
      await page.fill('input[name=password]', PASSWORD);
      await page.click('button[type=submit]');
      await page.waitForSelector('#notice');
      assert.equal(await page.getAttribute('#notice', 'data-message-id'), 'sms-otp.limit.per-number');
      const hint = (await page.textContent('#limit-hint')) ?? '';
      assert.match(hint, /limits\.perNumber \(1 SMS per 60 minutes\)/);
      // the console's own labels for the field (rendered from the same schema)
      assert.match(hint, /Identity Providers › smsOTP › SMS OTP Configuration › Send limits › Per phone number/);
      const event = (await f.audit('sms.limit-reached')).find((e) => e.username === 'limit-dev');
      assert.equal(event?.limit, 'per-number');
      assert.equal(event?.setting, 'limits.perNumber');
      assert.equal(event?.value, '1 SMS per 60 minutes');
      // the long note fits a phone
      await page.setViewportSize({ width: 390, height: 844 });
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true);
      await page.close();
    } finally {
      await f.configure({ limits: { perNumber: { max: 1000, windowMinutes: 60 } } });
    }
  });

  test('production mode: the same limit page gives users no operator hint', async () => {
    const prod = await startSmsOtp({
      config: { limits: { perNumber: { max: 1, windowMinutes: 60 } } },
      overrides: { mode: 'production', sms: { allowPrivateDestinations: true } },
    });
    try {
      await prod.addUser('limit-prod');
      await prod.startLogin('limit-prod');
      const refused = await prod.startLogin('limit-prod');
      assert.equal(refused.page.status, 429);
      assert.match(refused.page.html, /data-message-id="sms-otp.limit.per-number"/);
      assert.doesNotMatch(refused.page.html, /limit-hint|limits\.perNumber|Development mode/);
      const event = (await prod.audit('sms.limit-reached')).find((e) => e.username === 'limit-prod');
      assert.equal(event?.limit, 'per-number');
      assert.equal(event?.setting, undefined);
    } finally {
      await prod.stop();
    }
  });

  test('with backup codes off, numeric codes get the numeric keypad', async () => {
    await f.configure({ backupCodes: false });
    try {
      await f.addUser('digits-only');
      const page = await toCodePage('digits-only');
      const code = page.locator('input[name=code]');
      assert.equal(await code.getAttribute('inputmode'), 'numeric');
      assert.equal(await code.getAttribute('pattern'), '[0-9]*');
      assert.equal(await page.textContent('label[for=code]'), 'Code');
      await page.close();
    } finally {
      await f.configure({ backupCodes: true });
    }
  });
});
