/** The typed tables, as the code sees them. Times are epoch milliseconds; booleans are 0/1 on both back ends. */
export interface UsersTable {
  id: string;
  username: string;
  password_hash: string | null;
  enabled: number;
  failed_password_count: number;
  failed_password_since: number | null;
  failed_otp_count: number;
  locked_until: number | null;
  locked_reason: string | null;
  lockout_count: number;
  created_at: number;
  updated_at: number;
}
export interface UserAttributesTable {
  user_id: string;
  name: string;
  value: string;
}
/** One row per user and subject-claim attribute: the primary key makes a subject value belong to one user. */
export interface SubjectValuesTable {
  attribute: string;
  /** SHA-256 of the NFKC-normalised, lower-cased value (a fixed-length key whatever the value's length) */
  value_key: string;
  user_id: string;
}
export interface UserRolesTable {
  user_id: string;
  role: string;
}
export interface BackupCodesTable {
  id: string;
  user_id: string;
  salt: string;
  hash: string;
  created_at: number;
  used_at: number | null;
}
export interface LocalClaimsTable {
  uri: string;
  display_name: string;
  description: string;
  mapped_attribute: string;
  supported_by_default: number;
  required: number;
  read_only: number;
  regex: string | null;
  display_order: number;
  system: number;
}
export interface ClaimMappingsTable {
  dialect: string;
  external_claim: string;
  local_claim_uri: string;
}
export interface ApplicationsTable {
  id: string;
  name: string;
  description: string;
  client_id: string;
  client_secret_sealed: string | null;
  /** JSON of ApplicationSettings */
  settings: string;
  /** settings.saml.issuer (the SP entity ID) under a unique index; null without SAML */
  saml_issuer: string | null;
  created_at: number;
  updated_at: number;
}
export interface IdentityProvidersTable {
  id: string;
  name: string;
  display_name: string;
  description: string;
  enabled: number;
  /** sealed JSON of FederatedAuthenticatorConfig[] */
  authenticators_sealed: string;
  created_at: number;
  updated_at: number;
}
export interface TruststoreTable {
  alias: string;
  pem: string;
  subject: string;
  issuer: string;
  not_before: number;
  not_after: number;
  fingerprint: string;
  created_at: number;
}
export interface AuditEventsTable {
  id: string;
  at: number;
  event: string;
  user_id: string | null;
  username: string | null;
  client_id: string | null;
  ip: string | null;
  data: string;
}
export interface SigningKeysTable {
  kid: string;
  use: string;
  sealed: string;
  status: string;
  created_at: number;
}
export interface OidcModelsTable {
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: number | null;
  consumed_at: number | null;
}
export interface KvStateTable {
  key: string;
  value: string;
  version: number;
  expires_at: number;
}
export interface CountersTable {
  key: string;
  count: number;
  expires_at: number;
}

/** A TOTP authenticator app of a user (migration 0004); the secret sealed with the master key */
export interface TotpCredentialsTable {
  id: string;
  user_id: string;
  label: string;
  secret_sealed: string;
  digits: number;
  period: number;
  created_at: number;
  last_used_at: number | null;
  /** the last RFC 6238 time step a code passed with: only a later one passes */
  last_used_step: number | null;
  /** SHA1, SHA256 or SHA512: the app's HMAC, as enrolled (migration 0008) */
  algorithm: string;
}
/** A passkey (WebAuthn credential) of a user (migration 0005); `id` is the credential id, base64url */
export interface WebauthnCredentialsTable {
  id: string;
  user_id: string;
  /** COSE public key, base64url */
  public_key: string;
  sign_count: number;
  /** comma-separated AuthenticatorTransport values */
  transports: string;
  device_type: string;
  backed_up: number;
  label: string;
  created_at: number;
  last_used_at: number | null;
}
/** A local authenticator's settings for this installation (migration 0008): JSON, validated on save */
export interface AuthenticatorSettingsTable {
  id: string;
  settings: string;
  updated_at: number;
}
/** The option a user last chose in a step that offers several (`idp:authenticator`) */
export interface PreferredOptionsTable {
  user_id: string;
  option: string;
  updated_at: number;
}

/** One SMS a provider accepted (migration 0006); its status moves with delivery receipts. */
export interface SmsMessagesTable {
  id: string;
  idp_id: string;
  gateway: string;
  provider: string;
  provider_message_id: string | null;
  purpose: string;
  destination: string;
  destination_suffix: string;
  country: string | null;
  segments: number;
  status: string;
  error_code: string | null;
  login_id: string | null;
  verified_at: number | null;
  created_at: number;
  updated_at: number;
}
/** The status timeline of a message: the send, then each receipt. */
export interface SmsMessageEventsTable {
  id: string;
  message_id: string;
  at: number;
  status: string;
  provider_status: string;
  error_code: string | null;
}

export interface Database {
  users: UsersTable;
  user_attributes: UserAttributesTable;
  user_roles: UserRolesTable;
  subject_values: SubjectValuesTable;
  backup_codes: BackupCodesTable;
  local_claims: LocalClaimsTable;
  claim_mappings: ClaimMappingsTable;
  applications: ApplicationsTable;
  identity_providers: IdentityProvidersTable;
  truststore: TruststoreTable;
  audit_events: AuditEventsTable;
  signing_keys: SigningKeysTable;
  oidc_models: OidcModelsTable;
  kv_state: KvStateTable;
  counters: CountersTable;
  totp_credentials: TotpCredentialsTable;
  preferred_options: PreferredOptionsTable;
  webauthn_credentials: WebauthnCredentialsTable;
  authenticator_settings: AuthenticatorSettingsTable;
  sms_messages: SmsMessagesTable;
  sms_message_events: SmsMessageEventsTable;
}
