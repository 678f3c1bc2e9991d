// Which claims a user profile shows and how: supported by default, ordered; backup codes are write-only.
import { ApiError } from '../../api/client.ts';
import type { LocalClaim } from '../../api/types.ts';

export const BACKUP_CODE_CLAIMS = [
  'http://wso2.org/claims/otpbackupcodes',
  'http://wso2.org/claims/identity/otpbackupcodes',
];
export const USERNAME_CLAIM = 'http://wso2.org/claims/username';
export const ROLE_CLAIM = 'http://wso2.org/claims/role';

export function isBackupCodeClaim(uri: string): boolean {
  return BACKUP_CODE_CLAIMS.includes(uri);
}

/** The profile's claims: supported by default, not the username (shown apart) nor roles (edited apart). */
export function profileClaims(claims: LocalClaim[]): LocalClaim[] {
  return claims
    .filter((c) => c.supportedByDefault && c.uri !== USERNAME_CLAIM && c.uri !== ROLE_CLAIM)
    .sort((a, b) => a.displayOrder - b.displayOrder || a.uri.localeCompare(b.uri));
}

/** Field problems for a claim, whichever way the API names the field. */
export function isClaimField(field: string, uri: string): boolean {
  return [`claims.${uri}`, `claims[${uri}]`, `claims["${uri}"]`, `/claims/${uri}`, `claims/${uri}`, uri].includes(
    field,
  );
}

/** The form error's messages for a claim's field. */
export function claimErrors(error: unknown, uri: string): string[] {
  return error instanceof ApiError
    ? (error.problem.errors ?? []).filter((e) => isClaimField(e.field, uri)).map((e) => e.message)
    : [];
}

/** The field names a profile form shows errors for: each claim's, however the API names it. */
export function claimFields(claims: LocalClaim[]): string[] {
  return claims.flatMap((c) => [`claims.${c.uri}`, `claims[${c.uri}]`, c.uri]);
}

/** Roles typed comma-separated. */
export function rolesOf(text: string): string[] {
  return text
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
}

/** Client-side check against the claim's regular expression (the server checks again). */
export function claimProblem(claim: LocalClaim, value: string): string | undefined {
  if (!value || !claim.regex || isBackupCodeClaim(claim.uri)) return undefined;
  try {
    return new RegExp(claim.regex, 'u').test(value) ? undefined : `Does not match the pattern of ${claim.displayName}.`;
  } catch {
    return undefined;
  }
}
