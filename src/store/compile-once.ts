/**
 * Hot-path statements built and compiled by Kysely once, then run with new parameters: Kysely builds an immutable
 * query tree and compiles it on every call, which cost a login about as much CPU as SQLite spent executing its
 * statements. The query is built with a marker in place of each argument; the compiled parameter list then says, per
 * position, which argument goes there (or which constant the builder added itself).
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
      return db.executeQuery<Row>(bind(compiled, args));
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
      return db.executeQuery<Row>(bind(compiled, args));
    },
  };
}
