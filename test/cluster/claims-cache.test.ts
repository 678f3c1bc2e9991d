/**
 * Each node caches the claim catalogue a login reads (local claims and the OIDC dialect's mappings). A change made
 * on one node takes effect there at once and on every other node within `configCacheSeconds`: on PostgreSQL with
 * Redis (cluster mode), and on one SQLite file shared by two nodes with the SQL state store. Seen through real logins,
 * each sent to the node the test picks behind one public URL.
 */
import assert from 'node:assert/strict';

import { after, before, describe, test } from 'node:test';
import { ClaimUri, OIDC_DIALECT } from '../../src/identity/claim-uris.js';
import { listLocalClaims, setMapping, updateLocalClaim } from '../../src/identity/claims.js';
import { createUser } from '../../src/identity/users.js';
import { type Backend, postgresBackend, skipPostgres, skipRedis, sqliteBackend } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import { relyingParty } from '../support/rp.js';
import type { TestServer } from '../support/server.js';
import { startTwoNodes, type TwoNodes } from '../support/two-nodes.js';

const REDIRECT = 'http://127.0.0.1:1/callback';
const PASSWORD = 'claims cache password 1';
const CACHE_SECONDS = 1;

const variants: { name: string; backend: Backend; redis: boolean; skip: string | false }[] = [
  { name: 'PostgreSQL and Redis', backend: postgresBackend, redis: true, skip: skipPostgres || skipRedis },
  { name: 'one SQLite file, SQL state store', backend: sqliteBackend, redis: false, skip: false },
];

for (const variant of variants) {
  describe(`claim catalogue cache across two nodes: ${variant.name}`, { skip: variant.skip }, () => {
    let nodes: TwoNodes;
    let a: TestServer;
    let b: TestServer;
    let clientId: string;
    let clientSecret: string;

    before(async () => {
      nodes = await startTwoNodes({
        backend: variant.backend,
        redis: variant.redis,
        overrides: { configCacheSeconds: CACHE_SECONDS },
      });
      ({ a, b } = nodes);
      const app = await a.services.applications.create({
        name: 'Claims',
        redirectUris: [REDIRECT],
        subjectClaimUri: ClaimUri.username,
        requestedClaims: [ClaimUri.givenName, ClaimUri.lastName],
      });
      clientId = app.application.clientId;
      clientSecret = app.clientSecret!;
      await createUser(a.services.db, a.services.hasher, {
        username: 'ada',
        password: PASSWORD,
        claims: { [ClaimUri.givenName]: 'Ada', [ClaimUri.lastName]: 'Lovelace' },
      });
    });
    after(async () => {
      await nodes?.stop();
    });

    /** A whole password login on `node`; the ID token's claims. */
    async function loginOn(node: TestServer): Promise<Record<string, unknown>> {
      nodes.pick(node);
      const rp = await relyingParty(nodes.publicUrl, clientId, clientSecret, REDIRECT);
      const started = rp.begin();
      const browser = new Browser();
      const page = await browser.go(started.url);
      const done = await browser.submit(Browser.form(page), { username: 'ada', password: PASSWORD }, (u) =>
        u.startsWith(REDIRECT),
      );
      assert.ok(done.url.startsWith(REDIRECT), `no callback from the login (${done.status})`);
      return (await rp.finish(done.url, started)).claims()!;
    }

    test('a mapping changed on one node is used there at once and on the other within the bound', async () => {
      // both nodes have logged someone in: each has the OIDC mappings cached
      assert.equal((await loginOn(a)).given_name, 'Ada');
      assert.equal((await loginOn(b)).given_name, 'Ada');

      await setMapping(a.services.db, {
        dialect: OIDC_DIALECT,
        externalClaim: 'given_name',
        localClaimUri: ClaimUri.lastName,
      });
      assert.equal((await loginOn(a)).given_name, 'Lovelace', 'the node that changed the mapping still uses the old');

      await new Promise((r) => setTimeout(r, CACHE_SECONDS * 1000 + 300));
      const claims = await loginOn(b);
      assert.equal(claims.given_name, 'Lovelace', 'the other node still uses the old mapping');
      assert.equal(claims.family_name, 'Lovelace', 'a mapping left alone changed');
    });

    test('a local claim changed on one node is read there at once and on the other within the bound', async () => {
      const displayName = (claims: { uri: string; displayName: string }[]) =>
        claims.find((c) => c.uri === ClaimUri.givenName)?.displayName;
      assert.equal(displayName(await listLocalClaims(b.services.db)), 'First Name');
      await updateLocalClaim(a.services.db, ClaimUri.givenName, { displayName: 'Given name' });
      assert.equal(displayName(await listLocalClaims(a.services.db)), 'Given name');
      await new Promise((r) => setTimeout(r, CACHE_SECONDS * 1000 + 300));
      assert.equal(displayName(await listLocalClaims(b.services.db)), 'Given name');
    });

    test('logins read the catalogue from the cache: a row changed behind its back is seen after the next change', async () => {
      const db = a.services.db;
      const mobile = async () => (await listLocalClaims(db)).find((c) => c.uri === ClaimUri.mobile)?.description;
      const before = await mobile();
      await db
        .updateTable('local_claims')
        .set({ description: 'changed behind the cache' })
        .where('uri', '=', ClaimUri.mobile)
        .execute();
      assert.equal(await mobile(), before, 'the catalogue was read from the table, not the cache');
      await updateLocalClaim(db, ClaimUri.givenName, { description: 'an announced change' });
      assert.equal(await mobile(), 'changed behind the cache');
    });

    test('a transaction reads the tables, not the cache: it sees its own uncommitted change', async () => {
      const db = a.services.db;
      assert.equal((await listLocalClaims(db)).find((c) => c.uri === ClaimUri.email)?.displayName, 'Email');
      const seen = await db
        .transaction()
        .execute(async (trx) => {
          await trx
            .updateTable('local_claims')
            .set({ display_name: 'Mail' })
            .where('uri', '=', ClaimUri.email)
            .execute();
          const inside = (await listLocalClaims(trx)).find((c) => c.uri === ClaimUri.email)?.displayName;
          throw Object.assign(new Error('roll back'), { inside });
        })
        .catch((e: { inside?: string }) => e.inside);
      assert.equal(seen, 'Mail');
      assert.equal((await listLocalClaims(db)).find((c) => c.uri === ClaimUri.email)?.displayName, 'Email');
    });
  });
}
