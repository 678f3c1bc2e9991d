/** In-process state, for unit tests and single-process tools only. */
import type { StateStore, Versioned } from './state-store.js';

export function createMemoryStateStore(clock: () => number = Date.now): StateStore {
  const records = new Map<string, { value: string; version: number; expiresAt: number }>();
  const counters = new Map<string, { count: number; expiresAt: number }>();
  const live = <V extends { expiresAt: number }>(m: Map<string, V>, key: string): V | undefined => {
    const v = m.get(key);
    if (v && v.expiresAt <= clock()) {
      m.delete(key);
      return undefined;
    }
    return v;
  };
  return {
    kind: 'memory',
    local: true,
    async get<T>(key: string) {
      const r = live(records, key);
      return r ? ({ value: JSON.parse(r.value) as T, version: r.version } satisfies Versioned<T>) : undefined;
    },
    async create(key, value, ttlMs) {
      if (live(records, key)) return false;
      records.set(key, { value: JSON.stringify(value), version: 1, expiresAt: clock() + ttlMs });
      return true;
    },
    async replace(key, version, value, ttlMs) {
      const r = live(records, key);
      if (!r || r.version !== version) return false;
      records.set(key, { value: JSON.stringify(value), version: version + 1, expiresAt: clock() + ttlMs });
      return true;
    },
    async delete(key) {
      records.delete(key);
    },
    async renewIf(key, value, ttlMs) {
      const r = live(records, key);
      if (!r || r.value !== JSON.stringify(value)) return false;
      r.expiresAt = clock() + ttlMs;
      return true;
    },
    async deleteIf(key, value) {
      if (live(records, key)?.value === JSON.stringify(value)) records.delete(key);
    },
    async increment(key, windowMs) {
      const c = live(counters, key);
      if (!c) {
        counters.set(key, { count: 1, expiresAt: clock() + windowMs });
        return 1;
      }
      c.count += 1;
      return c.count;
    },
    async decrement(key) {
      const c = live(counters, key);
      if (c && c.count > 0) c.count -= 1;
    },
    async count(key) {
      return live(counters, key)?.count ?? 0;
    },
    async resetCounter(key) {
      counters.delete(key);
    },
    async close() {},
  };
}
