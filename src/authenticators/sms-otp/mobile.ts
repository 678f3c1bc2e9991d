/**
 * Phone numbers on the server: a captured number must be a real mobile number (libphonenumber-js/max) and match the
 * configured pattern; a stored number only has to be a possible number. Both leave in E.164.
 */
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { patternMatches } from '../../identity/safe-regex.js';
import type { SmsOtpConfig } from './config.js';

export type CapturedNumber =
  | { ok: true; e164: string; country: string | undefined }
  | { ok: false; message: 'sms-otp.mobile-missing' | 'sms-otp.mobile-invalid' | 'sms-otp.mobile-pattern' };

function defaultCountry(config: SmsOtpConfig): CountryCode | undefined {
  const c = config.defaultCountry.trim().toUpperCase();
  return c !== '' && isSupportedCountry(c) ? c : undefined;
}

export function validateCapturedNumber(input: string, config: SmsOtpConfig): CapturedNumber {
  const typed = input.trim();
  if (typed === '') return { ok: false, message: 'sms-otp.mobile-missing' };
  if (typed.length > 32) return { ok: false, message: 'sms-otp.mobile-invalid' };
  const parsed = parsePhoneNumberFromString(typed, defaultCountry(config));
  const type = parsed?.getType();
  if (!parsed?.isValid() || (type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE'))
    return { ok: false, message: 'sms-otp.mobile-invalid' };
  if (config.mobileRegex !== '' && !patternMatches(config.mobileRegex, parsed.number))
    return { ok: false, message: 'sms-otp.mobile-pattern' };
  return { ok: true, e164: parsed.number, country: parsed.country };
}

/** The profile's number in E.164, or undefined when it cannot be a phone number at all. */
export function normaliseStoredNumber(
  value: string,
  config: SmsOtpConfig,
): { e164: string; country: string | undefined } | undefined {
  const parsed = parsePhoneNumberFromString(value.trim(), defaultCountry(config));
  if (!parsed?.isPossible()) return undefined;
  return { e164: parsed.number, country: parsed.country };
}

/** The destination country may receive codes: an empty allow-list allows all; an unknown country is refused by a list. */
export function countryAllowed(country: string | undefined, config: SmsOtpConfig): boolean {
  const allowed = config.limits.allowedCountries;
  return allowed.length === 0 || (country !== undefined && allowed.includes(country));
}
