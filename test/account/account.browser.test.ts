/**
 * My Account in real Chromium at phone width (390 px): a fresh user signs in (password, SMS code from a loopback
 * mock provider), adds an authenticator app (its code computed here with node:crypto) and a passkey (a CDP virtual
 * authenticator), and then logs in to OIDC applications with each, read back from the ID token's amr. The pages
 * must fit 390 px without sideways scrolling and run without a CSP violation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { createUser } from '../../src/identity/users.js';
import {
  appWith,
  authenticatorPage,
  PASSKEY_STEP,
  PASSWORD,
  PASSWORD_STEP,
  REDIRECT,
  submitPasskey,
  type VirtualCredential,
} from '../passkey/support/fixture.js';
import { gatewayFor, TEST_DEFAULTS } from '../sms-otp/support/fixture.js';
import { type MockSms, startMockSms } from '../sms-otp/support/mock-sms.js';
import { launchChromium, skipChromium } from '../support/chromium.js';
import type { RelyingParty } from '../support/rp.js';
import { screenshotPath } from '../support/screenshots.js';
import { startStepgate, type TestServer } from '../support/server.js';
import { secretOf, totp } from '../totp/support/rfc6238.js';

const MOBILE = '+94775550001';

describe('My Account in Chromium at 390 px', { skip: skipChromium }, () => {
  let server: TestServer;
  let sms: MockSms;
  let browser: Browser;
  let passkeyOnly: RelyingParty;
  let withApp: RelyingParty;
  let held: VirtualCredential[] = [];
  let secret = '';

  before(async () => {
    sms = await startMockSms();
    server = await startStepgate({
      publicHost: 'localhost',
      overrides: { argon2: { memoryKiB: 8192, iterations: 1, parallelism: 1 } },
    });
    await server.services.identityProviders.create({
      name: 'smsOTP',
      authenticators: [
        { type: 'sms-otp', enabled: true, config: { ...TEST_DEFAULTS, gateway: gatewayFor(sms.origin) } },
      ],
    });
    passkeyOnly = await appWith(server, 'Passkey only', [PASSKEY_STEP]);
    withApp = await appWith(server, 'Password then app', [PASSWORD_STEP, { options: [{ authenticator: 'totp' }] }]);
    await createUser(server.services.db, server.services.hasher, {
      username: 'fresh',
      password: PASSWORD,
      claims: { [ClaimUri.mobile]: MOBILE },
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await sms?.close();
  });

  const code = () => /(\d{6})/.exec(sms.messages.at(-1)?.text ?? '')?.[1] ?? '';

  async function fitsPhone(page: Page, what: string) {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `${what} is ${width} px wide at a 390 px viewport`);
  }

  async function signIn(page: Page) {
    await page.goto(`${server.url}/account/`);
    await page.fill('input[name=username]', 'fresh');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    // with several second factors the choose page comes first: the SMS code
    await page.waitForSelector('input[autocomplete=one-time-code], button[name=choose]');
    if (await page.$('button[name=choose]')) await page.click('button[name=choose][value="smsOTP:sms-otp"]');
    await page.waitForSelector('input[autocomplete=one-time-code]');
    await page.fill('input[autocomplete=one-time-code]', code());
    await page.click('#sms-otp-verify button[type=submit], form button[type=submit]');
    await page.waitForSelector('h1:text("Security")');
  }

  test('a fresh user signs in, adds an authenticator app and a passkey, every page fitting 390 px', async () => {
    const a = await authenticatorPage(browser);
    const problems: string[] = [];
    a.page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    try {
      await a.page.setViewportSize({ width: 390, height: 844 });
      await signIn(a.page);
      await fitsPhone(a.page, 'the Security page');
      assert.equal(await a.page.textContent('#session-strength'), 'two factors');

      await a.page.click('#totp-add button');
      await a.page.waitForSelector('#totp-qr svg');
      await fitsPhone(a.page, 'the app enrolment page');
      secret = secretOf((await a.page.getAttribute('#totp-uri', 'href'))!);
      await a.page.fill('#label', 'My phone');
      await a.page.fill('#code', totp(secret));
      await a.page.click('#totp-confirm button[type=submit]');
      await a.page.waitForSelector('#done');
      assert.equal(await a.page.getAttribute('#done', 'data-message-id'), 'account.done.totp-added');
      assert.match((await a.page.textContent('#totp .factor-name')) ?? '', /My phone/);

      await a.page.click('#passkey-add');
      await a.page.waitForSelector('#passkey-start:not([hidden])');
      await fitsPhone(a.page, 'the passkey page');
      const posted = a.page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/account/passkeys/new'));
      await a.page.click('#passkey-start');
      const captured = new URLSearchParams((await posted).postData() ?? '').get('credential') ?? '';
      await a.page.waitForSelector('#done');
      assert.equal(await a.page.getAttribute('#done', 'data-message-id'), 'account.done.passkey-added');
      await fitsPhone(a.page, 'the Security page with an app and a passkey');
      await a.page.screenshot({ path: screenshotPath('account-security-phone'), fullPage: true });
      held = await a.credentials();
      assert.equal(held.length, 1, 'the virtual authenticator holds the passkey');

      // the same registration answer posted again (its challenge was used) adds nothing
      await a.page.click('#passkey-add');
      await a.page.waitForSelector('#passkey-start:not([hidden])');
      await a.page.evaluate((credential) => {
        (document.getElementById('passkey-credential') as HTMLInputElement).value = credential;
        (document.getElementById('passkey-form') as HTMLFormElement).submit();
      }, captured);
      await a.page.waitForSelector('#notice');
      assert.equal(await a.page.getAttribute('#notice', 'data-message-id'), 'account.error.passkey-refused');
      await a.page.goto(`${server.url}/account/`);

      await a.page.click('a[href="/account/sessions"]');
      await a.page.waitForSelector('h1:text("Sessions")');
      await fitsPhone(a.page, 'the Sessions page');
      assert.equal(problems.filter((p) => /Content Security Policy|Refused/.test(p)).length, 0, problems.join('\n'));
    } finally {
      await a.close();
    }
    const rows = await server.services.db.selectFrom('webauthn_credentials').select('label').execute();
    assert.equal(rows.length, 1);
  });

  test('the passkey added in My Account logs in to an OIDC application by itself (amr hwk user, two factors)', async () => {
    assert.ok(held.length === 1, 'the previous test added a passkey');
    const a = await authenticatorPage(browser, { credentials: held });
    try {
      const started = passkeyOnly.begin();
      await a.page.goto(started.url);
      await a.page.waitForSelector('#passkey-start:not([hidden])');
      const done = await submitPasskey(a.page);
      assert.ok(done.location?.startsWith(REDIRECT), `reached the application: ${done.notice}`);
      const claims = (await passkeyOnly.finish(done.location!, started)).claims()!;
      assert.equal(claims.sub, 'fresh');
      assert.deepEqual(claims.amr, ['hwk', 'user', 'mfa']);
    } finally {
      await a.close();
    }
  });

  test('the authenticator app added in My Account logs in to an OIDC application after the password', async () => {
    assert.ok(secret, 'the first test added an app');
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const page = await context.newPage();
      const started = withApp.begin();
      await page.goto(started.url);
      await page.fill('input[name=username]', 'fresh');
      await page.fill('input[name=password]', PASSWORD);
      await page.click('button[type=submit]');
      await page.waitForSelector('input[autocomplete=one-time-code]');
      // the enrolment's code is spent: the next period's (within the allowed drift)
      await page.fill('input[autocomplete=one-time-code]', totp(secret, { steps: 1 }));
      const toApp = page.waitForResponse((r) => (r.headers().location ?? '').startsWith(REDIRECT));
      await page.click('button[type=submit]');
      const location = (await toApp).headers().location!;
      const claims = (await withApp.finish(location, started)).claims()!;
      assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    } finally {
      await context.close();
    }
  });

  test('the passkey is renamed and removed in My Account (the user keeps SMS and the app); it then signs in no more', async () => {
    const a = await authenticatorPage(browser, { credentials: held });
    try {
      await a.page.setViewportSize({ width: 390, height: 844 });
      await signIn(a.page);
      await a.page.fill('#passkeys input[name=label]', 'Laptop key');
      await a.page.click('#passkeys form.row button[type=submit]');
      await a.page.waitForSelector('#done');
      assert.match((await a.page.textContent('#passkeys .factor-name')) ?? '', /Laptop key/);
      await a.page.click('#passkeys .danger');
      await a.page.waitForSelector('#done');
      assert.equal(await a.page.getAttribute('#done', 'data-message-id'), 'account.done.passkey-removed');
      assert.equal((await server.services.db.selectFrom('webauthn_credentials').select('id').execute()).length, 0);
      const events = await server.services.audit.query({ event: 'account.passkey-removed', limit: 10 });
      assert.equal(events.events.length, 1);
    } finally {
      await a.close();
    }
    const b = await authenticatorPage(browser, { credentials: held });
    try {
      const started = passkeyOnly.begin();
      await b.page.goto(started.url);
      await b.page.waitForSelector('#passkey-start:not([hidden])');
      const done = await submitPasskey(b.page);
      assert.equal(done.location, undefined, 'a removed passkey reaches no application');
    } finally {
      await b.close();
    }
  });
});
