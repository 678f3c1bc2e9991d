/**
 * A step that offers a choice (SMS OTP | authenticator app), over real HTTP: the choose page offers only what this
 * user has (a user without an app never sees it, and cannot pick it by a forged form), remembers the last choice so
 * the next login starts with it, and "Try another way" switches; amr follows what was used. On save, an option that
 * needs a user cannot be in the first step.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { ValidationError } from '../../src/identity/errors.js';
import { setUserClaims } from '../../src/identity/users.js';
import { forEachBackend } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import type { RelyingParty } from '../support/rp.js';
import {
  CHOICE_STEP,
  messageIdOf,
  PASSWORD_STEP,
  REDIRECT,
  startTotp,
  TOTP_STEP,
  type TotpFixture,
  type TotpLogin,
} from './support/fixture.js';
import { totp } from './support/rfc6238.js';

const CHOOSE_SMS = 'smsOTP:sms-otp';
const CHOOSE_TOTP = ':totp';

forEachBackend('a step with SMS OTP or an authenticator app', (backend) => {
  let t: TotpFixture;
  let rp: RelyingParty;

  before(async () => {
    t = await startTotp(backend);
    rp = await t.app('Choice app', [PASSWORD_STEP, CHOICE_STEP]);
  });
  after(() => t.stop());

  const choices = (html: string) => [...html.matchAll(/name="choose" value="([^"]*)"/g)].map((m) => m[1]);
  const choose = (login: TotpLogin, value: string) =>
    login.browser
      .submit(Browser.form(login.page), { choose: value }, (u) => u.startsWith(REDIRECT))
      .then((p) => (login.page = p));

  test('a user without an app goes straight to SMS OTP: no choose page, no app option, no switch', async () => {
    await t.user('smsonly');
    const login = await t.login(rp, 'smsonly');
    assert.match(login.page.html, /id="sms-otp-verify"/, 'expected the SMS code page');
    assert.deepEqual(choices(login.page.html), []);
    assert.doesNotMatch(login.page.html, /Authenticator app|try-another-way/);
    // a forged choice of the app (which would offer to set one up with the password alone) is not taken
    const forged = await choose(login, CHOOSE_TOTP);
    assert.doesNotMatch(forged.html, /id="totp-(enrol|verify)"/);
    assert.match(forged.html, /id="sms-otp-verify"/);
    await t.submit(login, 'sms-otp-verify', { code: t.lastSmsCode() });
    assert.deepEqual((await t.finish(login)).amr, ['pwd', 'sms', 'mfa']);
    const rows = await t.f.server.services.db.selectFrom('totp_credentials').selectAll().execute();
    assert.equal(rows.length, 0);
  });

  test('a user with both chooses, switches with "Try another way", and the next login starts with the last choice', async () => {
    const { secret } = (await t.user('both', { totp: true })) as { secret: string };
    const first = await t.login(rp, 'both');
    assert.deepEqual(choices(first.page.html), [CHOOSE_SMS, CHOOSE_TOTP], 'the choose page offers both');
    await choose(first, CHOOSE_TOTP);
    assert.match(first.page.html, /id="totp-verify"/);
    assert.match(first.page.html, /id="try-another-way"/);
    await t.submit(first, 'switch-option', { another: '1' });
    assert.deepEqual(choices(first.page.html), [CHOOSE_SMS, CHOOSE_TOTP], 'back on the choose page');
    await choose(first, CHOOSE_SMS);
    assert.match(first.page.html, /id="sms-otp-verify"/);
    assert.match(first.page.html, /id="try-another-way"/);
    await t.submit(first, 'sms-otp-verify', { code: t.lastSmsCode() });
    assert.deepEqual((await t.finish(first)).amr, ['pwd', 'sms', 'mfa']);

    // remembered: SMS OTP first, with the way to the other option
    const sent = t.f.sms.messages.length;
    const second = await t.login(rp, 'both');
    assert.match(second.page.html, /id="sms-otp-verify"/, 'the last choice starts the step');
    assert.equal(t.f.sms.messages.length, sent + 1);
    await t.submit(second, 'switch-option', { another: '1' });
    await choose(second, CHOOSE_TOTP);
    await t.submit(second, 'totp-verify', { code: totp(secret) });
    assert.deepEqual((await t.finish(second)).amr, ['pwd', 'otp', 'mfa'], 'amr says what was used');

    const third = await t.login(rp, 'both');
    assert.match(third.page.html, /id="totp-verify"/, 'now the app is the remembered choice');
    assert.equal(t.f.sms.messages.length, sent + 1, 'and no SMS was sent for it');
  });

  test('SMS OTP counts only with a usable number and not switched off: such a user with an app is asked for the app', async () => {
    const noNumber = (await t.user('appnonumber', { mobile: '', totp: true })) as { secret: string };
    const a = await t.login(rp, 'appnonumber');
    assert.match(a.page.html, /id="totp-verify"/, 'no number: straight to the app');
    assert.doesNotMatch(a.page.html, /try-another-way/);
    await t.submit(a, 'totp-verify', { code: totp(noNumber.secret) });
    assert.deepEqual((await t.finish(a)).amr, ['pwd', 'otp', 'mfa']);

    const { user, secret } = (await t.user('smsoff', { totp: true })) as { user: { id: string }; secret: string };
    await setUserClaims(t.f.server.services.db, user.id, { [ClaimUri.smsOtpDisabled]: 'true' });
    const b = await t.login(rp, 'smsoff');
    assert.match(b.page.html, /id="totp-verify"/, 'SMS OTP switched off: the app, never a skipped step');
    await t.submit(b, 'totp-verify', { code: totp(secret) });
    assert.deepEqual((await t.finish(b)).amr, ['pwd', 'otp', 'mfa']);
  });

  test('a user with neither may pick either: a number to capture, or an app to add inside the login', async () => {
    await t.user('neither', { mobile: '' });
    const login = await t.login(rp, 'neither');
    assert.deepEqual(choices(login.page.html), [CHOOSE_SMS, CHOOSE_TOTP]);
    await choose(login, CHOOSE_TOTP);
    assert.match(login.page.html, /id="totp-enrol"/);
    await t.submit(login, 'switch-option', { another: '1' });
    await choose(login, CHOOSE_SMS);
    assert.match(login.page.html, /id="sms-otp-capture"/);
  });

  test('a user deleted while on the choose page: the choice ends the login with a page, never a 500', async () => {
    const { user } = await t.user('leaving', { totp: true });
    const login = await t.login(rp, 'leaving');
    assert.deepEqual(choices(login.page.html), [CHOOSE_SMS, CHOOSE_TOTP]);
    await t.f.server.services.db.deleteFrom('users').where('id', '=', user.id).execute();
    const page = await choose(login, CHOOSE_TOTP);
    assert.equal(page.status, 403, page.html.slice(0, 300));
    assert.equal(messageIdOf(page), 'login.user-gone');
  });

  test('"Try another way" where there is nothing to switch to shows the page as it is', async () => {
    const { secret } = (await t.user('apponly', { mobile: '', totp: true })) as { secret: string };
    const only = await t.app('App only', [PASSWORD_STEP, TOTP_STEP]);
    const login = await t.login(only, 'apponly');
    const page = await login.browser.submit(Browser.form(login.page, 'totp-verify'), { another: '1', code: '' });
    assert.equal(page.status, 200);
    assert.match(page.html, /id="totp-verify"/);
    login.page = page;
    await t.submit(login, 'totp-verify', { code: totp(secret) });
    assert.ok((await t.finish(login)).amr);
  });

  test('on save: an option that needs a user cannot be in the first step, beside or instead of the password', async () => {
    const apps = t.f.server.services.applications;
    for (const steps of [
      [{ options: [{ authenticator: 'password' }, { authenticator: 'totp' }] }],
      [TOTP_STEP, PASSWORD_STEP],
    ]) {
      await assert.rejects(
        apps.create({ name: `bad ${steps.length}`, redirectUris: [REDIRECT], steps }),
        (e: unknown) => e instanceof ValidationError && e.problems.some((p) => p.field.startsWith('steps[0]')),
      );
    }
    assert.ok(await apps.create({ name: 'good', redirectUris: [REDIRECT], steps: [PASSWORD_STEP, CHOICE_STEP] }));
  });
});
