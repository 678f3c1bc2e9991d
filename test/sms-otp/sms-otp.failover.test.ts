/**
 * Several gateways through real logins against HTTPS provider imitations: a definitive failure of the primary (5xx,
 * a reset connection, an untrusted certificate) is delivered by the secondary within the same login; a timeout does
 * not fail over unless the gateway allows it; routes by prefix and country; all gateways down gives today's page with
 * the limits refunded; the audit event names each gateway tried; the old single-gateway shape still works.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { parseCertificates } from '../../src/sms/index.js';
import { makeSelfSignedCertificate } from '../sms/support/tls.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import { gatewayFor, type Login, messageIdOf, REDIRECT, type SmsOtpFixture, startSmsOtp } from './support/fixture.js';
import { codeIn, type HttpsProvider, namedGateway, startHttpsProvider, triedOf } from './support/https-provider.js';

for (const { name, backend, skip } of variants()) {
  suiteNeeding(skip, `SMS OTP failover between gateways on ${name}`, () => {
    let f: SmsOtpFixture;
    let primary: HttpsProvider;
    let secondary: HttpsProvider;
    let untrusted: HttpsProvider;
    let serial = 0;
    const cert = makeSelfSignedCertificate();

    before(async () => {
      primary = await startHttpsProvider(cert);
      secondary = await startHttpsProvider(cert);
      untrusted = await startHttpsProvider(makeSelfSignedCertificate('not-imported.test'));
      f = await startSmsOtp({ backend, config: { breaker: { failures: 0 } } });
      await f.server.services.truststore.import('imitations', parseCertificates(Buffer.from(cert.certPem)));
    });
    after(async () => {
      await f.stop();
      await Promise.all([primary.close(), secondary.close(), untrusted.close()]);
    });
    beforeEach(async () => {
      primary.mode = { kind: 'ok' };
      secondary.mode = { kind: 'ok' };
      await f.configure({
        gateways: [namedGateway('primary', primary.origin), namedGateway('secondary', secondary.origin)],
        routes: [],
        breaker: { failures: 0 },
      });
    });

    /** A new user with this number, logged in up to the page after the password. */
    const loginWith = async (mobile: string): Promise<{ login: Login; username: string }> => {
      serial += 1;
      const username = `failover-${serial}`;
      await f.addUser(username, { [ClaimUri.mobile]: mobile });
      return { login: await f.startLogin(username), username };
    };
    const sentEvent = async (username: string) => (await f.audit('sms-otp.sent')).find((e) => e.username === username);
    const tryAgain = async (login: Login) => {
      login.page = await login.browser.submit(Browser.form(login.page, 'sms-otp-resend'), {}, (u) =>
        u.startsWith(REDIRECT),
      );
      return login.page;
    };

    for (const [failure, breakPrimary, expectedCode] of [
      ['an HTTP 503', () => (primary.mode = { kind: 'status', status: 503 }), 'SMSOTP-65004'],
      ['a reset connection', () => (primary.mode = { kind: 'reset' }), undefined],
    ] as const) {
      test(`the primary answers ${failure}: the secondary delivers in the same login, the code page shows once`, async () => {
        breakPrimary();
        const before = { primary: primary.hits, secondary: secondary.messages.length };
        const { login, username } = await loginWith('+94771240001');
        assert.equal(login.page.status, 200, login.page.html.slice(0, 300));
        assert.match(login.page.html, /autocomplete="one-time-code"/);
        assert.equal(messageIdOf(login.page), undefined, 'no error or notice on the code page');
        assert.equal(primary.hits, before.primary + 1, 'the primary was tried once');
        assert.equal(secondary.messages.length, before.secondary + 1, 'the secondary delivered one SMS');
        const claims = await f.finish(login, await f.submitCode(login, codeIn(secondary.messages.at(-1)?.text)));
        assert.equal(claims.sub, username);
        const sent = await sentEvent(username);
        assert.equal(sent?.gateway, 'secondary');
        const tried = triedOf(sent);
        assert.deepEqual(
          tried.map((t) => t.gateway),
          ['primary', 'secondary'],
        );
        assert.ok(tried[0]?.code && tried[0].code !== 'timeout', JSON.stringify(tried[0]));
        if (expectedCode) assert.equal(tried[0]?.code, expectedCode);
        assert.ok(tried[0]?.reason, 'each failed gateway has its reason');
        assert.equal(tried[1]?.code, undefined, 'the gateway that sent has no failure code');
        assert.ok(!JSON.stringify(sent).includes('secret-of-'), 'no secret in the audit event');
      });
    }

    test('the primary presents an untrusted certificate: the secondary delivers', async () => {
      await f.configure({
        gateways: [namedGateway('primary', untrusted.origin), namedGateway('secondary', secondary.origin)],
      });
      const { login, username } = await loginWith('+94771240002');
      assert.equal(login.page.status, 200);
      assert.match(login.page.html, /name="code"/);
      const sent = await sentEvent(username);
      assert.equal(sent?.gateway, 'secondary');
      assert.equal(triedOf(sent)[0]?.code, 'tls-untrusted');
      assert.equal(untrusted.messages.length, 0);
    });

    test('a timeout does not fail over: the code page waits for the SMS and the secondary is never asked', async () => {
      await f.configure({
        gateways: [
          namedGateway('primary', primary.origin, { responseTimeoutMs: 300 }),
          namedGateway('secondary', secondary.origin),
        ],
      });
      primary.mode = { kind: 'late', ms: 1500 };
      const hits = secondary.hits;
      const { login, username } = await loginWith('+94771240003');
      assert.equal(login.page.status, 503);
      assert.equal(messageIdOf(login.page), 'sms-otp.send-timeout');
      assert.equal(secondary.hits, hits, 'the secondary was not asked');
      // the late SMS arrives at the primary and its code works
      const claims = await f.finish(login, await f.submitCode(login, codeIn(primary.messages.at(-1)?.text)));
      assert.equal(claims.sub, username);
      const failed = (await f.audit('sms-otp.send-failed')).find((e) => e.username === username);
      assert.equal(failed?.gateway, 'primary');
      assert.deepEqual(
        triedOf(failed).map((t) => [t.gateway, t.code]),
        [['primary', 'timeout']],
      );
      assert.equal(failed?.counted, true);
    });

    test('failoverOnTimeout: a timeout moves on, and the one code works whichever SMS arrives', async () => {
      await f.configure({
        gateways: [
          namedGateway('primary', primary.origin, { responseTimeoutMs: 300, failoverOnTimeout: true }),
          namedGateway('secondary', secondary.origin),
        ],
      });
      primary.mode = { kind: 'hang' };
      const { login, username } = await loginWith('+94771240004');
      assert.equal(login.page.status, 200);
      assert.equal(messageIdOf(login.page), undefined);
      const sent = await sentEvent(username);
      assert.deepEqual(
        triedOf(sent).map((t) => [t.gateway, t.code ?? 'sent']),
        [
          ['primary', 'timeout'],
          ['secondary', 'sent'],
        ],
      );
      const claims = await f.finish(login, await f.submitCode(login, codeIn(secondary.messages.at(-1)?.text)));
      assert.equal(claims.sub, username);
    });

    test('routes: by E.164 prefix, by country, and the default list for numbers no route matches', async () => {
      await f.configure({
        gateways: [namedGateway('primary', primary.origin), namedGateway('secondary', secondary.origin)],
        routes: [
          { match: { prefixes: ['+4474'] }, gateways: ['secondary'] },
          { match: { countries: ['LK'] }, gateways: ['secondary', 'primary'] },
        ],
      });
      const cases: [string, string][] = [
        ['+447400123456', 'secondary'],
        ['+94771240005', 'secondary'],
        // +44 but not +4474, and not LK: every gateway in order
        ['+447911123456', 'primary'],
        ['+12015550123', 'primary'],
      ];
      for (const [mobile, expected] of cases) {
        const { login, username } = await loginWith(mobile);
        assert.equal(login.page.status, 200, `${mobile}: ${login.page.html.slice(0, 200)}`);
        const sent = await sentEvent(username);
        assert.equal(sent?.gateway, expected, mobile);
        assert.equal(triedOf(sent).length, 1, `${mobile}: one gateway tried`);
      }
      // a route's list is its failover order too, and it never falls back to gateways outside the route
      secondary.mode = { kind: 'status', status: 500 };
      const { login, username } = await loginWith('+447400123457');
      assert.equal(messageIdOf(login.page), 'sms-otp.send-failed');
      const failed = (await f.audit('sms-otp.send-failed')).find((e) => e.username === username);
      assert.deepEqual(
        triedOf(failed).map((t) => t.gateway),
        ['secondary'],
      );
    });

    test('every gateway down: the same clear page as with one gateway, and the limits refunded each time', async () => {
      await f.configure({
        maxResends: 1,
        limits: { perNumber: { max: 2, windowMinutes: 60 }, perAccount: { max: 2, windowMinutes: 60 } },
      });
      try {
        primary.mode = { kind: 'status', status: 503 };
        secondary.mode = { kind: 'reject' };
        const { login, username } = await loginWith('+94771240006');
        assert.equal(login.page.status, 503);
        assert.equal(messageIdOf(login.page), 'sms-otp.send-failed');
        assert.match(login.page.html, /id="resend-button"[^>]*>Try again/);
        // more tries than the per-login, per-number and per-account allowances together
        for (let i = 0; i < 4; i++) assert.equal(messageIdOf(await tryAgain(login)), 'sms-otp.send-failed');
        secondary.mode = { kind: 'ok' };
        const page = await tryAgain(login);
        assert.equal(page.status, 200, page.html.slice(0, 300));
        const claims = await f.finish(login, await f.submitCode(login, codeIn(secondary.messages.at(-1)?.text)));
        assert.equal(claims.sub, username);
        const failed = (await f.audit('sms-otp.send-failed')).filter((e) => e.username === username);
        assert.equal(failed.length, 5);
        assert.ok(
          failed.every((e) => e.counted === false),
          'no failed send counted',
        );
        assert.deepEqual(
          triedOf(failed[0]).map((t) => [t.gateway, t.code]),
          [
            ['primary', 'SMSOTP-65004'],
            ['secondary', 'provider-rejected'],
          ],
        );
      } finally {
        await f.configure({
          maxResends: 5,
          limits: { perNumber: { max: 1000, windowMinutes: 60 }, perAccount: { max: 1000, windowMinutes: 60 } },
        });
      }
    });

    test('the single gateway of the older shape still sends, named default in the audit event', async () => {
      const plain = await startHttpsProvider(cert);
      try {
        await f.configure({ gateways: [], gateway: gatewayFor(plain.origin) });
        const { login, username } = await loginWith('+94771240007');
        assert.equal(login.page.status, 200);
        const sent = await sentEvent(username);
        assert.equal(sent?.gateway, 'default');
        assert.equal(sent?.provider, 'vonage');
        const claims = await f.finish(login, await f.submitCode(login, codeIn(plain.messages.at(-1)?.text)));
        assert.equal(claims.sub, username);
      } finally {
        await plain.close();
      }
    });

    test('the text the provider receives ends with the WebOTP line, and its segments count that line', async () => {
      const { countSegments } = await import('../../src/sms/index.js');
      // 150 characters of template: one segment alone (160 septets), two with the WebOTP line (20 more)
      const template = `Verification Code: {code} ${'x'.repeat(150 - 'Verification Code: 123456 '.length)}`;
      await f.configure({ messageTemplate: template });
      try {
        const { login } = await loginWith('+94771240008');
        assert.equal(login.page.status, 200);
        const text = primary.messages.at(-1)?.text ?? '';
        const code = codeIn(text);
        assert.ok(text.endsWith(`\n\n@127.0.0.1 #${code}`), JSON.stringify(text));
        assert.equal(countSegments(text.split('\n\n@')[0] ?? '').segments, 1);
        assert.equal(countSegments(text).segments, 2, 'the WebOTP line is counted');
      } finally {
        await f.configure({ messageTemplate: 'Verification Code: {code}' });
      }
    });
  });
}
