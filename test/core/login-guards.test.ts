/** The password step under attack and misuse: lockout, replays, races, expired logins and malformed forms. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { createUser, getPasswordHash, getUserByUsername, getUserClaims } from '../../src/identity/users.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { Browser, type Page } from '../support/browser.js';
import { relyingParty } from '../support/rp.js';
import { startStepgate, type TestServer } from '../support/server.js';

const REDIRECT = 'http://127.0.0.1:1/callback';
const messageIdOf = (page: Page) => /data-message-id="([^"]+)"/.exec(page.html)?.[1];
const PASSWORD = 'correct horse battery';

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `password step guards on ${backend.name}`, () => {
    let server: TestServer;
    let clientId: string;
    let clientSecret: string;

    before(async () => {
      server = await startStepgate({
        backend,
        overrides: { 'passwordLockout.maxAttempts': 3, 'passwordLockout.lockMinutes': 15 },
      });
      const s = server.services;
      for (const name of ['alice', 'bob', 'carol', 'dave']) {
        await createUser(s.db, s.hasher, {
          username: name,
          password: PASSWORD,
          claims: { [ClaimUri.mobile]: '+94771234500' },
        });
      }
      const created = await s.applications.create({
        name: 'App',
        redirectUris: [REDIRECT],
        steps: [{ options: [{ authenticator: 'password' }] }],
      });
      clientId = created.application.clientId;
      clientSecret = created.clientSecret!;
    });
    after(() => server.stop());

    async function loginPage(browser = new Browser()): Promise<{ browser: Browser; page: Page }> {
      const rp = await relyingParty(server.url, clientId, clientSecret, REDIRECT);
      const page = await browser.go(rp.begin().url);
      assert.equal(page.status, 200);
      return { browser, page };
    }

    test('three wrong passwords lock the account; the right password then fails; the lock ends after its time', async () => {
      for (let i = 0; i < 3; i++) {
        const { browser, page } = await loginPage();
        const res = await browser.submit(Browser.form(page), { username: 'alice', password: 'wrong password' });
        assert.equal(res.status, 401);
      }
      const s = server.services;
      const alice = (await getUserByUsername(s.db, 'alice'))!;
      const claims = await getUserClaims(s.db, alice);
      assert.equal(claims[ClaimUri.accountLocked], 'true');
      assert.ok(Number(claims[ClaimUri.unlockTime]) > Date.now());
      const { browser, page } = await loginPage();
      const locked = await browser.submit(Browser.form(page), { username: 'alice', password: PASSWORD }, (u) =>
        u.startsWith(REDIRECT),
      );
      assert.equal(locked.status, 401, 'a locked account logged in');
      const events = await s.audit.query({ event: 'account.locked' });
      assert.ok(events.events.some((e) => e.data.username === 'alice'));
      // the lock's time passes
      await s.db
        .updateTable('users')
        .set({ locked_until: Date.now() - 1 })
        .where('id', '=', alice.id)
        .execute();
      const again = await loginPage();
      const ok = await again.browser.submit(Browser.form(again.page), { username: 'alice', password: PASSWORD }, (u) =>
        u.startsWith(REDIRECT),
      );
      assert.ok(ok.url.startsWith(REDIRECT), 'the lock did not expire');
    });

    test("a replayed form after success does not log in twice; a second browser cannot use the first one's form", async () => {
      const { browser, page } = await loginPage();
      const form = Browser.form(page);
      const first = await browser.submit(form, { username: 'bob', password: PASSWORD }, (u) => u.startsWith(REDIRECT));
      assert.ok(first.url.startsWith(REDIRECT));
      const replay = await browser.submit(form, { username: 'bob', password: PASSWORD }, (u) => u.startsWith(REDIRECT));
      // the replay is refused with a clear page — never a second login
      assert.notEqual(replay.status, 0, 'the replayed form logged in again');
      assert.equal(replay.status, 400);
      assert.equal(messageIdOf(replay), 'oidc.error');
      assert.equal((await server.services.audit.query({ event: 'login.succeeded', username: 'bob' })).total, 1);
      const stranger = new Browser();
      const stolen = await stranger.submit(form, { username: 'bob', password: PASSWORD }, (u) =>
        u.startsWith(REDIRECT),
      );
      assert.notEqual(stolen.status, 0, 'a browser without the interaction cookie finished the login');
      assert.equal(stolen.status, 400);
      assert.equal(messageIdOf(stolen), 'oidc.error');
    });

    test('concurrent submissions of one step: exactly one moves on, none shows a server error', async () => {
      const { browser, page } = await loginPage();
      const form = Browser.form(page);
      const body = new URLSearchParams({ ...form.fields, username: 'carol', password: PASSWORD });
      const results = await Promise.all(
        Array.from({ length: 10 }, () => browser.request(form.action, { method: 'POST', body })),
      );
      assert.ok(
        results.every((r) => r.status === 303),
        results.map((r) => r.status).join(),
      );
      const toCallback = results.filter((r) => (r.headers.get('location') ?? '').includes('/oidc/auth/'));
      const backToPage = results.filter((r) => (r.headers.get('location') ?? '').includes('/interaction/'));
      assert.ok(toCallback.length >= 1);
      assert.equal(toCallback.length + backToPage.length, 10);
      const successes = await server.services.audit.query({ event: 'login.succeeded', username: 'carol' });
      assert.equal(successes.total, 1);
    });

    test('an expired login transaction shows a clear page, not an error', async () => {
      const { browser, page } = await loginPage();
      const form = Browser.form(page);
      const uid = new URL(form.action).pathname.split('/').pop()!;
      const record = await server.services.state.get<Record<string, unknown>>(`login:${uid}`);
      await server.services.state.replace(
        `login:${uid}`,
        record!.version,
        { ...record!.value, expiresAt: Date.now() - 1 },
        60_000,
      );
      const res = await browser.submit(form, { username: 'dave', password: PASSWORD });
      assert.equal(res.status, 410);
      assert.match(res.html, /expired/);
      assert.doesNotMatch(res.html, /at \w+ \(|Error:/);
    });

    test('malformed, missing, oversized and CSRF-less posts get a clear 4xx page', async () => {
      const { browser, page } = await loginPage();
      const form = Browser.form(page);
      const post = (body: string, type = 'application/x-www-form-urlencoded') =>
        browser.request(form.action, {
          method: 'POST',
          body: body as unknown as URLSearchParams,
          headers: { 'content-type': type },
        });
      const noCsrf = await browser.request(form.action, {
        method: 'POST',
        body: new URLSearchParams({ username: 'dave', password: PASSWORD }),
      });
      assert.equal(noCsrf.status, 403);
      assert.match(noCsrf.html, /security token/);
      const wrongCsrf = await browser.request(form.action, {
        method: 'POST',
        body: new URLSearchParams({ ...form.fields, csrf: 'x'.repeat(64), username: 'dave', password: PASSWORD }),
      });
      assert.equal(wrongCsrf.status, 403);
      const missing = await browser.request(form.action, {
        method: 'POST',
        body: new URLSearchParams({ csrf: form.fields.csrf!, step: '0' }),
      });
      assert.equal(missing.status, 400);
      assert.match(missing.html, /Enter your username and password/);
      const twice = await post(`csrf=${form.fields.csrf}&username=a&username=b&password=x`);
      assert.equal(twice.status, 400);
      const huge = await browser.request(form.action, {
        method: 'POST',
        body: new URLSearchParams({ ...form.fields, username: 'dave', password: 'x'.repeat(64 * 1024) }),
      });
      assert.equal(huge.status, 413);
      const json = await post('{"username":"dave"}', 'application/json');
      assert.equal(json.status, 415);
      const garbage = await post('%%%&&&===', 'application/x-www-form-urlencoded');
      // a body that parses to nothing has no CSRF token either, and is refused for that
      assert.equal(garbage.status, 403);
      assert.equal(messageIdOf(garbage), 'login.csrf');
      for (const r of [noCsrf, wrongCsrf, missing, twice, huge, json, garbage]) {
        assert.match(r.headers.get('content-type') ?? '', /text\/html/);
        assert.doesNotMatch(r.html, / {4}at |node_modules|Error:/);
      }
      // the login still works afterwards
      const ok = await browser.submit(form, { username: 'dave', password: PASSWORD }, (u) => u.startsWith(REDIRECT));
      assert.ok(ok.url.startsWith(REDIRECT));
    });

    test('an unknown interaction and a bad authorization request show clear pages', async () => {
      const b = new Browser();
      const unknown = await b.go(`${server.url}/interaction/does-not-exist`);
      assert.equal(unknown.status, 410);
      const bad = await b.go(
        `${server.url}/oidc/auth?client_id=nobody&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(REDIRECT)}`,
      );
      assert.equal(bad.status, 400);
      assert.match(bad.html, /invalid login request/);
    });
  });
}

describe('password hashing upgrades', () => {
  test('a hash made with older parameters is replaced at the next successful login', async () => {
    const server = await startStepgate({ overrides: { 'argon2.memoryKiB': 8192, 'argon2.iterations': 1 } });
    try {
      const s = server.services;
      const { createPasswordHasher } = await import('../../src/identity/passwords.js');
      const old = createPasswordHasher({ memoryKiB: 9216, iterations: 1, parallelism: 1 });
      const u = await createUser(s.db, old, { username: 'erin', password: PASSWORD });
      const before = await getPasswordHash(s.db, u.id);
      assert.match(before!, /m=9216/);
      const created = await s.applications.create({ name: 'App2', redirectUris: [REDIRECT] });
      const rp = await relyingParty(server.url, created.application.clientId, created.clientSecret, REDIRECT);
      const b = new Browser();
      const page = await b.go(rp.begin().url);
      const done = await b.submit(Browser.form(page), { username: 'erin', password: PASSWORD }, (x) =>
        x.startsWith(REDIRECT),
      );
      assert.ok(done.url.startsWith(REDIRECT));
      assert.match((await getPasswordHash(s.db, u.id))!, /m=8192,t=1,p=1/);
    } finally {
      await server.stop();
    }
  });
});

for (const { name, redis, skip } of variants({ redis: true }).filter((v) => v.name !== 'postgres')) {
  // the throttle counts in process memory without Redis and in Redis with it: both are the real configurations
  suiteNeeding(skip, `login throttling per client address (${redis ? 'Redis' : 'one node'}, ${name})`, () => {
    test('past the per-minute budget a form post gets a clear 429 page', async () => {
      const server = await startStepgate({ overrides: { 'loginRateLimit.postsPerMinute': 3 }, redis });
      try {
        const s = server.services;
        const created = await s.applications.create({ name: 'Throttled', redirectUris: [REDIRECT] });
        const rp = await relyingParty(server.url, created.application.clientId, created.clientSecret, REDIRECT);
        const b = new Browser();
        const page = await b.go(rp.begin().url);
        const form = Browser.form(page);
        const statuses: number[] = [];
        for (let i = 0; i < 5; i++) {
          const r = await b.request(form.action, {
            method: 'POST',
            body: new URLSearchParams({ ...form.fields, username: `nobody${i}`, password: 'wrong password' }),
          });
          statuses.push(r.status);
          if (r.status === 429) {
            assert.match(r.html, /Too many requests from your network/);
            assert.match(r.headers.get('content-type') ?? '', /text\/html/);
          }
        }
        assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
      } finally {
        await server.stop();
      }
    });
  });
}
