/**
 * The one phone number normaliser of every write path (admin API, SCIM, setup file, CLI, capture): a number is
 * stored in E.164 or refused. Typed spaces, dashes and brackets do not make a second subject.
 */
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type NormalisedPhone = { ok: true; e164: string } | { ok: false; message: string };

export const PHONE_FORMAT_MESSAGE = 'must be a valid phone number with its country code, for example +94 77 123 4567';

/**
 * The number in E.164 when libphonenumber's metadata says it is a valid number. Without a default country the
 * number must carry its country code: a bare local number is ambiguous and would become a different subject later.
 */
export function normalisePhone(input: string, defaultCountry?: string): NormalisedPhone {
  const typed = input.trim();
  // longer than any formatted number: refused before the parser spends time on it
  if (typed === '' || typed.length > 32) return { ok: false, message: PHONE_FORMAT_MESSAGE };
  const country = defaultCountry?.trim().toUpperCase();
  const parsed = parsePhoneNumberFromString(
    typed,
    country && isSupportedCountry(country) ? (country as CountryCode) : undefined,
  );
  if (!parsed?.isValid()) return { ok: false, message: PHONE_FORMAT_MESSAGE };
  return { ok: true, e164: parsed.number };
}

/** The E.164 form for lookups (a search by mobile number); the input unchanged when it is no phone number. */
export function phoneLookupKey(input: string): string {
  const n = normalisePhone(input);
  return n.ok ? n.e164 : input.trim();
}
