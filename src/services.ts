/**
 * The composition root's parts list: opens the database, runs migrations, makes every store, the one Redis client,
 * the one SMS gateway pool, the authenticators and the engine. `main.ts` (the server), the CLI and the tests all build
 * Stepgate through here, so they run the same wiring. Nothing here imports the web layer: web/app.ts makes the page
 * renderer and the front doors on top of these services, installs oidc-provider's pages and mounts it.
 */
import type { Redis } from 'ioredis';
import { type DestinationStream, pino } from 'pino';
import { createPasskeyAuthenticator, createPasskeyCredentialStore } from './authenticators/passkey/index.js';
import { createPasswordAuthenticator } from './authenticators/password/index.js';
import { findSmsGateway } from './authenticators/sms-otp/delivery-log.js';
import { createSmsOtpAuthenticator } from './authenticators/sms-otp/index.js';
import { createTotpAuthenticator, createTotpCredentialStore } from './authenticators/totp/index.js';
import { type Authenticator, createRegistry } from './authn/authenticator.js';
import { createEngine } from './authn/engine.js';
import type { Config } from './config/schema.js';
import { createKeyring, type Keyring } from './crypto/keyring.js';
import { resolveMasterKey } from './crypto/master-key.js';
import type { ApplicationStore } from './identity/applications.js';
import { createApplicationStore } from './identity/applications.js';
import type { AuditLog } from './identity/audit.js';
import { createAuditLog } from './identity/audit.js';
import type { BackupCodeStore } from './identity/backup-codes.js';
import { createBackupCodeStore, parseBackupCodeList } from './identity/backup-codes.js';
import { withConfigCache } from './identity/cached-store.js';
import { cacheClaimCatalogue, ensureDefaultClaims } from './identity/claims.js';
import { createConfigCache } from './identity/config-cache.js';
import type { IdentityProviderStore } from './identity/identity-providers.js';
import { createIdentityProviderStore } from './identity/identity-providers.js';
import type { PasswordHasher } from './identity/passwords.js';
import { createPasswordHasher } from './identity/passwords.js';
import type { Truststore } from './identity/truststore.js';
import { createTruststore } from './identity/truststore.js';
import { registerSpecialClaimWriter } from './identity/users.js';
import { ensureKeys } from './oidc/keys.js';
import { createProvider, deferredPages } from './oidc/provider.js';
import { ensureSamlKeys } from './saml/keys.js';
import { createSmsGateway } from './sms/index.js';
import { createSmsMessageLog } from './sms/receipts/index.js';
import { createRedisStateStore } from './state/redis-store.js';
import { createSqlStateStore } from './state/sql-store.js';
import type { StateStore } from './state/state-store.js';
import type { Db } from './store/db.js';
import { databaseUrlFor, migrate, openDatabase } from './store/db.js';
import { noopTracer } from './tracing.js';

export interface ServiceOptions {
  /** authenticators beyond the built-in ones (tests register their own second step) */
  extraAuthenticators?: (deps: AuthenticatorFactoryDeps) => Authenticator[];
  /** where the services' own log lines (failed SMS sends) go; default standard output */
  logDestination?: DestinationStream;
}

/** What an authenticator factory may use: the stores, not the engine or the HTTP side. */
export interface AuthenticatorFactoryDeps {
  config: Config;
  db: Db;
  dbKind: 'sqlite' | 'postgres';
  keyring: Keyring;
  hasher: PasswordHasher;
  state: StateStore;
  audit: AuditLog;
  truststore: Truststore;
  backupCodes: BackupCodeStore;
  applications: ApplicationStore;
  identityProviders: IdentityProviderStore;
}

export async function createServices(config: Config, options: ServiceOptions = {}) {
  // OpenTelemetry is imported only when tracing is on: a node without it loads none of the SDK (docs/operations.md)
  const tracing = config.tracing.enabled ? (await import('./ops/tracing.js')).startTracing(config.tracing) : undefined;
  const tracer = tracing?.tracer ?? noopTracer;
  const opened = openDatabase(databaseUrlFor(config));
  const { db } = opened;
  await migrate(db);
  await ensureDefaultClaims(db);
  const keyring = createKeyring(resolveMasterKey(config));
  await ensureKeys(db, keyring);
  await ensureSamlKeys(db, keyring, config.publicUrl);
  const hasher = createPasswordHasher(config.argon2);
  // one Redis client per process in cluster mode: the state store and the login pages' rate limit share it
  // a command gives up after 2 s while Redis is away (it reconnects by itself): the request fails closed with 503
  const redis: Redis | undefined = config.redisUrl
    ? new (await import('ioredis')).Redis(config.redisUrl, {
        maxRetriesPerRequest: 2,
        enableOfflineQueue: true,
        commandTimeout: 2000,
      })
    : undefined;
  const state = redis ? createRedisStateStore(redis, `stepgate:${config.publicUrl}:`) : createSqlStateStore(db);
  const audit = createAuditLog(db);
  const truststore = createTruststore(db);
  const backupCodes = createBackupCodeStore(db, keyring);
  registerSpecialClaimWriter('backup-codes', async (within, userId, value) =>
    backupCodes.replace(userId, parseBackupCodeList(value), Date.now(), within),
  );

  const base = { config, db, dbKind: opened.kind, keyring, hasher, state, audit, truststore, backupCodes };
  const authenticators: Authenticator[] = [];
  const registry = createRegistry(authenticators);
  const catalogue = {
    kindOf: (id: string) => registry.get(id)?.descriptor.kind,
    requiresUser: (id: string) => registry.get(id)?.descriptor.requiresUser ?? false,
  };
  const configCache = createConfigCache(state, { checkIntervalMs: config.configCacheSeconds * 1000 });
  cacheClaimCatalogue(db, configCache);
  const applications = withConfigCache(createApplicationStore(db, keyring, catalogue), configCache, 'applications', {
    reads: ['get', 'getByName', 'getByClientId', 'getBySamlIssuer', 'clientSecret'],
    writes: ['create', 'update', 'regenerateSecret', 'delete'],
  });
  const identityProviders = withConfigCache(
    createIdentityProviderStore(db, keyring, (id) => registry.get(id)?.descriptor),
    configCache,
    'identityProviders',
    { reads: ['get', 'getByName'], writes: ['create', 'update', 'delete'] },
  );
  const partial: AuthenticatorFactoryDeps = { ...base, applications, identityProviders };
  const totpCredentials = createTotpCredentialStore(db, keyring);
  const passkeyCredentials = createPasskeyCredentialStore(db);
  const log = pino({ level: config.logLevel, base: { component: 'sms' } }, options.logDestination);
  const untracedGateway = createSmsGateway({
    trustedCertificates: () => truststore.pems(),
    // development keeps loopback mock providers working; production sends only to public addresses unless told
    destinations: {
      allowPrivate: config.sms.allowPrivateDestinations ?? config.mode === 'development',
      allowList: config.sms.allowedPrivateDestinations,
    },
    onFailure: (entry) => log.warn(entry, `SMS send failed: ${entry.code}: ${entry.reason}`),
  });
  const smsGateway = tracing
    ? (await import('./ops/traced-gateway.js')).tracedGateway(untracedGateway, tracer)
    : untracedGateway;
  const smsMessages = createSmsMessageLog({
    db,
    keyring,
    publicUrl: config.publicUrl,
    retentionDays: config.sms.messageRetentionDays,
  });
  authenticators.push(
    createPasswordAuthenticator({
      db,
      hasher,
      lockPolicy: {
        maxAttempts: config.passwordLockout.maxAttempts,
        lockMinutes: config.passwordLockout.lockMinutes,
        windowMinutes: config.passwordLockout.windowMinutes,
      },
    }),
    createSmsOtpAuthenticator({ ...partial, gateway: smsGateway, messages: smsMessages }),
    createTotpAuthenticator({ ...partial, credentials: totpCredentials }),
    createPasskeyAuthenticator({ ...partial, credentials: passkeyCredentials }),
    ...(options.extraAuthenticators?.(partial) ?? []),
  );
  // registry reads the array lazily, so authenticators pushed above are visible
  const engine = createEngine({
    db,
    state,
    registry,
    applications,
    identityProviders,
    audit,
    publicUrl: config.publicUrl,
    transactionTtlMs: config.loginTransactionTtlSeconds * 1000,
    tracer,
  });
  // oidc-provider's own pages (errors, logout) are the web layer's: web/app.ts installs them into this slot
  const providerPages = deferredPages();
  const provider = await createProvider({
    db,
    keyring,
    applications,
    issuer: config.publicUrl,
    interactionTtlSeconds: config.loginTransactionTtlSeconds,
    pages: providerPages,
    startLogin: (request) => engine.start(request),
  });
  if (config.trustProxy) provider.proxy = true;

  return {
    ...partial,
    registry,
    engine,
    /** oidc-provider: the OIDC front door's protocol side (web/app.ts mounts it), and the admin API's token lookup */
    provider,
    providerPages,
    /** the one Redis client of this process in cluster mode (state store, login rate limit); undefined otherwise */
    redis,
    /** the one gateway pool: the login's SMS step, notices to users (a changed second factor), test SMS */
    smsGateway,
    /** every SMS sent and its delivery receipts (docs/delivery-receipts.md) */
    smsMessages,
    /** a named SMS OTP gateway of an identity provider, as stored: the receipt endpoint checks signatures with it */
    findSmsGateway: (idpId: string, gateway: string) => findSmsGateway(identityProviders, idpId, gateway),
    /** users' authenticator apps: the TOTP step and the admin API */
    totpCredentials,
    /** users' passkeys: the passkey step and the admin API */
    passkeyCredentials,
    /** spans of requests and logins (a no-op unless tracing.enabled) */
    tracer,
    /** the OpenTelemetry exporter when tracing is on: the web layer tags spans with request ids, tests flush it */
    tracing,
    async close() {
      await tracing?.shutdown();
      await smsGateway.close();
      await state.close();
      redis?.disconnect();
      await opened.close();
    },
  };
}

export type Services = Awaited<ReturnType<typeof createServices>>;
