/**
 * SMS gateways and routes edited in the console (real Chromium) and used by real logins against HTTPS provider
 * imitations that check their credentials: the single gateway becomes the first of a list when a second is added; a
 * route sends +94 through the second; the sample-number hint agrees with where the SMS really goes; moving a gateway
 * (from the keyboard) changes the saved order; a gateway a route names cannot be removed; the server's problems with
 * a route are shown at its fields and nothing is saved; an untouched secret still authenticates and never reaches
 * the browser.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Dialog, Page } from 'playwright-core';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { createUser } from '../../src/identity/users.js';
import { parseCertificates } from '../../src/sms/index.js';
import { json, makeSelfSignedCertificate, startHttpsServer, type TestCertificate } from '../sms/support/tls.js';
import { addPickupDispatch, PASSWORD, REDIRECT, TEST_DEFAULTS } from '../sms-otp/support/fixture.js';
import { codeIn } from '../sms-otp/support/https-provider.js';
import { Browser as HttpBrowser } from '../support/browser.js';
import type { RelyingParty } from '../support/rp.js';
import type { TestServer } from '../support/server.js';
import { consoleWithSmsOtpProvider, screenshot, skipReason } from './support.js';

const skip = skipReason();
const FIRST = { key: 'key-first', secret: 'first-secret-never-shown-71' };
const LANKA = { key: 'key-lanka', secret: 'lanka-secret-never-shown-94' };

/** A Vonage imitation over HTTPS that accepts a message only with its own API key and secret. */
async function checkingProvider(cert: TestCertificate, credentials: { key: string; secret: string }) {
  const accepted: { to: string; text: string }[] = [];
  let refused = 0;
  const server = await startHttpsServer(cert, (req, res: ServerResponse) => {
    const form = new URLSearchParams(req.body);
    if (form.get('api_key') !== credentials.key || form.get('api_secret') !== credentials.secret) {
      refused += 1;
      return json(res, 200, { 'message-count': '1', messages: [{ status: '4', 'error-text': 'Bad Credentials' }] });
    }
    const to = form.get('to') ?? '';
    accepted.push({ to, text: form.get('text') ?? '' });
    return json(res, 200, {
      'message-count': '1',
      messages: [{ to, 'message-id': `m-${accepted.length}`, status: '0' }],
    });
  });
  return {
    origin: server.origin,
    accepted,
    refused: () => refused,
    close: server.close,
  };
}

describe('SMS gateways and routes in the console', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let idpId: string;
  let rp: RelyingParty;
  let first: Awaited<ReturnType<typeof checkingProvider>>;
  let lanka: Awaited<ReturnType<typeof checkingProvider>>;
  const answers: boolean[] = [];
  const dialogs: string[] = [];
  /** every admin API answer the page read, to look for secrets in */
  const bodies: string[] = [];

  before(async () => {
    const cert = makeSelfSignedCertificate();
    first = await checkingProvider(cert, FIRST);
    lanka = await checkingProvider(cert, LANKA);
    ({ server, browser, context, page, idpId } = await consoleWithSmsOtpProvider(
      {
        ...TEST_DEFAULTS,
        breaker: { failures: 0 },
        gateway: {
          preset: {
            provider: 'vonage',
            fields: { apiKey: FIRST.key, apiSecret: FIRST.secret, from: 'Stepgate', baseUrl: first.origin },
          },
        },
      },
      (p) => {
        p.on('dialog', (d: Dialog) => {
          dialogs.push(d.message());
          void ((answers.shift() ?? false) ? d.accept() : d.dismiss());
        });
        p.on('response', (r) => {
          if (r.url().includes('/api/admin/'))
            void r.text().then(
              (t) => bodies.push(t),
              () => undefined,
            );
        });
      },
    ));
    page.setDefaultTimeout(10_000);
    const s = server.services;
    await s.truststore.import('imitations', parseCertificates(Buffer.from(cert.certPem)));
    // an application's step may name only a switched-on provider; it is switched off again for the console's edits
    await s.identityProviders.update(idpId, { enabled: true });
    rp = await addPickupDispatch(server);
    await s.identityProviders.update(idpId, { enabled: false });
    for (const [username, mobile] of [
      ['lanka-user', '+94771234567'],
      ['uk-user', '+447400123456'],
    ] as const)
      await createUser(s.db, s.hasher, { username, password: PASSWORD, claims: { [ClaimUri.mobile]: mobile } });
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    await first?.close();
    await lanka?.close();
  });

  const stored = async () => (await server.services.identityProviders.get(idpId))!.authenticators[0]!.config;
  const item = (n: number) => page.locator('.gateway-item').nth(n);
  const save = async () => {
    await page.getByRole('button', { name: 'Update' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved smsOTP' }).waitFor();
  };

  /**
   * A whole login of the user with the provider switched on (a live provider could be changed only from a
   * two-factor console sign-in, so it is switched off again for the next edit): the provider that received the SMS.
   */
  async function loginOf(username: string): Promise<'first' | 'lanka'> {
    const before = { first: first.accepted.length, lanka: lanka.accepted.length };
    await server.services.identityProviders.update(idpId, { enabled: true });
    try {
      const b = new HttpBrowser();
      const started = rp.begin();
      const toCallback = (u: string) => u.startsWith(REDIRECT);
      const firstPage = await b.go(started.url);
      const codePage = await b.submit(HttpBrowser.form(firstPage), { username, password: PASSWORD }, toCallback);
      assert.match(codePage.html, /autocomplete="one-time-code"/, codePage.html.slice(0, 400));
      const via = lanka.accepted.length > before.lanka ? 'lanka' : 'first';
      assert.equal(first.accepted.length + lanka.accepted.length, before.first + before.lanka + 1, 'one SMS sent');
      const text = (via === 'lanka' ? lanka : first).accepted.at(-1)?.text;
      const callback = await b.submit(HttpBrowser.form(codePage, 'sms-otp-verify'), { code: codeIn(text) }, toCallback);
      assert.ok(callback.url.startsWith(REDIRECT), `no callback: ${callback.status}`);
      const tokens = await rp.finish(callback.url, started);
      assert.equal(tokens.claims()?.sub, username);
      return via;
    } finally {
      await server.services.identityProviders.update(idpId, { enabled: false });
    }
  }

  test('a second gateway is added, +94 is routed to it, and a +94 login sends through it', async () => {
    await page.goto(`${server.url}/console/identity-providers/${idpId}`);
    await page.getByRole('heading', { name: 'SMS gateways' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Routes' }).count(), 0, 'no routes editor for one gateway');
    await page.getByLabel('New gateway').selectOption('vonage');
    await page.getByRole('button', { name: 'Add a second gateway' }).click();

    assert.equal(await page.locator('.gateway-item').count(), 2);
    assert.match((await item(0).locator('.gateway-head').textContent()) ?? '', /default/);
    // the new one is open; the first keeps the saved secret as the mask
    await item(1).getByLabel('Name').fill('lanka');
    await item(1).getByLabel('API key').fill(LANKA.key);
    await item(1).getByLabel('API secret').fill(LANKA.secret);
    await item(1).getByLabel('API base URL').fill(lanka.origin);
    await item(0).locator('summary').first().click();
    assert.equal(await item(0).getByLabel('API secret').inputValue(), '********');

    await page.getByRole('button', { name: 'Add route' }).click();
    await page.getByLabel('E.164 prefixes').fill('+94');
    await page.getByLabel('Route 1, gateway 1').selectOption('lanka');

    // the hint, computed in the page, says what the login below will do
    await page.getByLabel('Try a number').fill('+94 77 123 4567');
    await page.locator('.route-hint').filter({ hasText: 'route 1 (+94): lanka' }).waitFor();
    await page.getByLabel('Try a number').fill('+447400123456');
    await page.locator('.route-hint').filter({ hasText: 'no route matches' }).waitFor();
    assert.match((await page.locator('.route-hint').textContent()) ?? '', /\(GB\).*default → lanka/);
    await page.getByLabel('Try a number').fill('+94 12');
    await page.locator('.route-hint').filter({ hasText: 'Not a valid number' }).waitFor();

    await save();
    const config = await stored();
    const gateways = config.gateways as { name: string; preset: { fields: Record<string, string> } }[];
    assert.deepEqual(
      gateways.map((g) => g.name),
      ['default', 'lanka'],
    );
    assert.equal(gateways[0]!.preset.fields.apiSecret, FIRST.secret, 'the untouched mask kept the stored secret');
    assert.equal(gateways[1]!.preset.fields.apiSecret, LANKA.secret);
    assert.deepEqual(config.routes, [{ match: { prefixes: ['+94'], countries: [] }, gateways: ['lanka'] }]);

    assert.equal(await loginOf('lanka-user'), 'lanka', '+94 goes through the route to the second gateway');
    assert.equal(lanka.accepted.at(-1)?.to, '94771234567', 'Vonage is sent digits');
    // the first gateway's secret was never typed in the console: the imitation still accepts its credentials
    assert.equal(await loginOf('uk-user'), 'first');
    assert.equal(first.refused() + lanka.refused(), 0, 'every send authenticated');
  });

  test('the breaker state is shown beside each saved gateway', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'SMS gateways' }).waitFor();
    for (const n of [0, 1]) {
      await item(n).locator('.breaker[data-state="closed"]').waitFor();
      assert.match((await item(n).locator('.breaker').textContent()) ?? '', /closed\s*in use/);
    }
    await page.getByLabel('Try a number').fill('+94771234567');
    await page.locator('.route-hint').waitFor();
    await screenshot(page, 'idp-sms-gateways', { top: '.gateway-list' });
    await screenshot(page, 'idp-sms-routes', { top: '.routes' });
    // at phone width the list, its buttons and the routes stay within the screen
    await page.setViewportSize({ width: 390, height: 844 });
    for (const n of [0, 1]) await item(n).locator('summary').first().click();
    const wide = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      off: Array.from(document.querySelectorAll('.gateway-list button, .routes button, .routes input, .routes select'))
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
        .map((e) => e.getAttribute('aria-label') ?? e.textContent),
    }));
    await page.setViewportSize({ width: 1280, height: 900 });
    for (const n of [0, 1]) await item(n).locator('summary').first().click();
    assert.ok(wide.scrollWidth <= wide.innerWidth, `${wide.scrollWidth} px wide`);
    assert.deepEqual(wide.off, []);
  });

  test('moving a gateway from the keyboard keeps the focus on it and saves the new order', async () => {
    const up = page.getByRole('button', { name: 'Move lanka up', exact: true });
    await up.focus();
    await page.keyboard.press('Enter');
    assert.equal(await item(0).getAttribute('data-gateway'), 'lanka');
    // at the top its Up button is disabled: the focus moved to its Down button, still on the same gateway
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Move lanka down');
    await save();
    const gateways = (await stored()).gateways as { name: string; preset: { fields: Record<string, string> } }[];
    assert.deepEqual(
      gateways.map((g) => g.name),
      ['lanka', 'default'],
    );
    assert.deepEqual(
      gateways.map((g) => g.preset.fields.apiSecret),
      [LANKA.secret, FIRST.secret],
      'secrets follow their gateways by name',
    );
    // no route matches a UK number: the list order, now lanka first
    assert.equal(await loginOf('uk-user'), 'lanka');
  });

  test('a gateway a route names is not removed: a clear message, no question, nothing saved', async () => {
    const before = JSON.stringify(await stored());
    const asked = dialogs.length;
    await page.getByRole('button', { name: 'Remove lanka', exact: true }).click();
    const alert = item(0).getByRole('alert');
    await alert.waitFor();
    assert.match(
      (await alert.textContent()) ?? '',
      /lanka cannot be removed: route 1 \(\+94\) still names it\. Take it out of that route first/,
    );
    assert.equal(dialogs.length, asked, 'no confirmation was asked');
    assert.equal(await page.locator('.gateway-item').count(), 2);
    assert.equal(await page.getByText('Unsaved changes').count(), 0);
    assert.equal(JSON.stringify(await stored()), before);
  });

  test("the server's problems with a route are shown at its fields, and nothing is saved", async () => {
    const before = JSON.stringify(await stored());
    const errorOf = async (field: ReturnType<Page['getByLabel']>) => {
      assert.equal(await field.getAttribute('aria-invalid'), 'true');
      return (await page.locator(`#${await field.getAttribute('id')}-error`).textContent()) ?? '';
    };
    // the schema's pattern: a prefix without its +
    const prefixes = page.getByLabel('E.164 prefixes');
    await prefixes.fill('94');
    await page.getByRole('button', { name: 'Update' }).click();
    await page.locator('.error-summary').waitFor();
    assert.match(await errorOf(prefixes), /pattern|match/i);
    assert.match((await page.locator('.error-summary').textContent()) ?? '', /E\.164 prefixes/);
    assert.equal(JSON.stringify(await stored()), before, 'nothing was saved');

    // the configuration's own check: a country code that does not exist, in a second route
    await prefixes.fill('+94');
    await page.getByRole('button', { name: 'Add route' }).click();
    const countries = page.getByLabel('Countries').nth(1);
    await countries.fill('xx');
    await page.getByRole('button', { name: 'Update' }).click();
    await page.locator('.error-summary').waitFor();
    assert.match(await errorOf(countries), /"XX" is not a country code/);
    assert.equal(await page.getByLabel('E.164 prefixes').first().getAttribute('aria-invalid'), null);
    assert.equal(JSON.stringify(await stored()), before, 'nothing was saved');

    // fixed: the second route removed, the save goes through
    await page.getByRole('button', { name: 'Remove route 2' }).click();
    await save();
    assert.deepEqual((await stored()).routes, [{ match: { prefixes: ['+94'], countries: [] }, gateways: ['lanka'] }]);
  });

  test('a route with neither prefixes nor countries is refused at the route', async () => {
    await page.getByRole('button', { name: 'Add route' }).click();
    await page.getByRole('button', { name: 'Update' }).click();
    const route = page.locator('fieldset.route').nth(1);
    await route.locator('.field-error').first().waitFor();
    assert.match((await route.locator('.field-error').first().textContent()) ?? '', /needs prefixes or countries/i);
    await page.getByRole('button', { name: 'Remove route 2' }).click();
    await save();
  });

  test('a renamed gateway is renamed in its route, and its stored secret must be typed again', async () => {
    const before = JSON.stringify(await stored());
    await item(0).locator('summary').first().click();
    await item(0).getByLabel('Name').fill('lanka-2');
    assert.equal(await page.getByLabel('Route 1, gateway 1').inputValue(), 'lanka-2', 'the route follows the name');
    await page.getByRole('button', { name: 'Update' }).click();
    await page.locator('.error-summary').waitFor();
    const secret = item(0).getByLabel('API secret');
    assert.equal(await secret.getAttribute('aria-invalid'), 'true');
    assert.match(
      (await page.locator(`#${await secret.getAttribute('id')}-error`).textContent()) ?? '',
      /enter the secret again/,
    );
    assert.equal(JSON.stringify(await stored()), before, 'nothing was saved');
    await secret.fill(LANKA.secret);
    await save();
    const config = await stored();
    assert.deepEqual(
      (config.gateways as { name: string }[]).map((g) => g.name),
      ['lanka-2', 'default'],
    );
    assert.deepEqual(config.routes, [{ match: { prefixes: ['+94'], countries: [] }, gateways: ['lanka-2'] }]);
  });

  test('a gateway no route names is removed after a confirmation', async () => {
    answers.push(false);
    await page.getByRole('button', { name: 'Remove default', exact: true }).click();
    assert.match(dialogs.at(-1) ?? '', /Remove the gateway default\?/);
    assert.equal(await page.locator('.gateway-item').count(), 2, 'cancelled: still there');
    answers.push(true);
    await page.getByRole('button', { name: 'Remove default', exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('.gateway-item').length === 1);
    await save();
    const gateways = (await stored()).gateways as { name: string }[];
    assert.deepEqual(
      gateways.map((g) => g.name),
      ['lanka-2'],
    );
    assert.equal(await loginOf('lanka-user'), 'lanka');
  });

  test('no stored secret is ever in the page or in what the admin API sent it', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'SMS gateways' }).waitFor();
    await page.waitForLoadState('networkidle');
    const html = await page.content();
    assert.ok(bodies.length > 5, 'the API answers were recorded');
    for (const secret of [FIRST.secret, LANKA.secret]) {
      assert.ok(!html.includes(secret), 'a secret in the page');
      assert.ok(!bodies.some((b) => b.includes(secret)), 'a secret in an admin API answer');
    }
    // ...while the page did read the configuration: the masks are there
    assert.ok(bodies.some((b) => b.includes('********') && b.includes('lanka')));
  });
});
