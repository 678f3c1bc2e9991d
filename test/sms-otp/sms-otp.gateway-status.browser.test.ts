/**
 * The console's Gateway status panel in real Chromium: the SMS OTP configuration screen lists the gateways in
 * failover order with their shared breaker states (read from the admin API), and Refresh shows a breaker that opened
 * since; the rendered message preview ends with the WebOTP line and counts it in its segments.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createBreaker } from '../../src/authenticators/sms-otp/breaker.js';
import { consoleWithSmsOtpProvider, skipReason } from '../console/support.js';
import type { TestServer } from '../support/server.js';
import { namedGateway } from './support/https-provider.js';

const skip = skipReason();

describe('SMS OTP Configuration: the gateway status panel', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let idpId: string;

  before(async () => {
    ({ server, browser, page, idpId } = await consoleWithSmsOtpProvider({
      gateways: [namedGateway('vonage-main', 'https://a.example'), namedGateway('backup', 'https://b.example')],
      breaker: { failures: 2, windowSeconds: 60, coolDownSeconds: 600 },
    }));
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const stateIn = (name: string) =>
    page.locator(`.gateway-status tr[data-gateway="${name}"]`).getAttribute('data-state');

  test('lists the gateways in order, closed; Refresh shows a breaker opened on the shared state', async () => {
    await page.goto(`${server.url}/console/identity-providers/${idpId}`);
    await page.getByRole('heading', { name: 'Gateway status' }).waitFor();
    await page.locator('.gateway-status tr[data-gateway]').first().waitFor();
    const names = await page
      .locator('.gateway-status tr[data-gateway]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-gateway')));
    assert.deepEqual(names, ['vonage-main', 'backup']);
    assert.equal(await stateIn('vonage-main'), 'closed');
    assert.match(
      (await page.locator('.gateway-status').textContent()) ?? '',
      /fails 2 times within 60 s is skipped for 600 s/,
    );

    // two failures recorded by any node (here: straight on the shared state store) open the breaker
    const breaker = createBreaker(server.services.state);
    const policy = { failures: 2, windowSeconds: 60, coolDownSeconds: 600 };
    for (let i = 0; i < 2; i++)
      await breaker.failure(idpId, 'vonage-main', policy, { admitted: true, state: 'closed' });
    await page.locator('.gateway-status').getByRole('button', { name: 'Refresh' }).click();
    await page.locator('.gateway-status tr[data-gateway="vonage-main"][data-state="open"]').waitFor();
    assert.match(
      (await page.locator('.gateway-status tr[data-gateway="vonage-main"]').textContent()) ?? '',
      /open.*skipped.*until/s,
    );
    assert.equal(await stateIn('backup'), 'closed');
  });

  test('the message preview ends with the WebOTP line and its segments count it', async () => {
    // the message template's own preview (each language's template has one of its own, marked with its locale)
    const preview = (await page.locator('.message-preview:not([data-locale])').textContent()) ?? '';
    assert.match(preview, /Verification Code: 482915\s+@127\.0\.0\.1 #482915/);
    assert.match(preview, /1 SMS segment/);
    assert.match(preview, /45 septets/, 'the 25 characters of the text and 20 of the WebOTP line');
  });
});
