/**
 * How a write and the work that must commit with it share one transaction. A store owns the transaction of its
 * write (it reads and validates on `db` first: on SQLite a read on `db` inside an open transaction would wait for it
 * forever) and runs the caller's `Alongside` work — the admin change's audit event — inside it, after the write:
 * either both commit or neither does (docs/architecture.md, "Admin writes").
 *
 * What must only happen once the change is durable — the audit log's listeners (metrics, operator log lines) — is
 * queued on the transaction with `afterCommit` and run when it has committed; a rollback drops the queue. Kysely's
 * transaction callback knows nothing of its commit, so `runAfterCommit` (called by `openDatabase` for every
 * database) wraps `db.transaction()`: each transaction gets its queue when it begins and is flushed after COMMIT
 * returned. Whoever opens the transaction needs to do nothing.
 */
import type { Kysely, Transaction, TransactionBuilder } from 'kysely';
import type { Db } from './db.js';

/** Work committed with a store's write, in its transaction (the audit event); a throw rolls the write back. */
export type Alongside = (trx: Db) => Promise<void>;

/** Runs `work` in a new transaction on `db`, or inside the caller's when `db` is a transaction already. */
export function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

type AfterCommit = () => void;

/** The work waiting for each open transaction's commit; an entry goes with its transaction object. */
const queues = new WeakMap<object, AfterCommit[]>();
const prepared = new WeakSet<object>();

/**
 * Runs `work` once what `on` wrote is durable: now when `on` is the database itself (its statements commit as they
 * run), after COMMIT when `on` is a transaction — never, if it rolls back or its COMMIT fails. `work` must not throw
 * (a throw is reported as a warning: the change is committed already and its caller must still hear so).
 */
export function afterCommit(on: Db, work: AfterCommit): void {
  if (!on.isTransaction) {
    runReporting(work);
    return;
  }
  const queue = queues.get(on);
  // a transaction this module did not see begin would run `work` at the wrong time, or never: refuse loudly
  if (!queue) throw new Error('afterCommit: the transaction was not opened by db.transaction() of an opened database');
  queue.push(work);
}

/** Makes each `db.transaction()` of `db` run its `afterCommit` work after it committed (once per database). */
export function runAfterCommit<DB>(db: Kysely<DB>): void {
  if (prepared.has(db)) return;
  prepared.add(db);
  const begin = db.transaction.bind(db);
  db.transaction = () => flushingAfterCommit(begin());
}

function flushingAfterCommit<DB>(builder: TransactionBuilder<DB>): TransactionBuilder<DB> {
  const wrapped = {
    setAccessMode: (...a: Parameters<TransactionBuilder<DB>['setAccessMode']>) =>
      flushingAfterCommit(builder.setAccessMode(...a)),
    setIsolationLevel: (...a: Parameters<TransactionBuilder<DB>['setIsolationLevel']>) =>
      flushingAfterCommit(builder.setIsolationLevel(...a)),
    async execute<T>(callback: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
      const queue: AfterCommit[] = [];
      // Kysely's execute resolves only after COMMIT succeeded; a throw in the callback or at COMMIT rejects it
      const result = await builder.execute((trx) => {
        queues.set(trx, queue);
        return callback(trx);
      });
      for (const work of queue) runReporting(work);
      return result;
    },
  };
  // TransactionBuilder keeps its settings in a private field, so no other object is one by type; the wrapper has
  // all of its public methods and delegates each to the real builder
  return wrapped as unknown as TransactionBuilder<DB>;
}

function runReporting(work: AfterCommit): void {
  try {
    work();
  } catch (e) {
    process.emitWarning(`work after a commit failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
