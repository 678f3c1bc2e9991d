/**
 * A per-node read cache for configuration that every login reads many times and an operator rarely changes:
 * applications (with their decrypted client secrets) and identity providers (with their decrypted, validated
 * authenticator configurations). A login used to read its application 16 times and decrypt its secret 3 times.
 *
 * Every node honours a change made on any node within `checkIntervalMs`: a write bumps a generation counter in the
 * shared state store (Redis or the database, whichever the cluster shares), and each node compares that counter
 * with the one it last saw at most once per interval, flushing everything when it moved. The node that made the
 * change flushes at once. Cost per node: one counter read per interval, whatever the traffic.
 */
import type { StateStore } from '../state/state-store.js';

const GENERATION_KEY = 'config-generation';
/** the counter's window: long enough never to roll over in practice; if it ever expires, nodes just flush once */
const GENERATION_WINDOW_MS = 366 * 24 * 3600 * 1000;

export interface ConfigCache {
  /** The cached value for `key`, loading it once per generation (concurrent readers share one load). */
  read<T>(key: string, load: () => Promise<T>): Promise<T>;
  /** Call after a write: flushes this node now and every other node within the check interval. */
  changed(): Promise<void>;
  readonly checkIntervalMs: number;
}

export function createConfigCache(
  state: StateStore,
  options: { checkIntervalMs: number; now?: () => number },
): ConfigCache {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Promise<unknown>>();
  let generation: number | undefined;
  let checkedAt = Number.NEGATIVE_INFINITY;
  let checking: Promise<void> | undefined;

  async function check(): Promise<void> {
    const current = await state.count(GENERATION_KEY);
    if (current !== generation) entries.clear();
    generation = current;
  }

  async function fresh(): Promise<void> {
    if (options.checkIntervalMs <= 0) {
      entries.clear();
      return;
    }
    if (now() - checkedAt < options.checkIntervalMs) return checking;
    checkedAt = now();
    checking = check().catch((e: unknown) => {
      // a state store that cannot be read leaves nothing cached that might be stale; the next read tries again
      entries.clear();
      checkedAt = Number.NEGATIVE_INFINITY;
      throw e;
    });
    return checking;
  }

  return {
    checkIntervalMs: options.checkIntervalMs,
    async read<T>(key: string, load: () => Promise<T>): Promise<T> {
      await fresh();
      let entry = entries.get(key) as Promise<T> | undefined;
      if (!entry) {
        // shared by every caller on this node: frozen, so that no caller can change what the next one reads
        entry = load().then(deepFreeze);
        entries.set(key, entry);
        // a failed load is not cached
        entry.catch(() => entries.get(key) === entry && entries.delete(key));
      }
      return entry;
    },
    async changed(): Promise<void> {
      entries.clear();
      generation = await state.increment(GENERATION_KEY, GENERATION_WINDOW_MS);
      checkedAt = now();
    },
  };
}

/** Freezes an object and everything inside it, so that a value shared by every caller cannot be changed by one. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
