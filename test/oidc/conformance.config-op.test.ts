/**
 * The OpenID Foundation's Config OP certification plan (oidcc-config-certification-test-plan: discovery, static
 * client) and the signing modules that go with it, one test per module, named by the module.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { backends } from '../support/backends.js';
import { configFor, jwtParts, loginTokens, type OidcFixture, startOidcFixture, verifiesWith } from './support.js';

interface Jwk {
  kty: string;
  kid?: string;
  use?: string;
  alg?: string;
  n?: string;
  e?: string;
  [k: string]: unknown;
}

for (const backend of backends()) {
  describe(`Config OP plan on ${backend.name}`, () => {
    let f: OidcFixture;
    let doc: Record<string, unknown>;

    before(async () => {
      f = await startOidcFixture(backend);
      const res = await fetch(`${f.server.url}/.well-known/openid-configuration`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/);
      doc = (await res.json()) as Record<string, unknown>;
    });
    after(() => f.stop());

    test('oidcc-discovery-endpoint-verification', async () => {
      assert.equal(doc.issuer, f.server.url);
      for (const name of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri']) {
        assert.equal(typeof doc[name], 'string', `${name} is missing`);
        assert.ok(String(doc[name]).startsWith(`${f.server.url}/`), `${name} is ${doc[name]}`);
      }
      const list = (name: string) => doc[name] as string[];
      assert.ok(list('scopes_supported').includes('openid'));
      // only the code flow: no implicit or hybrid response types that no client can use
      assert.deepEqual(list('response_types_supported'), ['code']);
      assert.ok(!list('grant_types_supported').includes('implicit'));
      assert.ok(list('subject_types_supported').includes('public'));
      assert.ok(list('id_token_signing_alg_values_supported').includes('RS256'));
      assert.ok(!list('id_token_signing_alg_values_supported').includes('none'));
      assert.ok(list('claims_supported').includes('sub'));
      assert.equal(typeof doc.claims_parameter_supported, 'boolean');
      assert.deepEqual(list('code_challenge_methods_supported'), ['S256']);
      assert.deepEqual([...list('token_endpoint_auth_methods_supported')].sort(), [
        'client_secret_basic',
        'client_secret_post',
        'none',
      ]);

      const jwksRes = await fetch(String(doc.jwks_uri));
      assert.equal(jwksRes.status, 200);
      const { keys } = (await jwksRes.json()) as { keys: Jwk[] };
      assert.ok(keys.length > 0);
      for (const key of keys) {
        assert.equal(key.kty, 'RSA');
        assert.ok(key.kid, 'a key without kid');
        assert.ok(key.n && key.e);
        for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
          assert.equal(key[secret], undefined, `the JWKS publishes the private part ${secret}`);
      }
      assert.equal(new Set(keys.map((k) => k.kid)).size, keys.length, 'two keys share a kid');
    });

    test('oidcc-discovery-issuer-not-matching-config', async () => {
      // the discovered issuer is the configured one exactly; a relying party configured with another spelling of it
      // (a loopback alias, which this development node answers) gets a mismatch, never a silently different issuer
      const port = new URL(f.server.url).port;
      await assert.rejects(
        oidc.discovery(new URL(`http://localhost:${port}`), f.a.clientId, f.a.clientSecret, undefined, {
          execute: [oidc.allowInsecureRequests],
        }),
        (e: { code?: string }) => e.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
      );
      const config = await configFor(f.server, f.a);
      assert.equal(config.serverMetadata().issuer, f.server.url);
    });

    test('oidcc-idtoken-rs256', async () => {
      const config = await configFor(f.server, f.a);
      const { tokens } = await loginTokens(config);
      const { header, payload } = jwtParts(tokens.id_token!);
      assert.equal(header.alg, 'RS256');
      const { keys } = (await (await fetch(String(doc.jwks_uri))).json()) as { keys: Jwk[] };
      assert.ok(verifiesWith(tokens.id_token!, keys));
      assert.equal(payload.iss, doc.issuer);
    });

    test('oidcc-userinfo-rs256', async () => {
      // signed userinfo needs a client registered with userinfo_signed_response_alg (dynamic registration, which
      // Stepgate does not offer): the OP does not advertise it and answers plain JSON, which the suite then accepts
      assert.equal(doc.userinfo_signing_alg_values_supported, undefined);
      const config = await configFor(f.server, f.a);
      const { tokens } = await loginTokens(config);
      const res = await fetch(String(doc.userinfo_endpoint), {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/);
      assert.equal(((await res.json()) as { sub: string }).sub, tokens.claims()!.sub);
    });
  });
}
