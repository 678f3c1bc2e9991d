/**
 * The user profile's sign-in factors in real Chromium, signed in to the console with two factors (password, then an
 * authenticator app whose codes the test computes with its own RFC 6238 code): every factor is shown, each reset is
 * asked first (a declined one changes nothing), goes through the admin API, is audited and really takes effect — a
 * login after the app was removed no longer offers it. Console › Authenticators edits the TOTP and passkey settings,
 * checked at their fields, and the next enrolment in a login carries them. An admin signed in with the password alone
 * is told that a reset needs two factors.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createAuthenticatorSettings } from '../../src/identity/authenticator-settings.js';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { CONSOLE_CLIENT_ID } from '../../src/identity/console-app.js';
import { recordFailure } from '../../src/identity/lockout.js';
import { createUser, getUserById, getUserClaims, setRoles, type User } from '../../src/identity/users.js';
import { Browser as HttpBrowser } from '../support/browser.js';
import { relyingParty } from '../support/rp.js';
import type { TestServer } from '../support/server.js';
import { base32Encode, totp } from '../totp/support/rfc6238.js';
import { ensureConsoleBuilt, launchBrowser, screenshot, skipReason, startConsoleServer } from './support.js';

const skip = skipReason();
const ADMIN = { username: 'admin', password: 'correct horse battery staple' };
const PASSWORD = 'dana password 123';
const REDIRECT = 'http://127.0.0.1:1/factors/callback';

describe('the user profile shows and resets sign-in factors', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dana: User;
  let adminSecret: string;
  /** the answer to the next confirm() dialog; accepted unless a test says otherwise */
  let answer = true;
  const questions: string[] = [];

  const events = async (event: string) =>
    (await server.services.audit.query({ event, limit: 100 })).events.filter((e) => e.data.targetUserId === dana.id);

  before(async () => {
    ensureConsoleBuilt();
    server = await startConsoleServer();
    const s = server.services;
    const admin = await createUser(s.db, s.hasher, { ...ADMIN, roles: ['admin'] });
    adminSecret = base32Encode(randomBytes(20));
    await s.totpCredentials.add(
      admin.id,
      { secret: adminSecret, label: 'admin app', digits: 6, period: 30 },
      0,
      Date.now(),
    );
    // the console asks for the admin's app after the password: its token carries two factors, as resets need
    const consoleApp = (await s.applications.getByClientId(CONSOLE_CLIENT_ID))!;
    await s.applications.update(consoleApp.id, {
      steps: [{ options: [{ authenticator: 'password' }] }, { options: [{ authenticator: 'totp' }] }],
    });

    dana = await createUser(s.db, s.hasher, {
      username: 'dana',
      password: PASSWORD,
      claims: { [ClaimUri.mobile]: '+94772000042' },
    });
    await setRoles(s.db, dana.id, []);
    await s.totpCredentials.add(
      dana.id,
      { secret: base32Encode(randomBytes(20)), label: 'Dana phone app', digits: 6, period: 30 },
      0,
      Date.now(),
    );
    await s.passkeyCredentials.add(
      dana.id,
      {
        id: randomBytes(16).toString('base64url'),
        publicKey: randomBytes(77),
        signCount: 0,
        transports: ['internal'],
        deviceType: 'multiDevice',
        backedUp: true,
        label: 'Dana laptop',
      },
      Date.now(),
    );
    await s.backupCodes.replace(dana.id, ['aaaa-bbbb-cccc', 'dddd-eeee-ffff', 'gggg-hhhh-jjjj']);
    await recordFailure(s.db, dana.id, 'otp', { maxAttempts: 1, lockMinutes: 30 }, Date.now());

    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('dialog', (d) => {
      questions.push(d.message());
      void (answer ? d.accept() : d.dismiss());
    });
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  const factors = () => page.locator('#factors');
  const status = (text: string | RegExp) => factors().getByRole('status').filter({ hasText: text }).first().waitFor();

  test('the admin signs in with the password and an app code, and sees every factor of the user', async () => {
    await page.goto(`${server.url}/console/`);
    await page.waitForURL(/\/interaction\//);
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.locator('#totp-verify input[name="code"]').fill(totp(adminSecret));
    await page.locator('#totp-verify button[type=submit]').click();
    await page.getByRole('heading', { level: 1, name: 'Stepgate Console' }).waitFor();

    await page.goto(`${server.url}/console/users/${dana.id}`);
    await page.getByRole('heading', { level: 1, name: 'User Profile: dana' }).waitFor();
    await factors().getByRole('heading', { name: 'Sign-in factors' }).waitFor();
    const text = (await factors().textContent()) ?? '';
    assert.match(text, /\+94772000042/);
    assert.match(text, /SMS OTP is on/);
    assert.match(text, /Dana phone app — enrolled .*, last used .* \(6 digits, 30 s\)/);
    assert.match(text, /Dana laptop — created .*, last used .*, backed up \(synced\)/);
    assert.match(text, /3 unused backup codes/);
    assert.match(text, /Locked until/);
    await screenshot(page, 'user-factors', { top: '#factors' });
  });

  test('a declined question changes nothing; turning SMS OTP off sets the Disable SMSOTP claim, audited', async () => {
    answer = false;
    await factors().getByRole('button', { name: 'Turn SMS OTP off' }).click();
    answer = true;
    assert.match(questions.at(-1) ?? '', /Turn SMS OTP off for dana/);
    assert.equal(
      (await getUserClaims(server.services.db, (await getUserById(server.services.db, dana.id))!))[
        ClaimUri.smsOtpDisabled
      ],
      undefined,
    );

    await factors().getByRole('button', { name: 'Turn SMS OTP off' }).click();
    await status('SMS OTP is off for this user.');
    await factors().getByText('off (Disable SMSOTP)').waitFor();
    const claims = await getUserClaims(server.services.db, (await getUserById(server.services.db, dana.id))!);
    assert.equal(claims[ClaimUri.smsOtpDisabled], 'true');
    assert.equal((await events('admin.user.update')).length, 1);
    await factors().getByRole('button', { name: 'Turn SMS OTP on' }).click();
    await status('SMS OTP is on again.');
  });

  test('removing the app takes effect: a login that offered the app or a passkey now goes straight to the passkey', async () => {
    const s = server.services;
    const created = await s.applications.create({
      name: 'Factors app',
      redirectUris: [REDIRECT],
      subjectClaimUri: ClaimUri.username,
      steps: [
        { options: [{ authenticator: 'password' }] },
        { options: [{ authenticator: 'totp' }, { authenticator: 'passkey' }] },
      ],
    });
    const rp = await relyingParty(server.url, created.application.clientId, created.clientSecret, REDIRECT);
    const afterPassword = async () => {
      const http = new HttpBrowser();
      const first = await http.go(rp.begin().url);
      return http.submit(HttpBrowser.form(first), { username: 'dana', password: PASSWORD }, (u) =>
        u.startsWith(REDIRECT),
      );
    };
    // unlock first: a locked account gets no second step at all
    await factors().getByRole('button', { name: 'Unlock' }).click();
    await status('The account was unlocked.');
    assert.match(questions.at(-1) ?? '', /Unlock dana/);
    await factors().getByText('Not locked').waitFor();
    assert.equal((await events('admin.user.unlock')).length, 1);

    const offered = await afterPassword();
    assert.deepEqual(
      [...offered.html.matchAll(/name="choose" value="([^"]*)"/g)].map((m) => m[1]),
      [':totp', ':passkey'],
    );

    await factors().getByRole('button', { name: 'Remove the authenticator app Dana phone app' }).click();
    await status('The authenticator app Dana phone app was removed.');
    await factors().getByText('No authenticator app.').waitFor();
    assert.equal((await s.totpCredentials.list(dana.id)).length, 0);
    assert.equal((await events('admin.user.remove-totp')).length, 1);

    const now = await afterPassword();
    assert.match(now.html, /data-passkey="get"/, 'the passkey page, not the choice');
    assert.doesNotMatch(now.html, /name="choose"|totp-verify|totp-enrol/);
  });

  test('revoking the passkey, regenerating and clearing backup codes, each asked first and audited', async () => {
    const s = server.services;
    await factors().getByRole('button', { name: 'Revoke the passkey Dana laptop' }).click();
    await status('The passkey Dana laptop was revoked.');
    assert.match(questions.at(-1) ?? '', /Revoke the passkey "Dana laptop" of dana/);
    await factors().getByText('No passkey.').waitFor();
    assert.equal((await s.passkeyCredentials.list(dana.id)).length, 0);
    assert.equal((await events('admin.user.remove-passkey')).length, 1);

    await factors().getByRole('button', { name: 'Regenerate backup codes' }).click();
    const shown = factors().locator('.alert.once pre.secret');
    await shown.waitFor();
    const codes = ((await shown.textContent()) ?? '').split('\n');
    assert.equal(codes.length, 10);
    await factors().getByText('10 unused backup codes').waitFor();
    assert.equal(await s.backupCodes.consume(dana.id, 'aaaa-bbbb-cccc'), false, 'the old codes are gone');
    assert.equal(await s.backupCodes.consume(dana.id, codes[0]!), true, 'a shown code works');
    await factors().getByRole('button', { name: 'Done' }).click();
    assert.equal((await events('admin.user.generate-backup-codes')).length, 1);

    await page.reload();
    await factors().getByText('9 unused backup codes').waitFor();
    await factors().getByRole('button', { name: 'Clear backup codes' }).click();
    await status('The backup codes were removed.');
    await factors().getByText('0 unused backup codes').waitFor();
    assert.equal(await s.backupCodes.remaining(dana.id), 0);
    assert.equal((await events('admin.user.clear-backup-codes')).length, 1);
    assert.equal(await factors().getByRole('button', { name: 'Clear backup codes' }).isDisabled(), true);
  });

  test('the preferred MFA option is saved as the claim and removed again', async () => {
    const select = factors().getByLabel('Preferred MFA option');
    await select.selectOption(':passkey');
    await factors().getByRole('button', { name: 'Save preference' }).click();
    await status('The preferred option was saved.');
    const claims = async () => getUserClaims(server.services.db, (await getUserById(server.services.db, dana.id))!);
    assert.equal((await claims())[ClaimUri.preferredMfaOption], ':passkey');
    assert.equal((await events('admin.user.set-preferred-option')).length, 1);
    await page.reload();
    assert.equal(await factors().getByLabel('Preferred MFA option').inputValue(), ':passkey');
    await factors().getByLabel('Preferred MFA option').selectOption('');
    await factors().getByRole('button', { name: 'Save preference' }).click();
    await status('The preferred option was removed.');
    assert.equal((await claims())[ClaimUri.preferredMfaOption], undefined);
  });

  test('Authenticators: the TOTP and passkey settings, checked at their fields, take effect at the next login', async () => {
    const s = server.services;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Authenticators' }).click();
    await page.getByRole('heading', { level: 1, name: 'Authenticators' }).waitFor();
    const app = page.locator('#authenticator-totp');
    await app.getByLabel('Digits').waitFor();
    assert.equal(await app.getByLabel('Digits').inputValue(), '6');
    assert.equal(await app.getByLabel('Algorithm').inputValue(), 'SHA1');

    await app.getByLabel('Digits').fill('9');
    await app.getByRole('button', { name: 'Save' }).click();
    await app.locator('[aria-invalid="true"]').first().waitFor();
    assert.equal(await app.getByLabel('Digits').getAttribute('aria-invalid'), 'true');
    assert.equal((await createAuthenticatorSettings(s.db).get('totp')).updatedAt, null, 'nothing saved');

    await app.getByLabel('Digits').fill('8');
    await app.getByLabel('Algorithm').selectOption('SHA256');
    await app.getByLabel('Issuer label').fill('Stepgate Console Test');
    await app.getByRole('button', { name: 'Save' }).click();
    await app.getByRole('status').filter({ hasText: 'Saved the Authenticator app settings.' }).waitFor();
    const saved = (await createAuthenticatorSettings(s.db).get('totp')).settings;
    assert.deepEqual([saved.digits, saved.algorithm, saved.issuer], [8, 'SHA256', 'Stepgate Console Test']);

    const passkey = page.locator('#authenticator-passkey');
    await passkey.getByLabel('User verification').selectOption('preferred');
    await passkey.getByRole('button', { name: 'Save' }).click();
    await passkey.getByRole('status').filter({ hasText: 'Saved the Passkey settings.' }).waitFor();
    assert.equal((await createAuthenticatorSettings(s.db).get('passkey')).settings.userVerification, 'preferred');
    await screenshot(page, 'authenticators', { top: 'main h1' });

    // a user without an app, at a step that asks for one, adds it with the new shape
    await createUser(s.db, s.hasher, { username: 'erin', password: PASSWORD });
    const created = await s.applications.create({
      name: 'App step',
      redirectUris: [REDIRECT],
      subjectClaimUri: ClaimUri.username,
      steps: [{ options: [{ authenticator: 'password' }] }, { options: [{ authenticator: 'totp' }] }],
    });
    const rp = await relyingParty(server.url, created.application.clientId, created.clientSecret, REDIRECT);
    const http = new HttpBrowser();
    const first = await http.go(rp.begin().url);
    const enrol = await http.submit(HttpBrowser.form(first), { username: 'erin', password: PASSWORD }, (u) =>
      u.startsWith(REDIRECT),
    );
    const uri = (/href="(otpauth:[^"]+)"/.exec(enrol.html)?.[1] ?? '').replace(/&amp;/g, '&');
    const params = new URL(uri).searchParams;
    assert.deepEqual(
      [params.get('digits'), params.get('algorithm'), params.get('issuer')],
      ['8', 'SHA256', 'Stepgate Console Test'],
    );
  });

  test('an admin signed in with the password alone is told a reset needs two factors, and nothing changes', async () => {
    const s = server.services;
    const consoleApp = (await s.applications.getByClientId(CONSOLE_CLIENT_ID))!;
    const steps = consoleApp.steps;
    await s.applications.update(consoleApp.id, { steps: [{ options: [{ authenticator: 'password' }] }] });
    const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const onePage = await other.newPage();
      onePage.on('dialog', (d) => void d.accept());
      await onePage.goto(`${server.url}/console/users/${dana.id}`);
      await onePage.waitForURL(/\/interaction\//);
      await onePage.getByLabel('Username').fill(ADMIN.username);
      await onePage.getByLabel('Password').fill(ADMIN.password);
      await onePage.getByRole('button', { name: 'Continue' }).click();
      const section = onePage.locator('#factors');
      await section.getByRole('button', { name: 'Turn SMS OTP off' }).click();
      const alert = section.locator('.alert.error');
      await alert.waitFor();
      assert.match((await alert.textContent()) ?? '', /needs a sign-in that passed two factors/);
      const claims = await getUserClaims(s.db, (await getUserById(s.db, dana.id))!);
      assert.notEqual(claims[ClaimUri.smsOtpDisabled], 'true', 'SMS OTP is still on');
    } finally {
      await other.close();
      await s.applications.update(consoleApp.id, { steps });
    }
  });
});
