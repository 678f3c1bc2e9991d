/**
 * The front door contract: how a protocol (OIDC, SAML) starts a login and how it takes back a finished one.
 * The engine depends on these data shapes only; it imports no protocol. The HTTP side of a front door (checking
 * that the browser holds the login, answering the application) lives with the protocol, in the web layer.
 */

/** Protocols that can start a login (`account`: Stepgate's own My Account, web/account/front-door.ts). */
export type LoginProtocol = 'oidc' | 'saml' | 'account';

/** What the application asked of this login, in protocol-neutral words. */
export interface LoginRequirements {
  /** acceptable acr values (OIDC acr_values; SAML RequestedAuthnContext mapped to Stepgate's acr values) */
  acceptableAcr?: string[];
  /** re-authenticate even when a session exists (OIDC prompt=login / max_age; SAML ForceAuthn) */
  forceAuthentication?: boolean;
  /** the user must not be asked anything (OIDC prompt=none; SAML IsPassive) */
  passive?: boolean;
  /** the languages the application asked the pages to speak, best first (OIDC ui_locales) */
  uiLocales?: string[];
}

/** How a front door starts a login: the engine creates the login transaction under this id. */
export interface LoginRequest {
  /** the login transaction id (OIDC: the interaction uid; SAML: an id the SAML front door makes) */
  loginId: string;
  protocol: LoginProtocol;
  applicationId: string;
  requirements: LoginRequirements;
}

/** What a front door gets back when every step passed. */
export interface LoginCompletion {
  loginId: string;
  applicationId: string;
  /** Stepgate's internal user id; the front door maps it to the application's subject value */
  accountId: string;
  /** RFC 8176 methods actually used */
  amr: string[];
  /** Stepgate's acr value (see authn/acr.ts) */
  acr: string;
  /** when the user last authenticated, in ms since the epoch */
  authTime: number;
}

/**
 * Why a login ends without a user, in protocol-neutral words; each front door maps it to its own error
 * (oidc/front-door.ts, saml/).
 */
export type LoginRefusalReason =
  /** the login reached a weaker acr than every acceptable one (OIDC: unmet authentication requirements; SAML: NoAuthnContext) */
  | 'acr-unmet'
  /** the user cancelled or could not complete the login (OIDC: access denied; SAML: AuthnFailed) */
  | 'cancelled'
  /** interaction was needed but the request was passive (OIDC: login required; SAML: NoPassive) */
  | 'interaction-required';

export interface LoginRefusal {
  loginId: string;
  reason: LoginRefusalReason;
  description: string;
}
