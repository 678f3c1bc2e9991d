/**
 * Tokens across clients and over time, through the real endpoints with openid-client: refresh tokens rotate for
 * every client with reuse detection, introspection and revocation only by the token's own client, and a client
 * authenticates only by the method it is registered for.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { OIDC_ROUTES } from '../../src/oidc/provider.js';
import { backends } from '../support/backends.js';
import { configFor, loginTokens, type OidcFixture, postForm, startOidcFixture } from './support.js';

const refusedAsInvalidGrant = (e: unknown) => (e as { error?: string }).error === 'invalid_grant';

for (const backend of backends()) {
  describe(`tokens on ${backend.name}`, () => {
    let f: OidcFixture;
    let url: (route: keyof typeof OIDC_ROUTES) => string;

    before(async () => {
      f = await startOidcFixture(backend);
      url = (route) => `${f.server.url}${OIDC_ROUTES[route]}`;
    });
    after(() => f.stop());

    const introspect = (token: string, as: OidcFixture['a']) =>
      postForm(url('introspection'), { token }, { client: as, method: as.clientSecret ? 'basic' : 'post' });

    test('a refresh gives a confidential client a new refresh token; the new one works, the old one is refused', async () => {
      const config = await configFor(f.server, f.a);
      const { tokens } = await loginTokens(config);
      const first = tokens.refresh_token!;
      assert.ok(first, 'no refresh token');
      const second = await oidc.refreshTokenGrant(config, first);
      assert.ok(second.refresh_token, 'the refresh answer has no new refresh token');
      assert.notEqual(second.refresh_token, first, 'the refresh token was not rotated');
      const third = await oidc.refreshTokenGrant(config, second.refresh_token!);
      assert.notEqual(third.refresh_token, second.refresh_token);
      await assert.rejects(oidc.refreshTokenGrant(config, first), refusedAsInvalidGrant);
    });

    test('reusing a rotated refresh token revokes the grant: the newest refresh and access tokens stop working too', async () => {
      const config = await configFor(f.server, f.a);
      const { tokens } = await loginTokens(config);
      const rotated = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      // the newest tokens work before the replay
      assert.equal((await introspect(rotated.access_token, f.a)).json.active, true);
      await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), refusedAsInvalidGrant);
      await assert.rejects(oidc.refreshTokenGrant(config, rotated.refresh_token!), refusedAsInvalidGrant);
      assert.equal((await introspect(rotated.access_token, f.a)).json.active, false);
      await assert.rejects(
        oidc.fetchUserInfo(config, rotated.access_token, oidc.skipSubjectCheck),
        (e: { status?: number }) => e.status === 401,
      );
    });

    // on PostgreSQL the five really interleave (all five won before the adapter's consume became atomic)
    test('five concurrent refreshes with one refresh token: at most one wins, and no token they got stays usable', async () => {
      const config = await configFor(f.server, f.a);
      const { tokens } = await loginTokens(config);
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => oidc.refreshTokenGrant(config, tokens.refresh_token!)),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.ok(won.length <= 1, `${won.length} concurrent refreshes with one token succeeded`);
      for (const r of results)
        if (r.status === 'rejected') assert.ok(refusedAsInvalidGrant(r.reason), String(r.reason));
      // the losers were replays: the grant is revoked, so even the winner's new refresh token is dead
      for (const r of won) await assert.rejects(oidc.refreshTokenGrant(config, r.value.refresh_token!));
    });

    test('a public client gets rotated refresh tokens with the same reuse detection', async () => {
      const config = await configFor(f.server, f.pub);
      const { tokens } = await loginTokens(config);
      const rotated = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      assert.notEqual(rotated.refresh_token, tokens.refresh_token);
      await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), refusedAsInvalidGrant);
      await assert.rejects(oidc.refreshTokenGrant(config, rotated.refresh_token!), refusedAsInvalidGrant);
    });

    test("introspection: A sees its own tokens; B and a public client learn nothing about A's tokens", async () => {
      const config = await configFor(f.server, f.a);
      const { tokens } = await loginTokens(config);
      for (const token of [tokens.access_token, tokens.refresh_token!]) {
        const own = await introspect(token, f.a);
        assert.equal(own.status, 200);
        assert.equal(own.json.active, true);
        assert.equal(own.json.client_id, f.a.clientId);
        for (const other of [f.b, f.pub]) {
          const answer = await introspect(token, other);
          assert.equal(answer.status, 200);
          assert.deepEqual(answer.json, { active: false }, `${other.clientId} learnt about A's token`);
        }
      }
      // openid-client as B: the same inactive answer as for a token that does not exist
      const asB = await oidc.tokenIntrospection(await configFor(f.server, f.b), tokens.access_token);
      assert.equal(asB.active, false);
      const unknown = await oidc.tokenIntrospection(await configFor(f.server, f.b), `${tokens.access_token}x`);
      assert.deepEqual(asB, unknown);
    });

    test("revocation: B cannot revoke A's tokens; A can", async () => {
      const config = await configFor(f.server, f.a);
      const { tokens } = await loginTokens(config);
      const asB = await configFor(f.server, f.b);
      await oidc.tokenRevocation(asB, tokens.access_token);
      await oidc.tokenRevocation(asB, tokens.refresh_token!);
      assert.equal((await introspect(tokens.access_token, f.a)).json.active, true, "B revoked A's access token");
      const info = await oidc.fetchUserInfo(config, tokens.access_token, oidc.skipSubjectCheck);
      assert.ok(info.sub);
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      assert.ok(refreshed.access_token, "B revoked A's refresh token");
      await oidc.tokenRevocation(config, refreshed.access_token);
      assert.equal((await introspect(refreshed.access_token, f.a)).json.active, false);
    });

    test('a client registered for client_secret_basic is refused when it sends its secret in the body', async () => {
      const config = await configFor(f.server, f.a);
      const { tokens } = await loginTokens(config);
      const fields = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! };
      const post = await postForm(url('token'), fields, { client: f.a, method: 'post' });
      assert.equal(post.status, 401);
      assert.equal(post.json.error, 'invalid_client');
      // the same request in the registered form is fine, and a secret one character off is not
      const last = f.a.clientSecret!.at(-1) === 'A' ? 'B' : 'A';
      const wrong = { ...f.a, clientSecret: `${f.a.clientSecret!.slice(0, -1)}${last}` };
      assert.equal((await postForm(url('token'), fields, { client: wrong, method: 'basic' })).status, 401);
      const ok = await postForm(url('token'), fields, { client: f.a, method: 'basic' });
      assert.equal(ok.status, 200);
      assert.ok(ok.json.access_token);
      // introspection and revocation hold clients to the same method
      const intro = await postForm(
        url('introspection'),
        { token: String(ok.json.access_token) },
        {
          client: f.a,
          method: 'post',
        },
      );
      assert.equal(intro.status, 401);
      assert.equal(intro.json.error, 'invalid_client');
      const revoke = await postForm(
        url('revocation'),
        { token: String(ok.json.access_token) },
        {
          client: f.a,
          method: 'post',
        },
      );
      assert.equal(revoke.status, 401);
      assert.equal((await introspect(String(ok.json.access_token), f.a)).json.active, true);
    });
  });
}
