/**
 * Protocol claims cannot carry user data: the OIDC dialect refuses mappings onto every registered JWT claim and every
 * OpenID Connect protocol claim, through the admin API and the setup file; a mapping stored before the refusal
 * existed never turns profile data into the ID token's or userinfo's acr, amr or sub.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClaimUri, OIDC_DIALECT } from '../../src/identity/claim-uris.js';
import { createUser } from '../../src/identity/users.js';
import { client, clientToken, startAdminServer } from '../admin-api/support.js';
import { forEachBackend } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import { relyingParty } from '../support/rp.js';
import type { TestServer } from '../support/server.js';

const enc = encodeURIComponent;
// RFC 7519 §4.1, then OpenID Connect Core/Logout and the OAuth claims a relying party reads as protocol
const RESERVED = [
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'nonce',
  'auth_time',
  'acr',
  'amr',
  'azp',
  'at_hash',
  'c_hash',
  's_hash',
  'sid',
  'cnf',
  'events',
  '_claim_names',
  '_claim_sources',
  'sub_jwk',
  'client_id',
  'scope',
];
const REDIRECT = 'http://127.0.0.1:1/cb';
const PASSWORD = 'correct horse battery';

forEachBackend('reserved token claims', (backend) => {
  let server: TestServer;
  let call: ReturnType<typeof client>;

  before(async () => {
    server = await startAdminServer(backend);
    call = client(server, await clientToken(server));
  });
  after(() => server.stop());

  test('the admin API refuses a mapping onto each reserved claim with a 400 naming it', async () => {
    for (const name of [...RESERVED, 'ACR', 'Sub']) {
      const res = await call('PUT', `/claim-dialects/${enc(OIDC_DIALECT)}/mappings/${enc(name)}`, {
        localClaimUri: ClaimUri.givenName,
      });
      assert.equal(res.status, 400, `${name}: ${res.text}`);
      assert.equal(res.body.code, 'validation-failed');
      assert.equal(res.body.errors[0].field, 'externalClaim');
      assert.match(res.body.errors[0].message, new RegExp(`^${name} is a protocol claim`));
    }
    const mappings = await call('GET', `/claim-dialects/${enc(OIDC_DIALECT)}/mappings?limit=200`);
    const names = mappings.body.items.map((m: { externalClaim: string }) => m.externalClaim.toLowerCase());
    for (const name of RESERVED) assert.ok(!names.includes(name), `${name} was stored`);
  });

  test('near misses are ordinary claims and are accepted', async () => {
    for (const name of ['acr_level', 'subject', 'nickname', 'audience']) {
      const res = await call('PUT', `/claim-dialects/${enc(OIDC_DIALECT)}/mappings/${enc(name)}`, {
        localClaimUri: ClaimUri.givenName,
      });
      assert.equal(res.status, 200, `${name}: ${res.text}`);
    }
    // another dialect is not a token: its names are its own
    const other = await call('PUT', `/claim-dialects/${enc('urn:example:dialect')}/mappings/sub`, {
      localClaimUri: ClaimUri.givenName,
    });
    assert.equal(other.status, 200, other.text);
  });

  test('the setup file refuses a mapping onto amr, naming the claim', async () => {
    const { applySetup } = await import('../../src/setup/apply.js');
    await assert.rejects(
      applySetup(
        server.services,
        {
          setup: {
            claimMappings: [{ dialect: OIDC_DIALECT, externalClaim: 'amr', localClaimUri: ClaimUri.givenName }],
          },
          lineOf: () => 7,
        },
        'setup.yaml',
      ),
      (err: Error) => /amr is a protocol claim/.test(err.message),
    );
  });

  test('a reserved mapping stored before the refusal existed never reaches the ID token or userinfo', async () => {
    const s = server.services;
    // as an older Stepgate would have stored them
    for (const name of ['acr', 'amr', 'sub'])
      await s.db
        .insertInto('claim_mappings')
        .values({ dialect: OIDC_DIALECT, external_claim: name, local_claim_uri: ClaimUri.givenName })
        .execute();
    await createUser(s.db, s.hasher, {
      username: 'mallory',
      password: PASSWORD,
      claims: { [ClaimUri.givenName]: 'urn:stepgate:acr:2fa' },
    });
    const { application, clientSecret } = await s.applications.create({
      name: 'Reads claims',
      redirectUris: [REDIRECT],
      requestedClaims: [ClaimUri.givenName, ClaimUri.username],
    });
    const rp = await relyingParty(server.url, application.clientId, clientSecret, REDIRECT);
    const started = rp.begin();
    const browser = new Browser();
    const page = await browser.go(started.url);
    const done = await browser.submit(Browser.form(page), { username: 'mallory', password: PASSWORD }, (u) =>
      u.startsWith(REDIRECT),
    );
    assert.ok(done.url.startsWith(REDIRECT), `login did not finish: ${done.status}`);
    const tokens = await rp.finish(done.url, started);
    const id = tokens.claims()!;
    assert.equal(id.acr, 'urn:stepgate:acr:1fa', 'the ID token reports the login, not the given name');
    assert.deepEqual(id.amr, ['pwd']);
    const res = await fetch(`${server.url}/oidc/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(res.status, 200);
    const info = (await res.json()) as Record<string, unknown>;
    assert.notEqual(info.sub, 'urn:stepgate:acr:2fa');
    assert.notEqual(info.acr, 'urn:stepgate:acr:2fa');
    assert.notEqual(info.amr, 'urn:stepgate:acr:2fa');
    assert.equal(info.given_name, 'urn:stepgate:acr:2fa', 'the ordinary mapping still carries the value');
  });
});
