/**
 * CommonJS packages loaded on first use instead of at start. Much of what a node can do is rarely used by a given
 * deployment (PostgreSQL or Redis when it runs on SQLite, SAML without service providers, an SMS transport before
 * the first send); every package loaded at start stays in the heap for the life of the process, so the idle RSS
 * would pay for all of them (docs/benchmarks.md, "Memory"). `require` keeps the call sites synchronous.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** `lazyModule<typeof import('pkg')>('pkg')()` loads `pkg` at its first call and returns the same module after. */
export function lazyModule<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= require(id) as T;
    return loaded;
  };
}
