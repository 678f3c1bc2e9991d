/**
 * Puts a store's read methods behind the per-node configuration cache and makes its write methods announce the
 * change. The store keeps its own shape, so callers cannot tell a cached store from the plain one.
 */
import type { ConfigCache } from './config-cache.js';

type AsyncMethod = (...args: never[]) => Promise<unknown>;
type MethodNames<S> = { [K in keyof S]: S[K] extends AsyncMethod ? K : never }[keyof S] & string;

export function withConfigCache<S extends object>(
  store: S,
  cache: ConfigCache,
  name: string,
  methods: { reads: MethodNames<S>[]; writes: MethodNames<S>[] },
): S {
  const wrapped = { ...store } as Record<string, unknown>;
  for (const method of methods.reads) {
    const read = store[method] as unknown as (...args: unknown[]) => Promise<unknown>;
    // arguments are ids and names (strings): they make the key as they are
    wrapped[method] = (...args: unknown[]) =>
      cache.read(`${name}.${method}:${JSON.stringify(args)}`, () => read.apply(store, args));
  }
  for (const method of methods.writes) {
    const write = store[method] as unknown as (...args: unknown[]) => Promise<unknown>;
    wrapped[method] = async (...args: unknown[]) => {
      try {
        return await write.apply(store, args);
      } finally {
        // also after a failed write: part of it may have landed
        await cache.changed();
      }
    };
  }
  return wrapped as S;
}
