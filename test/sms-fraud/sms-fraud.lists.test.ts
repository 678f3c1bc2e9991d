/**
 * Allow and block lists and conversion monitoring through real logins against HTTPS provider imitations: a blocked
 * prefix or country gets a clear page and no SMS; a prefix whose codes are not verified is throttled (one audit
 * event, then refusals) while another prefix of the same country is not; an allow-listed prefix is never throttled;
 * the slow action lets a few through; the counters are the shared state store's (SQLite, PostgreSQL, Redis).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { messageIdOf } from '../sms-otp/support/fixture.js';
import { codeIn } from '../sms-otp/support/https-provider.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { FRAUD_OFF, type FraudFixture, scrape, startFraudFixture } from './support.js';

for (const { name, backend, skip, redis } of variants({ redis: true })) {
  suiteNeeding(skip, `SMS fraud defence: lists and conversion monitoring on ${name}`, () => {
    let x: FraudFixture;
    before(async () => {
      x = await startFraudFixture({ backend, redis });
    });
    after(() => x.stop());
    beforeEach(() => x.configure(FRAUD_OFF));

    const limitEvents = async (limit: string) =>
      (await x.f.audit('sms.limit-reached')).filter((e) => e.limit === limit);

    test('a blocked prefix: a clear page, an audit event, nothing sent; a near miss and other countries are sent', async () => {
      await x.configure({ ...FRAUD_OFF, block: ['+94770'] });
      const { login, username, sent } = await x.login('+94770123456');
      assert.equal(sent, 0, 'no SMS to a blocked prefix');
      assert.equal(login.page.status, 429);
      assert.equal(messageIdOf(login.page), 'sms-otp.limit.blocked');
      assert.match(login.page.html, /Codes cannot be sent to this phone number/);
      assert.match(login.page.html, /We could not send your code/);
      assert.doesNotMatch(login.page.html, /id="sms-otp-resend"/, 'no "Try again" that would be refused again');
      const event = (await limitEvents('blocked')).find((e) => e.username === username);
      assert.equal(event?.entry, '+94770');
      assert.equal(event?.country, 'LK');
      assert.equal(event?.to, '+*******3456');
      assert.equal((await x.f.audit('sms-otp.send-failed')).filter((e) => e.username === username).length, 0);
      assert.equal((await x.login('+94771123456')).sent, 1, 'the next prefix is sent');
      assert.equal((await x.login('+447400123456')).sent, 1);
    });

    test('a blocked country with one allowed prefix: the prefix is sent, the rest of the country is not', async () => {
      await x.configure({ ...FRAUD_OFF, block: ['NG'], allow: ['+234803'] });
      assert.equal((await x.login('+2348031234567')).sent, 1);
      const refused = await x.login('+2348051234567');
      assert.equal(refused.sent, 0);
      assert.equal(messageIdOf(refused.login.page), 'sms-otp.limit.blocked');
    });

    test('unverified codes to one prefix throttle it (audited once), not another prefix of the country', async () => {
      const conversion = { minSends: 3, minVerifiedPercent: 50, windowMinutes: 60, prefixDigits: 3, action: 'refuse' };
      await x.configure({ ...FRAUD_OFF, conversion });
      // the other prefix converts: its codes come back
      for (let i = 0; i < 4; i++) {
        const { login, sent } = await x.login(`+9471200000${i}`);
        assert.equal(sent, 1);
        const code = codeIn(x.primary.messages.at(-1)?.text);
        await x.f.finish(login, await x.f.submitCode(login, code));
      }
      // the pumped prefix: three codes sent, none verified
      for (let i = 0; i < 3; i++) assert.equal((await x.login(`+9477800000${i}`)).sent, 1, `send ${i + 1} goes out`);
      const before = x.sentTotal();
      for (let i = 3; i < 6; i++) {
        const { login } = await x.login(`+9477800000${i}`);
        assert.equal(login.page.status, 429);
        assert.equal(messageIdOf(login.page), 'sms-otp.limit.conversion');
        assert.match(login.page.html, /paused for a while because of unusual traffic/);
      }
      assert.equal(x.sentTotal(), before, 'nothing sent to the throttled prefix');
      const throttled = (await x.f.audit('sms-fraud.conversion-throttled')).filter((e) => e.scope === '+94778');
      assert.equal(throttled.length, 1, 'one audit event when it trips, not one per refusal');
      assert.equal(throttled[0]?.scopeKind, 'prefix');
      assert.equal(throttled[0]?.sent, 3);
      assert.equal(throttled[0]?.verified, 0);
      assert.equal(throttled[0]?.country, 'LK');
      assert.equal((await limitEvents('conversion')).filter((e) => e.scope === '+94778').length, 3);
      // 4 of 7 codes of the country verified: the country is fine, and so is the converting prefix
      assert.equal((await x.login('+94712000009')).sent, 1, 'the other prefix is not throttled');
      // the metric moved
      const metrics = await scrape(x.f.server.url);
      assert.match(
        metrics,
        /stepgate_sms_conversion_throttled_total\{scope_kind="prefix",country="LK",action="refuse"\} 1/,
      );
      assert.match(metrics, /stepgate_limit_hits_total\{limit="conversion"\} 3/);
    });

    test('an allow-listed prefix is never throttled by conversion monitoring', async () => {
      const conversion = { minSends: 2, minVerifiedPercent: 50, windowMinutes: 60, prefixDigits: 3, action: 'refuse' };
      await x.configure({ ...FRAUD_OFF, conversion, allow: ['+4474'] });
      for (let i = 0; i < 5; i++) assert.equal((await x.login(`+44740000000${i}`)).sent, 1, `allowed send ${i + 1}`);
      // the same traffic to a prefix that is not allowed is throttled after two
      for (let i = 0; i < 2; i++) assert.equal((await x.login(`+3361200000${i}`)).sent, 1);
      assert.equal((await x.login('+33612000009')).sent, 0);
    });

    test('the slow action lets the slow rate through, then refuses', async () => {
      const conversion = {
        minSends: 2,
        minVerifiedPercent: 50,
        windowMinutes: 60,
        prefixDigits: 2,
        action: 'slow',
        slowMax: 1,
      };
      await x.configure({ ...FRAUD_OFF, conversion });
      for (let i = 0; i < 2; i++) assert.equal((await x.login(`+6141234567${i}`)).sent, 1);
      assert.equal((await x.login('+61412345675')).sent, 1, 'one SMS at the slow rate');
      const refused = await x.login('+61412345676');
      assert.equal(refused.sent, 0);
      assert.equal(messageIdOf(refused.login.page), 'sms-otp.limit.conversion');
    });
  });
}
