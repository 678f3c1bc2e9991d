/**
 * The TOTP authenticator's settings: the deployment's `totp` section of the configuration (config/schema.ts, one
 * schema with descriptions and defaults, docs/configuration.md). A credential keeps the digits and period it was
 * enrolled with, so changing these later never breaks an app that is already set up.
 */
import type { Config } from '../../config/schema.js';

export type TotpConfig = Config['totp'];

/** RFC 6238's parameters (SHA-1 is the only algorithm every authenticator app reads from an otpauth:// URI). */
export const ALGORITHM = 'SHA1';
/** 160 bits, the HMAC-SHA-1 block's natural key size (RFC 4226 §4 asks for at least 128). */
export const SECRET_BYTES = 20;
/** How long an enrolment may wait for its first code. */
export const ENROLMENT_TTL_MS = 10 * 60_000;
/** Authenticator apps one user may have. */
export const MAX_CREDENTIALS = 5;
/** The sealing purpose of TOTP secrets (keyring: a key of its own, derived from the master key). */
export const SEAL_PURPOSE = 'totp-secret';
