/** Statements compiled once bind each run's own arguments, in any order the builder puts them, on a real SQLite file. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compileOnce, compileOncePerDialect } from '../../src/store/compile-once.js';
import { type Db, migrate, openDatabase } from '../../src/store/db.js';

let db: Db;
let close: () => Promise<void>;
const dir = mkdtempSync(join(tmpdir(), 'stepgate-compile-once-'));

before(async () => {
  const opened = openDatabase(`sqlite:${join(dir, 'stepgate.db')}`);
  db = opened.db;
  close = opened.close;
  await migrate(db);
});
after(async () => {
  await close();
  rmSync(dir, { recursive: true, force: true });
});

test('each run binds its own arguments, also one used twice and beside a constant the builder adds', async () => {
  const put = compileOnce(db, 3, (key: string, value: string, expiresAt: number) =>
    db
      .insertInto('kv_state')
      .values({ key, value, version: 1, expires_at: expiresAt })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, expires_at: expiresAt })),
  );
  const get = compileOnce(db, 2, (now: number, key: string) =>
    db.selectFrom('kv_state').select(['value', 'version']).where('key', '=', key).where('expires_at', '>', now),
  );
  await put.run('a', 'first', Date.now() + 60_000);
  await put.run('b', 'second', Date.now() + 60_000);
  await put.run('a', 'third', Date.now() + 60_000);
  assert.deepEqual((await get.run(Date.now(), 'a')).rows, [{ value: 'third', version: 1 }]);
  assert.deepEqual((await get.run(Date.now(), 'b')).rows, [{ value: 'second', version: 1 }]);
  assert.deepEqual((await get.run(Date.now() + 120_000, 'a')).rows, [], 'the time argument was not bound');
  assert.deepEqual((await get.run(Date.now(), 'c')).rows, []);
});

test('a builder that does not pass an argument through as a parameter is refused, not run with a stale value', async () => {
  const wrong = compileOnce(db, 2, (key: string, _unused: string) =>
    db.selectFrom('kv_state').select('value').where('key', '=', key),
  );
  await assert.rejects(() => wrong.run('a', 'b'), /an argument is not a parameter/);
});

// run on another handle than the transaction's, the statement would wait for the transaction to end: the timeout says so
test('a repository statement runs on the handle it is given: inside a transaction it rolls back with it', {
  timeout: 10_000,
}, async () => {
  const put = compileOncePerDialect(2, (on: Db, key: string, value: string) =>
    on.insertInto('kv_state').values({ key, value, version: 1, expires_at: Date.now() + 60_000 }),
  );
  const read = async (key: string) =>
    (await db.selectFrom('kv_state').select('value').where('key', '=', key).executeTakeFirst())?.value;
  await put.run(db, 'outside', 'kept');
  await db
    .transaction()
    .execute(async (trx) => {
      await put.run(trx, 'inside', 'rolled back');
      assert.equal(
        (await trx.selectFrom('kv_state').select('value').where('key', '=', 'inside').executeTakeFirst())?.value,
        'rolled back',
      );
      throw new Error('roll back');
    })
    .catch(() => undefined);
  assert.equal(await read('outside'), 'kept');
  assert.equal(await read('inside'), undefined, 'the statement ran outside the transaction it was given');
});

test('a repository statement compiled for one database runs on another with its own parameters', async () => {
  const other = openDatabase(`sqlite:${join(dir, 'other.db')}`);
  await migrate(other.db);
  try {
    const get = compileOncePerDialect(1, (on: Db, key: string) =>
      on.selectFrom('kv_state').select('value').where('key', '=', key),
    );
    for (const [on, value] of [
      [db, 'in the first file'],
      [other.db, 'in the other file'],
    ] as const)
      await on
        .insertInto('kv_state')
        .values({ key: 'both', value, version: 1, expires_at: Date.now() + 60_000 })
        .execute();
    assert.deepEqual((await get.run(db, 'both')).rows, [{ value: 'in the first file' }]);
    assert.deepEqual((await get.run(other.db, 'both')).rows, [{ value: 'in the other file' }]);
  } finally {
    await other.close();
  }
});

// the direct path (no Kysely queue) must never put a statement from elsewhere into another request's open transaction
test('on SQLite a statement from outside an open transaction waits for it, and survives its rollback', {
  timeout: 10_000,
}, async () => {
  const put = compileOnce(db, 2, (key: string, value: string) =>
    db.insertInto('kv_state').values({ key, value, version: 1, expires_at: Date.now() + 60_000 }),
  );
  const read = async (key: string) =>
    (await db.selectFrom('kv_state').select('value').where('key', '=', key).executeTakeFirst())?.value;
  let outside: Promise<unknown> | undefined;
  let settled = false;
  let settledInside: boolean | undefined;
  await db
    .transaction()
    .execute(async (trx) => {
      await trx
        .insertInto('kv_state')
        .values({ key: 'txn-row', value: 'rolled back', version: 1, expires_at: Date.now() + 60_000 })
        .execute();
      // another request writes while this transaction is open and idle (awaiting something)
      outside = put.run('other-request', 'acknowledged').then(() => {
        settled = true;
      });
      await new Promise((r) => setTimeout(r, 50));
      settledInside = settled;
      throw new Error('roll back');
    })
    .catch(() => undefined);
  assert.equal(settledInside, false, 'the outside statement ran inside the open transaction');
  await outside;
  assert.equal(await read('txn-row'), undefined, 'the transaction did not roll back');
  assert.equal(await read('other-request'), 'acknowledged', "the other request's write was rolled back with it");
});

test('on SQLite the direct path answers as Kysely does: rows, affected rows and the insert id', async () => {
  const viaKysely = await db
    .insertInto('kv_state')
    .values({ key: 'shape-a', value: 'x', version: 1, expires_at: Date.now() + 60_000 })
    .executeTakeFirst();
  const insert = compileOnce(db, 1, (key: string) =>
    db.insertInto('kv_state').values({ key, value: 'x', version: 1, expires_at: Date.now() + 60_000 }),
  );
  const direct = await insert.run('shape-b');
  assert.equal(typeof direct.insertId, 'bigint');
  assert.equal(direct.insertId, (viaKysely.insertId ?? 0n) + 1n, 'the insert id is not the row id');
  assert.equal(direct.numAffectedRows, 1n);
  assert.deepEqual(direct.rows, []);
  const update = compileOnce(db, 1, (value: string) =>
    db.updateTable('kv_state').set({ value }).where('key', 'like', 'shape-%'),
  );
  assert.equal((await update.run('y')).numAffectedRows, 2n);
  const select = compileOnce(db, 1, (key: string) =>
    db.selectFrom('kv_state').select(['key', 'value']).where('key', '=', key),
  );
  assert.deepEqual((await select.run('shape-b')).rows, [{ key: 'shape-b', value: 'y' }]);
});
