/**
 * The code page in real Chromium learns of a failed delivery without a reload: its script polls the delivery
 * endpoint and reveals the notice once the provider's receipt says the code did not arrive; a delivered code shows
 * nothing; no CSP errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { PASSWORD } from '../sms-otp/support/fixture.js';
import { sqliteBackend } from '../support/backends.js';
import { launchChromium, skipChromium } from '../support/chromium.js';
import { post } from './support/providers.js';
import { type ReceiptsSetup, startReceipts } from './support/setup.js';

describe('the code page polls for a failed delivery, in Chromium', { skip: skipChromium }, () => {
  let r: ReceiptsSetup;
  let browser: Browser;
  let serial = 0;
  before(async () => {
    r = await startReceipts(sqliteBackend);
    await r.useGateways('twilio', 'vonage');
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await r?.stop();
  });

  async function codePage(): Promise<{ page: Page; problems: string[] }> {
    serial += 1;
    const username = `chromium-receipts-${serial}`;
    await r.f.addUser(username, { [ClaimUri.mobile]: `+9477555000${serial}` });
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(r.f.rp.begin().url);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('input[name=code]');
    return { page, problems };
  }

  test('a failed receipt appears on the open page; Resend sends through the next gateway', async () => {
    const { page, problems } = await codePage();
    const notice = page.locator('#delivery-failed');
    assert.equal(await notice.isVisible(), false);
    const sent = r.imitations.twilio.sent.at(-1)!;
    assert.equal((await post(r.imitations.twilio.receipt(sent, 'failed'))).status, 204);
    await notice.waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await notice.getAttribute('data-message-id'), 'sms-otp.delivery-failed');
    assert.match((await notice.textContent()) ?? '', /could not be delivered.*another route/s);
    assert.equal(problems.filter((p) => /Content Security Policy|Refused/.test(p)).length, 0, problems.join('\n'));
    const before = r.imitations.vonage.sent.length;
    await page.click('#resend-button');
    await page.waitForSelector('#notice');
    assert.equal(r.imitations.vonage.sent.length, before + 1);
    assert.equal(await page.locator('#delivery-failed').isVisible(), false);
    await page.close();
  });

  test('a delivered receipt shows nothing, and the poll stops', async () => {
    const { page } = await codePage();
    const sent = r.imitations.twilio.sent.at(-1)!;
    await post(r.imitations.twilio.receipt(sent, 'delivered'));
    const polled = page.waitForResponse((res) => res.url().endsWith('/sms-otp/delivery'), { timeout: 15_000 });
    assert.deepEqual(await (await polled).json(), { status: 'delivered', deliveryFailed: false });
    await page.waitForTimeout(500);
    assert.equal(await page.locator('#delivery-failed').isVisible(), false);
    await page.close();
  });
});
