/**
 * Console › Messages in real Chromium: the rates per gateway, the list with its filters (status, last digits), and
 * one message's timeline after a receipt; the admin API's own answers are in admin-api.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { consoleWithSmsOtpProvider, skipReason } from '../console/support.js';
import type { TestServer } from '../support/server.js';

describe('Console › Messages in Chromium', { skip: skipReason() }, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let idpId: string;

  before(async () => {
    // a plain gateway: receipts in the generic format, proven by the URL's token
    ({ server, browser, context, page, idpId } = await consoleWithSmsOtpProvider({
      gateway: {
        url: 'https://sms.example.test/send',
        method: 'POST',
        payload: 'to=$ctx.num&text=$ctx.msg',
        messageIdPointer: '/id',
      },
    }));
    const log = server.services.smsMessages;
    const common = { idpId, gateway: 'default', provider: 'custom', purpose: 'otp' as const, country: 'LK' };
    await log.recordSent({
      ...common,
      providerMessageId: 'pm-1',
      to: '+94771110001',
      masked: '+*******0001',
      text: 'Code 1',
    });
    await log.recordSent({
      ...common,
      providerMessageId: 'pm-2',
      to: '+94771110002',
      masked: '+*******0002',
      text: 'Code 2',
    });
    const answer = await fetch(log.receiptUrl(idpId, 'default'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messageId: 'pm-2', status: 'failed', errorCode: 'E42' }),
    });
    assert.equal(answer.status, 204, await answer.text());
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  test('rates per gateway, the list, its filters and a timeline', async () => {
    await page.goto(`${server.url}/console/messages`);
    await page.locator('main h1', { hasText: 'Messages' }).waitFor();
    const rates = page.locator('table.rates');
    await rates.waitFor();
    const row = rates.locator('tbody tr', { hasText: 'default' });
    assert.match((await row.textContent()) ?? '', /custom/);
    assert.match((await row.textContent()) ?? '', /0 \(0 %\)/, 'nothing delivered yet');
    assert.match((await row.textContent()) ?? '', /0 of 2/, 'two codes, none entered');

    const list = page.locator('table.messages tbody tr');
    await list.first().waitFor();
    assert.equal(await list.count(), 2);
    assert.match((await list.first().textContent()) ?? '', /0002.*failed.*E42/s, 'newest first, with its status');

    await page.selectOption('#messages-status', 'failed');
    await page.click('form.filters button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('table.messages tbody tr').length === 1);
    await page.selectOption('#messages-status', '');
    await page.fill('#messages-destination', '0001');
    await page.click('form.filters button[type=submit]');
    await page.waitForFunction(() => /0001/.test(document.querySelector('table.messages tbody tr')?.textContent ?? ''));
    assert.equal(await list.count(), 1);
    await page.fill('#messages-destination', '9999');
    await page.click('form.filters button[type=submit]');
    await page.locator('table.messages', { hasText: 'No messages match.' }).waitFor();

    await page.click('form.filters button.secondary');
    await page.waitForFunction(() => document.querySelectorAll('table.messages tbody tr').length === 2);
    assert.equal(await page.inputValue('#messages-destination'), '', 'Clear empties the fields too');
    await list.first().locator('button').click();
    const timeline = page.locator('#message-timeline');
    await timeline.locator('ol.timeline li').nth(1).waitFor();
    const steps = await timeline.locator('ol.timeline li').allTextContents();
    assert.equal(steps.length, 2);
    assert.match(steps[0]!, /accepted.*sent/s);
    assert.match(steps[1]!, /failed.*failed.*E42/s);
    assert.match((await timeline.textContent()) ?? '', /pm-2/);
  });
});
