/**
 * The daily spend cap per gateway: each SMS costs its segments × the destination's price per segment (the price
 * table, longest match, else the default price), added to a shared counter of the gateway's UTC day before the send.
 * The state store's counters count by one, so the spend is a versioned record updated with compare-and-set: two
 * nodes adding at once both land, and neither can overrun the cap. Amounts are kept in millionths, as integers.
 */
import type { StateStore } from '../../../state/state-store.js';
import type { FraudConfig } from './config.js';
import { bestMatch, type Destination } from './destinations.js';

const UNIT = 1_000_000;
const DAY_MS = 86_400_000;
/** a day's record outlives its day a little, so a node whose clock is behind still finds it */
const KEEP_MS = DAY_MS + 2 * 3_600_000;
const MAX_TRIES = 20;

type Spend = FraudConfig['spend'];

/** One SMS's price: segments × the price per segment of the most specific price entry, else the default. */
export function priceOf(spend: Spend, to: Destination, segments: number): number {
  const match = bestMatch(Object.keys(spend.prices), to);
  const perSegment = match ? spend.prices[match.entry]! : spend.defaultPrice;
  return Math.max(1, segments) * perSegment;
}

export const dayOf = (now: number) => new Date(now).toISOString().slice(0, 10);

export interface Reservation {
  key: string;
  units: number;
}

export function createSpendCap(state: StateStore) {
  const key = (idp: string, gateway: string, day: string) => `smsfraud:spend:${idp}:${gateway}:${day}`;

  /** Adds `delta` units unless the total would pass `capUnits`; the new total, or undefined when refused. */
  async function add(k: string, delta: number, capUnits: number): Promise<number | undefined> {
    for (let i = 0; i < MAX_TRIES; i++) {
      const current = await state.get<{ units: number }>(k);
      const next = Math.max(0, (current?.value.units ?? 0) + delta);
      if (delta > 0 && next > capUnits) return undefined;
      const written = current
        ? await state.replace(k, current.version, { units: next }, KEEP_MS)
        : await state.create(k, { units: next }, KEEP_MS);
      if (written) return next;
    }
    // contention this heavy means many sends at once: refusing one is safer than overrunning the cap
    return undefined;
  }

  return {
    /** Takes the SMS's price from the gateway's day, or says the cap would be passed. A gateway without a cap passes. */
    async reserve(
      idp: string,
      gateway: string,
      spend: Spend,
      price: number,
      now: number,
    ): Promise<{ ok: true; reservation?: Reservation } | { ok: false; cap: number; spent: number; day: string }> {
      const cap = spend.dailyCaps[gateway];
      if (cap === undefined) return { ok: true };
      const day = dayOf(now);
      const k = key(idp, gateway, day);
      const units = Math.round(price * UNIT);
      const total = await add(k, units, Math.round(cap * UNIT));
      if (total === undefined) {
        const spent = (await state.get<{ units: number }>(k))?.value.units ?? 0;
        return { ok: false, cap, spent: spent / UNIT, day };
      }
      return { ok: true, reservation: { key: k, units } };
    },
    /** Gives a send's price back: the provider definitively did not send it. */
    async release(reservation: Reservation): Promise<void> {
      await add(reservation.key, -reservation.units, Number.MAX_SAFE_INTEGER);
    },
    /** What the gateway spent today, for the operator. */
    async spent(idp: string, gateway: string, now: number): Promise<number> {
      return ((await state.get<{ units: number }>(key(idp, gateway, dayOf(now))))?.value.units ?? 0) / UNIT;
    },
    /** True for the first caller since the gateway reached its cap today: that one writes the audit event. */
    announce: (idp: string, gateway: string, now: number) =>
      state.create(`smsfraud:capped:${idp}:${gateway}:${dayOf(now)}`, { at: now }, KEEP_MS),
  };
}

export type SpendCap = ReturnType<typeof createSpendCap>;
