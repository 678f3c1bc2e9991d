/**
 * Adding an authenticator app inside the login, in real Chromium at phone width: the QR code is an inline SVG that
 * renders without script and without CSP errors; the test reads the otpauth:// URI from the page, computes the code
 * as an app would (its own RFC 6238 implementation), and the login reaches the application with a code; then the
 * "Try another way" switch of a step with SMS OTP and the app, and back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { PASSWORD } from '../sms-otp/support/fixture.js';
import { sqliteBackend } from '../support/backends.js';
import { launchChromium, skipChromium } from '../support/chromium.js';
import type { RelyingParty } from '../support/rp.js';
import { CHOICE_STEP, PASSWORD_STEP, REDIRECT, startTotp, TOTP_STEP, type TotpFixture } from './support/fixture.js';
import { secretOf, totp } from './support/rfc6238.js';

describe('TOTP pages in Chromium', { skip: skipChromium }, () => {
  let t: TotpFixture;
  let browser: Browser;
  let rp: RelyingParty;

  before(async () => {
    t = await startTotp(sqliteBackend);
    rp = await t.app('TOTP app', [PASSWORD_STEP, TOTP_STEP]);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  async function signIn(username: string, app = rp) {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(app.begin().url);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    return { page, problems };
  }

  test('the QR code and the URI on the page; the code computed from the URI finishes the login', async () => {
    await t.user('chromium-newbie');
    const { page, problems } = await signIn('chromium-newbie');
    await page.waitForSelector('#totp-enrol');
    const qr = page.locator('#totp-qr svg');
    const box = await qr.boundingBox();
    assert.ok(box && box.width >= 150 && box.width <= 390, `the QR code is a scannable size: ${JSON.stringify(box)}`);
    const uri = await page.getAttribute('#totp-uri', 'href');
    assert.match(uri ?? '', /^otpauth:\/\/totp\/.+secret=/);
    const typed = (await page.textContent('#totp-secret'))?.replace(/\s/g, '');
    assert.equal(typed, secretOf(uri!), 'the key for typing is the secret of the URI');
    const noOverflow = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    assert.ok(noOverflow, 'nothing wider than the phone');

    const toApp = page.waitForResponse((r) => (r.headers().location ?? '').startsWith(REDIRECT), { timeout: 10_000 });
    await page.fill('#totp-enrol input[name=code]', totp(secretOf(uri!)));
    await page.click('#totp-enrol button[type=submit]');
    const location = new URL((await toApp).headers().location!);
    assert.match(location.searchParams.get('code') ?? '', /.+/, 'an authorization code for the application');
    assert.equal(problems.filter((p) => /Content Security Policy|Refused/.test(p)).length, 0, problems.join('\n'));
    const user = (await t.f.audit('totp.enrolled')).find((e) => e.username === 'chromium-newbie');
    assert.ok(user, 'the app was added');
  });

  test('"Try another way" from the app to SMS OTP and back', async () => {
    const both = await t.app('Choice app', [PASSWORD_STEP, CHOICE_STEP]);
    const { secret } = (await t.user('chromium-both', { totp: true })) as { secret: string };
    const { page } = await signIn('chromium-both', both);
    await page.click('button[name=choose][value=":totp"]');
    await page.waitForSelector('#totp-verify');
    await page.click('#try-another-way');
    await page.click('button[name=choose][value="smsOTP:sms-otp"]');
    await page.waitForSelector('#sms-otp-verify');
    await page.click('#try-another-way');
    await page.click('button[name=choose][value=":totp"]');
    const toApp = page.waitForResponse((r) => (r.headers().location ?? '').startsWith(REDIRECT), { timeout: 10_000 });
    await page.fill('#totp-verify input[name=code]', totp(secret));
    await page.click('#totp-verify button[type=submit]');
    assert.ok(new URL((await toApp).headers().location!).searchParams.get('code'));
  });
});
