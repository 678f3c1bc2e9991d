/**
 * Short-lived shared state: versioned records (login transactions) and atomic counters (tries, send limits).
 * One interface, three back ends: memory (unit tests), SQL (embedded default, and any cluster on PostgreSQL), Redis.
 */
export interface Versioned<T> {
  value: T;
  version: number;
}

export interface StateStore {
  readonly kind: 'memory' | 'sql' | 'redis';
  /**
   * true when no other process shares this store: memory, and the embedded SQLite (which serves one node only,
   * docs/cluster.md). Per-login leases are then locks in the process (authn/lease.ts) and cost no writes.
   */
  readonly local: boolean;
  get<T>(key: string): Promise<Versioned<T> | undefined>;
  /** Stores a new record at version 1; false when the key exists already. */
  create<T>(key: string, value: T, ttlMs: number): Promise<boolean>;
  /** Compare-and-set: writes only when the stored version is `version`; the new version is version + 1. */
  replace<T>(key: string, version: number, value: T, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Extends a live record's life only while it still holds `value` (a lease its owner renews); false otherwise. */
  renewIf<T>(key: string, value: T, ttlMs: number): Promise<boolean>;
  /** Deletes a record only while it still holds `value` (a lease released by its owner, never by a later one). */
  deleteIf<T>(key: string, value: T): Promise<void>;
  /** Adds 1 and returns the new count; the window starts (and its ttl is set) with the first increment. */
  increment(key: string, windowMs: number): Promise<number>;
  /** Takes back one increment of a live counter (never below 0; the window is kept). */
  decrement(key: string): Promise<void>;
  /** Current count of a counter, 0 when absent or expired. */
  count(key: string): Promise<number>;
  resetCounter(key: string): Promise<void>;
  close(): Promise<void>;
}
