/**
 * The code page learns of a failed delivery, without JavaScript: after the provider's receipt says the code did not
 * arrive, a reload of the page says so (a receipt that says delivered does not), the poll endpoint answers the
 * browser that holds the login and nobody else, and a resend goes through the next gateway first. A verified code
 * counts as a conversion. SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { codeIn } from '../sms-otp/support/https-provider.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import { post } from './support/providers.js';
import { type ReceiptsSetup, startReceipts } from './support/setup.js';

const uidOf = (url: string) => /\/interaction\/([^/?#]+)/.exec(url)?.[1] ?? '';
const shown = (html: string) =>
  /<div[^>]*id="delivery-failed"(?![^>]*hidden)[^>]*data-message-id="sms-otp.delivery-failed"/.test(html);

for (const { name, backend, skip } of variants()) {
  suiteNeeding(skip, `SMS OTP code page and failed deliveries on ${name}`, () => {
    let r: ReceiptsSetup;
    before(async () => {
      r = await startReceipts(backend);
    });
    after(async () => r?.stop());

    test('a failed receipt shows on reload and in the poll; a resend goes through the next gateway; the code logs in', async () => {
      await r.useGateways('twilio', 'plivo');
      const { login } = await r.login();
      assert.equal(shown(login.page.html), false, 'the notice shows before any receipt');
      assert.match(login.page.html, /id="delivery-failed"[^>]*hidden/);
      const uid = uidOf(login.page.url);
      const poll = `${r.f.server.url}/interaction/${uid}/sms-otp/delivery`;
      const asked = await login.browser.request(poll);
      assert.equal(asked.status, 200);
      assert.deepEqual(JSON.parse(asked.html), { status: 'accepted', deliveryFailed: false });
      assert.equal(asked.headers.get('cache-control'), 'no-store');

      const first = r.imitations.twilio.sent.at(-1)!;
      assert.equal((await post(r.imitations.twilio.receipt(first, 'failed'))).status, 204);
      const failed = await r.recorded(first.id);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.errorCode, '30003');

      const reloaded = await login.browser.go(`${r.f.server.url}/interaction/${uid}`);
      assert.equal(reloaded.status, 200);
      assert.ok(shown(reloaded.html), `no delivery notice after the reload:\n${reloaded.html.slice(0, 1500)}`);
      assert.match(reloaded.html, /could not be delivered/);
      assert.deepEqual(JSON.parse((await login.browser.request(poll)).html), {
        status: 'failed',
        deliveryFailed: true,
      });
      // another browser (without the login's cookie) learns nothing
      const stranger = await new Browser().request(poll);
      assert.equal(stranger.status, 404);
      assert.match(stranger.headers.get('content-type') ?? '', /problem\+json/);
      assert.equal((await new Browser().request(`${r.f.server.url}/interaction/nosuch/sms-otp/delivery`)).status, 404);

      // Resend: the gateway that failed this login goes last, so the new code goes through the next one
      login.page = reloaded;
      const plivoBefore = r.imitations.plivo.sent.length;
      const twilioBefore = r.imitations.twilio.sent.length;
      await r.f.resend(login);
      assert.equal(r.imitations.plivo.sent.length, plivoBefore + 1, 'the resend did not go through the next gateway');
      assert.equal(r.imitations.twilio.sent.length, twilioBefore);
      assert.equal(shown(login.page.html), false, 'the new code is not the failed one');
      const second = r.imitations.plivo.sent.at(-1)!;
      const callback = await r.f.submitCode(login, codeIn(second.text));
      await r.f.finish(login, callback);
      assert.notEqual((await r.recorded(second.id)).verifiedAt, null, 'the verified code is not counted');
      assert.equal((await r.recorded(first.id)).verifiedAt, null);
    });

    test('a receipt that says delivered shows nothing; an expired one shows like a failed one', async () => {
      await r.useGateways('vonage');
      const a = await r.login();
      const sentA = r.imitations.vonage.sent.at(-1)!;
      await post(r.imitations.vonage.receipt(sentA, 'delivered'));
      assert.equal(shown((await a.login.browser.go(a.login.page.url)).html), false);
      const b = await r.login();
      const sentB = r.imitations.vonage.sent.at(-1)!;
      await post(r.imitations.vonage.receipt(sentB, 'expired'));
      assert.ok(shown((await b.login.browser.go(b.login.page.url)).html));
    });
  });
}
