/**
 * A provider outage through real logins: definitive failures (5xx, a rejecting 200, an untrusted certificate) do not
 * use up the login's send allowance, so the login goes on once the provider recovers; a timeout counts (the SMS may
 * have arrived) and its code works; every failed send is logged at warn level, masked, with the truststore hint.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { makeSelfSignedCertificate } from '../sms/support/tls.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import { gatewayFor, type Login, messageIdOf, REDIRECT, type SmsOtpFixture, startSmsOtp } from './support/fixture.js';
import { type MockSms, startMockSms } from './support/mock-sms.js';

/** Collects the server's JSON log lines. */
function logCollector() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

// small, so that an outage outlasts them: 2 SMS per login (1 resend), 2 per number and per account
const TIGHT = {
  maxResends: 1,
  limits: {
    perNumber: { max: 2, windowMinutes: 60 },
    perAccount: { max: 2, windowMinutes: 60 },
    perIp: { max: 1000, windowMinutes: 60 },
    globalPerHour: 100000,
    allowedCountries: [],
  },
};

for (const { name, backend, skip, redis } of variants({ redis: true })) {
  suiteNeeding(skip, `SMS OTP through a provider outage on ${name}`, () => {
    let f: SmsOtpFixture;
    let tlsMock: MockSms;
    const log = logCollector();
    before(async () => {
      f = await startSmsOtp({ backend, redis, config: TIGHT, logDestination: log.stream });
      tlsMock = await startMockSms({ tls: makeSelfSignedCertificate() });
    });
    after(async () => {
      await f.stop();
      await tlsMock.close();
    });

    const user = (name: string, mobile: string) => f.addUser(name, { [ClaimUri.mobile]: mobile });
    const tryAgain = async (login: Login) => {
      login.page = await login.browser.submit(Browser.form(login.page, 'sms-otp-resend'), {}, (u) =>
        u.startsWith(REDIRECT),
      );
      return login.page;
    };

    test('failures beyond every allowance (503, a rejecting 200) cost nothing: the login finishes once the provider recovers', async () => {
      await user('outage', '+94771230001');
      f.sms.mode = { kind: 'status', status: 503 };
      try {
        const login = await f.startLogin('outage');
        assert.equal(messageIdOf(login.page), 'sms-otp.send-failed');
        // five more failures: more than the per-login (2), per-number (2) and per-account (2) allowances together
        for (let i = 0; i < 5; i++) {
          f.sms.mode = i % 2 === 0 ? { kind: 'reject' } : { kind: 'status', status: 503 };
          const page = await tryAgain(login);
          assert.equal(messageIdOf(page), 'sms-otp.send-failed', `failure ${i + 2} shows a limit page instead`);
          assert.match(page.html, /id="resend-button"[^>]*>Try again/);
        }
        f.sms.mode = { kind: 'ok' };
        const page = await tryAgain(login);
        assert.equal(page.status, 200, page.html.slice(0, 400));
        assert.match(page.html, /name="code"/);
        const claims = await f.finish(login, await f.submitCode(login, f.sms.lastCode()));
        assert.equal(claims.sub, 'outage');
      } finally {
        f.sms.mode = { kind: 'ok' };
      }
      const failed = (await f.audit('sms-otp.send-failed')).filter((e) => e.username === 'outage');
      assert.equal(failed.length, 6);
      assert.ok(
        failed.every((e) => e.counted === false),
        'failed.every((e) => e.counted === false)',
      );
      assert.ok(
        failed.some((e) => e.code === 'provider-rejected'),
        "failed.some((e) => e.code === 'provider-rejected')",
      );
    });

    test('sends that went out still count: two SMS use up the account and number allowance', async () => {
      await user('counted', '+94771230002');
      const login = await f.startLogin('counted');
      assert.match(login.page.html, /name="code"/);
      const resent = await f.resend(login);
      assert.equal(messageIdOf(resent), 'sms-otp.resent');
      assert.doesNotMatch(resent.html, /id="sms-otp-resend"/, 'no third SMS offered in this login');
      const next = await f.startLogin('counted');
      assert.equal(next.page.status, 429);
      assert.match(messageIdOf(next.page) ?? '', /^sms-otp\.limit\.per-(account|number)$/);
    });

    test('a timeout counts and its code stays valid: the late SMS logs the user in', async () => {
      await f.configure({ gateway: gatewayFor(f.sms.origin, { connectTimeoutMs: 1000, responseTimeoutMs: 300 }) });
      await user('late', '+94771230003');
      f.sms.mode = { kind: 'late', ms: 1500 };
      try {
        const login = await f.startLogin('late');
        assert.equal(login.page.status, 503);
        assert.equal(messageIdOf(login.page), 'sms-otp.send-timeout');
        assert.match(login.page.html, /name="code"/, 'the code page stays, for the code that may arrive');
        const delayed = f.sms.lastCode();
        // the timed-out send used one of the two SMS: a resend times out too, and then no resend is left
        const second = await f.resend(login);
        assert.equal(messageIdOf(second), 'sms-otp.send-timeout');
        assert.doesNotMatch(second.html, /id="sms-otp-resend"/, 'both timed-out sends counted');
        const elsewhere = await f.startLogin('late');
        assert.equal(elsewhere.page.status, 429, 'the shared account and number budgets counted both');
        f.sms.mode = { kind: 'ok' };
        const newest = f.sms.lastCode();
        assert.notEqual(newest, delayed);
        // the newest late code is the live one; the first was replaced by the resend
        assert.equal(messageIdOf(await f.submitCode(login, delayed)), 'sms-otp.invalid-code');
        const claims = await f.finish(login, await f.submitCode(login, newest));
        assert.equal(claims.sub, 'late');
      } finally {
        f.sms.mode = { kind: 'ok' };
        await f.configure({ gateway: gatewayFor(f.sms.origin) });
      }
      const failed = (await f.audit('sms-otp.send-failed')).filter((e) => e.username === 'late');
      assert.ok(
        failed.length >= 2 && failed.every((e) => e.code === 'timeout' && e.counted === true),
        "failed.length >= 2 && failed.every((e) => e.code === 'timeout' && e.counted === true)",
      );
    });

    test('every failed send is logged at warn level: reason, masked number, the truststore hint, no secret', async () => {
      await f.configure({ gateway: gatewayFor(tlsMock.origin) });
      try {
        await user('untrusted', '+94771230004');
        const login = await f.startLogin('untrusted');
        assert.equal(messageIdOf(login.page), 'sms-otp.send-failed');
      } finally {
        await f.configure({ gateway: gatewayFor(f.sms.origin) });
      }
      const failures = log.lines.filter((l) => typeof l.code === 'string');
      assert.ok(failures.length >= 8, `expected a log line per failed send, got ${failures.length}`);
      assert.ok(
        failures.every((l) => l.level === 40),
        'failed sends are logged at warn (40)',
      );
      const tls = failures.find((l) => l.code === 'tls-untrusted');
      assert.ok(tls, JSON.stringify(failures.map((l) => l.code)));
      assert.match(String(tls.hint), /stepgate truststore import/);
      assert.equal(tls.to, '********0004');
      assert.match(String(tls.reason), /127\.0\.0\.1/);
      const everything = JSON.stringify(log.lines);
      assert.ok(!everything.includes('test-secret-value'), 'a secret reached the log');
      assert.ok(!everything.includes('771230004'), 'the full number reached the log');
    });

    test('an error answer is reported with its status and a short excerpt, not a missing field', async () => {
      const failed = (await f.audit('sms-otp.send-failed')).find((e) => e.code === 'SMSOTP-65004');
      assert.ok(failed, 'the 503 of the outage was audited');
      assert.match(String(failed.reason), /HTTP 503/);
      assert.doesNotMatch(String(failed.reason), /messages\[0\]/);
    });
  });
}

describe('the mock itself', () => {
  test('a late answer still records the message (the phone got it)', async () => {
    const mock = await startMockSms();
    try {
      mock.mode = { kind: 'late', ms: 50 };
      const res = await fetch(`${mock.origin}/sms/json`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'to=94771234567&text=Verification+Code%3A+123456',
      });
      assert.equal(res.status, 200);
      assert.equal(mock.lastCode(), '123456');
    } finally {
      await mock.close();
    }
  });
});
