/**
 * SMS OTP Configuration › Fraud defence in real Chromium: the lists, the conversion and proof-of-work settings and
 * the spend cap's two tables are edited and saved; a bad entry is refused by the server and shown at its field, with
 * nothing saved.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { consoleWithSmsOtpProvider, skipReason } from '../console/support.js';
import { namedGateway } from '../sms-otp/support/https-provider.js';
import type { TestServer } from '../support/server.js';

const skip = skipReason();

describe('SMS OTP Configuration: fraud defence in the console', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let idpId: string;

  before(async () => {
    ({ server, browser, context, page, idpId } = await consoleWithSmsOtpProvider({
      gateways: [
        namedGateway('primary', 'https://one.example.test'),
        namedGateway('backup', 'https://two.example.test'),
      ],
    }));
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  const fraud = async () =>
    (await server.services.identityProviders.get(idpId))!.authenticators[0]!.config.fraud as Record<
      string,
      Record<string, unknown> | string[]
    >;
  // the fraud options are one fieldset of the form the console draws from the schema
  const section = (): Locator => page.getByRole('group', { name: 'Fraud defence', exact: true });
  const open = async () => {
    await page.goto(`${server.url}/console/identity-providers/${idpId}`);
    await page.getByRole('heading', { name: 'SMS OTP Configuration' }).waitFor();
    await page.getByText('Advanced options', { exact: true }).click();
    await section().waitFor();
  };
  const save = async () => {
    await page.getByRole('button', { name: 'Update' }).click();
  };

  test('the lists, conversion monitoring, the proof of work and the spend tables are saved', async () => {
    await open();
    const s = section();
    await s.getByLabel('Blocked destinations').fill('NG\n+4470');
    await s.getByLabel('Allowed destinations').fill('+234803');
    await s.getByLabel('Minimum volume').fill('50');
    await s.getByLabel('When conversion drops').selectOption('slow');
    await s.getByLabel('SMS per client IP before a challenge').fill('10');
    await s.getByLabel('Default price per segment').fill('0.05');
    await s.getByLabel('Price per segment', { exact: true }).fill('GB 0.04\n+44790 0.5');
    await s.getByLabel('Daily cap per gateway').fill('primary 100\nbackup 20');
    await save();
    await page.getByRole('status').filter({ hasText: 'Saved smsOTP' }).waitFor();
    const saved = await fraud();
    assert.deepEqual(saved.block, ['NG', '+4470']);
    assert.deepEqual(saved.allow, ['+234803']);
    assert.equal((saved.conversion as Record<string, unknown>).minSends, 50);
    assert.equal((saved.conversion as Record<string, unknown>).action, 'slow');
    assert.equal((saved.challenge as Record<string, unknown>).softLimitPerIp, 10);
    assert.deepEqual(saved.spend, {
      defaultPrice: 0.05,
      prices: { GB: 0.04, '+44790': 0.5 },
      dailyCaps: { primary: 100, backup: 20 },
    });
    // the page shows what was saved after a reload
    await open();
    assert.equal(await section().getByLabel('Daily cap per gateway').inputValue(), 'primary 100\nbackup 20');
    assert.equal(await section().getByLabel('Blocked destinations').inputValue(), 'NG\n+4470');
  });

  test('a cap for a gateway that does not exist and a bad country are shown at their fields; nothing is saved', async () => {
    await open();
    const before = JSON.stringify(await fraud());
    const s = section();
    await s.getByLabel('Daily cap per gateway').fill('primary 100\nnowhere 5');
    await s.getByLabel('Blocked destinations').fill('XX');
    await save();
    const caps = s.getByLabel('Daily cap per gateway');
    await page.waitForFunction(
      () => document.querySelectorAll('textarea[name*="config.fraud"][aria-invalid="true"]').length >= 2,
    );
    assert.equal(await caps.getAttribute('aria-invalid'), 'true');
    assert.match(
      (await page.locator(`#${await caps.getAttribute('id')}-error`).textContent()) ?? '',
      /no gateway is named "nowhere"/i,
    );
    const block = s.getByLabel('Blocked destinations');
    assert.equal(await block.getAttribute('aria-invalid'), 'true');
    assert.match((await page.locator(`#${await block.getAttribute('id')}-error`).textContent()) ?? '', /XX/);
    assert.equal(JSON.stringify(await fraud()), before);
  });
});
