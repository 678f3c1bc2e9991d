/**
 * The seed guide, carried out literally in the console in real Chromium: import the provider's certificate,
 * configure smsOTP with the Vonage preset and send a test SMS, add the sample application with the mobile number as
 * subject and the two steps, make Disable SMSOTP supported by default and set it, add the backupotp claim and give a
 * user 10300,21390, read the audit log. Each page is screenshotted into test-results/screenshots/console-*.png.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { getLocalClaim } from '../../src/identity/claims.js';
import { createUser, getUserByUsername, getUserClaims } from '../../src/identity/users.js';
import { json, type MockServer, makeSelfSignedCertificate, startHttpsServer } from '../sms/support/tls.js';
import type { TestServer } from '../support/server.js';
import {
  ensureConsoleBuilt,
  launchBrowser,
  screenshot,
  signIn,
  signInWithSms,
  skipReason,
  startConsoleServer,
} from './support.js';

const skip = skipReason();
const ADMIN = { username: 'admin', password: 'correct horse battery staple' };
const VONAGE = { apiKey: 'nexmo-key-1', apiSecret: 'nexmo-secret-very-secret' };
const MOBILE = '+94771234567';

describe('the console carries out the SMS OTP guide', { skip }, () => {
  let server: TestServer;
  let vonage: MockServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let tmp: string;
  let certFile: string;

  before(async () => {
    ensureConsoleBuilt();
    tmp = await mkdtemp(join(tmpdir(), 'stepgate-console-'));
    const cert = makeSelfSignedCertificate('rest.nexmo.test');
    certFile = join(tmp, 'nexmo.pem');
    await writeFile(certFile, cert.certPem);
    // a loopback Vonage: form POST to /sms/json, answers 200 with messages[0].status
    vonage = await startHttpsServer(cert, (req, res) => {
      const form = new URLSearchParams(req.body);
      const ok = form.get('api_key') === VONAGE.apiKey && form.get('api_secret') === VONAGE.apiSecret;
      json(res, 200, {
        'message-count': '1',
        messages: [
          ok
            ? {
                to: form.get('to'),
                'message-id': 'mock-0001',
                status: '0',
                'remaining-balance': '9.9',
                'message-price': '0.0333',
                network: '41302',
              }
            : { status: '4', 'error-text': 'Bad Credentials' },
        ],
      });
    });
    server = await startConsoleServer();
    await createUser(server.services.db, server.services.hasher, {
      username: ADMIN.username,
      password: ADMIN.password,
      roles: ['admin'],
      claims: { [ClaimUri.mobile]: MOBILE },
    });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    await vonage?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const nav = () => page.getByRole('navigation', { name: 'Main' });

  test('an admin signs in through Stepgate (code + PKCE) and reaches the console', async () => {
    await signIn(page, server.url, ADMIN.username, ADMIN.password);
    await page.getByRole('heading', { level: 1, name: 'Stepgate Console' }).waitFor();
    assert.match((await page.locator('.who').textContent()) ?? '', /admin/);
    await screenshot(page, 'home');
    // keyboard: the first Tab reaches the skip link
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  });

  test('Set up SMS OTP provider: import the certificate into the truststore with alias Nexmo', async () => {
    await nav().getByRole('link', { name: 'Truststore' }).click();
    await page.getByRole('button', { name: 'Import' }).click();
    // client-side validation names the fields
    await page.locator('#certificate-file-error').waitFor();
    assert.equal(await page.getByLabel('Alias').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Alias').fill('Nexmo');
    await page.getByLabel('Certificate file').setInputFiles(certFile);
    await page.getByRole('button', { name: 'Import' }).click();
    const row = page.getByRole('row', { name: /Nexmo/ });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /rest\.nexmo\.test/);
    assert.equal((await server.services.truststore.list()).length, 1);
    await screenshot(page, 'truststore');
  });

  test('register the smsOTP identity provider, then configure SMS OTP with the Vonage preset and send a test SMS', async () => {
    await nav().getByRole('link', { name: 'List' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Identity Providers' }).waitFor();
    await page.getByRole('main').getByRole('link', { name: /Add/ }).first().click();
    await page.getByLabel('Identity Provider Name').fill('smsOTP');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit smsOTP' }).waitFor();

    // Identity Providers > List > Edit smsOTP > Federated Authenticators > SMS OTP Configuration
    await nav().getByRole('link', { name: 'List' }).first().click();
    await page.getByRole('link', { name: 'Edit smsOTP' }).waitFor();
    await screenshot(page, 'idp-list');
    await page.getByRole('link', { name: 'Edit smsOTP' }).click();
    await page.getByRole('heading', { name: 'SMS OTP Configuration' }).waitFor();
    await page.getByLabel('Enable', { exact: true }).check();
    await page.getByRole('radio', { name: /Vonage/ }).check();
    // a missing API key is refused by the server and shown next to its field
    await page.getByRole('button', { name: 'Update' }).click();
    const apiKey = page.getByLabel('API key');
    await page.getByRole('alert').first().waitFor();
    await page.waitForFunction(() => document.querySelector('input[aria-invalid="true"]') !== null);
    assert.equal(await apiKey.getAttribute('aria-invalid'), 'true');
    const describedBy = (await apiKey.getAttribute('aria-describedby')) ?? '';
    assert.match((await page.locator(`[id="${describedBy.split(' ')[0]}"]`).textContent()) ?? '', /API key/i);

    await apiKey.fill(VONAGE.apiKey);
    await page.getByLabel('API secret').fill(VONAGE.apiSecret);
    await page.getByLabel(/^From/).fill('NEXMO');
    await page.getByLabel('API base URL').fill(vonage.origin);
    await page.getByRole('button', { name: 'Update' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved smsOTP' }).waitFor();
    await screenshot(page, 'idp-sms-otp', { top: 'details.authenticator' });

    const idp = await server.services.identityProviders.getByName('smsOTP');
    const entry = idp?.authenticators.find((a) => a.type === 'sms-otp');
    assert.equal(entry?.enabled, true);
    assert.deepEqual((entry?.config.gateway as { preset?: unknown } | undefined)?.preset, {
      provider: 'vonage',
      // the guide's fields as typed; the optional receipt signature secret, which the guide does not use, left empty
      fields: {
        apiKey: VONAGE.apiKey,
        apiSecret: VONAGE.apiSecret,
        from: 'NEXMO',
        signatureSecret: '',
        baseUrl: vonage.origin,
      },
    });
    // the secret never comes back to the browser
    assert.equal(await page.getByLabel('API secret').inputValue(), '********');

    // the rendered message's length in SMS segments
    assert.match(
      (await page.locator('.message-preview:not([data-locale])').textContent()) ?? '',
      /1 SMS segment\s+GSM-7/,
    );

    await page.getByLabel('Mobile number', { exact: true }).fill(MOBILE);
    await page.getByRole('button', { name: 'Send test SMS' }).click();
    const result = page.locator('.result.ok');
    await result.waitFor();
    const text = (await result.textContent()) ?? '';
    assert.match(text, /Accepted by the provider/);
    assert.match(text, /mock-0001/);
    assert.match(text, /POST https:\/\/127\.0\.0\.1:\d+\/sms\/json/);
    assert.doesNotMatch(text, new RegExp(VONAGE.apiSecret), 'the secret is masked in the rendered request');
    assert.match(text, /"status":\s*"0"/);
    assert.equal(vonage.received.length, 1);
    assert.equal(new URLSearchParams(vonage.received[0]!.body).get('to'), MOBILE.slice(1));
    await screenshot(page, 'idp-test-sms', { top: '.message-preview' });
  });

  test('the sample application: add it, pick mobile as Subject Claim URI, add two authentication steps', async () => {
    await nav().getByRole('link', { name: 'Add' }).nth(1).click();
    await page.getByRole('heading', { level: 1, name: 'Add Service Provider' }).waitFor();
    await page.getByLabel('Service Provider Name').fill('Pickup Dispatch');
    await page.getByLabel('Callback URLs (redirect URIs)').fill('not a uri');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    assert.equal(await page.getByLabel('Callback URLs (redirect URIs)').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Callback URLs (redirect URIs)').fill('http://localhost:8080/pickup-dispatch/oauth2client');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    // a confidential client's secret is shown once
    await page.getByText('shown once only').waitFor();
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit Pickup Dispatch' }).waitFor();

    // Service Providers > List > Edit > Claim configuration > Subject Claim URI
    await nav().getByRole('link', { name: 'List' }).nth(1).click();
    await page.getByRole('link', { name: 'Edit Pickup Dispatch' }).waitFor();
    await screenshot(page, 'applications-list');
    await page.getByRole('link', { name: 'Edit Pickup Dispatch' }).click();
    await page.getByLabel('Subject Claim URI').selectOption(ClaimUri.mobile);
    await page.getByRole('button', { name: 'Update' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved Pickup Dispatch' }).waitFor();
    assert.equal((await server.services.applications.getByName('Pickup Dispatch'))?.subjectClaimUri, ClaimUri.mobile);
    await screenshot(page, 'application-claims', { top: 'details.section:has(h2:text-is("Claim Configuration"))' });

    // Local & Outbound Authentication Configuration > Advanced Configuration
    await page.getByRole('button', { name: 'Advanced Configuration' }).click();
    await page.getByRole('button', { name: 'Remove step 1' }).click();
    await page.getByRole('button', { name: '+ Add Authentication Step' }).click();
    await page.getByRole('button', { name: '+ Add Authentication Step' }).click();
    const step1 = page.getByRole('group', { name: 'Step 1' });
    const step2 = page.getByRole('group', { name: 'Step 2' });
    await step1.getByLabel('Local Authenticator').selectOption({ label: 'Username & Password' });
    await step1.getByRole('button', { name: '+ Add Authenticator' }).first().click();
    await step2.getByLabel('Federated Authenticator').selectOption({ label: 'smsOTP' });
    await step2.getByRole('button', { name: '+ Add Authenticator' }).nth(1).click();
    await page.getByRole('button', { name: 'Update' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved Pickup Dispatch' }).waitFor();
    const app = await server.services.applications.getByName('Pickup Dispatch');
    assert.deepEqual(app?.steps, [
      { options: [{ authenticator: 'password' }] },
      { options: [{ authenticator: 'sms-otp', idp: 'smsOTP' }] },
    ]);
    await screenshot(page, 'application-steps', {
      top: 'details.section:has(h2:text-is("Local & Outbound Authentication Configuration"))',
    });
  });

  test('hold the console to SMS OTP: smsOTP as its second step, then sign in again with the code', async () => {
    // changing a user's authenticators (the guide's Disable SMSOTP and backup codes below) needs a two-factor sign-in
    await nav().getByRole('link', { name: 'List' }).nth(1).click();
    await page.getByRole('link', { name: 'Edit Stepgate Console' }).click();
    const steps = page.getByText('Authentication steps:');
    await steps.waitFor();
    // Stepgate may have added the step itself once an SMS OTP provider exists; otherwise the admin adds it here
    if (!/smsOTP/.test((await steps.textContent()) ?? '')) {
      await page.getByRole('button', { name: 'Advanced Configuration' }).click();
      await page.getByRole('button', { name: '+ Add Authentication Step' }).click();
      const step2 = page.getByRole('group', { name: 'Step 2' });
      await step2.getByLabel('Federated Authenticator').selectOption({ label: 'smsOTP' });
      await step2.getByRole('button', { name: '+ Add Authenticator' }).nth(1).click();
      await page.getByRole('button', { name: 'Update' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved Stepgate Console' }).waitFor();
    }
    const console = await server.services.applications.getByClientId('stepgate-console');
    assert.deepEqual(console?.steps.at(-1), { options: [{ authenticator: 'sms-otp', idp: 'smsOTP' }] });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, log me out' }).click();
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    const sent = vonage.received.length;
    await signInWithSms(page, server.url, ADMIN.username, ADMIN.password, () => {
      assert.equal(vonage.received.length, sent + 1, 'the console sign-in sent no SMS');
      const text = new URLSearchParams(vonage.received.at(-1)!.body).get('text') ?? '';
      return /\b(\d{6})\b/.exec(text)?.[1] ?? assert.fail(`no code in ${text}`);
    });
    await page.getByRole('heading', { level: 1, name: 'Stepgate Console' }).waitFor();
  });

  test('Allow users to disable SMS OTP: tick Supported By Default for Disable SMSOTP', async () => {
    await nav().getByRole('link', { name: 'List' }).nth(2).click();
    await page.getByRole('button', { name: 'http://wso2.org/claims', exact: true }).click();
    await screenshot(page, 'claims-list');
    await page.getByRole('link', { name: 'Edit Disable SMSOTP' }).click();
    await page.getByLabel('Supported by Default').check();
    await page.getByRole('button', { name: 'Update' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved Disable SMSOTP' }).waitFor();
    assert.equal((await getLocalClaim(server.services.db, ClaimUri.smsOtpDisabled))?.supportedByDefault, true);
    await screenshot(page, 'claim-edit', { top: 'body' });
  });

  test('Configure backup codes: add the backupotp local claim mapped to postalcode', async () => {
    await nav().getByRole('link', { name: 'Add Local Claim' }).click();
    await page.getByLabel('Claim URI').fill(ClaimUri.backupCodes);
    await page.getByLabel('Display Name').fill('backupotp');
    await page.getByLabel('Description').fill('Backup codes for SMS OTP');
    await page.getByLabel('Mapped Attribute').fill('postalcode');
    await page.getByLabel('Supported by Default').check();
    await screenshot(page, 'claim-add');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit backupotp' }).waitFor();
    const claim = await getLocalClaim(server.services.db, ClaimUri.backupCodes);
    assert.equal(claim?.mappedAttribute, 'postalcode');
    assert.equal(claim?.supportedByDefault, true);
  });

  test('Users: add a user with a mobile number, set Disable SMSOTP to True and the backup codes 10300,21390', async () => {
    await nav().getByRole('link', { name: 'Add User' }).click();
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password', { exact: true }).fill('alice password 123');
    await page.getByLabel('Mobile').fill('not a number');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    assert.equal(await page.getByLabel('Mobile').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Mobile').fill('+94770000001');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'User Profile: alice' }).waitFor();

    // Users and Roles > List > Users > alice > User Profile
    await nav().getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('link', { name: 'User Profile of alice' }).waitFor();
    await screenshot(page, 'users-list');
    await page.getByRole('link', { name: 'User Profile of alice' }).click();
    await page.getByLabel('Disable SMSOTP').fill('True');
    await page.getByLabel('backupotp').fill('10300,21390');
    await page.getByRole('button', { name: 'Update' }).click();
    await page.getByRole('status').filter({ hasText: 'The user profile was updated.' }).waitFor();
    const alice = (await getUserByUsername(server.services.db, 'alice'))!;
    const claims = await getUserClaims(server.services.db, alice);
    assert.equal(claims[ClaimUri.smsOtpDisabled], 'True');
    assert.equal(claims[ClaimUri.mobile], '+94770000001');
    // the backup codes are write-only: the field is empty again and the count says 2
    assert.equal(await page.getByLabel('backupotp').inputValue(), '');
    assert.match((await page.getByLabel('backupotp').getAttribute('placeholder')) ?? '', /2 unused backup codes/);
    await screenshot(page, 'user-profile', { top: 'body' });
  });

  test('Audit log: filter by user and see what the admin did', async () => {
    await nav().getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('User').fill(ADMIN.username);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('cell', { name: 'admin.identity-provider.test-sms' }).first().waitFor();
    await screenshot(page, 'audit');
  });

  test('phone width: the navigation collapses behind Menu', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await nav().getByRole('link', { name: 'Truststore' }).waitFor({ state: 'hidden' });
    await screenshot(page, 'phone');
    const menu = page.getByRole('button', { name: 'Menu' });
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    await menu.click();
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    await screenshot(page, 'phone-menu');
    await nav().getByRole('link', { name: 'Truststore' }).click();
    await page.getByRole('heading', { level: 1, name: 'Truststore' }).waitFor();
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test('sign out goes through the end-session endpoint', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, log me out' }).click();
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('stepgate.console.tokens')), null);
  });
});
