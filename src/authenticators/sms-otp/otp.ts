/**
 * The one-time code: drawn uniformly from a CSPRNG, kept only as a keyed hash bound to its login and its own id,
 * and compared in constant time. The plaintext lives only in the SMS.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { type Keyring, safeEqual } from '../../crypto/keyring.js';

const DIGITS = '0123456789';
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const PURPOSE = 'sms-otp';

export interface IssuedOtp {
  /** random id: binds the hash and the per-code attempt counters to this code */
  id: string;
  code: string;
}

/** randomInt draws without modulo bias, one symbol at a time. */
export function generateOtp(length: number, numericOnly: boolean): IssuedOtp {
  const alphabet = numericOnly ? DIGITS : ALPHANUMERIC;
  const code = Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
  return { id: randomUUID(), code };
}

/** What people type: surrounding and inner spaces or dashes dropped, letters upper-cased (codes use A–Z only). */
export function normaliseCode(input: string): string {
  return input.trim().replace(/[\s-]/g, '').toUpperCase();
}

export function hashOtp(keyring: Keyring, loginId: string, otpId: string, code: string): string {
  return keyring.mac(PURPOSE, loginId, otpId, normaliseCode(code));
}

export function otpMatches(
  keyring: Keyring,
  loginId: string,
  otp: { id: string; hash: string },
  candidate: string,
): boolean {
  return safeEqual(hashOtp(keyring, loginId, otp.id, candidate), otp.hash);
}
