/**
 * Matching a destination against operator lists whose entries are E.164 prefixes (`+9477`) or ISO countries (`LK`):
 * the most specific matching entry wins. A prefix counts its digits; a country counts the digits of its calling code
 * and a half, so `CA` beats `+1` but `+1604` beats `CA`. Also the prefix a number is monitored under.
 */
import {
  type CountryCode,
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/max';

export interface Destination {
  /** E.164 */
  e164: string;
  country: string | undefined;
}

/** How specific `entry` is for this destination, or undefined when it does not match. */
export function specificity(entry: string, to: Destination): number | undefined {
  if (entry.startsWith('+')) return to.e164.startsWith(entry) ? entry.length - 1 : undefined;
  if (to.country !== entry || !isSupportedCountry(entry)) return undefined;
  return getCountryCallingCode(entry as CountryCode).length + 0.5;
}

/** The most specific entry of `entries` for the destination, with its specificity. */
export function bestMatch(entries: Iterable<string>, to: Destination): { entry: string; score: number } | undefined {
  let best: { entry: string; score: number } | undefined;
  for (const entry of entries) {
    const score = specificity(entry, to);
    if (score !== undefined && (best === undefined || score > best.score)) best = { entry, score };
  }
  return best;
}

export type ListVerdict = { kind: 'blocked'; entry: string } | { kind: 'allowed'; entry: string } | { kind: 'none' };

/** The allow and block lists for a destination: the more specific match wins, a tie goes to the block list. */
export function listVerdict(
  lists: { allow: readonly string[]; block: readonly string[] },
  to: Destination,
): ListVerdict {
  const blocked = bestMatch(lists.block, to);
  const allowed = bestMatch(lists.allow, to);
  if (blocked && (!allowed || blocked.score >= allowed.score)) return { kind: 'blocked', entry: blocked.entry };
  if (allowed) return { kind: 'allowed', entry: allowed.entry };
  return { kind: 'none' };
}

/** `+94771` for +94771234567 with 3 digits: the calling code and the first national digits. */
export function monitoredPrefix(e164: string, digits: number): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164.slice(0, 1 + digits);
  return `+${parsed.countryCallingCode}${parsed.nationalNumber.slice(0, digits)}`;
}
