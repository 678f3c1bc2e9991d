/**
 * My Account's Sessions page over real HTTP, on SQLite, PostgreSQL and Redis state: an application session made by
 * a real OIDC login (openid-client) is listed with its device, address and time; revoking it really ends it (its
 * refresh token stops working), another user's session cannot be revoked, and "End every session" ends them all.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { ensureAccountApplication } from '../../src/account/account-app.js';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { forEachBackend } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import { type AccountFixture, noticeOf, post, startAccount } from './support/fixture.js';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

forEachBackend(
  'My Account sessions',
  (backend, variant) => {
    let f: AccountFixture;
    before(async () => {
      f = await startAccount({ backend, redis: variant.redis });
    });
    after(async () => f?.stop());

    /** A full login to Pickup Dispatch (password, SMS code) from a browser with a user agent; its tokens. */
    async function appLogin(username: string) {
      const login = await f.startLogin(username);
      const started = login.started;
      const callback = await f.submitCode(login, f.sms.lastCode());
      const tokens = await f.rp.finish(callback.url, started);
      assert.ok(tokens.refresh_token, 'a refresh token');
      return tokens;
    }

    const refresh = (token: string) => oidc.refreshTokenGrant(f.rp.config, token);

    test('first sign-ins at once all start: one creates the My Account application, the others find it', async () => {
      const s = f.server.services;
      const made = await Promise.all(
        Array.from({ length: 5 }, () => ensureAccountApplication(s.applications, s.identityProviders, f.server.url)),
      );
      assert.equal(new Set(made.map((a) => a.id)).size, 1, 'one application');
      const [a, b] = await Promise.all([
        new Browser().request(`${f.server.url}/account/login`),
        new Browser().request(`${f.server.url}/account/login`),
      ]);
      assert.deepEqual([a.status, b.status], [303, 303]);
      assert.equal((await s.applications.list()).filter((x) => x.clientId === 'stepgate-account').length, 1);
    });

    test('a session of an application is listed with device, address and time; revoking it kills its refresh token', async () => {
      await f.addUser('sam', { [ClaimUri.mobile]: '+94771110001' });
      // the application login's browser names its device (the fixture's Browser sends no user agent: set one)
      const original = globalThis.fetch;
      globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) =>
        original(input, {
          ...init,
          headers: { ...(init?.headers as Record<string, string>), 'user-agent': UA },
        })) as typeof fetch;
      let tokens: Awaited<ReturnType<typeof appLogin>>;
      try {
        tokens = await appLogin('sam');
      } finally {
        globalThis.fetch = original;
      }
      const rotated = await refresh(tokens.refresh_token!);
      assert.ok(rotated.access_token, 'the refresh token works before the revoke');
      const { browser } = await f.signIn('sam');
      const page = await browser.go(`${f.server.url}/account/sessions`);
      assert.equal(page.status, 200);
      const rows = [...page.html.matchAll(/data-uid="([^"]+)"/g)].map((m) => m[1]!);
      assert.equal(rows.length, 1, page.html.slice(0, 2000));
      assert.match(page.html, /Pickup Dispatch/);
      assert.match(page.html, /Chrome on Linux · 127\.0\.0\.1/);
      assert.match(page.html, /Signed in \d{4}-\d\d-\d\d \d\d:\d\d UTC/);

      // the grant behind the tokens: an offline one would outlive the session, so revoking deletes it and its tokens
      const db = f.server.services.db;
      const samId = (await f.session(browser)).value.userId;
      const grants = (
        await db.selectFrom('oidc_models').select(['id', 'payload']).where('model', '=', 'Grant').execute()
      )
        .filter((g) => JSON.parse(g.payload).accountId === samId)
        .map((g) => g.id);
      assert.ok(grants.length > 0, 'a grant before the revoke');
      const revoked = await post(browser, page, `/account/sessions/${rows[0]}/revoke`);
      assert.equal(revoked.status, 303);
      const left = await db
        .selectFrom('oidc_models')
        .select('id')
        .where((eb) => eb.or([eb('id', 'in', grants), eb('grant_id', 'in', grants)]))
        .execute();
      assert.deepEqual(left, [], 'the grant and its tokens are deleted');
      await assert.rejects(refresh(rotated.refresh_token!), (e: Error) =>
        /invalid_grant|grant request is invalid/i.test(
          `${(e as { code?: string }).code} ${e.message} ${(e as { error?: string }).error}`,
        ),
      );
      const after = await browser.go(`${f.server.url}${revoked.headers.get('location')}`);
      assert.match(after.html, /id="no-sessions"/);
      assert.equal(noticeOf(after), 'account.done.session-revoked');
      const events = await f.events('account.session-revoked');
      assert.equal(events.filter((e) => e.username === 'sam').length, 1);
      const again = await post(browser, page, `/account/sessions/${rows[0]}/revoke`);
      assert.equal(again.status, 404, 'a session revoked twice is not found');
    });

    test("another user's session cannot be revoked; End every session ends all of the user's sessions", async () => {
      await f.addUser('tia', { [ClaimUri.mobile]: '+94771110002' });
      await f.addUser('uma', { [ClaimUri.mobile]: '+94771110003' });
      const tia1 = await appLogin('tia');
      const tia2 = await appLogin('tia');
      const uma = await appLogin('uma');
      const umaView = await f.signIn('uma');
      const umaPage = await umaView.browser.go(`${f.server.url}/account/sessions`);
      const umaUid = /data-uid="([^"]+)"/.exec(umaPage.html)![1]!;
      const tiaElsewhere = await f.signIn('tia');
      const tia = await f.signIn('tia');
      const tiaPage = await tia.browser.go(`${f.server.url}/account/sessions`);
      assert.equal([...tiaPage.html.matchAll(/data-uid="/g)].length, 2);
      const csrf = Browser.form(tiaPage, 'revoke-all').fields.csrf!;
      const foreign = await tia.browser.request(`${f.server.url}/account/sessions/${umaUid}/revoke`, {
        method: 'POST',
        body: new URLSearchParams({ csrf }),
      });
      assert.equal(foreign.status, 404);
      assert.ok((await refresh(uma.refresh_token!)).access_token, "uma's session lives on");
      const noCsrf = await tia.browser.request(`${f.server.url}/account/sessions/revoke-all`, {
        method: 'POST',
        body: new URLSearchParams({}),
      });
      assert.equal(noCsrf.status, 403);
      assert.ok((await refresh(tia1.refresh_token!)).access_token, 'nothing ended without the token');
      const all = await post(tia.browser, tiaPage, '/account/sessions/revoke-all');
      assert.equal(all.status, 303);
      await assert.rejects(refresh(tia2.refresh_token!));
      const ended = (await f.events('account.sessions-revoked')).find((e) => e.username === 'tia')!;
      assert.equal(ended.sessions, 2);
      const still = await tia.browser.go(`${f.server.url}/account/`);
      assert.equal(still.status, 200, 'this My Account browser stays signed in');
      const elsewhere = await tiaElsewhere.browser.request(`${f.server.url}/account/`);
      assert.equal(elsewhere.status, 303, 'My Account in another browser is signed out');
    });

    test('Sign out ends the My Account session: its cookie no longer opens the pages', async () => {
      await f.addUser('vic', { [ClaimUri.mobile]: '+94771110004' });
      const { browser, page } = await f.signIn('vic');
      const { key } = await f.session(browser);
      const out = await post(browser, page, '/account/logout');
      assert.equal(out.status, 200);
      assert.equal(await f.server.services.state.get(key), undefined, 'the session record is gone');
      assert.equal((await browser.request(`${f.server.url}/account/`)).status, 303);
    });
  },
  { redis: true },
);
