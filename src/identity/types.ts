/**
 * The domain's data shapes as the admin API returns them, with no imports: the server modules re-export them and
 * the console (a browser bundle) imports them from here, so both sides speak one set of types.
 */

/** One way to pass a step: a local authenticator, or a federated one inside a named identity provider. */
export interface SequenceOption {
  /** authenticator id: 'password' (local) or 'sms-otp' (federated) */
  authenticator: string;
  /** for federated authenticators: the identity provider's name, e.g. 'smsOTP' */
  idp?: string;
}

export interface AuthenticationStep {
  options: SequenceOption[];
}

export type ClientType = 'confidential' | 'public';
export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';
/** how a confidential client authenticates at the token endpoint (public clients: none) */
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post';

export interface ApplicationSettings {
  clientType: ClientType;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  grantTypes: GrantType[];
  /** confidential clients: the one method they may authenticate with; client_secret_basic when not set */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /** scopes beyond the OIDC ones this client may ask for, e.g. 'stepgate:admin' */
  extraScopes: string[];
  subjectClaimUri: string;
  requestedClaims: string[];
  steps: AuthenticationStep[];
  /** inbound SAML 2.0 (WSO2: Inbound Authentication Configuration › SAML2 Web SSO Configuration); absent: OIDC only */
  saml?: SamlServiceProviderSettings;
}

/** SAML NameID formats Stepgate issues. */
export type SamlNameIdFormat =
  | 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'
  | 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'
  | 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'
  | 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';

/** A SAML service provider's inbound configuration, in WSO2's words where it has them. */
export interface SamlServiceProviderSettings {
  /** Issuer: the SP's entity ID, unique across applications */
  issuer: string;
  /** Assertion Consumer URLs: the only addresses a response is ever sent to */
  assertionConsumerUrls: string[];
  /** Default Assertion Consumer URL: one of the above, used when the request names none (and for IdP-initiated SSO) */
  defaultAssertionConsumerUrl: string;
  /** NameID format; the NameID value is the application's subject claim value */
  nameIdFormat: SamlNameIdFormat;
  /** Enable Response Signing (the assertion is always signed) */
  signResponses: boolean;
  /** Enable Signature Validation in Authentication Requests and Logout Requests (needs certificate) */
  validateRequestSignatures: boolean;
  /** Enable Assertion Encryption (needs certificate) */
  encryptAssertions: boolean;
  /** the SP's X.509 certificate (PEM): checks its request signatures, encrypts assertions for it */
  certificate?: string;
  /** Enable Single Logout */
  singleLogout: { enabled: boolean; url?: string; responseUrl?: string; binding?: 'redirect' | 'post' };
  /** Enable Attribute Profile: the application's requested claims go in an AttributeStatement */
  attributeProfile: boolean;
  /** Enable IdP Initiated SSO */
  idpInitiated: boolean;
}

export interface Application extends ApplicationSettings {
  id: string;
  name: string;
  description: string;
  clientId: string;
  hasSecret: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface FederatedAuthenticatorConfig {
  /** authenticator id, e.g. 'sms-otp' */
  type: string;
  enabled: boolean;
  config: Record<string, unknown>;
}

export interface IdentityProvider {
  id: string;
  name: string;
  displayName: string;
  description: string;
  enabled: boolean;
  authenticators: FederatedAuthenticatorConfig[];
  createdAt: number;
  updatedAt: number;
}

export interface LocalClaim {
  uri: string;
  displayName: string;
  description: string;
  mappedAttribute: string;
  supportedByDefault: boolean;
  required: boolean;
  readOnly: boolean;
  regex: string | null;
  displayOrder: number;
  /** Built in: cannot be deleted. */
  system: boolean;
}

export interface ClaimMapping {
  dialect: string;
  externalClaim: string;
  localClaimUri: string;
}
