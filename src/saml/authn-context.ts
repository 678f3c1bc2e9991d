/**
 * Stepgate's acr values and SAML authentication context classes. A password-only login is stated as
 * PasswordProtectedTransport, a two-factor login as REFEDS MFA, so a service provider can tell them apart; a
 * RequestedAuthnContext is matched with its Comparison (SAML core §3.3.2.2.1) and a request no login can meet gets
 * NoAuthnContext, never a weaker assertion.
 */
import { ACR } from '../authn/acr.js';

export const AUTHN_CONTEXT = {
  unspecified: 'urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified',
  password: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password',
  passwordProtectedTransport: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
  mfa: 'https://refeds.org/profile/mfa',
} as const;

/** The class a login of each Stepgate acr is stated as. */
const CLASS_OF_ACR: Record<string, string> = {
  [ACR.oneFactor]: AUTHN_CONTEXT.passwordProtectedTransport,
  [ACR.twoFactors]: AUTHN_CONTEXT.mfa,
};

/** Strength of the classes Stepgate knows: 1 one factor, 2 two factors. Stepgate's own acr URIs are accepted too. */
const RANK: Record<string, number> = {
  [AUTHN_CONTEXT.password]: 1,
  [AUTHN_CONTEXT.passwordProtectedTransport]: 1,
  [ACR.oneFactor]: 1,
  [AUTHN_CONTEXT.mfa]: 2,
  [ACR.twoFactors]: 2,
};
const RANK_OF_ACR: Record<string, number> = { [ACR.oneFactor]: 1, [ACR.twoFactors]: 2 };

export type Comparison = 'exact' | 'minimum' | 'maximum' | 'better';

export interface RequestedAuthnContext {
  comparison: Comparison;
  classRefs: string[];
}

export function classOfAcr(acr: string): string {
  return CLASS_OF_ACR[acr] ?? AUTHN_CONTEXT.unspecified;
}

/**
 * The class to state for a login that reached `acr`, or undefined when it does not meet the request. Classes
 * Stepgate does not know are ignored; a request of unknown classes only is met by nothing.
 */
export function statedClass(requested: RequestedAuthnContext | undefined, acr: string): string | undefined {
  const own = classOfAcr(acr);
  if (!requested || requested.classRefs.length === 0) return own;
  const rank = RANK_OF_ACR[acr] ?? 0;
  const known = requested.classRefs.filter((c) => RANK[c] !== undefined);
  if (known.length === 0) return undefined;
  const ranks = known.map((c) => RANK[c]!);
  switch (requested.comparison) {
    case 'exact': {
      // one of the listed classes, the strongest this login truly reached
      const fitting = known.filter((c) => RANK[c]! <= rank).sort((a, b) => RANK[b]! - RANK[a]!);
      if (fitting.length === 0) return undefined;
      return fitting.find((c) => c === own) ?? fitting[0];
    }
    case 'minimum':
      return rank >= Math.min(...ranks) ? own : undefined;
    case 'better':
      return rank > Math.min(...ranks) ? own : undefined;
    case 'maximum': {
      const ceiling = Math.max(...ranks);
      if (rank <= ceiling) return own;
      return known.filter((c) => RANK[c] === ceiling)[0];
    }
  }
}

/** The Stepgate acr values that would meet the request: the engine refuses a login that reaches none of them. */
export function acceptableAcr(requested: RequestedAuthnContext | undefined): string[] {
  return Object.values(ACR).filter((acr) => statedClass(requested, acr) !== undefined);
}
