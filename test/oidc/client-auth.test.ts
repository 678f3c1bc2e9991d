/**
 * Client authentication by the registered method only: an application is registered for client_secret_basic (the
 * default) or client_secret_post through the admin API, and the token, introspection and revocation endpoints refuse
 * the other method. Real HTTP, openid-client as the relying party.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { createUser } from '../../src/identity/users.js';
import { OIDC_ROUTES } from '../../src/oidc/provider.js';
import { clientToken, client as jsonClient, startAdminServer } from '../admin-api/support.js';
import { backends } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import type { TestServer } from '../support/server.js';
import { ALICE, authorizationUrl, authorize, type Client, PASSWORD, postForm, REDIRECT, redeem } from './support.js';

for (const backend of backends()) {
  describe(`client authentication by the registered method on ${backend.name}`, () => {
    let server: TestServer;
    let call: ReturnType<typeof jsonClient>;
    let post: Client;

    const applicationBody = (name: string, extra: Record<string, unknown> = {}) => ({
      name,
      redirectUris: [REDIRECT],
      grantTypes: ['authorization_code', 'refresh_token'],
      subjectClaimUri: ClaimUri.mobile,
      steps: [{ options: [{ authenticator: 'password' }] }],
      ...extra,
    });

    before(async () => {
      server = await startAdminServer(backend);
      call = jsonClient(server, await clientToken(server));
      const s = server.services;
      await createUser(s.db, s.hasher, {
        username: ALICE.username,
        password: PASSWORD,
        claims: { [ClaimUri.mobile]: ALICE.mobile },
      });
      const created = await call(
        'POST',
        '/applications',
        applicationBody('Posting app', { tokenEndpointAuthMethod: 'client_secret_post' }),
      );
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.application.tokenEndpointAuthMethod, 'client_secret_post');
      post = { clientId: created.body.application.clientId, clientSecret: created.body.clientSecret };
    });
    after(() => server.stop());

    test('the admin API keeps the method, refuses unknown ones, and a public client has none', async () => {
      const again = await call('GET', `/applications?search=${encodeURIComponent('Posting app')}`);
      assert.equal(again.status, 200);
      const listed = again.body.items as Record<string, unknown>[];
      assert.equal(listed.find((a) => a.clientId === post.clientId)?.tokenEndpointAuthMethod, 'client_secret_post');
      const bad = await call(
        'POST',
        '/applications',
        applicationBody('Bad', { tokenEndpointAuthMethod: 'private_key_jwt' }),
      );
      assert.equal(bad.status, 400);
      assert.equal(bad.body.type, 'https://stepgate.dev/problems/validation-failed');
      const pub = await call(
        'POST',
        '/applications',
        applicationBody('Public', { clientType: 'public', tokenEndpointAuthMethod: 'client_secret_post' }),
      );
      assert.equal(pub.status, 201, pub.text);
      assert.equal(pub.body.application.tokenEndpointAuthMethod, undefined);
    });

    test('a client registered for client_secret_post logs in with it, and is refused with client_secret_basic', async () => {
      const config = await oidc.discovery(
        new URL(server.url),
        post.clientId,
        post.clientSecret,
        oidc.ClientSecretPost(post.clientSecret),
        { execute: [oidc.allowInsecureRequests] },
      );
      const started = await authorizationUrl(config);
      const { callback } = await authorize(new Browser(), started.url);
      const tokens = await redeem(config, callback, started);
      assert.equal(tokens.claims()!.sub, ALICE.mobile);

      const refresh = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! };
      const url = (route: keyof typeof OIDC_ROUTES) => `${server.url}${OIDC_ROUTES[route]}`;
      const basic = await postForm(url('token'), refresh, { client: post, method: 'basic' });
      assert.equal(basic.status, 401);
      assert.equal(basic.json.error, 'invalid_client');
      const introspected = await postForm(
        url('introspection'),
        { token: tokens.access_token },
        {
          client: post,
          method: 'basic',
        },
      );
      assert.equal(introspected.status, 401);
      const own = await postForm(
        url('introspection'),
        { token: tokens.access_token },
        { client: post, method: 'post' },
      );
      assert.equal(own.json.active, true);
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      assert.ok(refreshed.access_token);
    });
  });
}
