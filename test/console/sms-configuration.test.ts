/**
 * SMS OTP Configuration in real Chromium: switching presets keeps each preset's values while the page is open and
 * asks before leaving the saved provider (whose stored secrets a save would replace); the custom fields offer a
 * success rule and a number format; a save shows the warnings the server found.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Dialog, Page } from 'playwright-core';
import type { TestServer } from '../support/server.js';
import { consoleWithSmsOtpProvider, skipReason } from './support.js';

const skip = skipReason();
const SECRET = 'vonage-secret-kept-9';
const BASE_URL = 'https://sms-relay.example.test';

describe('SMS OTP Configuration: presets, success rule, warnings', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let idpId: string;
  /** what the next confirmation dialog gets: true accepts, false dismisses; every dialog is recorded */
  const answers: boolean[] = [];
  const dialogs: string[] = [];

  before(async () => {
    // the provider is switched off: a live one could only be changed from a two-factor sign-in (the admin API's
    // two-factor guard suite covers that), and this suite is about the form
    ({ server, browser, context, page, idpId } = await consoleWithSmsOtpProvider(
      {
        gateway: {
          preset: {
            provider: 'vonage',
            fields: { apiKey: 'key-1', apiSecret: SECRET, from: 'Stepgate', baseUrl: BASE_URL },
          },
        },
      },
      (p) =>
        p.on('dialog', (d: Dialog) => {
          dialogs.push(d.message());
          void ((answers.shift() ?? false) ? d.accept() : d.dismiss());
        }),
    ));
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  const radio = (name: RegExp) => page.getByRole('radio', { name });
  const stored = async () =>
    (await server.services.identityProviders.get(idpId))!.authenticators[0]!.config.gateway as Record<string, unknown>;

  test('switching away from the saved preset asks first; cancelling keeps it', async () => {
    await page.goto(`${server.url}/console/identity-providers/${idpId}`);
    await page.getByRole('heading', { name: 'SMS OTP Configuration' }).waitFor();
    assert.equal(await page.getByLabel('API secret').inputValue(), '********');
    assert.equal(await page.getByLabel('API base URL').inputValue(), BASE_URL);

    answers.push(false);
    await radio(/Plivo/).click();
    await page.waitForTimeout(100);
    assert.equal(dialogs.length, 1);
    assert.match(dialogs[0]!, /Switch from Vonage \(Nexmo\) to Plivo\?.*saved Vonage \(Nexmo\) settings/);
    assert.equal(await radio(/Vonage/).isChecked(), true, 'cancelled: still Vonage');
    assert.equal(await page.getByLabel('API base URL').inputValue(), BASE_URL);
  });

  test("each preset's values survive switching back and forth while the page is open", async () => {
    answers.push(true);
    await radio(/Plivo/).click();
    await page.getByLabel('Auth ID').fill('MA-typed-1');
    assert.equal(dialogs.length, 2, 'leaving the saved preset asked again');

    await radio(/Custom/).click(); // leaving an unsaved choice: no question
    await page.getByLabel('SMS URL').fill('https://custom.example.test/send?to=$ctx.num');
    await radio(/Vonage/).click();
    assert.equal(dialogs.length, 2);
    assert.equal(await page.getByLabel('API secret').inputValue(), '********', 'the saved secret is back');
    assert.equal(await page.getByLabel('API base URL').inputValue(), BASE_URL, 'the saved base URL is back');
    assert.equal(await page.getByLabel('API key').inputValue(), 'key-1');

    answers.push(true);
    await radio(/Plivo/).click();
    assert.equal(await page.getByLabel('Auth ID').inputValue(), 'MA-typed-1');
    await radio(/Custom/).click();
    assert.equal(await page.getByLabel('SMS URL').inputValue(), 'https://custom.example.test/send?to=$ctx.num');

    // back to the saved preset and saved: nothing was lost on the way
    await radio(/Vonage/).click();
    await page.getByRole('button', { name: 'Update' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved smsOTP' }).waitFor();
    assert.deepEqual((await stored()).preset, {
      provider: 'vonage',
      fields: { apiKey: 'key-1', apiSecret: SECRET, from: 'Stepgate', baseUrl: BASE_URL },
    });
  });

  test('custom fields: a success rule and a number format are saved; the save shows the warnings', async () => {
    answers.push(true);
    await radio(/Custom/).click();
    await page.getByLabel('SMS URL').fill('https://custom.example.test/sms/json');
    await page.getByLabel('HTTP Headers').fill('Content-Type: application/json');
    await page.getByLabel('HTTP Payload').fill('{"dst":"ctx.num","text":"$ctx.msg"}');
    await page.getByLabel('Success rule').selectOption('json');
    await page.getByLabel('Success JSON Pointer').fill('/messages/0/status');
    await page.getByLabel('Success value').fill('0');
    await page.getByLabel('Number format').selectOption('digits');
    await page.getByRole('button', { name: 'Update' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved smsOTP' }).waitFor();
    const warning = page.locator('.save-warnings');
    await warning.waitFor();
    assert.match((await warning.textContent()) ?? '', /gateway\.payload.*"ctx\.num" has no \$ in front/);

    const gateway = await stored();
    assert.equal(gateway.preset, undefined);
    assert.equal(gateway.successPointer, '/messages/0/status');
    assert.equal(gateway.successValue, '0');
    assert.equal(gateway.numberFormat, 'digits');

    // fixed, the next save has no warning
    await page.getByLabel('HTTP Payload').fill('{"dst":"$ctx.num","text":"$ctx.msg"}');
    await page.getByRole('button', { name: 'Update' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved smsOTP' }).waitFor();
    await page.waitForTimeout(100);
    assert.equal(await page.locator('.save-warnings').count(), 0);
  });

  test('"Use as custom fields" carries the preset\'s success rule and number format once the secret is typed', async () => {
    await radio(/Vonage/).click();
    await page.getByRole('button', { name: 'Use as custom fields' }).click();
    await page.getByText('Type the API secret again first').first().waitFor();
    await page.getByLabel('API secret').fill('typed-secret-1');
    await page.getByRole('button', { name: 'Use as custom fields' }).click();
    await page.getByLabel('SMS URL').waitFor();
    assert.equal(await page.getByLabel('Success rule').inputValue(), 'json');
    assert.equal(await page.getByLabel('Success JSON Pointer').inputValue(), '/messages/0/status');
    assert.equal(await page.getByLabel('Success value').inputValue(), '0');
    assert.equal(await page.getByLabel('Number format').inputValue(), 'digits');
    assert.match(await page.getByLabel('HTTP Payload').inputValue(), /api_secret=typed-secret-1/);
  });
});
