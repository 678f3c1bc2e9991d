/**
 * The proof-of-work challenge through real logins, as a browser without JavaScript posts forms: past the soft limit
 * of a client IP, a send waits for a solved challenge (the page says JavaScript is needed and offers a backup code);
 * a wrong, replayed, expired or another login's solution is refused and sends nothing; a right one sends the code.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { solves } from '../../src/authenticators/sms-otp/fraud/hashcash.js';
import { type Login, messageIdOf, REDIRECT } from '../sms-otp/support/fixture.js';
import { codeIn } from '../sms-otp/support/https-provider.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { Browser, type Page } from '../support/browser.js';
import { FRAUD_OFF, type FraudFixture, scrape, startFraudFixture } from './support.js';

const BITS = 8;
const toCallback = (u: string) => u.startsWith(REDIRECT);

/** A nonce that solves the challenge, found by brute force as the page's script does. */
function solve(challenge: string): string {
  for (let n = 0; ; n++) if (solves(challenge, n.toString(36), BITS)) return n.toString(36);
}
function wrongNonce(challenge: string): string {
  for (let n = 0; ; n++) if (!solves(challenge, `w${n}`, BITS)) return `w${n}`;
}
const challengeOf = (page: Page) => Browser.form(page, 'sms-otp-challenge').fields.challenge!;

for (const { name, backend, skip, redis } of variants({ redis: true })) {
  suiteNeeding(skip, `SMS fraud defence: proof of work before a send on ${name}`, () => {
    let x: FraudFixture;
    before(async () => {
      x = await startFraudFixture({ backend, redis });
      await x.configure({
        ...FRAUD_OFF,
        challenge: { softLimitPerIp: 1, windowMinutes: 60, difficultyBits: BITS, expirySeconds: 10 },
      });
    });
    after(() => x.stop());

    const answer = async (login: Login, challenge: string, pow: string) => {
      login.page = await login.browser.submit(
        Browser.form(login.page, 'sms-otp-challenge'),
        { challenge, pow },
        toCallback,
      );
      return login.page;
    };
    /** A login past the soft limit: the challenge page, nothing sent. */
    const challenged = async (mobile: string) => {
      const started = await x.login(mobile);
      assert.equal(started.sent, 0, 'nothing is sent before the challenge is passed');
      assert.equal(started.login.page.status, 200, started.login.page.html.slice(0, 400));
      assert.match(started.login.page.html, /id="sms-otp-challenge"/);
      return started;
    };

    test('under the soft limit the code is sent; past it the page asks for the check and explains it needs JavaScript', async () => {
      assert.equal((await x.login('+94771400001')).sent, 1);
      const { login, username } = await challenged('+94771400002');
      const html = login.page.html;
      assert.match(html, /<noscript><p class="alert" id="challenge-needs-js">This check needs JavaScript/);
      assert.match(html, /<script src="\/assets\/proof-of-work\.js" defer><\/script>/);
      assert.match(html, new RegExp(`data-bits="${BITS}"`));
      assert.match(html, /Continue with a backup code/, 'another factor without JavaScript');
      assert.doesNotMatch(html, /name="code"[^>]*class="code"/, 'no code box: no code was sent');
      const issued = (await x.f.audit('sms-fraud.challenge-issued')).filter((e) => e.username === username);
      assert.equal(issued.length, 1);
      assert.equal(issued[0]?.bits, BITS);
      // a reload shows the same challenge and sends nothing
      const sent = x.sentTotal();
      const reloaded = await login.browser.go(login.page.url);
      assert.equal(challengeOf(reloaded), challengeOf(login.page));
      assert.equal(x.sentTotal(), sent);
    });

    test('a wrong solution is refused and sends nothing; the right one sends the code and the login finishes', async () => {
      const { login, username } = await challenged('+94771400003');
      const id = challengeOf(login.page);
      const before = x.sentTotal();
      const wrong = await answer(login, id, wrongNonce(id));
      assert.equal(wrong.status, 400);
      assert.equal(messageIdOf(wrong), 'sms-otp.challenge.wrong');
      assert.equal(challengeOf(wrong), id, 'the same challenge stands');
      const junk = await answer(login, id, 'NOT-A-NONCE!');
      assert.equal(junk.status, 400);
      assert.equal(messageIdOf(junk), 'sms-otp.challenge.missing');
      assert.equal(x.sentTotal(), before);

      const passed = await answer(login, id, solve(id));
      assert.equal(passed.status, 200, passed.html.slice(0, 400));
      assert.match(passed.html, /autocomplete="one-time-code"/);
      assert.equal(x.sentTotal(), before + 1);
      const claims = await x.f.finish(login, await x.f.submitCode(login, codeIn(x.primary.messages.at(-1)?.text)));
      assert.equal(claims.sub, username);
      const failed = (await x.f.audit('sms-fraud.challenge-failed')).filter((e) => e.username === username);
      assert.deepEqual(failed.map((e) => e.reason).sort(), ['missing', 'wrong']);
      assert.equal((await x.f.audit('sms-fraud.challenge-passed')).filter((e) => e.username === username).length, 1);
    });

    test('a solution works once: replayed on another login, or on its own after the send, it is refused', async () => {
      const first = await challenged('+94771400004');
      const id = challengeOf(first.login.page);
      const nonce = solve(id);
      const replayForm = Browser.form(first.login.page, 'sms-otp-challenge');
      assert.equal((await answer(first.login, id, nonce)).status, 200);
      const before = x.sentTotal();
      // the same answer posted again to its own login (its send went out): refused, nothing sent
      const again = await first.login.browser.submit(replayForm, { challenge: id, pow: nonce }, toCallback);
      assert.equal(again.status, 400);
      assert.equal(messageIdOf(again), 'sms-otp.challenge.replayed');
      // and to another login waiting for its own challenge
      const second = await challenged('+94771400005');
      const replayed = await answer(second.login, id, nonce);
      assert.equal(replayed.status, 400);
      assert.equal(messageIdOf(replayed), 'sms-otp.challenge.replayed');
      assert.equal(x.sentTotal(), before);
    });

    test('a double submit of the right solution sends one SMS; the other submission is refused', async () => {
      const { login } = await challenged('+94771400009');
      const id = challengeOf(login.page);
      const form = Browser.form(login.page, 'sms-otp-challenge');
      const before = x.sentTotal();
      const pages = await Promise.all(
        [1, 2].map(() => login.browser.submit(form, { challenge: id, pow: solve(id) }, toCallback)),
      );
      assert.equal(x.sentTotal(), before + 1, 'one SMS for two submissions');
      // the loser waited for the winner's lease: refused as a replay, or (lost on the login's compare-and-set) sent
      // to the page the winner left, the code page; never a second send
      for (const page of pages) {
        if (page.status === 400) assert.equal(messageIdOf(page), 'sms-otp.challenge.replayed');
        else assert.match(page.html, /autocomplete="one-time-code"/, `${page.status}: ${page.html.slice(0, 200)}`);
      }
    });

    test("another login's unused solution is refused; that login's own challenge still passes", async () => {
      const a = await challenged('+94771400006');
      const b = await challenged('+94771400007');
      const idA = challengeOf(a.login.page);
      const before = x.sentTotal();
      const refused = await answer(b.login, idA, solve(idA));
      assert.equal(refused.status, 400);
      assert.equal(messageIdOf(refused), 'sms-otp.challenge.other-login');
      assert.equal(x.sentTotal(), before);
      assert.equal((await answer(a.login, idA, solve(idA))).status, 200);
      assert.equal(x.sentTotal(), before + 1);
    });

    test('an expired challenge is refused with a new one on the page, and the new one passes', async () => {
      const { login } = await challenged('+94771400008');
      const id = challengeOf(login.page);
      const nonce = solve(id);
      await sleep(10_300);
      const before = x.sentTotal();
      const expired = await answer(login, id, nonce);
      assert.equal(expired.status, 400);
      assert.equal(messageIdOf(expired), 'sms-otp.challenge.expired');
      const fresh = challengeOf(expired);
      assert.notEqual(fresh, id);
      assert.equal(x.sentTotal(), before);
      assert.equal((await answer(login, fresh, solve(fresh))).status, 200);
      assert.equal(x.sentTotal(), before + 1);
      const metrics = await scrape(x.f.server.url);
      assert.match(metrics, /stepgate_sms_challenges_total\{result="expired"\} 1/);
      assert.match(metrics, /stepgate_sms_challenges_total\{result="passed"\} 5/);
    });
  });
}
