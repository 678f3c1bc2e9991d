/**
 * Concurrent submissions of one login's code: guesses are evaluated at most the allowed number of times, and a
 * double (or fifty-fold) submit of the right code finishes the login exactly once without showing anyone an error.
 * Runs on every database back end, and with Redis as the shared state store when REDIS_URL is set.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { suiteNeeding, variants } from '../support/backends.js';
import { Browser, type Page } from '../support/browser.js';
import { messageIdOf, REDIRECT, type SmsOtpFixture, startSmsOtp } from './support/fixture.js';

const CONCURRENCY = 50;

async function fire(browser: Browser, page: Page, code: string): Promise<Page[]> {
  const form = Browser.form(page, 'sms-otp-verify');
  return Promise.all(
    Array.from({ length: CONCURRENCY }, () =>
      browser.request(form.action, { method: 'POST', body: new URLSearchParams({ ...form.fields, code }) }),
    ),
  );
}

const isResume = (p: Page) => p.status === 303 && /\/oidc\/auth\//.test(p.headers.get('location') ?? '');

for (const variant of variants({ redis: true })) {
  suiteNeeding(variant.skip, `SMS OTP races on ${variant.name}`, () => {
    let f: SmsOtpFixture;
    before(async () => {
      f = await startSmsOtp({ backend: variant.backend, redis: variant.redis });
    });
    after(() => f.stop());

    test(`${CONCURRENCY} concurrent wrong codes: none passes, at most the allowed 3 are evaluated, and the code is dead`, async () => {
      const user = await f.addUser('race-wrong');
      const login = await f.startLogin('race-wrong');
      const code = f.sms.lastCode();
      const wrong = code === '000000' ? '111111' : '000000';
      const pages = await fire(login.browser, login.page, wrong);
      assert.equal(pages.filter(isResume).length, 0, 'a wrong code finished the login');
      assert.ok(
        pages.every((p) => p.status === 303 || p.status === 401),
        `unexpected statuses ${[...new Set(pages.map((p) => p.status))]}`,
      );
      const loginId = new URL(Browser.form(login.page).action).pathname.split('/').pop();
      const evaluated = (await f.audit('sms-otp.failed')).filter((e) => e.loginId === loginId && e.evaluated === true);
      assert.equal(evaluated.length, 3, 'evaluated guesses');
      assert.equal((await f.user(user.id)).failedOtpCount, 3, 'failures counted on the account');
      const current = await login.browser.go(login.page.url);
      const after = await f.submitCode({ ...login, page: current }, code);
      assert.notEqual(after.status, 0, 'the right code still worked after the guesses');
      assert.match(messageIdOf(after) ?? '', /^sms-otp\.(code-dead|too-many-attempts)$/);
    });

    test(`${CONCURRENCY} concurrent right codes: exactly one finishes the login, the others are sent on without an error`, async () => {
      await f.addUser('race-right');
      const login = await f.startLogin('race-right');
      const loginId = new URL(Browser.form(login.page).action).pathname.split('/').pop();
      const pages = await fire(login.browser, login.page, f.sms.lastCode());
      // the winner goes on to oidc-provider; a loser either lost the transaction write (back to the login page, which
      // shows the current state) or came after the win and is sent where the winner went
      for (const p of pages) {
        assert.equal(p.status, 303, `a submission saw a page: ${p.status} ${messageIdOf(p)}`);
        assert.match(p.headers.get('location') ?? '', /\/(interaction|oidc\/auth)\//);
      }
      assert.ok(pages.some(isResume), 'nobody finished the login');
      const finished = (await f.audit('login.succeeded')).filter((e) => e.loginId === loginId);
      assert.equal(finished.length, 1, 'the login finished more than once');
      const loser = pages.find((x) => !isResume(x)) ?? pages[1]!;
      const followed = await login.browser.go(
        new URL(loser.headers.get('location')!, login.page.url).toString(),
        {},
        (u) => u.startsWith(REDIRECT),
      );
      assert.ok(followed.url.startsWith(REDIRECT), `where a loser lands: ${followed.status} ${messageIdOf(followed)}`);
      const claims = await f.finish(login, followed);
      assert.ok((claims.amr as string[]).includes('sms'));
    });
  });
}
