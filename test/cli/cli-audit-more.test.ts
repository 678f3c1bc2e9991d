/**
 * The rest of the CLI's writes are audited with actor `cli` in the transaction of the write: `app add` (which can make
 * an admin-scope client from a shell), `user add`, `user passwd` and `user unlock`. The real `stepgate` process
 * writes to the database a running node (with the admin API) serves; the admin API's audit list shows each event.
 * With the audit insert refused by the database (a trigger, test/support/refuse-audit.ts) the command fails and
 * leaves neither the change nor an event; the same command with the audit working commits with exactly one event.
 * SQLite, and PostgreSQL when DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import { adminApiPlugin } from '../../src/web/admin-api/index.js';
import { type Answer, client, clientToken } from '../admin-api/support.js';
import { type Backend, forEachBackend } from '../support/backends.js';
import { withAuditRefused } from '../support/refuse-audit.js';
import { startStepgate, type TestServer } from '../support/server.js';
import { type CommandResult, runStepgate } from './support.js';

type AnyPlugin = FastifyPluginAsync<Record<string, unknown>>;
const MASTER_KEY = Buffer.alloc(32, 5).toString('base64');

interface Event {
  event: string;
  userId: string | null;
  username: string | null;
  clientId: string | null;
  data: Record<string, unknown>;
}

forEachBackend('more CLI writes are audited in their transaction', (backend: Backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'stepgate-cli-audit-more-'));
  const configFile = join(dir, 'stepgate.yaml');
  let server: TestServer;
  let drop: () => Promise<void>;
  let call: (method: string, path: string) => Promise<Answer>;

  before(async () => {
    const made = await backend.create();
    drop = made.drop;
    writeFileSync(
      configFile,
      [
        `dataDir: ${made.dataDir}`,
        `databaseUrl: ${made.url}`,
        `masterKey: ${MASTER_KEY}`,
        'argon2:',
        '  memoryKiB: 8192',
        '  iterations: 1',
        '',
      ].join('\n'),
    );
    server = await startStepgate({
      database: { url: made.url, dataDir: made.dataDir, masterKey: MASTER_KEY },
      plugins: (services) => [{ plugin: adminApiPlugin as unknown as AnyPlugin, options: { services } }],
    });
    call = client(server, await clientToken(server));
  });
  after(async () => {
    await server?.stop();
    await drop?.();
  });

  const stepgate = (args: string[]): Promise<CommandResult> => runStepgate(configFile, args);
  const refused = <T>(work: () => Promise<T>) => withAuditRefused(server.services.db, backend.name, work);

  async function audited(event: string): Promise<Event[]> {
    const answer = await call('GET', `/audit-events?event=${encodeURIComponent(event)}&limit=100`);
    assert.equal(answer.status, 200, answer.text);
    return answer.body.items as Event[];
  }

  const appNames = async () => (await server.services.applications.list()).map((a) => a.name);
  const userRow = (username: string) =>
    server.services.db
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
    const made = (await server.services.applications.list()).find((a) => a.name === 'robot');
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
      server.services.db
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
