/**
 * Each node caches applications and identity providers. A change made on one node takes effect there at once and on
 * every other node within `configCacheSeconds`: on PostgreSQL with Redis (cluster mode), and on one SQLite file
 * shared by two nodes with the SQL state store.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { type Backend, postgresBackend, skipPostgres, skipRedis, sqliteBackend } from '../support/backends.js';
import { freePort, startStepgate, type TestServer } from '../support/server.js';

const OLD = 'http://127.0.0.1:1/old';
const NEW = 'http://127.0.0.1:1/new';
const CACHE_SECONDS = 1;

/** An authorization request for `redirectUri`: 303 to the login when the node knows the URI, 400 when it does not. */
async function authorize(node: TestServer, clientId: string, redirectUri: string): Promise<number> {
  const challenge = createHash('sha256').update('a verifier that is long enough to be valid 0123456789').digest();
  const query = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: redirectUri,
    state: 'state-1',
    code_challenge: challenge.toString('base64url'),
    code_challenge_method: 'S256',
  });
  // the nodes share one public URL, as behind a load balancer; each is reached at its own port with that Host
  const port = Number(new URL(node.app.listeningOrigin).port);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: `/oidc/auth?${query}`, headers: { host: new URL(node.url).host } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const variants: { name: string; backend: Backend; redis: boolean; skip: string | false }[] = [
  { name: 'PostgreSQL and Redis', backend: postgresBackend, redis: true, skip: skipPostgres || skipRedis },
  { name: 'one SQLite file, SQL state store', backend: sqliteBackend, redis: false, skip: false },
];

for (const variant of variants) {
  describe(`configuration cache across two nodes: ${variant.name}`, { skip: variant.skip }, () => {
    let a: TestServer;
    let b: TestServer;
    let drop: () => Promise<void>;

    before(async () => {
      const made = await variant.backend.create();
      drop = made.drop;
      const database = { url: made.url, dataDir: made.dataDir, masterKey: Buffer.alloc(32, 4).toString('base64') };
      // one public URL for both nodes, as in a cluster (Redis keys carry it); no one listens there
      const overrides = { configCacheSeconds: CACHE_SECONDS, publicUrl: `http://127.0.0.1:${await freePort()}` };
      a = await startStepgate({ database, redis: variant.redis, overrides });
      b = await startStepgate({ database, redis: variant.redis, overrides });
    });
    after(async () => {
      await b?.stop();
      await a?.stop();
      await drop?.();
    });

    test('a redirect URI added on one node is honoured there at once and on the other within the bound', async () => {
      const { application } = await a.services.applications.create({
        name: 'Cached',
        redirectUris: [OLD],
        subjectClaimUri: ClaimUri.username,
      });
      // both nodes have read (and cached) the application without the new URI
      assert.equal(await authorize(a, application.clientId, NEW), 400);
      assert.equal(await authorize(b, application.clientId, NEW), 400);
      assert.equal(await authorize(b, application.clientId, OLD), 303);

      await a.services.applications.update(application.id, { redirectUris: [NEW] });
      assert.equal(
        await authorize(a, application.clientId, NEW),
        303,
        'the node that made the change still has the old',
      );
      assert.equal(await authorize(a, application.clientId, OLD), 400, 'a removed redirect URI is still accepted');

      await new Promise((r) => setTimeout(r, CACHE_SECONDS * 1000 + 300));
      assert.equal(await authorize(b, application.clientId, NEW), 303, 'the other node missed the change');
      assert.equal(await authorize(b, application.clientId, OLD), 400, 'the other node still accepts a removed URI');
    });
  });
}
