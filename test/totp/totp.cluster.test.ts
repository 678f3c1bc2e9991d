/**
 * TOTP on two nodes behind one public URL (each request sent to the node the test picks): a code used on one node is
 * refused on the other, also when two logins submit it at the same moment on both (exactly one passes); one login's
 * wrong codes are counted together whichever node takes them; the account lock is shared. On PostgreSQL with Redis
 * (cluster mode), and on one SQLite file shared by two nodes with the SQL state store.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import { after, before, describe, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { createUser, getUserById } from '../../src/identity/users.js';
import { type Backend, postgresBackend, skipPostgres, skipRedis, sqliteBackend } from '../support/backends.js';
import { Browser, type Page } from '../support/browser.js';
import { type RelyingParty, relyingParty } from '../support/rp.js';
import type { TestServer } from '../support/server.js';
import { startTwoNodes, type TwoNodes } from '../support/two-nodes.js';
import { messageIdOf, PASSWORD_STEP, REDIRECT, TOTP_STEP } from './support/fixture.js';
import { base32Encode, oneDigitOff, totp } from './support/rfc6238.js';

const PASSWORD = 'totp cluster password 1';

const variants: { name: string; backend: Backend; redis: boolean; skip: string | false }[] = [
  { name: 'PostgreSQL and Redis', backend: postgresBackend, redis: true, skip: skipPostgres || skipRedis },
  { name: 'one SQLite file, SQL state store', backend: sqliteBackend, redis: false, skip: false },
];

for (const variant of variants) {
  describe(`TOTP across two nodes: ${variant.name}`, { skip: variant.skip }, () => {
    let nodes: TwoNodes;
    let a: TestServer;
    let b: TestServer;
    let rp: RelyingParty;
    let users = 0;

    before(async () => {
      nodes = await startTwoNodes({
        backend: variant.backend,
        redis: variant.redis,
        overrides: { totp: { maxWrongCodesPerLogin: 3 } },
      });
      ({ a, b } = nodes);
      const app = await a.services.applications.create({
        name: 'TOTP app',
        redirectUris: [REDIRECT],
        subjectClaimUri: ClaimUri.username,
        steps: [PASSWORD_STEP, TOTP_STEP],
      });
      rp = await relyingParty(nodes.publicUrl, app.application.clientId, app.clientSecret, REDIRECT);
    });
    after(async () => {
      await nodes?.stop();
    });

    async function user(): Promise<{ id: string; username: string; secret: string }> {
      const username = `node${++users}`;
      const created = await createUser(a.services.db, a.services.hasher, {
        username,
        password: PASSWORD,
        claims: { [ClaimUri.mobile]: `+9477600000${users}` },
      });
      const secret = base32Encode(randomBytes(20));
      await a.services.totpCredentials.add(created.id, { secret, label: 'app', digits: 6, period: 30 }, 0, Date.now());
      return { id: created.id, username, secret };
    }

    /** A login through the front up to the code page, on the node given. */
    async function codePage(node: TestServer, username: string) {
      nodes.pick(node);
      const browser = new Browser();
      const started = rp.begin();
      const first = await browser.go(started.url);
      const page = await browser.submit(Browser.form(first), { username, password: PASSWORD }, (u) =>
        u.startsWith(REDIRECT),
      );
      assert.match(page.html, /id="totp-verify"/, `expected the code page: ${page.status}`);
      return { browser, page, started };
    }

    const submit = (login: { browser: Browser; page: Page }, code: string) =>
      login.browser.submit(Browser.form(login.page, 'totp-verify'), { code }, (u) => u.startsWith(REDIRECT));

    test('a code used on node A is refused on node B', async () => {
      const u = await user();
      const code = totp(u.secret);
      const onA = await codePage(a, u.username);
      const passed = await submit(onA, code);
      assert.ok(passed.url.startsWith(REDIRECT), 'passes on A');
      const tokens = await rp.finish(passed.url, onA.started);
      assert.deepEqual(tokens.claims()?.amr, ['pwd', 'otp', 'mfa']);
      const onB = await codePage(b, u.username);
      const replay = await submit(onB, code);
      assert.equal(replay.status, 401);
      assert.equal(messageIdOf(replay), 'totp.code-used');
    });

    test('one code submitted by two logins at once, one on each node: exactly one passes', async () => {
      for (let round = 0; round < 3; round++) {
        const u = await user();
        const onA = await codePage(a, u.username);
        const onB = await codePage(b, u.username);
        const code = totp(u.secret);
        // each post names its node, so the two really run side by side, one on each
        const post = (login: { browser: Browser; page: Page }, node: TestServer) => {
          const form = Browser.form(login.page, 'totp-verify');
          const body = new URLSearchParams({ ...form.fields, code });
          const headers = { 'x-node-port': new URL(node.app.listeningOrigin).port };
          return login.browser.go(form.action, { method: 'POST', body, headers }, (x) => x.startsWith(REDIRECT));
        };
        const results = await Promise.all([post(onA, a), post(onB, b)]);
        const passed = results.filter((p) => p.url.startsWith(REDIRECT));
        assert.equal(passed.length, 1, `round ${round}: ${results.map((p) => `${p.status} ${messageIdOf(p)}`)}`);
        assert.equal(messageIdOf(results.find((p) => !p.url.startsWith(REDIRECT))!), 'totp.code-used');
      }
    });

    test('30 wrong codes posted at once to one login, on both nodes: at most 3 are compared, the account is not locked', async () => {
      const u = await user();
      const login = await codePage(a, u.username);
      const form = Browser.form(login.page, 'totp-verify');
      const wrong = oneDigitOff(totp(u.secret, { steps: 5 }));
      const posts = Array.from({ length: 30 }, (_, i) => {
        const node = i % 2 ? a : b;
        const headers = { 'x-node-port': new URL(node.app.listeningOrigin).port };
        const body = new URLSearchParams({ ...form.fields, code: wrong });
        return login.browser.go(form.action, { method: 'POST', body, headers }, (x) => x.startsWith(REDIRECT));
      });
      const pages = await Promise.all(posts);
      assert.ok(pages.every((p) => p.status < 500 && !p.url.startsWith(REDIRECT)));
      const compared = (await a.services.audit.query({ event: 'totp.failed', limit: 500 })).events.filter(
        (e) => e.username === u.username && e.data.evaluated === true,
      );
      assert.ok(compared.length <= 3, `compared ${compared.length} codes`);
      const after = await getUserById(b.services.db, u.id);
      assert.ok((after?.failedOtpCount ?? 0) <= 3, `counted ${after?.failedOtpCount}`);
      assert.equal(after?.lockedUntil ?? null, null, 'not locked by one login');
    });

    test("one login's wrong codes count together on both nodes; the lock is seen by both", async () => {
      const u = await user();
      const wrong = oneDigitOff(totp(u.secret, { steps: 5 }));
      const login = await codePage(a, u.username);
      assert.equal((await submit(login, wrong)).status, 401, 'first wrong code on A');
      nodes.pick(b);
      login.page = await submit(login, wrong);
      assert.equal(login.page.status, 401, 'second on B');
      nodes.pick(a);
      const third = await submit(login, wrong);
      assert.equal(third.status, 403, 'the third, on A again, ends the login');
      assert.equal(messageIdOf(third), 'totp.too-many-attempts');
      const second = await codePage(b, u.username);
      assert.equal((await submit(second, wrong)).status, 401);
      nodes.pick(a);
      const locking = await submit(second, wrong);
      assert.equal(messageIdOf(locking), 'totp.locked', 'the fifth wrong code of the account locks it');
      const seen = await getUserById(b.services.db, u.id);
      assert.ok(seen?.lockedUntil && seen.lockedUntil > Date.now(), 'node B sees the lock');
    });
  });
}
