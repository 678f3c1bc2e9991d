/**
 * The TOTP authenticator's settings: the deployment's `totp` section of the configuration (config/schema.ts, one
 * schema with descriptions and defaults, docs/configuration.md) under the installation's settings. A credential keeps
 * the digits, period and algorithm it was enrolled with, so changing these later never breaks an app already set up.
 */
import type { Config } from '../../config/schema.js';
import { createAuthenticatorSettings, type TotpAlgorithm } from '../../identity/authenticator-settings.js';
import type { Db } from '../../store/db.js';

/**
 * What a TOTP step reads: the configuration file's `totp` section with the installation's settings over it
 * (identity/authenticator-settings.ts: digits, period, algorithm, drift, issuer, edited in the console).
 */
export type TotpConfig = Config['totp'] & { algorithm?: TotpAlgorithm };

/** RFC 6238's default (SHA-1 is the only algorithm every authenticator app reads from an otpauth:// URI). */
export const ALGORITHM: TotpAlgorithm = 'SHA1';
/** 160 bits, the HMAC-SHA-1 block's natural key size (RFC 4226 §4 asks for at least 128). */
export const SECRET_BYTES = 20;
/** How long an enrolment may wait for its first code. */
export const ENROLMENT_TTL_MS = 10 * 60_000;
/** Authenticator apps one user may have. */
export const MAX_CREDENTIALS = 5;
/** The sealing purpose of TOTP secrets (keyring: a key of its own, derived from the master key). */
export const SEAL_PURPOSE = 'totp-secret';

/**
 * The TOTP settings that apply now: the configuration file's `totp` section with the installation's saved settings
 * over it. Every enrolment and every code check reads it, so a change in the console applies to the next step.
 */
export async function currentTotpConfig(db: Db, config: Pick<Config, 'totp'>): Promise<TotpConfig> {
  const { settings } = await createAuthenticatorSettings(db, config).get('totp');
  return { ...config.totp, ...settings };
}
