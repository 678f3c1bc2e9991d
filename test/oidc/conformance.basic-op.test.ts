/**
 * The OpenID Foundation's Basic OP certification plan (oidcc-basic-certification-test-plan, static client,
 * response_type=code, client_secret_basic; PKCE added because Stepgate requires it), one test per module, named by
 * the module. Each test asserts what that module checks, through openid-client and the real login pages.
 * Modules for features Stepgate does not offer (request objects, client_secret_post, unsigned ID tokens) check
 * what the suite then accepts: that the feature is not advertised and is refused cleanly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as oidc from 'openid-client';
import { OIDC_ROUTES } from '../../src/oidc/provider.js';
import { backends } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import {
  ALICE,
  authorizationUrl,
  authorize,
  callbackParams,
  configFor,
  jwtParts,
  loginTokens,
  type OidcFixture,
  OTHER_REDIRECT,
  postForm,
  REDIRECT,
  redeem,
  startOidcFixture,
  unsignedRequestObject,
  verifiesWith,
} from './support.js';

for (const backend of backends()) {
  describe(`Basic OP plan on ${backend.name}`, () => {
    let f: OidcFixture;
    let config: oidc.Configuration;
    let metadata: oidc.ServerMetadata;
    let jwks: { keys: { kid?: string; kty: string }[] };
    const route = (name: keyof typeof OIDC_ROUTES) => `${f.server.url}${OIDC_ROUTES[name]}`;

    before(async () => {
      f = await startOidcFixture(backend);
      config = await configFor(f.server, f.a);
      metadata = config.serverMetadata();
      jwks = (await (await fetch(metadata.jwks_uri!)).json()) as typeof jwks;
    });
    after(() => f.stop());

    const userinfo = (tokens: oidc.TokenEndpointResponse) =>
      oidc.fetchUserInfo(config, tokens.access_token, oidc.skipSubjectCheck);

    /** An authorization request that ends in an error at the redirect URI (no login page in between). */
    async function errorAtRedirect(extra: Record<string, string>, browser = new Browser()) {
      const started = await authorizationUrl(config, extra);
      const { callback, page } = await authorize(browser, started.url);
      assert.ok(callback, `no redirect back; the OP answered ${page?.status}: ${page?.html.slice(0, 300)}`);
      const params = callbackParams(callback);
      assert.equal(params.get('state'), started.state, 'the error response lost the state');
      assert.equal(params.get('code'), null, 'an error response carried a code');
      return params;
    }

    test('oidcc-server', async () => {
      const started = await authorizationUrl(config, { scope: 'openid' });
      const { callback, loginShown } = await authorize(new Browser(), started.url);
      assert.ok(loginShown, 'no login page before the code');
      assert.equal(callbackParams(callback).get('state'), started.state);
      assert.equal(callbackParams(callback).get('iss'), f.server.url);
      const tokens = await redeem(config, callback, started);
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      assert.ok(tokens.access_token);
      const claims = tokens.claims()!;
      assert.equal(claims.iss, f.server.url);
      assert.equal(claims.aud, f.a.clientId);
      assert.equal(claims.nonce, started.nonce);
      assert.equal(claims.sub, ALICE.mobile);
      const now = Math.floor(Date.now() / 1000);
      assert.ok(claims.iat <= now + 5 && claims.iat > now - 60, `iat ${claims.iat}`);
      assert.ok(claims.exp > now, 'the ID token has expired already');
      assert.ok(verifiesWith(tokens.id_token!, jwks.keys), 'the ID token signature does not verify');
    });

    test('oidcc-response-type-missing', async () => {
      const started = await authorizationUrl(config);
      const url = new URL(started.url);
      url.searchParams.delete('response_type');
      const browser = new Browser();
      const page = await browser.go(url.toString(), {}, (u) => u.startsWith(REDIRECT));
      assert.equal(page.status, 0, 'a request without response_type was not answered at the redirect URI');
      const back = callbackParams(page.url);
      assert.equal(back.get('error'), 'invalid_request');
      assert.match(back.get('error_description') ?? '', /response_type/);
      assert.equal(back.get('code'), null);
    });

    test('oidcc-idtoken-signature', async () => {
      const { tokens } = await loginTokens(config);
      const { header } = jwtParts(tokens.id_token!);
      assert.equal(header.alg, 'RS256');
      assert.ok(header.kid, 'the ID token names no key');
      assert.ok(jwks.keys.some((k) => k.kid === header.kid));
      assert.ok(verifiesWith(tokens.id_token!, jwks.keys));
      // a near miss: one flipped character of the signature must not verify
      const [h, p, s] = tokens.id_token!.split('.');
      const flipped = `${s!.slice(0, 10)}${s![10] === 'A' ? 'B' : 'A'}${s!.slice(11)}`;
      assert.equal(verifiesWith(`${h}.${p}.${flipped}`, jwks.keys), false);
    });

    test('oidcc-idtoken-unsigned', async () => {
      // the module needs a client registered for id_token_signed_response_alg=none; the OP does not offer it
      assert.ok(!metadata.id_token_signing_alg_values_supported?.includes('none'));
      const { tokens } = await loginTokens(config);
      assert.notEqual(jwtParts(tokens.id_token!).header.alg, 'none');
    });

    test('oidcc-userinfo-get', async () => {
      const { tokens } = await loginTokens(config);
      const info = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
      assert.equal(info.sub, ALICE.mobile);
      // a near miss: a token one character off is refused (the last character changed, never replaced by itself)
      const offByOne = `${tokens.access_token.slice(0, -1)}${tokens.access_token.endsWith('x') ? 'y' : 'x'}`;
      assert.notEqual(offByOne, tokens.access_token);
      await assert.rejects(
        oidc.fetchUserInfo(config, offByOne, oidc.skipSubjectCheck),
        (e: { status?: number }) => e.status === 401,
      );
    });

    test('oidcc-userinfo-post-header', async () => {
      const { tokens } = await loginTokens(config);
      const res = await fetch(metadata.userinfo_endpoint!, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { sub: string }).sub, tokens.claims()!.sub);
    });

    test('oidcc-userinfo-post-body', async () => {
      const { tokens } = await loginTokens(config);
      const res = await fetch(metadata.userinfo_endpoint!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ access_token: tokens.access_token }),
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { sub: string }).sub, tokens.claims()!.sub);
    });

    test('oidcc-ensure-request-without-nonce-succeeds-for-code-flow', async () => {
      const started = await authorizationUrl(config, {}, { nonce: null });
      assert.ok(!new URL(started.url).searchParams.has('nonce'));
      const { callback } = await authorize(new Browser(), started.url);
      const tokens = await redeem(config, callback, started);
      assert.equal(tokens.claims()!.nonce, undefined);
      assert.equal(tokens.claims()!.sub, ALICE.mobile);
    });

    const scopeModules: [string, string, Record<string, string>][] = [
      [
        'oidcc-scope-profile',
        'openid profile',
        { given_name: ALICE.givenName, family_name: ALICE.lastName, preferred_username: ALICE.username },
      ],
      ['oidcc-scope-email', 'openid email', { email: ALICE.email }],
      ['oidcc-scope-phone', 'openid phone', { phone_number: ALICE.mobile }],
      [
        'oidcc-scope-all',
        'openid profile email address phone',
        { given_name: ALICE.givenName, email: ALICE.email, phone_number: ALICE.mobile },
      ],
    ];
    for (const [name, scope, expected] of scopeModules) {
      test(name, async () => {
        const { tokens } = await loginTokens(config, new Browser(), { scope });
        const info = await userinfo(tokens);
        for (const [claim, value] of Object.entries(expected)) assert.equal(info[claim], value, claim);
        // claims of scopes that were not asked for stay out
        if (!scope.includes('email')) assert.equal(info.email, undefined);
        if (!scope.includes('phone')) assert.equal(info.phone_number, undefined);
      });
    }

    test('oidcc-scope-address', async () => {
      // Stepgate keeps no postal address: the scope is not advertised, and asking for it is no error
      assert.ok(!metadata.scopes_supported?.includes('address'));
      const { tokens } = await loginTokens(config, new Browser(), { scope: 'openid address' });
      const info = await userinfo(tokens);
      assert.equal(info.address, undefined);
      assert.equal(info.sub, ALICE.mobile);
    });

    test('oidcc-ensure-other-scope-order-succeeds', async () => {
      const { tokens } = await loginTokens(config, new Browser(), { scope: 'email openid' });
      assert.equal((await userinfo(tokens)).email, ALICE.email);
    });

    for (const display of ['page', 'popup'])
      test(`oidcc-display-${display}`, async () => {
        const { tokens } = await loginTokens(config, new Browser(), { display });
        assert.equal(tokens.claims()!.sub, ALICE.mobile);
      });

    test('oidcc-prompt-login', async () => {
      const browser = new Browser();
      // max_age (long) makes both ID tokens carry auth_time (Core 1.0 §2), so the new login can be seen in it
      const first = await loginTokens(config, browser, { max_age: '10000' });
      await sleep(1100);
      const started = await authorizationUrl(config, { prompt: 'login', max_age: '10000' });
      const again = await authorize(browser, started.url);
      assert.ok(again.loginShown, 'prompt=login reused the session without a login page');
      const second = await redeem(config, again.callback, started);
      assert.ok(Number(second.claims()!.auth_time) > Number(first.tokens.claims()!.auth_time), 'auth_time is not new');
      assert.equal(second.claims()!.sub, first.tokens.claims()!.sub);
    });

    test('oidcc-prompt-none-not-logged-in', async () => {
      const params = await errorAtRedirect({ prompt: 'none' });
      assert.equal(params.get('error'), 'login_required');
    });

    test('oidcc-prompt-none-logged-in', async () => {
      const browser = new Browser();
      const first = await loginTokens(config, browser);
      const started = await authorizationUrl(config, { prompt: 'none' });
      const again = await authorize(browser, started.url);
      assert.equal(again.loginShown, false);
      const second = await redeem(config, again.callback, started);
      assert.equal(second.claims()!.sub, first.tokens.claims()!.sub);
    });

    test('oidcc-max-age-1', async () => {
      const browser = new Browser();
      const first = await loginTokens(config, browser, { max_age: '10000' });
      await sleep(2100);
      const started = await authorizationUrl(config, { max_age: '1' });
      const again = await authorize(browser, started.url);
      assert.ok(again.loginShown, 'a session older than max_age was reused');
      const second = await redeem(config, again.callback, started);
      assert.ok(second.claims()!.auth_time, 'no auth_time although max_age was sent');
      assert.ok(Number(second.claims()!.auth_time) > Number(first.tokens.claims()!.auth_time));
    });

    test('oidcc-max-age-10000', async () => {
      const browser = new Browser();
      const first = await loginTokens(config, browser, { max_age: '10000' });
      const started = await authorizationUrl(config, { max_age: '10000' });
      const again = await authorize(browser, started.url);
      assert.equal(again.loginShown, false, 'a fresh session was not reused');
      const second = await redeem(config, again.callback, started);
      assert.ok(second.claims()!.auth_time);
      assert.equal(second.claims()!.auth_time, first.tokens.claims()!.auth_time);
    });

    test('oidcc-ensure-request-with-unknown-parameter-succeeds', async () => {
      const { tokens } = await loginTokens(config, new Browser(), { extra_unknown_parameter: 'ignored' });
      assert.equal(tokens.claims()!.sub, ALICE.mobile);
    });

    test('oidcc-id-token-hint', async () => {
      const browser = new Browser();
      const first = await loginTokens(config, browser);
      const started = await authorizationUrl(config, { prompt: 'none', id_token_hint: first.tokens.id_token! });
      const again = await authorize(browser, started.url);
      assert.equal(again.loginShown, false);
      const second = await redeem(config, again.callback, started);
      assert.equal(second.claims()!.sub, first.tokens.claims()!.sub);
      // a hint whose signature is one character off is refused
      const [h, p, s] = first.tokens.id_token!.split('.');
      const forged = `${h}.${p}.${s!.slice(0, 5)}${s![5] === 'A' ? 'B' : 'A'}${s!.slice(6)}`;
      const refused = await errorAtRedirect({ prompt: 'none', id_token_hint: forged }, browser);
      assert.equal(refused.get('error'), 'invalid_request');
    });

    test('oidcc-login-hint', async () => {
      const { tokens } = await loginTokens(config, new Browser(), { login_hint: ALICE.username });
      assert.equal(tokens.claims()!.sub, ALICE.mobile);
    });

    test('oidcc-ui-locales', async () => {
      const { tokens } = await loginTokens(config, new Browser(), { ui_locales: 'se' });
      assert.equal(tokens.claims()!.sub, ALICE.mobile);
    });

    test('oidcc-claims-locales', async () => {
      const { tokens } = await loginTokens(config, new Browser(), { claims_locales: 'se' });
      assert.equal(tokens.claims()!.sub, ALICE.mobile);
    });

    test('oidcc-ensure-request-with-acr-values-succeeds', async () => {
      // the suite sends values the OP does not know; acr_values is a preference, so the login still succeeds
      const { tokens } = await loginTokens(config, new Browser(), { acr_values: '1 2' });
      assert.equal(tokens.claims()!.acr, 'urn:stepgate:acr:1fa');
    });

    test('oidcc-codereuse', async () => {
      const started = await authorizationUrl(config);
      const { callback } = await authorize(new Browser(), started.url);
      await redeem(config, callback, started);
      await assert.rejects(redeem(config, callback, started), (e: { error?: string }) => e.error === 'invalid_grant');
    });

    test('oidcc-codereuse-30seconds', async () => {
      // the module waits 30 s before the replay; what it checks is that the replay revokes what the code gave
      const started = await authorizationUrl(config, { scope: 'openid profile' });
      const { callback } = await authorize(new Browser(), started.url);
      const tokens = await redeem(config, callback, started);
      assert.ok((await userinfo(tokens)).sub);
      await assert.rejects(redeem(config, callback, started), (e: { error?: string }) => e.error === 'invalid_grant');
      await assert.rejects(userinfo(tokens), (e: { status?: number }) => e.status === 401);
      await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!));
    });

    test('oidcc-ensure-registered-redirect-uri', async () => {
      const started = await authorizationUrl(config, { redirect_uri: 'http://127.0.0.1:1/not-registered' });
      const browser = new Browser();
      const page = await browser.go(started.url, {}, (u) => u.startsWith('http://127.0.0.1:1/'));
      assert.notEqual(page.status, 0, 'the OP redirected to an unregistered redirect URI');
      assert.equal(page.status, 400);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.match(page.html, /redirect_uri/);
      // a near miss: the other registered URI is fine
      const other = await authorizationUrl(config, { redirect_uri: OTHER_REDIRECT });
      const { callback } = await authorize(new Browser(), other.url);
      assert.ok(callback.startsWith(OTHER_REDIRECT));
    });

    test('oidcc-ensure-post-request-succeeds', async () => {
      const started = await authorizationUrl(config);
      const params = new URL(started.url).searchParams;
      const browser = new Browser();
      const { callback, loginShown } = await authorize(browser, route('authorization'), {
        init: { method: 'POST', body: params },
      });
      assert.ok(loginShown);
      const tokens = await redeem(config, callback, started);
      assert.equal(tokens.claims()!.sub, ALICE.mobile);
      // with the session from that login, a POSTed prompt=none request finds the session (the Lax cookie is sent)
      const quiet = await authorizationUrl(config, { prompt: 'none' });
      const again = await authorize(browser, route('authorization'), {
        init: { method: 'POST', body: new URL(quiet.url).searchParams },
      });
      assert.equal(again.loginShown, false);
      assert.ok(callbackParams(again.callback).get('code'));
    });

    test('oidcc-server-client-secret-post', async () => {
      // the module's static client is registered for client_secret_post; it logs in with it, and the basic-registered
      // client next to it may not use the body
      assert.ok(metadata.token_endpoint_auth_methods_supported?.includes('client_secret_post'));
      const asPost = await oidc.discovery(
        new URL(f.server.url),
        f.post.clientId,
        f.post.clientSecret,
        oidc.ClientSecretPost(f.post.clientSecret),
        { execute: [oidc.allowInsecureRequests] },
      );
      const started = await authorizationUrl(asPost);
      const { callback } = await authorize(new Browser(), started.url);
      const tokens = await redeem(asPost, callback, started);
      assert.equal(tokens.claims()!.sub, ALICE.mobile);
      assert.equal(tokens.claims()!.aud, f.post.clientId);

      const other = await authorizationUrl(config);
      const back = await authorize(new Browser(), other.url);
      const fields = {
        grant_type: 'authorization_code',
        code: callbackParams(back.callback).get('code')!,
        redirect_uri: REDIRECT,
        code_verifier: other.verifier,
      };
      const refused = await postForm(route('token'), fields, { client: f.a, method: 'post' });
      assert.equal(refused.status, 401);
      assert.equal(refused.json.error, 'invalid_client');
    });

    test('oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported', async () => {
      assert.notEqual(metadata.request_uri_parameter_supported, true);
      const params = await errorAtRedirect({ request_uri: 'https://rp.example/request.jwt' });
      assert.equal(params.get('error'), 'request_uri_not_supported');
    });

    test('oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported', async () => {
      assert.notEqual(metadata.request_parameter_supported, true);
      const request = unsignedRequestObject({
        iss: f.a.clientId,
        aud: f.server.url,
        client_id: f.a.clientId,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: REDIRECT,
      });
      const params = await errorAtRedirect({ request });
      assert.equal(params.get('error'), 'request_not_supported');
    });

    test('oidcc-claims-essential', async () => {
      // the claims parameter is not supported (claims_parameter_supported false): it is ignored, the login succeeds
      assert.equal(metadata.claims_parameter_supported, false);
      const claims = JSON.stringify({ userinfo: { name: { essential: true } } });
      const { tokens } = await loginTokens(config, new Browser(), { claims, scope: 'openid profile' });
      assert.equal((await userinfo(tokens)).given_name, ALICE.givenName);
    });

    test('oidcc-ensure-request-object-with-redirect-uri', async () => {
      // request objects are not processed: a redirect_uri inside one is never used, the error goes to the outer one
      const request = unsignedRequestObject({ client_id: f.a.clientId, redirect_uri: OTHER_REDIRECT });
      const params = await errorAtRedirect({ request });
      assert.equal(params.get('error'), 'request_not_supported');
    });

    test('oidcc-refresh-token', async () => {
      const { tokens } = await loginTokens(config);
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      assert.ok(refreshed.access_token);
      assert.notEqual(refreshed.access_token, tokens.access_token);
      // an ID token comes with the refresh (scope openid) and names the same user for the same client
      const idToken = refreshed.claims();
      assert.ok(idToken, 'no ID token in the refresh answer');
      assert.equal(idToken.sub, tokens.claims()!.sub);
      assert.equal(idToken.iss, f.server.url);
      assert.equal(idToken.aud, f.a.clientId);
      assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'the refresh token was not rotated');
      assert.equal((await userinfo(refreshed)).sub, ALICE.mobile);
      // the refresh token is bound to its client: B cannot use A's
      const asB = await configFor(f.server, f.b);
      await assert.rejects(
        oidc.refreshTokenGrant(asB, refreshed.refresh_token!),
        (e: { error?: string }) => e.error === 'invalid_grant',
      );
    });

    test('oidcc-ensure-request-with-valid-pkce-succeeds', async () => {
      const started = await authorizationUrl(config);
      const { callback } = await authorize(new Browser(), started.url);
      // a near miss: a verifier one character off is refused (that uses the code up; the right one gets a new login)
      const last = started.verifier.at(-1) === 'A' ? 'B' : 'A';
      await assert.rejects(
        redeem(config, callback, { ...started, verifier: `${started.verifier.slice(0, -1)}${last}` }),
        (e: { error?: string }) => e.error === 'invalid_grant',
      );
      const good = await authorizationUrl(config);
      const back = await authorize(new Browser(), good.url);
      assert.equal((await redeem(config, back.callback, good)).claims()!.sub, ALICE.mobile);
      // and PKCE is required: a request without code_challenge is refused
      const url = new URL(good.url);
      url.searchParams.delete('code_challenge');
      url.searchParams.delete('code_challenge_method');
      const page = await new Browser().go(url.toString(), {}, (u) => u.startsWith(REDIRECT));
      assert.equal(callbackParams(page.url).get('error'), 'invalid_request');
    });
  });
}
