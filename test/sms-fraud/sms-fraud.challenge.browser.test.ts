/**
 * The proof-of-work page in real Chromium: the script solves the challenge and posts it, the code is sent and the
 * login finishes, with no CSP error; with JavaScript off the page says the check needs it and nothing is sent.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { PASSWORD, REDIRECT } from '../sms-otp/support/fixture.js';
import { codeIn } from '../sms-otp/support/https-provider.js';
import { sqliteBackend } from '../support/backends.js';
import { FRAUD_OFF, type FraudFixture, startFraudFixture } from './support.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM)
  ? false
  : `Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;

describe('SMS fraud defence: the proof-of-work page in Chromium', { skip }, () => {
  let x: FraudFixture;
  let browser: Browser;
  before(async () => {
    x = await startFraudFixture({ backend: sqliteBackend });
    // 14 bits: about 16 000 hashes, well under a second for the page's script
    await x.configure({
      ...FRAUD_OFF,
      challenge: { softLimitPerIp: 1, windowMinutes: 60, difficultyBits: 14, expirySeconds: 120 },
    });
    // one SMS from this IP spends the soft limit
    assert.equal((await x.login('+94771500001')).sent, 1);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  after(async () => {
    await browser?.close();
    await x?.stop();
  });

  const signIn = async (javaScriptEnabled: boolean, username: string, mobile: string) => {
    await x.f.addUser(username, { [ClaimUri.mobile]: mobile });
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(x.f.rp.begin().url);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', PASSWORD);
    return { page, context, problems, submit: () => page.click('button[type=submit]') };
  };

  test('the script solves the challenge, the code is sent, and the login finishes', async () => {
    const before = x.sentTotal();
    const { page, context, problems, submit } = await signIn(true, 'pow-js', '+94771500002');
    await submit();
    // the challenge page runs, posts, and the code page follows: the challenge page has a (backup) code box too, so
    // the wait is for a code box on a page that is no longer the challenge
    await page.waitForFunction(
      () =>
        document.querySelector('#sms-otp-challenge') === null && document.querySelector('input[name=code]') !== null,
      undefined,
      { timeout: 20_000 },
    );
    const issued = await x.f.audit('sms-fraud.challenge-issued');
    assert.ok(
      issued.some((e) => e.username === 'pow-js'),
      'the login went through the challenge page',
    );
    assert.equal(x.sentTotal(), before + 1);
    const passed = await x.f.audit('sms-fraud.challenge-passed');
    assert.ok(
      passed.some((e) => e.username === 'pow-js'),
      'the challenge was passed on the server',
    );
    const toApp = page.waitForResponse((r) => (r.headers().location ?? '').startsWith(REDIRECT), { timeout: 10_000 });
    await page.fill('input[name=code]', codeIn(x.primary.messages.at(-1)?.text));
    await page.click('#sms-otp-verify button[type=submit]');
    const location = new URL((await toApp).headers().location!);
    assert.match(location.searchParams.get('code') ?? '', /.+/);
    assert.deepEqual(
      problems.filter((p) => /Content Security Policy|Refused/.test(p)),
      [],
    );
    await context.close();
  });

  test('without JavaScript the page says the check needs it, offers a backup code, and sends nothing', async () => {
    const before = x.sentTotal();
    const { page, context, submit } = await signIn(false, 'pow-nojs', '+94771500003');
    await submit();
    await page.waitForSelector('#sms-otp-challenge', { state: 'attached' });
    assert.ok(await page.locator('#challenge-needs-js').isVisible());
    assert.match((await page.textContent('#challenge-needs-js')) ?? '', /This check needs JavaScript/);
    assert.ok(await page.locator('#sms-otp-verify input[name=code]').isVisible(), 'a backup code box');
    assert.equal(await page.locator('#sms-otp-challenge button').count(), 0, 'nothing to press without the work');
    assert.equal((await page.textContent('#challenge-status'))?.trim(), '', 'no "checking" line that never ends');
    assert.equal(x.sentTotal(), before);
    await context.close();
  });
});
