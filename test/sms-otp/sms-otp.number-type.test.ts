/**
 * Number types against SMS pumping: premium-rate and shared-cost numbers get a clear page, an audit event and no
 * SMS; VoIP only when the operator refuses it; a per-country list replaces the default for that country.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { refusedNumberType } from '../../src/authenticators/sms-otp/number-type.js';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { messageIdOf, type SmsOtpFixture, startSmsOtp } from './support/fixture.js';

const DEFAULTS = { refuseNumberTypes: ['PREMIUM_RATE', 'SHARED_COST'], refuseNumberTypesByCountry: {} };

test('number types come from the full metadata: UK and French premium and shared-cost ranges, mobiles pass', () => {
  assert.equal(refusedNumberType('+449098790000', DEFAULTS), 'PREMIUM_RATE');
  assert.equal(refusedNumberType('+33890123456', DEFAULTS), 'PREMIUM_RATE');
  assert.equal(refusedNumberType('+33810123456', DEFAULTS), 'SHARED_COST');
  assert.equal(refusedNumberType('+447400123456', DEFAULTS), undefined);
  assert.equal(refusedNumberType('+94771234567', DEFAULTS), undefined);
  // VoIP is allowed unless listed
  assert.equal(refusedNumberType('+445612345678', DEFAULTS), undefined);
  assert.equal(refusedNumberType('+445612345678', { ...DEFAULTS, refuseNumberTypes: ['VOIP'] }), 'VOIP');
  // a number whose type the metadata does not know is not refused
  assert.equal(refusedNumberType('+999', DEFAULTS), undefined);
});

for (const { name, backend, skip } of variants()) {
  suiteNeeding(skip, `SMS OTP refuses number types on ${name}`, () => {
    let f: SmsOtpFixture;
    before(async () => {
      f = await startSmsOtp({ backend });
    });
    after(() => f.stop());

    const attempt = async (username: string, mobile: string) => {
      await f.addUser(username, { [ClaimUri.mobile]: mobile });
      const sent = f.sms.messages.length;
      const login = await f.startLogin(username);
      return { page: login.page, sentSms: f.sms.messages.length - sent };
    };

    test('a premium-rate number in the profile: a clear page, an audit event, no SMS', async () => {
      const { page, sentSms } = await attempt('premium', '+449098790000');
      assert.equal(sentSms, 0);
      assert.equal(page.status, 429);
      assert.equal(messageIdOf(page), 'sms-otp.limit.number-type');
      assert.match(page.html, /Codes cannot be sent to this kind of phone number/);
      assert.match(page.html, /We could not send your code/);
      // what is left is a backup code; "Try again" would only be refused again
      assert.match(page.html, /Continue with a backup code/);
      assert.doesNotMatch(page.html, /id="sms-otp-resend"/);
      const event = (await f.audit('sms.limit-reached')).find((e) => e.username === 'premium');
      assert.equal(event?.limit, 'number-type');
      assert.equal(event?.numberType, 'PREMIUM_RATE');
      assert.equal(event?.country, 'GB');
      assert.equal(event?.to, '+********0000');
      assert.equal((await f.audit('sms-otp.send-failed')).filter((e) => e.username === 'premium').length, 0);
    });

    test('a shared-cost number is refused; a mobile of the same country is sent', async () => {
      assert.equal((await attempt('shared', '+33810123456')).sentSms, 0);
      const mobile = await attempt('uk-mobile', '+447400123456');
      assert.equal(mobile.sentSms, 1);
      assert.equal(mobile.page.status, 200);
    });

    test('VoIP is sent by default and refused once the operator lists it; per country overrides the list', async () => {
      assert.equal((await attempt('voip-1', '+445612345678')).sentSms, 1);
      await f.configure({ refuseNumberTypes: ['PREMIUM_RATE', 'SHARED_COST', 'VOIP'] });
      const refused = await attempt('voip-2', '+445612345679');
      assert.equal(refused.sentSms, 0);
      assert.equal(messageIdOf(refused.page), 'sms-otp.limit.number-type');
      // GB numbers: only VOIP refused, so a premium-rate GB number is sent (and FR still follows the default list)
      await f.configure({ refuseNumberTypesByCountry: { GB: ['VOIP'] } });
      assert.equal((await attempt('premium-allowed', '+449098790001')).sentSms, 1);
      assert.equal((await attempt('voip-3', '+445612345670')).sentSms, 0);
      assert.equal((await attempt('fr-premium', '+33890123457')).sentSms, 0);
    });
  });
}
