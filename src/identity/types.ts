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
