/** The code page in real Chromium: the masked number, the one-time-code input, the resend countdown, a full login. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
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
    assert.equal(await code.getAttribute('inputmode'), 'numeric');
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
});
