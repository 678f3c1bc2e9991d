/**
 * The protocol guards around a login, through openid-client: PKCE is required (no challenge, a plain challenge and a
 * verifier one character off are refused), and a client can introspect and revoke its own tokens.
 * (Introspection and revocation across clients are in the OIDC provider's own suite.)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { suiteNeeding, variants } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import type { RelyingParty } from '../support/rp.js';
import { passwordStep, REDIRECT, type SequenceFixture, startSequences, toCallback } from './support.js';

/** The callback of an authorization request sent as is, after the password step if one is shown. */
async function authorize(rp: RelyingParty, params: Record<string, string>, username: string): Promise<URL> {
  const url = new URL(rp.config.serverMetadata().authorization_endpoint!);
  for (const [k, v] of Object.entries({
    client_id: rp.config.clientMetadata().client_id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid',
    state: 'state-1',
    ...params,
  }))
    url.searchParams.set(k, v);
  const browser = new Browser();
  let page = await browser.go(url.toString(), {}, toCallback);
  if (page.status !== 0 && /name="password"/.test(page.html))
    page = await browser.submit(Browser.form(page), { username, password: 'correct horse battery' }, toCallback);
  assert.equal(
    page.status,
    0,
    `expected a redirect to the application, got ${page.status}: ${page.html.slice(0, 300)}`,
  );
  return new URL(page.url);
}

/** The verifier with its last character replaced. */
const offByOne = (v: string) => v.slice(0, -1) + (v.at(-1) === 'A' ? 'B' : 'A');

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `PKCE, introspection and revocation on ${backend.name}`, () => {
    let f: SequenceFixture;
    let rp: RelyingParty;
    before(async () => {
      f = await startSequences(backend);
      await f.addUser('pkce-user');
      rp = await f.rp('Password only');
    });
    after(() => f.stop());

    async function tokens() {
      const b = new Browser();
      const { page, started } = await passwordStep(rp, b, 'pkce-user');
      return rp.finish(page.url, started);
    }

    test('an authorization request without a code_challenge, or with the plain method, gets invalid_request and no code', async () => {
      const without = await authorize(rp, {}, 'pkce-user');
      assert.equal(without.searchParams.get('error'), 'invalid_request');
      assert.match(without.searchParams.get('error_description') ?? '', /PKCE/);
      assert.equal(without.searchParams.get('code'), null);
      assert.equal(without.searchParams.get('state'), 'state-1');

      const verifier = oidc.randomPKCECodeVerifier();
      const plain = await authorize(rp, { code_challenge: verifier, code_challenge_method: 'plain' }, 'pkce-user');
      assert.equal(plain.searchParams.get('error'), 'invalid_request');
      assert.equal(plain.searchParams.get('code'), null);

      // the near miss: the same request with an S256 challenge gets a code
      const s256 = await authorize(
        rp,
        { code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' },
        'pkce-user',
      );
      assert.equal(s256.searchParams.get('error'), null);
      assert.match(s256.searchParams.get('code') ?? '', /.{20,}/);
    });

    test('a code redeemed with a verifier one character off, or with none, gets invalid_grant', async () => {
      for (const verifierOf of [offByOne, () => undefined]) {
        const b = new Browser();
        const { page, started } = await passwordStep(rp, b, 'pkce-user');
        const wrong = verifierOf(started.verifier);
        await assert.rejects(
          oidc.authorizationCodeGrant(rp.config, new URL(page.url), {
            ...(wrong ? { pkceCodeVerifier: wrong } : {}),
            expectedState: started.state,
            expectedNonce: started.nonce,
          }),
          (e: { error?: string }) => {
            assert.equal(e.error, 'invalid_grant', String(e));
            return true;
          },
        );
      }
      // the near miss: the exact verifier redeems a fresh code
      const ok = await tokens();
      assert.ok(ok.access_token);
    });

    test('a client introspects its own tokens; revoking the access token and the refresh token ends each of them', async () => {
      const first = await tokens();
      const second = await tokens();
      const access = await oidc.tokenIntrospection(rp.config, first.access_token);
      assert.equal(access.active, true);
      assert.equal(access.client_id, rp.config.clientMetadata().client_id);
      assert.equal(access.sub, 'pkce-user');
      assert.match(String(access.scope), /\bopenid\b/);
      const refresh = await oidc.tokenIntrospection(rp.config, first.refresh_token!);
      assert.equal(refresh.active, true);
      assert.equal((await oidc.tokenIntrospection(rp.config, `${first.access_token}x`)).active, false);

      await oidc.tokenRevocation(rp.config, first.access_token);
      assert.equal((await oidc.tokenIntrospection(rp.config, first.access_token)).active, false);
      await assert.rejects(oidc.fetchUserInfo(rp.config, first.access_token, 'pkce-user'), (e: { status?: number }) => {
        assert.equal(e.status, 401);
        return true;
      });

      await oidc.tokenRevocation(rp.config, first.refresh_token!);
      assert.equal((await oidc.tokenIntrospection(rp.config, first.refresh_token!)).active, false);
      await assert.rejects(oidc.refreshTokenGrant(rp.config, first.refresh_token!), (e: { error?: string }) => {
        assert.equal(e.error, 'invalid_grant');
        return true;
      });

      // the other login's tokens are untouched
      assert.equal((await oidc.tokenIntrospection(rp.config, second.access_token)).active, true);
      const info = await oidc.fetchUserInfo(rp.config, second.access_token, 'pkce-user');
      assert.equal(info.sub, 'pkce-user');
      const refreshed = await oidc.refreshTokenGrant(rp.config, second.refresh_token!);
      assert.ok(refreshed.access_token);
    });
  });
}
