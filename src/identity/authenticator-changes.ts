/**
 * Which writes to a user change how that user proves who they are: the one rule that the admin API, SCIM and the
 * console (through the admin API) ask before such a write, so that holding one factor never buys another.
 * A new kind of authenticator (TOTP, passkeys) adds its kind and the claims or operations that set it here.
 */
import { ClaimUri, isBackupCodeClaim } from './claim-uris.js';
import { phoneLookupKey } from './phone.js';

/** The authenticators a user has, as the kinds a write can change. */
export type AuthenticatorKind = 'password' | 'mobile-number' | 'sms-otp-disabled' | 'backup-codes' | 'totp' | 'passkey';

/** Words for audit events, problem details and the SMS notice. */
export const AUTHENTICATOR_LABELS: Record<AuthenticatorKind, string> = {
  password: 'password',
  'mobile-number': 'mobile number for SMS codes',
  'sms-otp-disabled': 'SMS one-time password switched on or off',
  'backup-codes': 'backup codes',
  // added and removed through their own operations (admin API /users/{id}/totp), never through claims
  totp: 'authenticator app',
  // removed through the admin API (/users/{id}/passkeys); added only inside a login (the user's browser)
  passkey: 'passkey',
};

/** A write to one user, as far as authenticators go. */
export interface UserWrite {
  /** claim values by local claim URI, as the write sends them (an empty string removes a value) */
  claims?: Record<string, string> | undefined;
  /** the write sets a password */
  password?: boolean;
  /** the write replaces the backup codes (outside the claims, e.g. the generate endpoint or a SCIM extension) */
  backupCodes?: boolean;
}

const isTrue = (v: string | undefined) => /^true$/i.test((v ?? '').trim());

/**
 * The authenticator kinds that `write` changes for a user whose current claims are `current` (undefined for a user
 * being created). A value written back unchanged is no change, so a form that saves every field does not count;
 * backup codes and passwords are never read back, so writing them always counts.
 */
export function changedAuthenticators(
  write: UserWrite,
  current: Record<string, string> | undefined,
): AuthenticatorKind[] {
  const now = current ?? {};
  const changes = new Set<AuthenticatorKind>();
  if (write.password) changes.add('password');
  if (write.backupCodes) changes.add('backup-codes');
  for (const [uri, raw] of Object.entries(write.claims ?? {})) {
    const value = typeof raw === 'string' ? raw.trim() : '';
    // creating a user with no codes gives them none; any write of codes to an existing user replaces theirs
    if (isBackupCodeClaim(uri) && (current !== undefined || value !== '')) changes.add('backup-codes');
    // numbers compare as stored (E.164): `+94 77 200 0002` written back over `+94772000002` is the same number
    if (uri === ClaimUri.mobile && phoneLookupKey(value) !== phoneLookupKey(now[uri] ?? ''))
      changes.add('mobile-number');
    if (uri === ClaimUri.smsOtpDisabled && isTrue(value) !== isTrue(now[uri])) changes.add('sms-otp-disabled');
  }
  return [...changes];
}
