/**
 * How a write and the work that must commit with it share one transaction. A store owns the transaction of its
 * write (it reads and validates on `db` first: on SQLite a read on `db` inside an open transaction would wait for it
 * forever) and runs the caller's `Alongside` work — the admin change's audit event — inside it, after the write:
 * either both commit or neither does (docs/architecture.md, "Admin writes").
 */
import type { Db } from './db.js';

/** Work committed with a store's write, in its transaction (the audit event); a throw rolls the write back. */
export type Alongside = (trx: Db) => Promise<void>;

/** Runs `work` in a new transaction on `db`, or inside the caller's when `db` is a transaction already. */
export function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
