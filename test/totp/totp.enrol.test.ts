/**
 * Adding an authenticator app inside the login, over real HTTP: a user the password step identified, at a step whose
 * only option is the app, sees the QR code and the otpauth:// URI (issuer and username), confirms with a code (a
 * wrong one shows the page again, not counted toward the lock), and the login passes with pwd + otp; the next login
 * asks for a code, never to add another app, and the confirming code is used up. With enrolAtLogin off the login
 * ends with a clear page.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { transactionKey } from '../../src/authn/login-transaction.js';
import { getUserById } from '../../src/identity/users.js';
import { forEachBackend } from '../support/backends.js';
import type { RelyingParty } from '../support/rp.js';
import { messageIdOf, PASSWORD_STEP, startTotp, TOTP_STEP, type TotpFixture } from './support/fixture.js';
import { oneDigitOff, secretOf, totp } from './support/rfc6238.js';

const decode = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&#x3D;/g, '=')
    .replace(/&#x2F;/g, '/')
    .replace(/&#39;/g, "'");

forEachBackend('adding an authenticator app inside the login', (backend) => {
  let t: TotpFixture;
  let rp: RelyingParty;

  before(async () => {
    t = await startTotp(backend);
    rp = await t.app('TOTP app', [PASSWORD_STEP, TOTP_STEP]);
  });
  after(() => t.stop());

  test('QR code and URI, a wrong code shown again uncounted, then the login passes and the app is kept', async () => {
    const { user } = await t.user('newbie');
    const login = await t.login(rp, 'newbie');
    assert.equal(login.page.status, 200);
    assert.match(login.page.html, /id="totp-enrol"/);
    assert.match(login.page.html, /<figure class="qr"[^>]*><svg[\s\S]*?<\/svg>/, 'an inline SVG QR code');
    assert.doesNotMatch(login.page.html, /<script/i, 'the page needs no script');
    const href = decode(/href="(otpauth:[^"]+)"/.exec(login.page.html)?.[1] ?? '');
    assert.match(href, /^otpauth:\/\/totp\//);
    const uri = new URL(href);
    assert.equal(decodeURIComponent(uri.pathname), `/${new URL(t.url).host}:newbie`);
    const secret = secretOf(href);

    const wrong = await t.submit(login, 'totp-enrol', { code: oneDigitOff(totp(secret)) });
    assert.equal(wrong.status, 401);
    assert.equal(messageIdOf(wrong), 'totp.enrol-invalid-code');
    assert.equal(secretOf(decode(/href="(otpauth:[^"]+)"/.exec(wrong.html)![1]!)), secret, 'the same app to set up');
    assert.equal((await getUserById(t.f.server.services.db, user.id))?.failedOtpCount, 0, 'not counted');

    const code = totp(secret);
    await t.submit(login, 'totp-enrol', { code });
    const claims = await t.finish(login);
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims.acr, 'urn:stepgate:acr:2fa');
    const apps = await t.f.server.services.totpCredentials.list(user.id);
    assert.equal(apps.length, 1);
    assert.equal((await t.f.audit('totp.enrolled'))[0]?.via, 'login');

    const next = await t.login(rp, 'newbie');
    assert.match(next.page.html, /id="totp-verify"/, 'the next login asks for a code');
    assert.doesNotMatch(next.page.html, /otpauth:/);
    assert.equal(messageIdOf(await t.submit(next, 'totp-verify', { code })), 'totp.code-used');
    await t.submit(next, 'totp-verify', { code: totp(secret, { steps: 1 }) });
    assert.ok((await t.finish(next)).amr);
  });

  test('the secret is never stored with the login in clear; a reload and a retry show the same app to set up', async () => {
    await t.user('reloader');
    const login = await t.login(rp, 'reloader');
    const first = secretOf(decode(/href="(otpauth:[^"]+)"/.exec(login.page.html)![1]!));
    const uid = /\/interaction\/([^/?#]+)/.exec(login.page.url)![1]!;
    const stored = async () =>
      JSON.stringify(await t.f.server.services.state.get(transactionKey(uid))).replace(/\\u[0-9a-f]{4}/g, '');
    assert.ok((await stored()).length > 100, 'the transaction is there');
    assert.ok(!(await stored()).includes(first), 'the login transaction does not hold the secret in clear');
    assert.ok(!(await stored()).includes('otpauth:'), 'nor the URI, nor the QR code');
    const again = await login.browser.go(login.page.url);
    assert.equal(secretOf(decode(/href="(otpauth:[^"]+)"/.exec(again.html)![1]!)), first, 'a reload: the same app');
    login.page = again;
    const missing = await t.submit(login, 'totp-enrol', { code: '' });
    assert.equal(missing.status, 400);
    assert.equal(secretOf(decode(/href="(otpauth:[^"]+)"/.exec(missing.html)![1]!)), first, 'after a notice: the same');
    assert.ok(!(await stored()).includes(first));
    assert.equal((await t.f.audit('totp.enrolment-started')).filter((e) => e.username === 'reloader').length, 1);
  });
});

forEachBackend('enrolAtLogin off', (backend) => {
  let t: TotpFixture;
  before(async () => {
    t = await startTotp(backend, {
      overrides: { argon2: { memoryKiB: 8192, iterations: 1, parallelism: 1 }, totp: { enrolAtLogin: false } },
    });
  });
  after(() => t.stop());

  test('a user without an app cannot pass the step and is told so', async () => {
    const rp = await t.app('TOTP app', [PASSWORD_STEP, TOTP_STEP]);
    await t.user('noapp');
    const login = await t.login(rp, 'noapp');
    assert.equal(login.page.status, 403);
    assert.equal(messageIdOf(login.page), 'totp.not-enrolled');
  });
});
