/**
 * Conversion monitoring against SMS pumping: per country and per prefix, codes sent and codes verified are counted
 * in the shared state store (every node adds to the same counters) over a sliding window made of six buckets. A
 * country or prefix with at least `minSends` codes sent whose verified share is below the threshold is throttled
 * until the window ages out. Pumped numbers never verify, so their share falls; real users' codes come back.
 */
import type { StateStore } from '../../../state/state-store.js';
import type { FraudConfig } from './config.js';
import { type Destination, monitoredPrefix } from './destinations.js';

const BUCKETS = 6;
const MINUTE = 60_000;

export interface Scope {
  kind: 'country' | 'prefix';
  /** `LK` or `+94771` */
  id: string;
}

export interface Trip {
  scope: Scope;
  sent: number;
  verified: number;
}

type Conversion = FraudConfig['conversion'];

/** The scopes a destination is counted under: its country (when known) and its prefix. */
export function scopesOf(to: Destination, config: Conversion): Scope[] {
  const prefix: Scope = { kind: 'prefix', id: monitoredPrefix(to.e164, config.prefixDigits) };
  return to.country ? [{ kind: 'country', id: to.country }, prefix] : [prefix];
}

export function createConversionMonitor(state: StateStore) {
  const bucketMs = (c: Conversion) => (c.windowMinutes * MINUTE) / BUCKETS;
  const key = (what: 'sent' | 'verified', idp: string, scope: Scope, bucket: number) =>
    `smsfraud:conv:${what}:${idp}:${scope.kind}:${scope.id}:${bucket}`;

  async function add(what: 'sent' | 'verified', idp: string, to: Destination, config: Conversion, now: number) {
    if (config.minSends <= 0) return;
    const size = bucketMs(config);
    const bucket = Math.floor(now / size);
    // a bucket lives as long as the window it can be part of
    for (const scope of scopesOf(to, config))
      await state.increment(key(what, idp, scope, bucket), config.windowMinutes * MINUTE + size);
  }

  async function total(what: 'sent' | 'verified', idp: string, scope: Scope, config: Conversion, now: number) {
    const current = Math.floor(now / bucketMs(config));
    const counts = await Promise.all(
      Array.from({ length: BUCKETS }, (_, i) => state.count(key(what, idp, scope, current - i))),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  return {
    /** A code went to the provider (or may have: a timeout). */
    sent: (idp: string, to: Destination, config: Conversion, now: number) => add('sent', idp, to, config, now),
    /** A code sent by SMS came back right. */
    verified: (idp: string, to: Destination, config: Conversion, now: number) => add('verified', idp, to, config, now),
    /** The first scope of the destination whose conversion is below the threshold, with its counts. */
    async tripped(idp: string, to: Destination, config: Conversion, now: number): Promise<Trip | undefined> {
      if (config.minSends <= 0) return undefined;
      for (const scope of scopesOf(to, config)) {
        const sent = await total('sent', idp, scope, config, now);
        if (sent < config.minSends) continue;
        const verified = await total('verified', idp, scope, config, now);
        if (verified * 100 < config.minVerifiedPercent * sent) return { scope, sent, verified };
      }
      return undefined;
    },
    /**
     * True for the first caller on any node since the scope tripped within this window: that one writes the audit
     * event, so a throttled prefix is announced once, not on every refused send.
     */
    announce: (idp: string, scope: Scope, config: Conversion, now: number) =>
      state.create(`smsfraud:tripped:${idp}:${scope.kind}:${scope.id}`, { at: now }, config.windowMinutes * MINUTE),
    /** With action `slow`: takes one SMS of the throttled scope's slow budget; false when it is spent. */
    async slowAllows(idp: string, scope: Scope, config: Conversion): Promise<boolean> {
      const n = await state.increment(`smsfraud:slow:${idp}:${scope.kind}:${scope.id}`, config.windowMinutes * MINUTE);
      return n <= config.slowMax;
    },
  };
}

export type ConversionMonitor = ReturnType<typeof createConversionMonitor>;
