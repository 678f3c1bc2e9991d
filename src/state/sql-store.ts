/** State in the main database: a versioned key-value table and a counters table, each write one atomic statement. */
import { SqliteAdapter, sql } from 'kysely';
import { compileOnce } from '../store/compile-once.js';
import type { Db } from '../store/db.js';
import type { StateStore } from './state-store.js';

export function createSqlStateStore(db: Db, clock: () => number = Date.now): StateStore {
  let lastSweep = 0;
  async function sweep(now: number): Promise<void> {
    if (now - lastSweep < 60_000) return;
    lastSweep = now;
    await db.deleteFrom('kv_state').where('expires_at', '<', now).execute();
    await db.deleteFrom('counters').where('expires_at', '<', now).execute();
  }
  // the statements every login runs several times, compiled once (store/compile-once.ts)
  const statements = {
    get: compileOnce(db, 2, (key: string, now: number) =>
      db.selectFrom('kv_state').select(['value', 'version']).where('key', '=', key).where('expires_at', '>', now),
    ),
    // one statement: a new key is inserted, an expired record under the key is taken over, a live one stays
    create: compileOnce(db, 4, (key: string, value: string, expiresAt: number, now: number) =>
      db
        .insertInto('kv_state')
        .values({ key, value, version: 1, expires_at: expiresAt })
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({ value, version: 1, expires_at: expiresAt })
            .where('kv_state.expires_at', '<=', now),
        ),
    ),
    replace: compileOnce(
      db,
      6,
      (value: string, next: number, expiresAt: number, key: string, version: number, now: number) =>
        db
          .updateTable('kv_state')
          .set({ value, version: next, expires_at: expiresAt })
          .where('key', '=', key)
          .where('version', '=', version)
          .where('expires_at', '>', now),
    ),
    // the login's lease (engine) and the OTP counters run these on every step
    delete: compileOnce(db, 1, (key: string) => db.deleteFrom('kv_state').where('key', '=', key)),
    renewIf: compileOnce(db, 4, (expiresAt: number, key: string, value: string, now: number) =>
      db
        .updateTable('kv_state')
        .set({ expires_at: expiresAt })
        .where('key', '=', key)
        .where('value', '=', value)
        .where('expires_at', '>', now),
    ),
    deleteIf: compileOnce(db, 2, (key: string, value: string) =>
      db.deleteFrom('kv_state').where('key', '=', key).where('value', '=', value),
    ),
    increment: compileOnce(db, 3, (key: string, expiresAt: number, now: number) =>
      db
        .insertInto('counters')
        .values({ key, count: 1, expires_at: expiresAt })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            count: sql`case when counters.expires_at <= ${now} then 1 else counters.count + 1 end`,
            expires_at: sql`case when counters.expires_at <= ${now} then ${expiresAt} else counters.expires_at end`,
          }),
        )
        .returning('count'),
    ),
    count: compileOnce(db, 2, (key: string, now: number) =>
      db.selectFrom('counters').select('count').where('key', '=', key).where('expires_at', '>', now),
    ),
    decrement: compileOnce(db, 2, (key: string, now: number) =>
      db
        .updateTable('counters')
        .set({ count: sql`counters.count - 1` })
        .where('key', '=', key)
        .where('expires_at', '>', now)
        .where('count', '>', 0),
    ),
    resetCounter: compileOnce(db, 1, (key: string) => db.deleteFrom('counters').where('key', '=', key)),
  };
  return {
    kind: 'sql',
    // PostgreSQL may serve many nodes; the embedded SQLite file serves one
    local: db.getExecutor().adapter instanceof SqliteAdapter,
    async get<T>(key: string) {
      const row = (await statements.get.run(key, clock())).rows[0];
      return row ? { value: JSON.parse(row.value) as T, version: row.version } : undefined;
    },
    async create(key, value, ttlMs) {
      const now = clock();
      await sweep(now);
      const r = await statements.create.run(key, JSON.stringify(value), now + ttlMs, now);
      return Number(r.numAffectedRows ?? 0n) === 1;
    },
    async replace(key, version, value, ttlMs) {
      const now = clock();
      const r = await statements.replace.run(JSON.stringify(value), version + 1, now + ttlMs, key, version, now);
      return Number(r.numAffectedRows ?? 0n) === 1;
    },
    async delete(key) {
      await statements.delete.run(key);
    },
    async renewIf(key, value, ttlMs) {
      const now = clock();
      const r = await statements.renewIf.run(now + ttlMs, key, JSON.stringify(value), now);
      return Number(r.numAffectedRows ?? 0n) === 1;
    },
    async deleteIf(key, value) {
      await statements.deleteIf.run(key, JSON.stringify(value));
    },
    async increment(key, windowMs) {
      const now = clock();
      const row = (await statements.increment.run(key, now + windowMs, now)).rows[0];
      if (!row) throw new Error(`counter ${key} was not written`);
      return Number(row.count);
    },
    async count(key) {
      return Number((await statements.count.run(key, clock())).rows[0]?.count ?? 0);
    },
    async decrement(key) {
      await statements.decrement.run(key, clock());
    },
    async resetCounter(key) {
      await statements.resetCounter.run(key);
    },
    async close() {},
  };
}
