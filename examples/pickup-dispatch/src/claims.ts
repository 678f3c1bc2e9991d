// Turns the claims an application received into the "User Details" rows of the Profile panel.

/** Friendly names for standard OpenID Connect claims, in the order the table shows them. */
export const CLAIM_DISPLAY_NAMES: ReadonlyMap<string, string> = new Map([
  ['preferred_username', 'Username'],
  ['name', 'Full Name'],
  ['given_name', 'First Name'],
  ['middle_name', 'Middle Name'],
  ['family_name', 'Last Name'],
  ['nickname', 'Nickname'],
  ['email', 'Email'],
  ['email_verified', 'Email Verified'],
  ['phone_number', 'Mobile'],
  ['phone_number_verified', 'Mobile Verified'],
  ['address', 'Address'],
  ['birthdate', 'Birth Date'],
  ['gender', 'Gender'],
  ['locale', 'Locale'],
  ['zoneinfo', 'Time Zone'],
  ['website', 'Website'],
  ['profile', 'Profile Page'],
  ['picture', 'Picture'],
  ['groups', 'Groups'],
  ['roles', 'Roles'],
  ['updated_at', 'Last Modified Time'],
]);

/**
 * Claims that describe the token or the login rather than the user. They are shown in the ID token panel,
 * not in User Details. `sub` is the panel's heading.
 */
const PROTOCOL_CLAIMS = new Set([
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'nonce',
  'auth_time',
  'azp',
  'sid',
  'at_hash',
  'c_hash',
  's_hash',
  'amr',
  'acr',
  'cnf',
]);

export interface UserDetail {
  claim: string;
  displayName: string;
  value: string;
}

function formatValue(claim: string, value: unknown): string {
  if (claim === 'updated_at' && typeof value === 'number') return new Date(value * 1000).toISOString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((v) => formatValue('', v)).join(', ');
  if (claim === 'address' && value !== null && typeof value === 'object') {
    const address = value as Record<string, unknown>;
    if (typeof address.formatted === 'string') return address.formatted;
    return ['street_address', 'locality', 'region', 'postal_code', 'country']
      .map((part) => address[part])
      .filter((part): part is string => typeof part === 'string' && part !== '')
      .join(', ');
  }
  return JSON.stringify(value);
}

/** User attribute claims from the ID token and userinfo (userinfo wins), friendly names first in a stable order. */
export function userDetails(...sources: ReadonlyArray<Record<string, unknown> | undefined>): UserDetail[] {
  const merged: Record<string, unknown> = Object.assign({}, ...sources.filter((s) => s !== undefined));
  const claims = Object.keys(merged).filter((claim) => !PROTOCOL_CLAIMS.has(claim) && merged[claim] !== null);
  const known = [...CLAIM_DISPLAY_NAMES.keys()].filter((claim) => claims.includes(claim));
  const unknown = claims.filter((claim) => !CLAIM_DISPLAY_NAMES.has(claim)).sort();
  return [...known, ...unknown].map((claim) => ({
    claim,
    displayName: CLAIM_DISPLAY_NAMES.get(claim) ?? claim,
    value: formatValue(claim, merged[claim]),
  }));
}
