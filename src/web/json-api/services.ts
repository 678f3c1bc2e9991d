/**
 * What the JSON APIs (admin API, SCIM) and the notices they send use of the composition root, declared here so
 * that no plugin imports services.ts: the composition root hands its services in, and they fit this shape.
 */
import type Provider from 'oidc-provider';
import type { PasskeyCredentialStore } from '../../authenticators/passkey/index.js';
import type { TotpCredentialStore } from '../../authenticators/totp/index.js';
import type { AuthenticatorRegistry } from '../../authn/authenticator.js';
import type { Config } from '../../config/schema.js';
import type { ApplicationStore } from '../../identity/applications.js';
import type { AuditLog } from '../../identity/audit.js';
import type { BackupCodeStore } from '../../identity/backup-codes.js';
import type { IdentityProviderStore } from '../../identity/identity-providers.js';
import type { PasswordHasher } from '../../identity/passwords.js';
import type { Truststore } from '../../identity/truststore.js';
import type { SmsGateway } from '../../sms/index.js';
import type { SmsMessageLog } from '../../sms/receipts/index.js';
import type { StateStore } from '../../state/state-store.js';
import type { Db } from '../../store/db.js';

export interface JsonApiServices {
  config: Config;
  db: Db;
  hasher: PasswordHasher;
  state: StateStore;
  audit: AuditLog;
  truststore: Truststore;
  backupCodes: BackupCodeStore;
  applications: ApplicationStore;
  identityProviders: IdentityProviderStore;
  registry: AuthenticatorRegistry;
  /** the tokens bearer authentication looks up */
  provider: Provider;
  /** the one gateway pool (test SMS, notices) */
  smsGateway: SmsGateway;
  /** every SMS sent and its delivery receipts (Console › Messages); notices are recorded there too */
  smsMessages: SmsMessageLog;
  /** users' authenticator apps (TOTP) */
  totpCredentials: TotpCredentialStore;
  passkeyCredentials: PasskeyCredentialStore;
}
