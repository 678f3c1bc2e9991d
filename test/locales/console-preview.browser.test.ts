/**
 * The console's SMS OTP screen in real Chromium: one template per language, each with the message a login in that
 * language gets and its segment counter, live while typing (Sinhala is UCS-2: 70 units in one SMS); a blank one
 * previews the message template it falls back to; a save stores the per-language template.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { consoleWithSmsOtpProvider, skipReason } from '../console/support.js';
import type { TestServer } from '../support/server.js';

const skip = skipReason();

describe('console: SMS templates per language with their preview', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let idpId: string;

  before(async () => {
    ({ server, browser, page, idpId } = await consoleWithSmsOtpProvider({
      gateway: {
        preset: {
          provider: 'vonage',
          fields: {
            apiKey: 'key-1',
            apiSecret: 'secret-1',
            from: 'Stepgate',
            baseUrl: 'https://sms.example.test',
          },
        },
      },
    }));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const block = (locale: string) => page.locator(`.locale-template[data-locale="${locale}"]`);

  test('the shipped Sinhala text previews as one UCS-2 segment; a longer one counts two, live', async () => {
    await page.goto(`${server.url}/console/identity-providers/${idpId}`);
    const si = block('si');
    await si.getByLabel('Sinhala (si)').waitFor();
    assert.equal(await si.getByLabel('Sinhala (si)').inputValue(), 'සත්‍යාපන කේතය: {code}');
    const preview = si.locator('.message-preview');
    assert.match(String(await preview.locator('q').textContent()), /^සත්‍යාපන කේතය: 482915/);
    assert.match(String(await preview.locator('.segments').textContent()), /1 SMS segment\s+UCS-2/);
    await si.getByLabel('Sinhala (si)').fill(`${'ඔබේ සත්‍යාපන කේතය '.repeat(4)}{code}`);
    assert.match(String(await preview.locator('.segments').textContent()), /2 SMS segments\s+UCS-2/);
    // the Spanish one stays GSM-7 (no accents outside GSM 03.38)
    assert.match(String(await block('es').locator('.segments').textContent()), /1 SMS segment\s+GSM-7/);
  });

  test('a blank template previews the message template it falls back to; saving stores the edited one', async () => {
    const si = block('si');
    await si.getByLabel('Sinhala (si)').fill('');
    assert.match(String(await si.locator('.message-preview q').textContent()), /^Verification Code: 482915/);
    await block('es').getByLabel('Spanish (es)').fill('Clave: {code}');
    assert.match(String(await block('es').locator('.message-preview q').textContent()), /^Clave: 482915/);
    await page.getByRole('button', { name: 'Update' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved smsOTP' }).waitFor();
    const stored = (await server.services.identityProviders.get(idpId))!.authenticators[0]!.config;
    assert.equal((stored.templates as Record<string, string>).es, 'Clave: {code}');
  });
});
