/**
 * The per-login lease: one mutation of a login at a time across all nodes (a short record in the shared state store),
 * so a double submit or a reload racing a submission never runs a step's side effects (an SMS) twice. Compare-and-set
 * on the transaction still guards correctness if a lease expires; a request that cannot get the lease in time is told
 * to look again. Where the state store is the process's own (the embedded SQLite, memory), the lease is a lock in the
 * process instead: the same exclusion without the two writes per mutation a stored lease costs.
 */
import { randomUUID } from 'node:crypto';
import type { StateStore } from '../state/state-store.js';

export interface LeaseTiming {
  /** how long a request waits for another request of the same login */
  waitMs: number;
  /** how long a lease lives without renewal: the bound on a login blocked by a node that died holding it */
  ttlMs: number;
}

export const DEFAULT_LEASE: LeaseTiming = { waitMs: 5000, ttlMs: 10_000 };

/**
 * Logins held in this process, by login id: one map for every engine of the process, so two nodes on one SQLite file
 * in one process (the tests' clusters) exclude each other as nodes on a shared store do. Login ids are unique.
 */
const heldHere = new Map<string, Promise<void>>();

export function createLoginLease(state: StateStore, timing: LeaseTiming = DEFAULT_LEASE) {
  /** Runs `fn` holding the login in this process; `busy()` when another request held it for longer than the wait. */
  async function local<T>(id: string, fn: () => Promise<T>, busy: () => T): Promise<T> {
    const deadline = performance.now() + timing.waitMs;
    for (let holder = heldHere.get(id); holder !== undefined; holder = heldHere.get(id)) {
      const left = deadline - performance.now();
      if (left <= 0) return busy();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([holder, new Promise((r) => (timer = setTimeout(r, left)))]);
      clearTimeout(timer);
    }
    let release = () => {};
    heldHere.set(
      id,
      new Promise<void>((r) => {
        release = r;
      }),
    );
    try {
      return await fn();
    } finally {
      heldHere.delete(id);
      release();
    }
  }

  /** Runs `fn` holding the login's lease in the shared store. */
  async function shared<T>(id: string, fn: () => Promise<T>, busy: () => T): Promise<T> {
    const key = `login-lease:${id}`;
    // the lease names its owner: only this request renews or releases it, never one that took it after expiry
    const held = { owner: randomUUID() };
    const deadline = performance.now() + timing.waitMs;
    while (!(await state.create(key, held, timing.ttlMs))) {
      if (performance.now() > deadline) return busy();
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
    }
    // a step may wait on a gateway for minutes (its timeouts are configurable): renewed while it runs, the lease
    // outlives any timeout, and still ends within its TTL when the node holding it dies
    const renewal = setInterval(() => {
      state.renewIf(key, held, timing.ttlMs).catch(() => undefined);
    }, timing.ttlMs / 3);
    renewal.unref();
    try {
      return await fn();
    } finally {
      clearInterval(renewal);
      await state.deleteIf(key, held);
    }
  }

  return {
    /** Runs `fn` holding the login; `busy()` when another request held it for longer than the wait. */
    exclusive: state.local ? local : shared,
  };
}
