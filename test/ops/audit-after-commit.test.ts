/**
 * The audit log's listeners — the metrics counters and the operator log lines — hear of an event written in a
 * transaction only once that transaction committed (store/transaction.ts `afterCommit`). The test makes COMMIT itself
 * fail after the audit insert succeeded, so the event was written and then rolled back: on PostgreSQL a deferred
 * constraint trigger on audit_events that raises at COMMIT (as the server going away, SQLSTATE 57P01); on SQLite a
 * row the insert adds through a trigger whose deferred foreign key is checked at COMMIT. Admin writes of both
 * shapes (the store owns the transaction: claims; the route owns it: users) then leave no log line and no listener
 * call; with the trigger dropped the same write logs one line (the near miss). The metrics counters are checked
 * through GET /metrics with events the test records itself in a transaction that fails at COMMIT, or at a later
 * statement, and in one that commits.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import type { AuditInput } from '../../src/identity/audit.js';
import { adminApiPlugin } from '../../src/web/admin-api/index.js';
import { type Answer, client, clientToken } from '../admin-api/support.js';
import { type Backend, forEachBackend } from '../support/backends.js';
import { startStepgate, type TestServer } from '../support/server.js';
import { parseMetrics } from './support.js';

type AnyPlugin = FastifyPluginAsync<Record<string, unknown>>;
const METRICS_TOKEN = 'audit-after-commit-metrics-token';

/** A Stepgate with the admin API, metrics behind a token, and its log lines (as JSON) kept in `lines`. */
function startLogged(backend: Backend, lines: Record<string, unknown>[]): Promise<TestServer> {
  return startStepgate({
    backend,
    overrides: { logLevel: 'info', metrics: { token: METRICS_TOKEN } },
    httpLog: { level: 'info', lines },
    plugins: (services) => [
      {
        plugin: adminApiPlugin as unknown as AnyPlugin,
        options: { services, rateLimit: { max: 10_000, timeWindow: 60_000 } },
      },
    ],
  });
}

/** From now on, a transaction that wrote an audit event named `event` fails at COMMIT (the insert itself succeeds). */
async function failCommitOf(server: TestServer, kind: Backend['name'], event: string): Promise<void> {
  const { db } = server.services;
  if (kind === 'postgres') {
    await sql`CREATE OR REPLACE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'commit refused' USING ERRCODE = '57P01'; END $$`.execute(db);
    await sql`CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON audit_events
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.event = ${sql.lit(event)})
      EXECUTE FUNCTION refuse_at_commit()`.execute(db);
  } else {
    // SQLite has no deferred triggers; a deferred foreign key to a row that never exists fails at COMMIT
    await sql`CREATE TABLE IF NOT EXISTS commit_guard_target (id TEXT PRIMARY KEY)`.execute(db);
    await sql`CREATE TABLE IF NOT EXISTS commit_guard (
      event_id TEXT REFERENCES commit_guard_target(id) DEFERRABLE INITIALLY DEFERRED)`.execute(db);
    await sql`CREATE TRIGGER refuse_at_commit AFTER INSERT ON audit_events WHEN NEW.event = ${sql.lit(event)}
      BEGIN INSERT INTO commit_guard (event_id) VALUES (NEW.id); END`.execute(db);
  }
}

async function allowCommits(server: TestServer, kind: Backend['name']): Promise<void> {
  const on = kind === 'postgres' ? ' ON audit_events' : '';
  await sql`DROP TRIGGER IF EXISTS refuse_at_commit${sql.raw(on)}`.execute(server.services.db);
}

forEachBackend('audit listeners run after the commit', (backend) => {
  const lines: Record<string, unknown>[] = [];
  const heard: AuditInput[] = [];
  let server: TestServer;
  let call: (method: string, path: string, body?: unknown) => Promise<Answer>;
  let unlisten: () => void;

  before(async () => {
    server = await startLogged(backend, lines);
    call = client(server, await clientToken(server));
    unlisten = server.services.audit.onRecord((e) => heard.push(e));
  });
  after(async () => {
    unlisten();
    await server.stop();
  });

  const logged = (event: string) => lines.filter((l) => l.event === event).length;
  const listened = (event: string) => heard.filter((e) => e.event === event).length;
  const stored = async (event: string) => (await server.services.audit.query({ event, limit: 1 })).total;
  const lockouts = async (reason: string) => {
    const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(res.status, 200);
    return parseMetrics(await res.text()).value('stepgate_lockouts_total', { reason });
  };

  /** `write` fails at COMMIT after its event was inserted: a problem, no change, no event, no line; then it works. */
  async function rolledBackThenCommitted(
    event: string,
    write: () => Promise<Answer>,
    unchanged: () => Promise<void>,
  ): Promise<void> {
    const before = { logged: logged(event), listened: listened(event), stored: await stored(event) };
    await failCommitOf(server, backend.name, event);
    let answer: Answer;
    try {
      answer = await write();
    } finally {
      await allowCommits(server, backend.name);
    }
    assert.equal(answer.status, backend.name === 'postgres' ? 503 : 500, `${event}: ${answer.text}`);
    assert.match(answer.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.ok(!answer.text.includes('commit refused'), answer.text);
    await unchanged();
    assert.equal(await stored(event), before.stored, `${event}: a rolled-back event is stored`);
    // the log is written synchronously by the listener; give the stream a turn all the same
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(logged(event), before.logged, `${event}: a rolled-back change has an operator log line`);
    assert.equal(listened(event), before.listened, `${event}: a listener heard of a rolled-back change`);

    // the near miss: the same write with COMMIT working logs its line once and is heard once
    const ok = await write();
    assert.ok(ok.status < 300, `${event} with commits working: ${ok.status} ${ok.text}`);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await stored(event), before.stored + 1);
    assert.equal(logged(event), before.logged + 1, `${event}: the committed change has no log line`);
    assert.equal(listened(event), before.listened + 1);
    const line = lines.filter((l) => l.event === event).at(-1)!;
    assert.equal(line.level, 30);
    assert.equal(line.reqId, ok.headers.get('x-request-id'), 'the line after the commit keeps its request id');
  }

  test('a claim the store writes in its own transaction (Alongside)', async () => {
    const uri = 'http://wso2.org/claims/costcentre';
    await rolledBackThenCommitted(
      'admin.claim.create',
      () => call('POST', '/claims', { uri, displayName: 'Cost centre', mappedAttribute: 'costcentre' }),
      async () => assert.equal((await call('GET', `/claims/${encodeURIComponent(uri)}`)).status, 404),
    );
  });

  test('a user the route writes in its transaction', async () => {
    await rolledBackThenCommitted(
      'admin.user.create',
      () => call('POST', '/users', { username: 'after-commit', password: 'a long enough password 1' }),
      async () => {
        const found = await server.services.db
          .selectFrom('users')
          .select('id')
          .where('username', '=', 'after-commit')
          .execute();
        assert.equal(found.length, 0, 'the user of a failed commit exists');
      },
    );
  });

  test('a counted event: a COMMIT that fails and a later statement that fails move no counter; a commit does', async () => {
    const reason = 'after-commit-test';
    const lockedEvent = { event: 'account.locked', userId: 'u_x', data: { reason } } as const;
    const start = await lockouts(reason);
    const { db, audit } = server.services;

    await failCommitOf(server, backend.name, 'account.locked');
    try {
      await assert.rejects(db.transaction().execute((trx) => audit.record(lockedEvent, trx)));
    } finally {
      await allowCommits(server, backend.name);
    }
    assert.equal(await lockouts(reason), start, 'counted although COMMIT failed');

    // the event is inserted, then a later statement of the same transaction fails (a duplicate primary key)
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await audit.record(lockedEvent, trx);
        const row = { alias: 'dup', pem: 'x', subject: 's', issuer: 'i', not_before: 0, not_after: 1 };
        const rows = [row, row].map((r) => ({ ...r, fingerprint: 'f', created_at: 0 }));
        await trx.insertInto('truststore').values(rows).execute();
      }),
    );
    assert.equal(await lockouts(reason), start, 'counted although a later statement rolled the event back');
    assert.equal(logged('account.locked'), 0, 'a warning line for a rolled-back lockout');

    // inside the transaction the counter has not moved yet: it moves when COMMIT returned
    let during = -1;
    await db.transaction().execute(async (trx) => {
      await audit.record(lockedEvent, trx);
      during = listened('account.locked');
    });
    assert.equal(during, 0, 'a listener ran before the commit');
    assert.equal(await lockouts(reason), start + 1);
    assert.equal(logged('account.locked'), 1);

    // outside a transaction the insert is the commit: heard at once
    await audit.record(lockedEvent);
    assert.equal(await lockouts(reason), start + 2);
    assert.equal(listened('account.locked'), 2);
  });

  test('a listener that throws after the commit does not turn the committed write into an error', async () => {
    // the broken listener first, the test's own after it: it must still hear of the change
    unlisten();
    const unlistenBad = server.services.audit.onRecord(() => {
      throw new Error('a broken listener');
    });
    unlisten = server.services.audit.onRecord((e) => heard.push(e));
    const heardBefore = listened('admin.claim.create');
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const answer = await call('POST', '/claims', {
        uri: 'http://wso2.org/claims/region',
        displayName: 'Region',
        mappedAttribute: 'region',
      });
      assert.equal(answer.status, 201, answer.text);
      await new Promise((r) => setTimeout(r, 50));
      assert.ok(
        warnings.some((w) => w.includes('a broken listener')),
        `no warning: ${JSON.stringify(warnings)}`,
      );
    } finally {
      unlistenBad();
      process.off('warning', onWarning);
    }
    assert.equal(logged('admin.claim.create'), 2, 'the operator log still heard of it');
    assert.equal(listened('admin.claim.create'), heardBefore + 1, 'a listener after the broken one missed it');
  });

  test('an event written in a transaction not opened by db.transaction() is refused, and rolled back', async () => {
    const { db, audit } = server.services;
    const trx = await db.startTransaction().execute();
    try {
      await assert.rejects(
        audit.record({ event: 'admin.untracked', data: {} }, trx),
        /afterCommit: the transaction was not opened/,
      );
    } finally {
      // an open transaction would hold SQLite's one connection (and a pool client) and hang the suite's stop
      await trx.rollback().execute();
    }
    assert.equal(await stored('admin.untracked'), 0);
    assert.equal(listened('admin.untracked'), 0);
  });
});
