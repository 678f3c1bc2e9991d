/**
 * An application that asks for two factors (acr_values) never gets a silently weaker token: a user who turned SMS
 * OTP off logs in with one factor, so that application gets `unmet_authentication_requirements` instead. Without
 * the request, the same login succeeds with acr 1fa; with it, a user who passes the SMS step gets 2fa.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { Browser } from '../support/browser.js';
import { MOBILE, PASSWORD, REDIRECT, type SmsOtpFixture, startSmsOtp } from './support/fixture.js';

const TWO = 'urn:stepgate:acr:2fa';

describe('acr_values asked by the application', () => {
  let f: SmsOtpFixture;
  before(async () => {
    f = await startSmsOtp();
    await f.addUser('optout', { [ClaimUri.mobile]: MOBILE, [ClaimUri.smsOtpDisabled]: 'True' });
    await f.addUser('regular');
  });
  after(() => f.stop());

  async function login(username: string, extra: Record<string, string>) {
    const browser = new Browser();
    const started = f.rp.begin(extra);
    const first = await browser.go(started.url);
    let page = await browser.submit(Browser.form(first), { username, password: PASSWORD }, (u) =>
      u.startsWith(REDIRECT),
    );
    if (page.status !== 0)
      page = await browser.submit(Browser.form(page, 'sms-otp-verify'), { code: f.sms.lastCode() }, (u) =>
        u.startsWith(REDIRECT),
      );
    return { browser, page, started };
  }

  test('a user who turned SMS OTP off is refused to an application that asks for two factors', async () => {
    const { page } = await login('optout', { acr_values: TWO });
    const callback = new URL(page.url);
    assert.equal(callback.searchParams.get('error'), 'unmet_authentication_requirements');
    assert.equal(callback.searchParams.get('code'), null);
    assert.equal((await f.audit('login.denied')).length, 1);
  });

  test('without the request the same user logs in with one factor; a regular user gets two', async () => {
    const optout = await login('optout', {});
    const claims = await f.finish(optout, optout.page);
    assert.equal(claims.acr, 'urn:stepgate:acr:1fa');
    const regular = await login('regular', { acr_values: TWO });
    const strong = await f.finish(regular, regular.page);
    assert.equal(strong.acr, TWO);
  });
});
