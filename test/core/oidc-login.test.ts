/** The core login through real interfaces: Stepgate on a loopback port, openid-client as the relying party. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import type { Authenticator } from '../../src/authn/authenticator.js';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { createUser } from '../../src/identity/users.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import { relyingParty } from '../support/rp.js';
import { startStepgate, type TestServer } from '../support/server.js';

const REDIRECT = 'http://127.0.0.1:1/callback';

/** A second step registered by the test: asks for a fixed word, as a stand-in for any second factor. */
const wordStep: Authenticator = {
  descriptor: {
    id: 'test-word',
    displayName: 'Test word',
    kind: 'local',
    amr: ['otp'],
    requiresUser: true,
    messages: { 'word.wrong': 'Wrong word.' },
  },
  readConfig: () => ({}),
  async begin() {
    return { kind: 'prompt', page: 'password', data: { username: 'second-step' } };
  },
  async continue(ctx, input) {
    if (input.password === 'open sesame' && ctx.user) return { kind: 'success', user: ctx.user };
    return { kind: 'reprompt', reason: 'invalid-code', message: 'word.wrong' };
  },
};

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `OIDC login on ${backend.name}`, () => {
    let server: TestServer;
    let clientSecret: string;
    let clientId: string;

    before(async () => {
      server = await startStepgate({ backend, extraAuthenticators: () => [wordStep] });
      const s = server.services;
      await createUser(s.db, s.hasher, {
        username: 'admin',
        password: 'correct horse battery',
        claims: {
          [ClaimUri.mobile]: '+94771234567',
          [ClaimUri.email]: 'admin@example.com',
          [ClaimUri.givenName]: 'Ada',
        },
      });
      const created = await s.applications.create({
        name: 'Pickup Dispatch',
        redirectUris: [REDIRECT],
        postLogoutRedirectUris: ['http://127.0.0.1:1/'],
        subjectClaimUri: ClaimUri.mobile,
        requestedClaims: [ClaimUri.mobile, ClaimUri.email, ClaimUri.givenName],
        steps: [{ options: [{ authenticator: 'password' }] }, { options: [{ authenticator: 'test-word' }] }],
      });
      clientId = created.application.clientId;
      clientSecret = created.clientSecret!;
    });
    after(() => server.stop());

    test('two steps: no code before step 2, then sub = mobile, claims and amr in the ID token, userinfo, refresh, logout', async () => {
      const rp = await relyingParty(server.url, clientId, clientSecret, REDIRECT);
      const started = rp.begin();
      const browser = new Browser();
      let page = await browser.go(started.url);
      assert.equal(page.status, 200);
      assert.match(page.html, /name="username"/);
      assert.match(page.html, /Pickup Dispatch/);
      page = await browser.submit(Browser.form(page), { username: 'admin', password: 'correct horse battery' }, (u) =>
        u.startsWith(REDIRECT),
      );
      // after the password, still on a Stepgate page: no redirect with a code yet
      assert.notEqual(page.status, 0, 'a code was issued after step 1 alone');
      assert.match(page.html, /second-step/);
      // no OP session exists yet: a silent authorization request in the same browser is told to log in
      const probe = rp.begin({ prompt: 'none' });
      const silent = await browser.go(probe.url, {}, (u) => u.startsWith(REDIRECT));
      assert.equal(
        new URL(silent.url).searchParams.get('error'),
        'login_required',
        'an OP session existed after step 1',
      );
      page = await browser.submit(Browser.form(page), { password: 'nope' });
      assert.equal(page.status, 400);
      assert.match(page.html, /Wrong word/);
      const done = await browser.submit(Browser.form(page), { password: 'open sesame' }, (u) => u.startsWith(REDIRECT));
      assert.ok(done.url.startsWith(REDIRECT), 'did not come back with a code');
      const tokens = await rp.finish(done.url, started);
      const claims = tokens.claims()!;
      assert.equal(claims.sub, '+94771234567');
      assert.deepEqual([...(claims.amr as string[])].sort(), ['mfa', 'otp', 'pwd']);
      assert.equal(claims.acr, 'urn:stepgate:acr:2fa');
      assert.equal(claims.phone_number, '+94771234567');
      assert.equal(claims.email, 'admin@example.com');
      assert.equal(claims.given_name, 'Ada');
      const info = await oidc.fetchUserInfo(rp.config, tokens.access_token, claims.sub);
      assert.equal(info.phone_number, '+94771234567');
      assert.ok(tokens.refresh_token, 'no refresh token');
      const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
      assert.ok(refreshed.access_token);
      const logoutUrl = oidc.buildEndSessionUrl(rp.config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: 'http://127.0.0.1:1/',
      });
      const out = await browser.go(logoutUrl.toString());
      assert.equal(out.status, 200);
      const form = Browser.form(out, 'logout');
      const back = await browser.submit(form, { logout: 'yes' }, (u) => u.startsWith('http://127.0.0.1:1/'));
      assert.equal(back.url.startsWith('http://127.0.0.1:1/'), true);
    });

    test('a locked account gets no new tokens from an earlier login (refresh token)', async () => {
      const s = server.services;
      const rp = await relyingParty(server.url, clientId, clientSecret, REDIRECT);
      const started = rp.begin();
      const browser = new Browser();
      const page = await browser.go(started.url);
      const second = await browser.submit(Browser.form(page), { username: 'admin', password: 'correct horse battery' });
      const done = await browser.submit(Browser.form(second), { password: 'open sesame' }, (u) =>
        u.startsWith(REDIRECT),
      );
      const tokens = await rp.finish(done.url, started);
      const admin = (
        await s.db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow()
      ).id;
      await s.db
        .updateTable('users')
        .set({ locked_until: Date.now() + 60_000 })
        .where('id', '=', admin)
        .execute();
      await assert.rejects(
        oidc.refreshTokenGrant(rp.config, tokens.refresh_token!),
        (e: { error?: string }) => e.error === 'invalid_grant',
      );
      await s.db.updateTable('users').set({ locked_until: null }).where('id', '=', admin).execute();
    });

    test('a wrong password and an unknown user get the same page and status', async () => {
      const rp = await relyingParty(server.url, clientId, clientSecret, REDIRECT);
      const wrong = async (username: string) => {
        const b = new Browser();
        const p = await b.go(rp.begin().url);
        return b.submit(Browser.form(p), { username, password: 'wrong password!' });
      };
      const a = await wrong('admin');
      const b = await wrong('nobody-here');
      assert.equal(a.status, 401);
      assert.equal(b.status, a.status);
      const text = (p: { html: string }) => /<div class="alert"[^>]*>([^<]*)</.exec(p.html)?.[1];
      assert.equal(text(a), 'The username or password is incorrect.');
      assert.equal(text(b), text(a));
    });
  });
}
