/**
 * Provider failures the user understands: 4xx, 5xx and an untrusted certificate each give a page that says the code
 * could not be sent and offers to try again; a timeout keeps the code page (the code may still arrive); the login
 * never advances on a failure. Outages and what they cost: sms-otp.outage.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeSelfSignedCertificate } from '../sms/support/tls.js';
import { Browser, type Page } from '../support/browser.js';
import { gatewayFor, type Login, messageIdOf, REDIRECT, type SmsOtpFixture, startSmsOtp } from './support/fixture.js';
import { type MockSms, startMockSms } from './support/mock-sms.js';

describe('SMS OTP provider failures', () => {
  let f: SmsOtpFixture;
  let tlsMock: MockSms;
  before(async () => {
    f = await startSmsOtp();
    tlsMock = await startMockSms({ tls: makeSelfSignedCertificate() });
  });
  after(async () => {
    await f.stop();
    await tlsMock.close();
  });

  function assertNotSent(page: Page, code: string) {
    assert.equal(page.status, 503);
    assert.equal(messageIdOf(page), 'sms-otp.send-failed');
    assert.match(page.html, /Unable to send code to your phone number/);
    assert.match(page.html, new RegExp(`Reference: ${code}`));
    assert.match(page.html, /id="resend-button"[^>]*>Try again/);
    assert.ok(!page.url.startsWith(REDIRECT));
  }

  async function tryAgain(login: Login) {
    login.page = await login.browser.submit(Browser.form(login.page, 'sms-otp-resend'), {}, (u) =>
      u.startsWith(REDIRECT),
    );
    return login.page;
  }

  for (const [status, code] of [
    [401, 'SMSOTP-60002'],
    [500, 'SMSOTP-65001'],
  ] as const) {
    test(`HTTP ${status}: the not-sent page with ${code}; try again once the provider works, and the login finishes`, async () => {
      await f.addUser(`p${status}`);
      f.sms.mode = { kind: 'status', status };
      try {
        const login = await f.startLogin(`p${status}`);
        assertNotSent(login.page, code);
        const stillThere = await login.browser.go(login.page.url);
        assert.equal(messageIdOf(stillThere), 'sms-otp.send-failed', 'a reload shows the same page');
        assert.ok((await f.audit('sms-otp.send-failed')).some((e) => e.username === `p${status}` && e.code === code));
        f.sms.mode = { kind: 'ok' };
        const page = await tryAgain(login);
        assert.equal(page.status, 200);
        assert.match(page.html, /name="code"/);
        await f.finish(login, await f.submitCode(login, f.sms.lastCode()));
      } finally {
        f.sms.mode = { kind: 'ok' };
      }
    });
  }

  test('"Show detailed error information" adds the provider\'s answer (masked) to the page; off by default', async () => {
    await f.addUser('detail');
    f.sms.mode = { kind: 'status', status: 400 };
    try {
      const plain = await f.startLogin('detail');
      assertNotSent(plain.page, 'SMSOTP-60001');
      assert.doesNotMatch(plain.page.html, /mock failure 400/, 'the provider answer is shown without the option');
      await f.configure({ gateway: { ...gatewayFor(f.sms.origin), showDetailedErrors: true } });
      const detailed = await f.startLogin('detail');
      assert.match(detailed.page.html, /SMSOTP-60001: .*mock failure 400/);
      assert.doesNotMatch(detailed.page.html, /test-secret-value/, 'a secret leaked into the detail');
    } finally {
      f.sms.mode = { kind: 'ok' };
      await f.configure({ gateway: gatewayFor(f.sms.origin) });
    }
  });

  test('a provider that does not answer in time: the code page says the code may be late, and offers a new one', async () => {
    await f.configure({ gateway: gatewayFor(f.sms.origin, { connectTimeoutMs: 1000, responseTimeoutMs: 300 }) });
    f.sms.mode = { kind: 'hang' };
    try {
      await f.addUser('slowpoke');
      const login = await f.startLogin('slowpoke');
      assert.equal(login.page.status, 503);
      assert.equal(messageIdOf(login.page), 'sms-otp.send-timeout');
      assert.match(login.page.html, /taking longer than usual/);
      assert.match(login.page.html, /name="code"/);
      assert.match(login.page.html, /id="resend-button"/);
      assert.ok(!login.page.url.startsWith(REDIRECT));
    } finally {
      f.sms.mode = { kind: 'ok' };
      await f.configure({ gateway: gatewayFor(f.sms.origin) });
    }
  });

  test('an HTTPS provider whose certificate is not in the truststore: the page says so without details', async () => {
    await f.configure({ gateway: gatewayFor(tlsMock.origin) });
    try {
      await f.addUser('tls-user');
      const login = await f.startLogin('tls-user');
      assertNotSent(login.page, 'tls-untrusted');
      assert.doesNotMatch(login.page.html, /openssl|truststore import/, 'operator advice leaked to the user');
      assert.equal(tlsMock.messages.length, 0);
    } finally {
      await f.configure({ gateway: gatewayFor(f.sms.origin) });
    }
  });

  test('a failed resend keeps the code already sent working', async () => {
    await f.addUser('resend-fails');
    const login = await f.startLogin('resend-fails');
    const code = f.sms.lastCode();
    f.sms.mode = { kind: 'status', status: 503 };
    try {
      const page = await f.resend(login);
      assert.equal(page.status, 503);
      assert.equal(messageIdOf(page), 'sms-otp.send-failed');
      assert.match(page.html, /name="code"/);
    } finally {
      f.sms.mode = { kind: 'ok' };
    }
    await f.finish(login, await f.submitCode(login, code));
  });
});
