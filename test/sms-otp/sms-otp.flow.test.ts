/** The seed's "Try it out" with SMS OTP as the second step: full logins through openid-client and a mock provider. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { MOBILE, messageIdOf, type SmsOtpFixture, startSmsOtp } from './support/fixture.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `SMS OTP login on ${backend.name}`, () => {
    let f: SmsOtpFixture;
    before(async () => {
      f = await startSmsOtp({ backend });
    });
    after(() => f.stop());

    test('the right code finishes the login: amr pwd+sms, acr 2fa, masked number, one-time-code input, code only hashed', async () => {
      await f.addUser('ok-user');
      const before = f.sms.messages.length;
      const login = await f.startLogin('ok-user');
      assert.equal(login.page.status, 200);
      assert.equal(f.sms.messages.length, before + 1, 'exactly one SMS after the password step');
      const sms = f.sms.messages.at(-1)!;
      assert.equal(sms.to, MOBILE.slice(1), 'Vonage gets the number without +');
      assert.match(sms.text, /^Verification Code: (\d{6})\n\n@127\.0\.0\.1 #\1$/);
      assert.match(login.page.html, /\+\*{7}4567/);
      assert.doesNotMatch(login.page.html, /771234567/);
      // backup codes are on by default and have letters: the box asks for a keyboard with letters (H5, issue 9 item 25)
      assert.match(
        login.page.html,
        /<input id="code" name="code" type="text"[^>]*autocomplete="one-time-code"[^>]*inputmode="text"/,
      );
      assert.equal(
        [...login.page.html.matchAll(/<input [^>]*type="(text|tel|password)"/g)].length,
        1,
        'one input on the code page',
      );
      const code = f.sms.lastCode();
      const kv = await f.server.services.db.selectFrom('kv_state').select('value').execute();
      assert.ok(!kv.some((r) => r.value.includes(code)), 'the plaintext code is stored somewhere');
      const claims = await f.finish(login, await f.submitCode(login, code));
      assert.deepEqual([...(claims.amr as string[])].sort(), ['mfa', 'pwd', 'sms']);
      assert.equal(claims.acr, 'urn:stepgate:acr:2fa');
      const sent = (await f.audit('sms-otp.sent')).find((e) => e.username === 'ok-user')!;
      assert.equal(sent.to, '+*******4567');
      assert.equal(sent.provider, 'vonage');
      assert.match(String(sent.messageId), /^mock-\d+$/);
      assert.equal(typeof sent.latencyMs, 'number');
      assert.ok((await f.audit('sms-otp.verified')).some((e) => e.username === 'ok-user' && e.method === 'sms'));
    });

    test('a wrong code shows the page again with an error; the right one then passes and resets the failure count', async () => {
      const user = await f.addUser('wrong-then-right');
      const login = await f.startLogin('wrong-then-right');
      const code = f.sms.lastCode();
      const wrong = await f.submitCode(login, code === '000000' ? '111111' : '000000');
      assert.equal(wrong.status, 401);
      assert.equal(messageIdOf(wrong), 'sms-otp.invalid-code');
      assert.match(wrong.html, /The code you entered is incorrect/);
      assert.equal((await f.user(user.id)).failedOtpCount, 1);
      await f.finish(login, await f.submitCode(login, code));
      assert.equal((await f.user(user.id)).failedOtpCount, 0);
    });

    test('a reload of the code page sends no second SMS and keeps the same code', async () => {
      await f.addUser('reloader');
      const login = await f.startLogin('reloader');
      const count = f.sms.messages.length;
      const code = f.sms.lastCode();
      for (let i = 0; i < 3; i++) {
        const again = await login.browser.go(login.page.url);
        assert.equal(again.status, 200);
        assert.match(again.html, /name="code"/);
        login.page = again;
      }
      assert.equal(f.sms.messages.length, count);
      await f.finish(login, await f.submitCode(login, code));
    });

    test('an expired code is refused before it is compared, counts as a failure, and a resend gives a working code', async () => {
      await f.configure({ expirySeconds: 1 });
      try {
        const user = await f.addUser('late-user');
        const login = await f.startLogin('late-user');
        const code = f.sms.lastCode();
        await sleep(1100);
        const late = await f.submitCode(login, code);
        assert.equal(late.status, 401);
        assert.equal(messageIdOf(late), 'sms-otp.expired');
        assert.match(late.html, /The code entered is expired/);
        assert.equal((await f.user(user.id)).failedOtpCount, 1);
        await f.configure({ expirySeconds: 300 });
        const resent = await f.resend(login);
        assert.equal(messageIdOf(resent), 'sms-otp.resent');
        assert.equal((await f.user(user.id)).failedOtpCount, 1, 'a resend does not reset the failure count');
        await f.finish(login, await f.submitCode(login, f.sms.lastCode()));
      } finally {
        await f.configure({ expirySeconds: 300 });
      }
    });

    test('after the allowed wrong codes the code is dead, even the right one; a new code works', async () => {
      await f.configure({ lockout: { enabled: true, maxAttempts: 50, lockMinutes: 15 } });
      await f.addUser('guesser');
      const login = await f.startLogin('guesser');
      const code = f.sms.lastCode();
      const wrongCode = code === '000000' ? '111111' : '000000';
      assert.equal(messageIdOf(await f.submitCode(login, wrongCode)), 'sms-otp.invalid-code');
      assert.equal(messageIdOf(await f.submitCode(login, wrongCode)), 'sms-otp.invalid-code');
      const third = await f.submitCode(login, wrongCode);
      assert.equal(messageIdOf(third), 'sms-otp.too-many-attempts');
      assert.match(third.html, /id="no-code"/);
      const right = await f.submitCode(login, code);
      assert.equal(right.status, 401);
      assert.equal(messageIdOf(right), 'sms-otp.too-many-attempts');
      await f.resend(login);
      const fresh = f.sms.lastCode();
      await f.finish(login, await f.submitCode(login, fresh));
      await f.configure({ lockout: { maxAttempts: 5 } });
    });

    test('resend before the cooldown is refused with the time left; after it a new code replaces the old one', async () => {
      await f.configure({ resendCooldownSeconds: 2 });
      try {
        await f.addUser('resender');
        const login = await f.startLogin('resender');
        assert.match(login.page.html, /You can ask for a new code in <span id="resend-seconds">[12]<\/span> seconds/);
        const count = f.sms.messages.length;
        const early = await f.resend(login);
        assert.equal(early.status, 429);
        assert.equal(messageIdOf(early), 'sms-otp.resend-wait');
        assert.match(early.html, /You can ask for a new code in [12] seconds/);
        assert.equal(f.sms.messages.length, count, 'no SMS before the cooldown');
        const old = f.sms.lastCode();
        await sleep(2100);
        const resent = await f.resend(login);
        assert.equal(resent.status, 200);
        assert.equal(messageIdOf(resent), 'sms-otp.resent');
        assert.match(resent.html, /class="info"/);
        assert.equal(f.sms.messages.length, count + 1);
        const fresh = f.sms.lastCode();
        if (fresh !== old)
          assert.equal(
            messageIdOf(await f.submitCode(login, old)),
            'sms-otp.invalid-code',
            'the old code died with the resend',
          );
        await f.finish(login, await f.submitCode(login, fresh));
      } finally {
        await f.configure({ resendCooldownSeconds: 0 });
      }
    });

    test('Disable SMSOTP = true skips the step (one factor in the token); when mandatory it is refused with WSO2 text', async () => {
      await f.addUser('opted-out', { [ClaimUri.mobile]: MOBILE, [ClaimUri.smsOtpDisabled]: 'True' });
      const count = f.sms.messages.length;
      const login = await f.startLogin('opted-out');
      const claims = await f.finish(login, login.page);
      assert.equal(f.sms.messages.length, count, 'no SMS for a user who disabled SMS OTP');
      assert.deepEqual(claims.amr, ['pwd']);
      assert.equal(claims.acr, 'urn:stepgate:acr:1fa');
      assert.ok(
        (await f.audit('sms-otp.skipped')).some((e) => e.username === 'opted-out' && e.reason === 'disabled-by-user'),
      );
      await f.configure({ mandatory: true });
      try {
        const refused = await f.startLogin('opted-out');
        assert.equal(refused.page.status, 403);
        assert.equal(messageIdOf(refused.page), 'sms-otp.disabled');
        assert.match(
          refused.page.html,
          /Enable the SMS OTP in your Profile. Cannot proceed further without SMS OTP authentication./,
        );
        assert.equal(f.sms.messages.length, count);
      } finally {
        await f.configure({ mandatory: false });
      }
    });

    test('no mobile number and capture off: a clear error page, no SMS', async () => {
      await f.configure({ captureMobile: false });
      try {
        await f.addUser('no-phone', {});
        const count = f.sms.messages.length;
        const login = await f.startLogin('no-phone');
        assert.equal(login.page.status, 403);
        assert.equal(messageIdOf(login.page), 'sms-otp.no-mobile');
        assert.match(login.page.html, /Update mobile number in your profile/);
        assert.equal(f.sms.messages.length, count);
      } finally {
        await f.configure({ captureMobile: true });
      }
    });

    test('retry off: a wrong code ends the login on the error page', async () => {
      await f.configure({ retryEnabled: false });
      try {
        await f.addUser('no-retry');
        const login = await f.startLogin('no-retry');
        const code = f.sms.lastCode();
        const page = await f.submitCode(login, code === '000000' ? '111111' : '000000');
        assert.equal(page.status, 403);
        assert.equal(messageIdOf(page), 'sms-otp.invalid-code');
        assert.doesNotMatch(page.html, /name="code"/);
      } finally {
        await f.configure({ retryEnabled: true });
      }
    });

    test('alphanumeric codes with the WebOTP line; typed in lower case they still match', async () => {
      await f.configure({ numericOnly: false, webOtp: true, otpLength: 8 });
      try {
        await f.addUser('letters');
        const login = await f.startLogin('letters');
        const text = f.sms.messages.at(-1)!.text;
        const m = /^Verification Code: ([A-Z0-9]{8})\n\n@127\.0\.0\.1 #([A-Z0-9]{8})$/.exec(text);
        assert.ok(m, `unexpected SMS text ${JSON.stringify(text)}`);
        assert.equal(m[1], m[2]);
        assert.doesNotMatch(login.page.html, /inputmode="numeric"/);
        await f.finish(login, await f.submitCode(login, m[1]!.toLowerCase()));
      } finally {
        await f.configure({ numericOnly: true, webOtp: false, otpLength: 6 });
      }
    });

    test('the step needs a user from an earlier step: a sequence starting with SMS OTP is refused on save', async () => {
      const input = {
        name: 'otp-first',
        redirectUris: ['http://127.0.0.1:1/x'],
        postLogoutRedirectUris: [],
        subjectClaimUri: ClaimUri.username,
        requestedClaims: [],
      };
      await assert.rejects(
        f.server.services.applications.create({
          ...input,
          steps: [{ options: [{ authenticator: 'sms-otp', idp: 'smsOTP' }] }],
        }),
        (e: { problems?: { field: string; message: string }[] }) => {
          assert.deepEqual(
            e.problems?.map((p) => p.field),
            ['steps[0]'],
          );
          assert.match(e.problems![0]!.message, /Username & Password first/);
          return true;
        },
      );
      assert.equal(await f.server.services.applications.getByName('otp-first'), undefined);
      // the near miss: the same step second, after the password, is accepted
      const saved = await f.server.services.applications.create({
        ...input,
        steps: [
          { options: [{ authenticator: 'password' }] },
          { options: [{ authenticator: 'sms-otp', idp: 'smsOTP' }] },
        ],
      });
      assert.equal(saved.application.steps.length, 2);
    });
  });
}
