/**
 * My Account's forms are throttled per client address, as the login pages are, with a count of their own: past the
 * limit a form gets a page that says to wait, and the login pages of the same address are not held back by it. On
 * SQLite (the node's own counter) and with Redis state (shared by the nodes).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { forEachBackend } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import { type AccountFixture, PASSWORD, post, startAccount } from './support/fixture.js';

const LIMIT = 4;

forEachBackend(
  "My Account's per-address form limit",
  (backend, variant) => {
    let f: AccountFixture;
    before(async () => {
      f = await startAccount({
        backend,
        redis: variant.redis,
        overrides: { 'loginRateLimit.postsPerMinute': LIMIT },
      });
    });
    after(async () => f?.stop());

    test('the limit-th form passes, the next gets 429 with a page that says to wait; login forms still pass', async () => {
      await f.addUser('rate', { [ClaimUri.mobile]: '+94775550099' });
      const { browser } = await f.signIn('rate');
      const home = await browser.go(`${f.server.url}/account/`);
      const statuses: number[] = [];
      // a sign-out with a wrong CSRF token is refused (403) and changes nothing: each one still counts
      for (let i = 0; i <= LIMIT; i++)
        statuses.push((await post(browser, home, '/account/logout', { csrf: 'wrong' })).status);
      assert.deepEqual(statuses, [...Array(LIMIT).fill(403), 429]);
      const limited = await post(browser, home, '/account/logout', { csrf: 'wrong' });
      assert.equal(limited.status, 429);
      assert.match(limited.html, /Wait a minute and try again/);
      assert.doesNotMatch(limited.html, /rate limited|RATE_LIMITED|stack/i, 'an internal word on the page');
      // the login pages count apart: a password form from the same address is answered as usual
      const other = new Browser();
      const first = await other.go(`${f.server.url}/account/login`);
      const next = await other.submit(Browser.form(first), { username: 'rate', password: PASSWORD });
      assert.notEqual(next.status, 429, 'the login pages were held back by My Account’s count');
      // and reading pages is never limited
      assert.equal((await browser.go(`${f.server.url}/account/`)).status, 200);
    });
  },
  { redis: true },
);
