/**
 * The rest of the CLI's writes are audited with actor `cli` in the transaction of the write: `app add` (which can make
 * an admin-scope client from a shell), `user add`, `user passwd` and `user unlock`. The real `stepgate` process
 * writes to the database a running node (with the admin API) serves; the admin API's audit list shows each event.
 * With the audit insert refused by the database (a trigger, test/support/refuse-audit.ts) the command fails and
 * leaves neither the change nor an event; the same command with the audit working commits with exactly one event.
 * `stepgate apply` too (its own suite below, through applySetup): each claim, claim mapping, identity provider and
 * application it creates or updates commits with its setup.* event. SQLite, and PostgreSQL when DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { OIDC_DIALECT } from '../../src/identity/claim-uris.js';
import { getLocalClaim, listMappings } from '../../src/identity/claims.js';
import { applySetup, parseSetup, SetupError } from '../../src/setup/apply.js';
import { type Backend, forEachBackend } from '../support/backends.js';
import { withAuditRefused } from '../support/refuse-audit.js';
import { startStepgate, type TestServer } from '../support/server.js';
import { useCliNode } from './cli-node.js';

const MASTER_KEY = Buffer.alloc(32, 5).toString('base64');

forEachBackend('more CLI writes are audited in their transaction', (backend: Backend) => {
  const node = useCliNode(backend, { masterKey: MASTER_KEY, dirPrefix: 'stepgate-cli-audit-more-' });
  const { stepgate, audited } = node;
  const refused = <T>(work: () => Promise<T>) => withAuditRefused(node.server.services.db, backend.name, work);

  const appNames = async () => (await node.server.services.applications.list()).map((a) => a.name);
  const userRow = (username: string) =>
    node.server.services.db
      .selectFrom('users')
      .select(['id', 'password_hash', 'locked_until'])
      .where('username', '=', username)
      .executeTakeFirst();

  test('app add: an admin-scope client and its cli.application.add event commit together', async () => {
    const args = ['app', 'add', '--name', 'robot', '--client-credentials', '--scope', 'stepgate:admin'];
    const no = await refused(() => stepgate(args));
    assert.equal(no.code, 1, no.out);
    assert.doesNotMatch(no.out, /client_secret/, 'a secret printed for a client that was not made');
    assert.ok(!(await appNames()).includes('robot'), 'an admin client without its audit event');
    assert.equal((await audited('cli.application.add')).length, 0);

    const yes = await stepgate(args);
    assert.equal(yes.code, 0, yes.err);
    const clientId = /client_id:\s+(\S+)/.exec(yes.out)?.[1];
    const events = await audited('cli.application.add');
    assert.equal(events.length, 1, JSON.stringify(events));
    const made = (await node.server.services.applications.list()).find((a) => a.name === 'robot');
    assert.equal(made?.clientId, clientId);
    assert.equal(events[0]!.clientId, clientId);
    assert.deepEqual(events[0]!.data, {
      actor: 'cli',
      applicationId: made!.id,
      clientId,
      name: 'robot',
      scopes: ['stepgate:admin'],
    });
    assert.ok(!JSON.stringify(events[0]).includes(/client_secret:\s+(\S+)/.exec(yes.out)![1]!), 'the secret audited');
  });

  test('app add refused for bad input writes no event', async () => {
    const before = (await audited('cli.application.add')).length;
    const r = await stepgate(['app', 'add', '--name', 'no-grant']);
    assert.equal(r.code, 1);
    assert.match(r.err, /--client-credentials/);
    assert.equal((await audited('cli.application.add')).length, before);
  });

  test('user add: with actor cli; a refused audit stores no user', async () => {
    const no = await refused(() => stepgate(['user', 'add', 'grace', '--password', 'correct-horse-1']));
    assert.equal(no.code, 1, no.out);
    assert.equal(await userRow('grace'), undefined, 'a user without its audit event');
    const yes = await stepgate(['user', 'add', 'grace', '--password', 'correct-horse-1']);
    assert.equal(yes.code, 0, yes.err);
    const events = (await audited('cli.user.add')).filter((e) => e.username === 'grace');
    assert.equal(events.length, 1);
    assert.equal(events[0]!.data.actor, 'cli');
    assert.equal(events[0]!.data.by, undefined, 'the old actor field');
  });

  test('user passwd: the new hash and cli.user.set-password commit together; an unknown user writes nothing', async () => {
    const before = (await userRow('grace'))!;
    const no = await refused(() => stepgate(['user', 'passwd', 'grace', '--password', 'another-horse-2']));
    assert.equal(no.code, 1, no.out);
    assert.equal((await userRow('grace'))!.password_hash, before.password_hash, 'a password changed unaudited');
    assert.equal((await audited('cli.user.set-password')).length, 0);

    const nobody = await stepgate(['user', 'passwd', 'nobody', '--password', 'another-horse-2']);
    assert.equal(nobody.code, 1);
    assert.equal((await audited('cli.user.set-password')).length, 0);

    const yes = await stepgate(['user', 'passwd', 'grace', '--password', 'another-horse-2']);
    assert.equal(yes.code, 0, yes.err);
    assert.notEqual((await userRow('grace'))!.password_hash, before.password_hash);
    const events = await audited('cli.user.set-password');
    assert.equal(events.length, 1);
    assert.equal(events[0]!.userId, before.id);
    assert.equal(events[0]!.username, 'grace');
    assert.deepEqual(events[0]!.data, { actor: 'cli' });
    assert.ok(!JSON.stringify(events).includes('another-horse-2'), 'the password audited');
  });

  test('user unlock: the unlock and account.unlocked commit together', async () => {
    const lock = () =>
      node.server.services.db
        .updateTable('users')
        .set({ locked_until: Date.now() + 3_600_000, locked_reason: 'password', failed_password_count: 5 })
        .where('username', '=', 'grace')
        .execute();
    await lock();
    const unlocks = async () => (await audited('account.unlocked')).filter((e) => e.username === 'grace');
    const no = await refused(() => stepgate(['user', 'unlock', 'grace']));
    assert.equal(no.code, 1, no.out);
    assert.notEqual((await userRow('grace'))!.locked_until, null, 'unlocked without its audit event');
    assert.equal((await unlocks()).length, 0);

    const yes = await stepgate(['user', 'unlock', 'grace']);
    assert.equal(yes.code, 0, yes.err);
    assert.equal((await userRow('grace'))!.locked_until, null);
    const events = await unlocks();
    assert.equal(events.length, 1);
    assert.deepEqual(events[0]!.data, { actor: 'cli' });
  });
});

const CLAIM = 'http://wso2.org/claims/audited';
/** One file per kind of write apply makes without an event of its own before; `v` changes what an update sets. */
const FILES: { kind: string; yaml: (v: string) => string }[] = [
  {
    kind: 'claim',
    yaml: (v) =>
      `claims:\n  - uri: ${CLAIM}\n    displayName: audited\n    description: "${v}"\n    mappedAttribute: audited\n`,
  },
  {
    kind: 'claim-mapping',
    yaml: (v) =>
      `claimMappings:\n  - dialect: ${OIDC_DIALECT}\n    externalClaim: audited_${v}\n    localClaimUri: ${CLAIM}\n`,
  },
  {
    kind: 'identity-provider',
    yaml: (v) => `identityProviders:\n  - name: auditedIdp\n    description: "${v}"\n`,
  },
  {
    kind: 'application',
    yaml: (v) =>
      `applications:\n  - name: Audited App\n    description: "${v}"\n    redirectUris: [http://localhost:8080/cb]\n    steps:\n      - [password]\n`,
  },
];

forEachBackend('stepgate apply audits every write in its transaction', (backend: Backend) => {
  let server: TestServer;
  before(async () => {
    server = await startStepgate({ backend });
  });
  after(async () => server?.stop());

  const events = async (event: string) => (await server.services.audit.query({ event, limit: 100 })).events;
  /** what the file wrote, as the stores read it (undefined: nothing) */
  async function stored(kind: string): Promise<string | undefined> {
    const s = server.services;
    if (kind === 'claim') return (await getLocalClaim(s.db, CLAIM))?.description;
    if (kind === 'claim-mapping')
      return (await listMappings(s.db, OIDC_DIALECT))
        .map((m) => m.externalClaim)
        .filter((c) => c.startsWith('audited_'))
        .join(',');
    if (kind === 'identity-provider') return (await s.identityProviders.getByName('auditedIdp'))?.description;
    return (await s.applications.getByName('Audited App'))?.description;
  }
  const apply = (yaml: string) => applySetup(server.services, parseSetup(yaml, 'setup.yaml', {}), 'setup.yaml');

  for (const { kind, yaml } of FILES) {
    test(`${kind}: created and updated with one setup.${kind}.* event each; a refused event writes nothing`, async () => {
      const created = `setup.${kind}.${kind === 'claim-mapping' ? 'update' : 'create'}`;
      const before = (await events(created)).length;
      const nothing = await stored(kind);
      await assert.rejects(
        withAuditRefused(server.services.db, backend.name, () => apply(yaml('one'))),
        SetupError,
      );
      assert.equal(await stored(kind), nothing, `${kind} written without its audit event`);
      assert.equal((await events(created)).length, before);

      const report = await apply(yaml('one'));
      assert.equal(report.created.length + report.updated.length, 1, JSON.stringify(report));
      assert.match(String(await stored(kind)), /one/);
      const first = await events(created);
      assert.equal(first.length, before + 1);
      assert.equal(first[0]!.data.by, 'setup');
      assert.doesNotMatch(JSON.stringify(first[0]), /secret/i);

      if (kind === 'claim-mapping') return; // a mapping is set, not updated: a second one is another create
      const updated = `setup.${kind}.update`;
      const updates = (await events(updated)).length;
      await assert.rejects(
        withAuditRefused(server.services.db, backend.name, () => apply(yaml('two'))),
        SetupError,
      );
      assert.equal(await stored(kind), 'one', `${kind} updated without its audit event`);
      assert.equal((await events(updated)).length, updates);
      await apply(yaml('two'));
      assert.equal(await stored(kind), 'two');
      assert.equal((await events(updated)).length, updates + 1);
    });
  }
});
