/**
 * Capturing a mobile number for a user without one: validated on the server, normalised to E.164, and saved to the
 * profile only after a correct SMS code (never after a backup code).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { claimValue } from '../../src/identity/users.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import { messageIdOf, type SmsOtpFixture, startSmsOtp } from './support/fixture.js';

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `SMS OTP mobile capture on ${backend.name}`, () => {
    let f: SmsOtpFixture;
    before(async () => {
      f = await startSmsOtp({ backend });
    });
    after(() => f.stop());

    const mobileOf = async (id: string) => claimValue(f.server.services.db, await f.user(id), ClaimUri.mobile);
    const typeNumber = async (
      login: { browser: Browser; page: import('../support/browser.js').Page },
      mobile: string,
    ) => {
      login.page = await login.browser.submit(Browser.form(login.page, 'sms-otp-capture'), { mobile });
      return login.page;
    };

    test('no mobile: the capture page; invalid numbers are refused; a valid one gets the code and is saved after it', async () => {
      const user = await f.addUser('capturer', {});
      const count = f.sms.messages.length;
      const login = await f.startLogin('capturer');
      assert.equal(login.page.status, 200);
      assert.match(login.page.html, /Enter Your Mobile Phone Number/);
      assert.match(login.page.html, /name="mobile" type="tel"/);
      for (const bad of ['', '12345', '+94112345678', '+1 555 555 0100', 'call me']) {
        const page = await typeNumber(login, bad);
        assert.equal(page.status, 400, `accepted ${bad}`);
        assert.equal(messageIdOf(page), bad === '' ? 'sms-otp.mobile-missing' : 'sms-otp.mobile-invalid');
      }
      assert.equal(f.sms.messages.length, count, 'no SMS to an invalid number');
      const code = await typeNumber(login, '+94 77 765 4321');
      assert.equal(code.status, 200);
      assert.equal(f.sms.messages.at(-1)!.to, '94777654321');
      assert.match(code.html, /\+\*{7}4321/);
      assert.equal(await mobileOf(user.id), undefined, 'saved before the code came back');
      await f.finish(login, await f.submitCode(login, f.sms.lastCode()));
      assert.equal(await mobileOf(user.id), '+94777654321');
      assert.ok((await f.audit('sms-otp.mobile-saved')).some((e) => e.username === 'capturer'));
    });

    test('the mobile regex is checked on the server with its own message', async () => {
      await f.configure({ mobileRegex: '^\\+44', mobileRegexMessage: 'Only UK numbers, please.' });
      try {
        await f.addUser('regexed', {});
        const login = await f.startLogin('regexed');
        const page = await typeNumber(login, '+94777654321');
        assert.equal(page.status, 400);
        assert.equal(messageIdOf(page), 'sms-otp.mobile-pattern');
        assert.match(page.html, /Only UK numbers, please\./);
        assert.match(page.html, /value="\+94777654321"/, 'the typed number is kept in the box');
        assert.equal((await typeNumber(login, '+44 7400 123456')).status, 200);
      } finally {
        await f.configure({ mobileRegex: '' });
      }
    });

    test('a backup code after capturing a number passes the step but does not save the unverified number', async () => {
      const user = await f.addUser('capture-backup', {});
      await f.server.services.backupCodes.replace(user.id, ['777888']);
      const login = await f.startLogin('capture-backup');
      await typeNumber(login, '+94777000111');
      const claims = await f.finish(login, await f.submitCode(login, '777888'));
      assert.ok(!(claims.amr as string[]).includes('sms'));
      assert.equal(await mobileOf(user.id), undefined);
    });

    test('a captured number from a country outside the allow-list is refused on the capture page', async () => {
      await f.configure({ limits: { allowedCountries: ['GB'] } });
      try {
        await f.addUser('far-away', {});
        const count = f.sms.messages.length;
        const login = await f.startLogin('far-away');
        const page = await typeNumber(login, '+94777654321');
        assert.equal(page.status, 400);
        assert.equal(messageIdOf(page), 'sms-otp.country-not-allowed');
        assert.match(page.html, /name="mobile"/);
        assert.equal(f.sms.messages.length, count);
      } finally {
        await f.configure({ limits: { allowedCountries: [] } });
      }
    });
  });
}
