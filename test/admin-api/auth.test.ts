/** Who may call the admin API: no token 401, a token without the admin scope 403, a user's token only with the admin role. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { createUser, setEnabled, setRoles } from '../../src/identity/users.js';
import { ADMIN_SCOPE } from '../../src/oidc/provider.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import { relyingParty } from '../support/rp.js';
import type { TestServer } from '../support/server.js';
import { API, client, clientToken, startAdminServer } from './support.js';

const REDIRECT = 'http://127.0.0.1:1/console/callback';

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `admin API authentication on ${backend.name}`, () => {
    let server: TestServer;
    let consoleClient: { clientId: string; clientSecret: string };

    before(async () => {
      server = await startAdminServer(backend);
      const s = server.services;
      await createUser(s.db, s.hasher, {
        username: 'ada',
        password: 'correct horse battery',
        roles: ['admin'],
        claims: { [ClaimUri.mobile]: '+94771234567' },
      });
      await createUser(s.db, s.hasher, { username: 'bob', password: 'correct horse battery' });
      const created = await s.applications.create({
        name: 'Console',
        redirectUris: [REDIRECT],
        extraScopes: [ADMIN_SCOPE],
      });
      consoleClient = { clientId: created.application.clientId, clientSecret: created.clientSecret! };
    });
    after(() => server.stop());

    /** A user's access token from a real authorization-code login asking for the admin scope. */
    async function userToken(username: string): Promise<string> {
      const rp = await relyingParty(server.url, consoleClient.clientId, consoleClient.clientSecret, REDIRECT);
      const started = rp.begin({ scope: `openid ${ADMIN_SCOPE}` });
      const browser = new Browser();
      const page = await browser.go(started.url);
      const done = await browser.submit(Browser.form(page), { username, password: 'correct horse battery' }, (u) =>
        u.startsWith(REDIRECT),
      );
      assert.ok(done.url.startsWith(REDIRECT), `login of ${username} did not finish: ${done.status}`);
      const tokens = await rp.finish(done.url, started);
      return tokens.access_token;
    }

    test('no token: 401 problem with WWW-Authenticate: Bearer', async () => {
      const res = await client(server, undefined)('GET', '/me');
      assert.equal(res.status, 401);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.equal(res.body.code, 'unauthorized');
      assert.equal(res.body.type, 'https://stepgate.dev/problems/unauthorized');
      assert.equal(res.body.status, 401);
    });

    test('an unknown or malformed token: 401 invalid_token', async () => {
      for (const header of ['Bearer not-a-real-token', 'Basic Zm9vOmJhcg==', 'Bearer ']) {
        const res = await fetch(`${server.url}${API}/me`, { headers: { authorization: header } });
        assert.equal(res.status, 401, header);
        assert.match(res.headers.get('www-authenticate') ?? '', /Bearer/);
      }
      const res = await client(server, 'x'.repeat(40))('GET', '/users');
      assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    });

    test('a client-credentials token without the admin scope: 403 insufficient_scope', async () => {
      const token = await clientToken(server, { adminScope: false });
      const res = await client(server, token)('GET', '/users');
      assert.equal(res.status, 403);
      assert.equal(res.body.code, 'forbidden');
      assert.match(res.headers.get('www-authenticate') ?? '', /insufficient_scope/);
    });

    test('a client-credentials token with the admin scope works, and /me says it is a client', async () => {
      const token = await clientToken(server, { name: 'automation-me' });
      const res = await client(server, token)('GET', '/me');
      assert.equal(res.status, 200);
      assert.equal(res.body.kind, 'client');
      assert.ok(res.body.scopes.includes(ADMIN_SCOPE));
      assert.equal(res.body.user, undefined);
    });

    test('a token stops working when its application is deleted', async () => {
      const token = await clientToken(server, { name: 'short-lived' });
      const call = client(server, token);
      assert.equal((await call('GET', '/me')).status, 200);
      const app = await server.services.applications.getByName('short-lived');
      await server.services.applications.delete(app!.id);
      assert.equal((await call('GET', '/me')).status, 401);
    });

    test("a user's token: 403 without the admin role, 200 with it, 403 once the user is disabled", async () => {
      const bobToken = await userToken('bob');
      const bob = await client(server, bobToken)('GET', '/me');
      assert.equal(bob.status, 403);
      assert.equal(bob.body.code, 'forbidden');

      const adaToken = await userToken('ada');
      const ada = client(server, adaToken);
      const me = await ada('GET', '/me');
      assert.equal(me.status, 200, me.text);
      assert.equal(me.body.kind, 'user');
      assert.equal(me.body.user.username, 'ada');
      assert.equal((await ada('GET', '/users')).status, 200);

      const adaUser = (
        await server.services.db
          .selectFrom('users')
          .select('id')
          .where('username', '=', 'ada')
          .executeTakeFirstOrThrow()
      ).id;
      await setRoles(server.services.db, adaUser, []);
      assert.equal((await ada('GET', '/me')).status, 403, 'the role is checked on every call, not only at login');
      await setRoles(server.services.db, adaUser, ['admin']);
      await setEnabled(server.services.db, adaUser, false);
      assert.equal((await ada('GET', '/me')).status, 403);
    });

    test('the OpenAPI document is public and lists every route with its security', async () => {
      const res = await client(server, undefined)('GET', '/openapi.json');
      assert.equal(res.status, 200);
      assert.equal(res.body.openapi, '3.1.0');
      for (const path of [
        '/applications',
        '/applications/{id}',
        '/identity-providers/{id}/test-sms',
        '/sms/preview',
        '/claims/{uri}',
        '/users/{id}/backup-codes',
        '/truststore',
        '/audit-events',
        '/me',
        '/authenticators',
      ]) {
        assert.ok(res.body.paths[path], `missing ${path}`);
      }
      assert.equal(
        res.body.paths['/applications'].post.responses['201'].content['application/json'].schema.properties.application
          .$ref,
        '#/components/schemas/Application',
      );
      assert.ok(res.body.components.schemas.Problem.properties.code);
      assert.equal(
        res.body.components.securitySchemes.oauth2.flows.clientCredentials.tokenUrl,
        `${server.url}/oidc/token`,
      );
      assert.deepEqual(res.body.paths['/openapi.json'].get.security, []);
    });
  });
}
