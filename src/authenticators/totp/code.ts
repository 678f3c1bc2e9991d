/**
 * RFC 6238 codes through `otpauth`: a fresh secret, the otpauth:// URI and its QR code (an SVG string, so the page
 * needs no script), and which time step a typed code belongs to within the allowed drift.
 */
import { Secret, TOTP } from 'otpauth';
import type { TotpAlgorithm } from '../../identity/authenticator-settings.js';
import { ALGORITHM, SECRET_BYTES } from './config.js';

export interface TotpParameters {
  digits: number;
  period: number;
  /** absent in enrolments and credentials from before the setting existed: SHA-1 */
  algorithm?: TotpAlgorithm | string | undefined;
}

export function newSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/** What people type: spaces and dashes dropped. A code is digits only; anything else never matches. */
export function normaliseCode(input: string): string {
  return input.trim().replace(/[\s-]/g, '');
}

/** The otpauth:// URI an app reads: issuer, account (the username), the secret and the parameters. */
export function otpauthUri(secret: string, issuer: string, account: string, p: TotpParameters): string {
  return new TOTP({
    issuer,
    label: account,
    secret: Secret.fromBase32(secret),
    algorithm: p.algorithm ?? ALGORITHM,
    digits: p.digits,
    period: p.period,
  }).toString();
}

/** The QR encoder loads with the first enrolment, not at start. */
export async function qrSvg(uri: string): Promise<string> {
  const { default: QRCode } = await import('qrcode');
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/**
 * The RFC 6238 time step the code is valid for (now's step ± drift), or undefined. otpauth compares in constant time;
 * a code of the wrong length or with non-digits is refused before any comparison.
 */
export function matchingStep(
  secret: string,
  code: string,
  p: TotpParameters,
  now: number,
  drift: number,
): number | undefined {
  if (!new RegExp(`^[0-9]{${p.digits}}$`).test(code)) return undefined;
  const totp = new TOTP({
    secret: Secret.fromBase32(secret),
    algorithm: p.algorithm ?? ALGORITHM,
    digits: p.digits,
    period: p.period,
  });
  const delta = totp.validate({ token: code, timestamp: now, window: drift });
  return delta === null ? undefined : totp.counter({ timestamp: now }) + delta;
}

/** The time step of `now` (the replay guard of an enrolment's first code). */
export function stepOf(now: number, period: number): number {
  return Math.floor(now / 1000 / period);
}
