/**
 * The claim names that belong to the protocol, not to a user's profile: the OIDC dialect may never map user data
 * onto them, or userinfo and ID tokens would report profile values as the login's acr, amr, subject or audience.
 */

/** Registered claims of RFC 7519 §4.1. */
const JWT_REGISTERED = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'];

/**
 * Claims that OpenID Connect and the OAuth specifications around it give a protocol meaning: Core 1.0 (ID token,
 * aggregated and distributed claims, self-issued), Session/Front-/Back-Channel Logout (sid, events), RFC 7800 (cnf),
 * RFC 8693 and RFC 9068 (client_id, scope, act, may_act), RFC 9449 DPoP proofs (htm, htu, ath), RFC 8417 (txn, toe).
 */
const OIDC_PROTOCOL = [
  'nonce',
  'auth_time',
  'acr',
  'amr',
  'azp',
  'at_hash',
  'c_hash',
  's_hash',
  'sid',
  'cnf',
  'events',
  'sub_jwk',
  '_claim_names',
  '_claim_sources',
  'client_id',
  'scope',
  'act',
  'may_act',
  'htm',
  'htu',
  'ath',
  'txn',
  'toe',
];

export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([...JWT_REGISTERED, ...OIDC_PROTOCOL]);

/**
 * Whether a claim name is reserved. Compared without regard to case: JSON names are case-sensitive, but a relying
 * party that reads `ACR` as `acr` must not be handed profile data either.
 */
export function isReservedClaim(name: string): boolean {
  return RESERVED_CLAIMS.has(name.toLowerCase());
}
