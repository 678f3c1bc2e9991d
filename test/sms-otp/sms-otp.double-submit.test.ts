/**
 * A double submit of the password form (a double click, or autofill plus a tap) must not run the SMS step twice:
 * exactly one SMS goes out, and whichever response the browser shows leads to a code page whose code works.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { suiteNeeding, variants } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import { PASSWORD, REDIRECT, type SmsOtpFixture, startSmsOtp } from './support/fixture.js';

for (const v of variants({ redis: true }))
  suiteNeeding(v.skip, `double submit of the password step on ${v.name}`, () => {
    let f: SmsOtpFixture;
    before(async () => {
      f = await startSmsOtp({ backend: v.backend, redis: v.redis });
    });
    after(() => f.stop());

    test('two concurrent password posts send one SMS, and both land on a code page whose code logs in', async () => {
      await f.addUser('dora');
      const browser = new Browser();
      const started = f.rp.begin();
      const first = await browser.go(started.url);
      const form = Browser.form(first);
      const before = f.sms.messages.length;
      const body = new URLSearchParams({ ...form.fields, username: 'dora', password: PASSWORD });
      const responses = await Promise.all([
        browser.request(form.action, { method: 'POST', body }),
        browser.request(form.action, { method: 'POST', body }),
      ]);
      const pages = await Promise.all(
        responses.map((r) =>
          r.status === 303
            ? browser.go(new URL(r.headers.get('location')!, form.action).toString())
            : Promise.resolve(r),
        ),
      );
      for (const p of pages) assert.match(p.html, /one-time-code/, `not a code page (${p.status})`);
      assert.equal(f.sms.messages.length - before, 1, 'the SMS step ran twice');
      const code = f.sms.lastCode();
      const done = await browser.submit(Browser.form(pages[1]!, 'sms-otp-verify'), { code }, (u) =>
        u.startsWith(REDIRECT),
      );
      const claims = await f.finish({ browser, page: done, started }, done);
      assert.ok((claims.amr as string[]).includes('sms'));
    });
  });
