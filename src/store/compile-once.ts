/**
 * Hot-path statements built and compiled by Kysely once, then run with new parameters: Kysely builds an immutable
 * query tree and compiles it on every call, which cost a login about as much CPU as SQLite spent executing its
 * statements. The query is built with a marker in place of each argument; the compiled parameter list then says, per
 * position, which argument goes there (or which constant the builder added itself).
 *
 * On the embedded SQLite the compiled statement then runs on better-sqlite3 directly, as Kysely's own SQLite driver
 * would run it, without the driver's connection queue and its promise hops: the queue exists for transactions (one
 * connection: a statement from elsewhere must not land inside another request's open transaction), so a statement
 * takes the direct path only while no transaction is open, and waits in Kysely's queue otherwise. better-sqlite3 is
 * synchronous: nothing else runs between that check and the statement.
 */
import type { Compilable, CompiledQuery, QueryResult } from 'kysely';
import type { Db } from './db.js';

export interface CompiledOnce<Args extends unknown[], Row> {
  run(...args: Args): Promise<QueryResult<Row>>;
}

/** A statement of a repository function that takes `db` or a transaction: run on the handle it is given. */
export interface CompiledPerDialect<Args extends unknown[], Row> {
  run(db: Db, ...args: Args): Promise<QueryResult<Row>>;
}

interface Compiled<Row> {
  query: CompiledQuery<Row>;
  slots: ({ arg: number } | { value: unknown })[];
}

/** What the direct path needs of better-sqlite3: its (cached) prepare, and whether a transaction is open. */
export interface DirectSqlite {
  prepare(text: string): {
    reader: boolean;
    all(parameters: readonly unknown[]): unknown[];
    run(parameters: readonly unknown[]): { changes: number; lastInsertRowid: number | bigint };
  };
  readonly inTransaction: boolean;
}

const directHandles = new WeakMap<object, DirectSqlite>();

/** Lets the statements compiled for `db` (the database itself, never a transaction) run on `sqlite` directly. */
export function runDirectly(db: Db, sqlite: DirectSqlite): void {
  directHandles.set(db, sqlite);
}

/** Runs a compiled query as Kysely's SQLite driver does (same result shape), or through Kysely. */
function execute<Row>(db: Db, query: CompiledQuery<Row>): Promise<QueryResult<Row>> {
  const sqlite = directHandles.get(db);
  if (sqlite === undefined || sqlite.inTransaction) return db.executeQuery<Row>(query);
  const statement = sqlite.prepare(query.sql);
  if (statement.reader) return Promise.resolve({ rows: statement.all(query.parameters) as Row[] });
  const { changes, lastInsertRowid } = statement.run(query.parameters);
  return Promise.resolve({ numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] });
}

function compileWithMarkers<Args extends unknown[], Row>(
  arity: number,
  build: (...args: Args) => Compilable<Row>,
): Compiled<Row> {
  const markers = Array.from({ length: arity }, (_, i) => `\u0000stepgate-arg-${i}\u0000`);
  const query = build(...(markers as unknown as Args)).compile();
  const slots = query.parameters.map((p) => {
    const arg = typeof p === 'string' ? markers.indexOf(p) : -1;
    return arg >= 0 ? { arg } : { value: p };
  });
  // every argument must reach the SQL as a parameter, or the builder did something with its value
  const used = new Set(slots.filter((s) => 'arg' in s).map((s) => (s as { arg: number }).arg));
  if (used.size !== arity) throw new Error(`compileOnce: an argument is not a parameter of: ${query.sql}`);
  return { query, slots };
}

function bind<Row>(compiled: Compiled<Row>, args: unknown[]): CompiledQuery<Row> {
  const parameters = compiled.slots.map((s) => ('arg' in s ? args[s.arg] : s.value));
  return { ...compiled.query, parameters };
}

export function compileOnce<Args extends unknown[], Row>(
  db: Db,
  arity: Args['length'],
  build: (...args: Args) => Compilable<Row>,
): CompiledOnce<Args, Row> {
  let compiled: Compiled<Row> | undefined;
  return {
    async run(...args: Args) {
      compiled ??= compileWithMarkers(arity, build);
      return execute(db, bind(compiled, args));
    },
  };
}

/**
 * `compileOnce` for repository functions, which are given `db` or a transaction: the SQL text depends only on the
 * dialect, so the statement is compiled once per dialect adapter (a transaction shares its database's) and run on
 * whichever handle the caller gave, inside its transaction when it is one.
 */
export function compileOncePerDialect<Args extends unknown[], Row>(
  arity: Args['length'],
  build: (db: Db, ...args: Args) => Compilable<Row>,
): CompiledPerDialect<Args, Row> {
  const byAdapter = new WeakMap<object, Compiled<Row>>();
  return {
    async run(db: Db, ...args: Args) {
      const adapter = db.getExecutor().adapter;
      let compiled = byAdapter.get(adapter);
      if (!compiled) {
        compiled = compileWithMarkers(arity, (...markers: Args) => build(db, ...markers));
        byAdapter.set(adapter, compiled);
      }
      return execute(db, bind(compiled, args));
    },
  };
}
