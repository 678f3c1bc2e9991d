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

export function compileOnce<Args extends unknown[], Row>(
  db: Db,
  arity: Args['length'],
  build: (...args: Args) => Compilable<Row>,
): CompiledOnce<Args, Row> {
  let compiled: { query: CompiledQuery<Row>; slots: ({ arg: number } | { value: unknown })[] } | undefined;
  const compile = () => {
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
  };
  return {
    async run(...args: Args) {
      compiled ??= compile();
      const parameters = compiled.slots.map((s) => ('arg' in s ? args[s.arg] : s.value));
      return db.executeQuery<Row>({ ...compiled.query, parameters });
    },
  };
}
