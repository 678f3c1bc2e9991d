/**
 * An independent RFC 6238 / RFC 4226 implementation for the tests (node:crypto only, not the server's library):
 * base32 decoding, HOTP's dynamic truncation over HMAC-SHA-1, and the time step of a moment.
 */
import { createHmac } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(input: string): Buffer {
  const clean = input.replace(/[\s=]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 4226 §5.3: HMAC-SHA-1 of the 8-byte counter, dynamic truncation, modulo 10^digits. */
export function hotp(key: Buffer, counter: number, digits = 6): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** RFC 6238: the code of the time step `steps` periods away from `at` (default now). */
export function totp(
  secretBase32: string,
  options: { at?: number; steps?: number; period?: number; digits?: number } = {},
): string {
  const period = options.period ?? 30;
  const step = Math.floor((options.at ?? Date.now()) / 1000 / period) + (options.steps ?? 0);
  return hotp(base32Decode(secretBase32), step, options.digits ?? 6);
}

/** The secret of an otpauth:// URI (as an app reads it). */
export function secretOf(otpauthUri: string): string {
  const url = new URL(otpauthUri);
  if (url.protocol !== 'otpauth:' || url.host !== 'totp') throw new Error(`not a TOTP URI: ${otpauthUri}`);
  return url.searchParams.get('secret')!;
}

/** A code that differs from `code` in its last digit only. */
export function oneDigitOff(code: string): string {
  const last = Number(code.at(-1));
  return code.slice(0, -1) + String((last + 1) % 10);
}
