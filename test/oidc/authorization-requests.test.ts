/**
 * Authorization requests beyond the certification plans (OpenID Connect Core 1.0): prompt=consent as relying parties
 * send it with offline_access ends in one login and a code, never in the login page coming back; POST to the
 * authorization endpoint with a bad body gets a page, never a framework error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { OIDC_ROUTES } from '../../src/oidc/provider.js';
import { Browser } from '../support/browser.js';
import {
  ALICE,
  authorizationUrl,
  authorize,
  callbackParams,
  configFor,
  type OidcFixture,
  REDIRECT,
  redeem,
  startOidcFixture,
} from './support.js';

describe('authorization requests', () => {
  let f: OidcFixture;
  let config: oidc.Configuration;
  const authUrl = () => `${f.server.url}${OIDC_ROUTES.authorization}`;

  before(async () => {
    f = await startOidcFixture();
    config = await configFor(f.server, f.a);
  });
  after(() => f.stop());

  test('prompt=consent with offline_access: one login, then a code and a refresh token (no login loop)', async () => {
    const browser = new Browser();
    const started = await authorizationUrl(config, { scope: 'openid offline_access profile', prompt: 'consent' });
    const { callback, loginShown, page } = await authorize(browser, started.url);
    assert.ok(loginShown);
    assert.ok(callback, `the login page came back after a correct login: ${page?.html.match(/<h1>[^<]*/)?.[0]}`);
    const tokens = await redeem(config, callback, started);
    assert.equal(tokens.claims()!.sub, ALICE.mobile);
    assert.ok(tokens.refresh_token, 'offline_access with prompt=consent gave no refresh token');
    assert.match(String(tokens.scope), /offline_access/);
    // the same browser asks again: the session and the standing first-party grant answer at once
    const again = await authorizationUrl(config, { scope: 'openid offline_access', prompt: 'consent' });
    const second = await authorize(browser, again.url);
    assert.equal(second.loginShown, false);
    assert.ok(callbackParams(second.callback).get('code'));
  });

  test('a request for more scopes than an earlier login granted is answered without a consent round', async () => {
    const browser = new Browser();
    const first = await authorizationUrl(config, { scope: 'openid' });
    await redeem(config, (await authorize(browser, first.url)).callback, first);
    const wider = await authorizationUrl(config, { scope: 'openid email phone' });
    const back = await authorize(browser, wider.url);
    assert.equal(back.loginShown, false);
    const tokens = await redeem(config, back.callback, wider);
    const info = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    assert.equal(info.email, ALICE.email);
    assert.equal(info.phone_number, ALICE.mobile);
  });

  test('POST with a body that is not a form, or too large, gets an error page', async () => {
    const started = await authorizationUrl(config);
    const params = Object.fromEntries(new URL(started.url).searchParams);
    const json = await fetch(authUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/html' },
      body: JSON.stringify(params),
      redirect: 'manual',
    });
    assert.equal(json.status, 415);
    assert.match(json.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await json.text(), /application\/x-www-form-urlencoded/);
    const huge = await fetch(authUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...params, login_hint: 'x'.repeat(20_000) }),
      redirect: 'manual',
    });
    assert.equal(huge.status, 413);
    assert.match(await huge.text(), /too large/);
  });

  test('POST with a form goes on as the same request by GET, and a bad request is still refused there', async () => {
    const started = await authorizationUrl(config);
    const body = new URL(started.url).searchParams;
    const res = await fetch(authUrl(), { method: 'POST', body, redirect: 'manual' });
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get('location')!, f.server.url);
    assert.equal(location.pathname, OIDC_ROUTES.authorization);
    assert.deepEqual(Object.fromEntries(location.searchParams), Object.fromEntries(body));
    // an unregistered redirect URI sent by POST is refused like by GET: no redirect to it
    body.set('redirect_uri', 'http://127.0.0.1:1/not-registered');
    const page = await new Browser().go(authUrl(), { method: 'POST', body }, (u) => u.startsWith(REDIRECT));
    assert.equal(page.status, 400);
  });
});
