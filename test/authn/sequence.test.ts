/**
 * The step engine through the browser and openid-client: a one-factor session is not reused for a two-step
 * application, a step with several options shows the choose page, every login page can be cancelled back to the
 * application, and a later identifying step cannot switch to another user.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { suiteNeeding, variants } from '../support/backends.js';
import { Browser, type Page } from '../support/browser.js';
import {
  messageIdOf,
  PASSWORD,
  passwordStep,
  REDIRECT,
  type SequenceFixture,
  startSequences,
  toCallback,
  WORD,
} from './support.js';

/** Follows the page's Cancel link and returns the callback URL the application receives. */
async function cancel(browser: Browser, page: Page): Promise<URL> {
  const href = /<a href="([^"]*\/abort)">Cancel and go back to/.exec(page.html)?.[1];
  assert.ok(href, `no Cancel link on ${page.url}:\n${page.html.slice(0, 600)}`);
  const back = await browser.go(new URL(href, page.url).toString(), {}, toCallback);
  assert.ok(back.url.startsWith(REDIRECT), `Cancel did not return to the application: ${back.status} ${back.url}`);
  return new URL(back.url);
}

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `authentication sequences on ${backend.name}`, () => {
    let f: SequenceFixture;
    before(async () => {
      f = await startSequences(backend);
    });
    after(() => f.stop());

    test('a session from a password-only login is not reused by a two-step application: password and SMS are asked again', async () => {
      await f.addUser('reuse');
      const browser = new Browser();
      const one = await f.rp('Password only');
      const first = await passwordStep(one, browser, 'reuse');
      const oneFactor = (await one.finish(first.page.url, first.started)).claims()!;
      assert.equal(oneFactor.acr, 'urn:stepgate:acr:1fa');

      // the same browser, so the same oidc-provider session, now for an application of two steps
      const two = await f.rp('Two steps');
      // a silent request is told that a login is needed, never given a code
      const silent = new URL((await browser.go(two.begin({ prompt: 'none' }).url, {}, toCallback)).url);
      assert.equal(silent.searchParams.get('code'), null, 'a silent request got a code from a one-factor session');
      assert.match(silent.searchParams.get('error') ?? '', /^(login|interaction)_required$/);
      const started = two.begin();
      const shown = await browser.go(started.url, {}, toCallback);
      assert.notEqual(shown.status, 0, 'the one-factor session was reused: a code was issued without any step');
      assert.match(shown.html, /name="password"/, 'the password was not asked again');
      const sent = f.sms.messages.length;
      const codePage = await browser.submit(Browser.form(shown), { username: 'reuse', password: PASSWORD }, toCallback);
      assert.equal(f.sms.messages.length, sent + 1, 'the SMS step did not run');
      const done = await browser.submit(
        Browser.form(codePage, 'sms-otp-verify'),
        { code: f.sms.lastCode() },
        toCallback,
      );
      const twoFactors = (await two.finish(done.url, started)).claims()!;
      assert.equal(twoFactors.acr, 'urn:stepgate:acr:2fa');
      assert.deepEqual([...(twoFactors.amr as string[])].sort(), ['mfa', 'pwd', 'sms']);

      // the near miss the other way: the two-factor session does satisfy the password-only application
      const again = one.begin();
      const reused = await browser.go(again.url, {}, toCallback);
      assert.equal(reused.status, 0, `a two-factor session did not satisfy a one-step application: ${reused.url}`);
      assert.equal((await one.finish(reused.url, again)).claims()!.sub, 'reuse');
    });

    test('a step with several options shows the choose page; each option runs; an option the step lacks is refused', async () => {
      await f.addUser('chooser');
      const rp = await f.rp('Choice');

      const count = f.sms.messages.length;
      const browser = new Browser();
      const { page: choose, started } = await passwordStep(rp, browser, 'chooser');
      assert.equal(choose.status, 200);
      assert.match(choose.html, /Choose how to continue/);
      const offered = [...choose.html.matchAll(/name="choose" value="([^"]+)"[^>]*>([^<]+)</g)].map((m) => [
        m[1],
        m[2],
      ]);
      assert.deepEqual(offered, [
        ['smsOTP:sms-otp', 'SMS OTP (smsOTP)'],
        [':test-word', 'Test word'],
      ]);
      assert.equal(f.sms.messages.length, count, 'an SMS went out before the user chose SMS');
      const form = Browser.form(choose);
      const unknown = await browser.submit(form, { choose: 'smsOTP:password' });
      assert.equal(unknown.status, 400);
      const word = await browser.submit(form, { choose: ':test-word' });
      assert.match(word.html, /test-word-step/);
      assert.equal(f.sms.messages.length, count, 'choosing the word sent an SMS');
      const done = await browser.submit(Browser.form(word), { password: WORD }, toCallback);
      const claims = (await rp.finish(done.url, started)).claims()!;
      assert.deepEqual([...(claims.amr as string[])].sort(), ['mfa', 'otp', 'pwd']);

      const second = new Browser();
      const viaSms = await passwordStep(rp, second, 'chooser');
      const codePage = await second.submit(Browser.form(viaSms.page), { choose: 'smsOTP:sms-otp' });
      assert.equal(f.sms.messages.length, count + 1);
      assert.match(codePage.html, /name="code"/);
      // choosing the running option again shows its page, without a second SMS or a fresh set of guesses
      const rechosen = await second.submit(Browser.form(viaSms.page), { choose: 'smsOTP:sms-otp' });
      assert.match(rechosen.html, /name="code"/);
      assert.equal(f.sms.messages.length, count + 1, 'choosing SMS again sent another SMS');
      const finished = await second.submit(
        Browser.form(rechosen, 'sms-otp-verify'),
        { code: f.sms.lastCode() },
        toCallback,
      );
      const smsClaims = (await rp.finish(finished.url, viaSms.started)).claims()!;
      assert.deepEqual([...(smsClaims.amr as string[])].sort(), ['mfa', 'pwd', 'sms']);
    });

    test('a step with one option takes no choice: posting one neither restarts the step nor sends another SMS', async () => {
      await f.addUser('no-choice');
      const rp = await f.rp('Two steps');
      const browser = new Browser();
      const { page, started } = await passwordStep(rp, browser, 'no-choice');
      const count = f.sms.messages.length;
      const form = Browser.form(page, 'sms-otp-verify');
      const chosen = await browser.submit(form, { choose: 'smsOTP:sms-otp' });
      assert.equal(chosen.status, 400);
      assert.equal(f.sms.messages.length, count, 'a choice restarted the SMS step');
      const done = await browser.submit(form, { code: f.sms.lastCode() }, toCallback);
      assert.equal((await rp.finish(done.url, started)).claims()!.acr, 'urn:stepgate:acr:2fa');
    });

    test('Cancel on the password, choose and code pages returns access_denied to the application and ends the login', async () => {
      await f.addUser('canceller');
      const rp = await f.rp('Choice');
      const two = await f.rp('Two steps');

      const atPassword = new Browser();
      const started = rp.begin();
      const passwordPage = await atPassword.go(started.url);
      const callback = await cancel(atPassword, passwordPage);
      assert.equal(callback.searchParams.get('error'), 'access_denied');
      assert.equal(callback.searchParams.get('state'), started.state);
      assert.equal(callback.searchParams.get('code'), null);
      await assert.rejects(rp.finish(callback.toString(), started), (e: { error?: string }) => {
        assert.equal(e.error, 'access_denied');
        return true;
      });
      // the cancelled login cannot be picked up again with its old form
      const late = await atPassword.submit(Browser.form(passwordPage), { username: 'canceller', password: PASSWORD });
      assert.equal(late.status, 410);

      const atChoose = new Browser();
      const choose = await passwordStep(rp, atChoose, 'canceller');
      assert.match(choose.page.html, /Choose how to continue/);
      assert.equal((await cancel(atChoose, choose.page)).searchParams.get('error'), 'access_denied');

      const atCode = new Browser();
      const code = await passwordStep(two, atCode, 'canceller');
      assert.match(code.page.html, /name="code"/);
      const fromCode = await cancel(atCode, code.page);
      assert.equal(fromCode.searchParams.get('error'), 'access_denied');
      assert.equal(fromCode.searchParams.get('state'), code.started.state);
      const afterCancel = await atCode.submit(Browser.form(code.page, 'sms-otp-verify'), { code: f.sms.lastCode() });
      assert.equal(afterCancel.status, 410, 'the code of a cancelled login still worked');
      assert.equal((await f.audit('login.succeeded')).filter((e) => e.username === 'canceller').length, 0);
    });

    test('a later identifying step cannot switch users: another user in step 2 ends the login; the same user passes', async () => {
      await f.addUser('first-user');
      await f.addUser('second-user');
      const rp = await f.rp('Password twice');

      const browser = new Browser();
      const { page } = await passwordStep(rp, browser, 'first-user');
      assert.match(page.html, /name="password"/, 'expected the second password step');
      const switched = await browser.submit(
        Browser.form(page),
        { username: 'second-user', password: PASSWORD },
        toCallback,
      );
      assert.notEqual(switched.status, 0, 'a code was issued after a change of user');
      assert.equal(switched.status, 403);
      assert.equal(messageIdOf(switched), 'login.user-mismatch');
      // the login is over: the first user cannot finish it either
      const retried = await browser.submit(
        Browser.form(page),
        { username: 'first-user', password: PASSWORD },
        toCallback,
      );
      assert.notEqual(retried.status, 0, 'the failed login was finished afterwards');

      const same = new Browser();
      const again = await passwordStep(rp, same, 'first-user');
      const done = await same.submit(
        Browser.form(again.page),
        { username: 'first-user', password: PASSWORD },
        toCallback,
      );
      assert.equal((await rp.finish(done.url, again.started)).claims()!.sub, 'first-user');
    });
  });
}
