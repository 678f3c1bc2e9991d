/**
 * A circuit breaker per gateway, shared by every node through the state store: a gateway that failed `failures`
 * times within `windowSeconds` is open (skipped) for `coolDownSeconds`; then it is half-open and exactly one send,
 * on whichever node takes the trial first, tries it: a success closes it, a failure opens it again.
 *
 *   closed ──(N failures in the window)──▶ open ──(cool-down over)──▶ half-open ──(trial succeeds)──▶ closed
 *                                           ▲                              │
 *                                           └────────(trial fails)─────────┘
 */
import type { StateStore } from '../../state/state-store.js';

export interface BreakerPolicy {
  /** 0: the breaker is off */
  failures: number;
  windowSeconds: number;
  coolDownSeconds: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** What admit said, handed back to success / failure. */
export interface Admission {
  admitted: boolean;
  state: BreakerState;
}

export interface BreakerStatus {
  state: BreakerState;
  /** failures counted in the current window */
  failures: number;
  /** when an open breaker lets the next trial through (epoch ms) */
  openUntil: number | null;
}

interface Opened {
  since: number;
  until: number;
}

/** Long enough for a trial send to finish; a node that died mid-trial frees it after this. */
const TRIAL_MS = 5 * 60_000;
/** How long a breaker that opened stays ready to half-open once its cool-down is over (no traffic: then closed). */
const TRIPPED_MS = 60 * 60_000;

export function createBreaker(state: StateStore, now: () => number = Date.now) {
  const key = (part: string, scope: string, name: string) => `smsgw:${part}:${scope}:${name}`;

  async function open(scope: string, name: string, policy: BreakerPolicy): Promise<void> {
    const at = now();
    const ms = policy.coolDownSeconds * 1000;
    await state.delete(key('open', scope, name));
    await state.create<Opened>(key('open', scope, name), { since: at, until: at + ms }, ms);
    await state.delete(key('tripped', scope, name));
    await state.create(key('tripped', scope, name), { since: at }, ms + TRIPPED_MS);
    await state.delete(key('trial', scope, name));
    await state.resetCounter(key('failures', scope, name));
  }

  return {
    /** Whether this send may use the gateway: closed, or half-open and this send won the one trial. */
    async admit(scope: string, name: string, policy: BreakerPolicy): Promise<Admission> {
      if (policy.failures <= 0) return { admitted: true, state: 'closed' };
      if (await state.get(key('open', scope, name))) return { admitted: false, state: 'open' };
      if (!(await state.get(key('tripped', scope, name)))) return { admitted: true, state: 'closed' };
      const trial = await state.create(key('trial', scope, name), { at: now() }, TRIAL_MS);
      return { admitted: trial, state: 'half-open' };
    },
    /** A send that worked: a half-open breaker (or an open one tried as a last resort) closes. */
    async success(scope: string, name: string, admission: Admission): Promise<void> {
      if (admission.state === 'closed') return;
      await state.delete(key('open', scope, name));
      await state.delete(key('tripped', scope, name));
      await state.delete(key('trial', scope, name));
      await state.resetCounter(key('failures', scope, name));
    },
    async failure(scope: string, name: string, policy: BreakerPolicy, admission: Admission): Promise<void> {
      if (policy.failures <= 0) return;
      if (admission.state === 'half-open') return open(scope, name, policy);
      const count = await state.increment(key('failures', scope, name), policy.windowSeconds * 1000);
      if (count >= policy.failures) await open(scope, name, policy);
    },
    /** The breaker as every node sees it, for the admin API and the console. */
    async status(scope: string, name: string, policy: BreakerPolicy): Promise<BreakerStatus> {
      const failures = await state.count(key('failures', scope, name));
      if (policy.failures <= 0) return { state: 'closed', failures, openUntil: null };
      const opened = await state.get<Opened>(key('open', scope, name));
      if (opened) return { state: 'open', failures, openUntil: opened.value.until };
      const tripped = await state.get(key('tripped', scope, name));
      return { state: tripped ? 'half-open' : 'closed', failures, openUntil: null };
    },
  };
}

export type Breaker = ReturnType<typeof createBreaker>;
