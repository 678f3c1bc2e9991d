/**
 * "Send test SMS" with a list of gateways in real Chromium, against two HTTPS provider imitations (Vonage speaking,
 * trusted through the truststore): the picker lists the gateways and names the route's choice for the number typed;
 * without a choice the route's first gateway sends, with one the picked gateway does; the result says which; the
 * preview renders the picked gateway; a gateway renamed on the page but not saved is refused by the server at the
 * picker, nothing sent. The gateway status panel shows today's spend against each daily cap beside the breaker.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { createSpendCap } from '../../src/authenticators/sms-otp/fraud/spend.js';
import { parseCertificates } from '../../src/sms/index.js';
import { makeSelfSignedCertificate } from '../sms/support/tls.js';
import { TEST_DEFAULTS } from '../sms-otp/support/fixture.js';
import { type HttpsProvider, namedGateway, startHttpsProvider } from '../sms-otp/support/https-provider.js';
import type { TestServer } from '../support/server.js';
import { consoleWithSmsOtpProvider, skipReason } from './support.js';

const skip = skipReason();

describe('Send test SMS through a picked gateway, and the spend beside the breaker, in the console', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let idpId: string;
  let alpha: HttpsProvider;
  let beta: HttpsProvider;
  let panel: Locator;
  const counts = () => [alpha.messages.length, beta.messages.length];

  before(async () => {
    const cert = makeSelfSignedCertificate();
    alpha = await startHttpsProvider(cert);
    beta = await startHttpsProvider(cert);
    ({ server, browser, context, page, idpId } = await consoleWithSmsOtpProvider({
      ...TEST_DEFAULTS,
      breaker: { failures: 0 },
      gateways: [namedGateway('alpha', alpha.origin), namedGateway('beta', beta.origin)],
      routes: [{ match: { prefixes: ['+44'] }, gateways: ['beta', 'alpha'] }],
      fraud: { spend: { defaultPrice: 0.5, prices: {}, dailyCaps: { alpha: 2 } } },
    }));
    page.setDefaultTimeout(10_000);
    await server.services.truststore.import('imitations', parseCertificates(Buffer.from(cert.certPem)));
    await page.goto(`${server.url}/console/identity-providers/${idpId}`);
    panel = page.locator('section.test-sms');
    await panel.getByRole('heading', { name: 'Send test SMS' }).waitFor();
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    await alpha?.close();
    await beta?.close();
  });

  const picker = () => panel.getByLabel('Gateway', { exact: true });
  const sendAndRead = async () => {
    await panel.getByRole('button', { name: 'Send test SMS' }).click();
    const result = panel.getByRole('status');
    await result.waitFor();
    return result;
  };

  test("the picker lists the gateways and names the route's choice; without a choice the route's first one sends", async () => {
    assert.deepEqual(await picker().locator('option').allTextContents(), [
      "The route's first gateway",
      'alpha',
      'beta',
    ]);
    await panel.getByLabel('Mobile number').fill('+447400123456');
    await picker()
      .locator('option')
      .first()
      .filter({ hasText: "The route's first gateway (beta)" })
      .waitFor({ state: 'attached' });
    await panel.getByLabel('Mobile number').fill('+94771234567');
    await picker()
      .locator('option')
      .first()
      .filter({ hasText: "The route's first gateway (alpha)" })
      .waitFor({ state: 'attached' });

    await panel.getByLabel('Mobile number').fill('+447400123456');
    const result = await sendAndRead();
    await result.locator('[data-gateway="beta"]').waitFor();
    assert.match((await result.textContent()) ?? '', /Accepted by the provider/);
    assert.deepEqual(counts(), [0, 1]);
    assert.equal(beta.messages.at(-1)?.to, '447400123456');
  });

  test('a picked gateway sends, whatever the route says; the preview renders the picked gateway', async () => {
    await picker().selectOption('alpha');
    await panel.getByRole('button', { name: 'Preview request' }).click();
    const request = panel.locator('figure.request').filter({ hasText: 'The request Stepgate would send' });
    await request.waitFor();
    assert.match((await request.textContent()) ?? '', new RegExp(alpha.origin.replace(/[.]/g, '\\.')));
    await picker().selectOption('beta');
    await panel.getByRole('button', { name: 'Preview request' }).click();
    await request.filter({ hasText: beta.origin }).waitFor();

    await picker().selectOption('alpha');
    const result = await sendAndRead();
    await result.locator('[data-gateway="alpha"]').waitFor();
    assert.deepEqual(counts(), [1, 1]);
  });

  test('a gateway renamed on the page but not saved: the server refuses the name at the picker, nothing sent', async () => {
    const second = page.locator('.gateway-item').nth(1);
    await second.locator('summary').first().click();
    await second.getByLabel('Name').fill('gamma');
    // the picker follows the page; the renamed gateway is not saved yet
    const options = await picker().locator('option').allTextContents();
    assert.deepEqual(options.slice(1), ['alpha', 'gamma']);
    assert.equal(options[0], "The route's first gateway (gamma)", 'the route follows the rename too');
    await picker().selectOption('gamma');
    await panel.getByText('You have unsaved changes').waitFor();
    await panel.getByRole('button', { name: 'Send test SMS' }).click();
    await panel
      .getByText(/no gateway is named "gamma"; the configured gateways are alpha, beta/i)
      .first()
      .waitFor();
    assert.equal(await picker().getAttribute('aria-invalid'), 'true');
    assert.deepEqual(counts(), [1, 1]);
    // back to the saved name: the picker keeps working
    await second.getByLabel('Name').fill('beta');
    await picker().selectOption('beta');
    const result = await sendAndRead();
    await result.locator('[data-gateway="beta"]').waitFor();
    assert.deepEqual(counts(), [1, 2]);
  });

  test('the gateway status shows spent today / cap beside the breaker; a test SMS did not add to it', async () => {
    const status = page.locator('section.gateway-status');
    const row = (name: string) => status.locator(`tr[data-gateway="${name}"]`);
    await status.getByRole('button', { name: 'Refresh' }).click();
    await row('alpha').locator('td.spend').filter({ hasText: '0 / 2' }).waitFor();
    assert.match((await row('beta').locator('td.spend').textContent()) ?? '', /no cap/);
    // five SMS at 0.35 as a login's send takes them (fraud/spend.ts, the shared state store): 1.75 of 2 warns
    const spend = createSpendCap(server.services.state);
    const policy = { defaultPrice: 0.35, prices: {}, dailyCaps: { alpha: 2 } };
    for (let i = 0; i < 5; i++) assert.equal((await spend.reserve(idpId, 'alpha', policy, 0.35, Date.now())).ok, true);
    await status.getByRole('button', { name: 'Refresh' }).click();
    const cell = row('alpha').locator('td.spend');
    await cell.filter({ hasText: '1.75 / 2' }).waitFor();
    assert.equal(
      await cell
        .locator('.badge')
        .getAttribute('class')
        .then((c) => /warn/.test(c ?? '')),
      true,
    );
    assert.equal((await spend.reserve(idpId, 'alpha', policy, 0.25, Date.now())).ok, true);
    await status.getByRole('button', { name: 'Refresh' }).click();
    await cell.filter({ hasText: 'cap reached' }).waitFor();
    assert.equal(await status.getByRole('columnheader', { name: 'Spent today / cap' }).count(), 1);
  });
});
