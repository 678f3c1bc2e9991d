/** Send limits: per login, per phone number, per account, per client IP, a global budget, and the country allow-list. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import { messageIdOf, PASSWORD, type SmsOtpFixture, startSmsOtp } from './support/fixture.js';

const OPEN = { max: 1000, windowMinutes: 60 };

for (const v of variants({ redis: true }))
  suiteNeeding(v.skip, `SMS OTP send limits on ${v.name}`, () => {
    let f: SmsOtpFixture;
    before(async () => {
      f = await startSmsOtp({ backend: v.backend, redis: v.redis });
    });
    after(() => f.stop());

    /** A login refused at its first send lands on the not-sent page with the limit's message and no SMS. */
    async function refusedFirstSend(username: string, messageId: string) {
      const count = f.sms.messages.length;
      const login = await f.startLogin(username);
      assert.equal(login.page.status, 429);
      assert.equal(messageIdOf(login.page), messageId);
      assert.match(login.page.html, /We could not send your code/);
      assert.doesNotMatch(login.page.html, /id="resend-button"/, 'no "try again" when a limit is the reason');
      assert.equal(f.sms.messages.length, count, 'an SMS went out past the limit');
      return login;
    }

    test('no SMS before the password step passed', async () => {
      await f.addUser('no-password');
      const count = f.sms.messages.length;
      const browser = new Browser();
      const first = await browser.go(f.rp.begin().url);
      const wrong = await browser.submit(Browser.form(first), { username: 'no-password', password: `${PASSWORD}!` });
      assert.equal(wrong.status, 401);
      assert.equal(f.sms.messages.length, count);
    });

    test('resends per login: the allowed resend goes out, the next is refused and audited', async () => {
      await f.configure({ maxResends: 1 });
      try {
        await f.addUser('resend-limit');
        const login = await f.startLogin('resend-limit');
        assert.equal(messageIdOf(await f.resend(login)), 'sms-otp.resent');
        assert.doesNotMatch(login.page.html, /id="resend-button"/, 'resend still offered with none left');
        const count = f.sms.messages.length;
        const page = await login.browser.submit(Browser.form(login.page, 'sms-otp-verify'), { resend: '1' });
        assert.equal(page.status, 429);
        assert.equal(messageIdOf(page), 'sms-otp.limit.per-login');
        assert.equal(f.sms.messages.length, count);
        assert.ok(
          (await f.audit('sms.limit-reached')).some((e) => e.username === 'resend-limit' && e.limit === 'per-login'),
        );
        await f.finish(login, await f.submitCode({ ...login, page }, f.sms.lastCode()));
      } finally {
        await f.configure({ maxResends: 5 });
      }
    });

    test('per phone number: two users sharing a number get 2 SMS, the third send is refused', async () => {
      await f.configure({ limits: { perNumber: { max: 2, windowMinutes: 60 } } });
      try {
        const shared = { [ClaimUri.mobile]: '+94770000001' };
        for (const name of ['share-a', 'share-b', 'share-c']) await f.addUser(name, shared);
        await f.startLogin('share-a');
        await f.startLogin('share-b');
        await refusedFirstSend('share-c', 'sms-otp.limit.per-number');
        const event = (await f.audit('sms.limit-reached')).find((e) => e.username === 'share-c')!;
        assert.equal(event.limit, 'per-number');
        assert.equal(event.to, '+*******0001');
      } finally {
        await f.configure({ limits: { perNumber: OPEN } });
      }
    });

    test('per account', async () => {
      await f.configure({ limits: { perAccount: { max: 2, windowMinutes: 1440 } } });
      try {
        await f.addUser('busy-account', { [ClaimUri.mobile]: '+94770000002' });
        await f.startLogin('busy-account');
        await f.startLogin('busy-account');
        await refusedFirstSend('busy-account', 'sms-otp.limit.per-account');
      } finally {
        await f.configure({ limits: { perAccount: OPEN } });
      }
    });

    test('per client IP (every login here comes from 127.0.0.1)', async () => {
      await f.configure({ limits: { perIp: { max: 1, windowMinutes: 60 } } });
      try {
        await f.addUser('one-ip', { [ClaimUri.mobile]: '+94770000003' });
        await refusedFirstSend('one-ip', 'sms-otp.limit.per-ip');
      } finally {
        await f.configure({ limits: { perIp: OPEN } });
      }
    });

    test('the global hourly budget', async () => {
      await f.configure({ limits: { globalPerHour: 1 } });
      try {
        await f.addUser('over-budget', { [ClaimUri.mobile]: '+94770000004' });
        await refusedFirstSend('over-budget', 'sms-otp.limit.global');
      } finally {
        await f.configure({ limits: { globalPerHour: 100000 } });
      }
    });

    test('a profile number outside the country allow-list gets no SMS, a clear page and an audit event', async () => {
      await f.configure({ limits: { allowedCountries: ['GB', 'FR'] } });
      try {
        await f.addUser('lk-user', { [ClaimUri.mobile]: '+94770000005' });
        await refusedFirstSend('lk-user', 'sms-otp.country-not-allowed');
        assert.ok(
          (await f.audit('sms.limit-reached')).some(
            (e) => e.username === 'lk-user' && e.limit === 'country' && e.country === 'LK',
          ),
        );
        await f.addUser('fr-user', { [ClaimUri.mobile]: '+33612345678' });
        const allowed = await f.startLogin('fr-user');
        assert.equal(allowed.page.status, 200);
        assert.equal(f.sms.messages.at(-1)!.to, '33612345678');
      } finally {
        await f.configure({ limits: { allowedCountries: [] } });
      }
    });
  });
