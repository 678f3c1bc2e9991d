/**
 * The composition root's parts list: opens the database, runs migrations, makes every store and the engine.
 * `main.ts` (the server), the CLI and the tests all build Stepgate through here, so they run the same wiring.
 */
import type Provider from 'oidc-provider';
import { type DestinationStream, pino } from 'pino';
import { createPasswordAuthenticator } from './authenticators/password/index.js';
import { createSmsOtpAuthenticator } from './authenticators/sms-otp/index.js';
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
import { createProvider } from './oidc/provider.js';
import { createSmsGateway } from './sms/index.js';
import { createRedisStateStore } from './state/redis-store.js';
import { createSqlStateStore } from './state/sql-store.js';
import type { StateStore } from './state/state-store.js';
import type { Db } from './store/db.js';
import { databaseUrlFor, migrate, openDatabase } from './store/db.js';
import { engineMessages } from './web/pages/messages.js';
import { createPageRenderer } from './web/pages/render.js';

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
  const opened = openDatabase(databaseUrlFor(config));
  const { db } = opened;
  await migrate(db);
  await ensureDefaultClaims(db);
  const keyring = createKeyring(resolveMasterKey(config));
  await ensureKeys(db, keyring);
  const hasher = createPasswordHasher(config.argon2);
  const state = config.redisUrl
    ? createRedisStateStore(config.redisUrl, `stepgate:${config.publicUrl}:`)
    : createSqlStateStore(db);
  const audit = createAuditLog(db);
  const truststore = createTruststore(db);
  const backupCodes = createBackupCodeStore(db, keyring);
  registerSpecialClaimWriter('backup-codes', async (within, userId, value) =>
    backupCodes.replace(userId, parseBackupCodeList(value), Date.now(), within),
  );

  const base = { config, db, dbKind: opened.kind, keyring, hasher, state, audit, truststore, backupCodes };
  const authenticators: Authenticator[] = [];
  const registry = createRegistry(authenticators);
  const catalogue = { kindOf: (id: string) => registry.get(id)?.descriptor.kind };
  const configCache = createConfigCache(state, { checkIntervalMs: config.configCacheSeconds * 1000 });
  cacheClaimCatalogue(db, configCache);
  const applications = withConfigCache(createApplicationStore(db, keyring, catalogue), configCache, 'applications', {
    reads: ['get', 'getByName', 'getByClientId', 'clientSecret'],
    writes: ['create', 'update', 'regenerateSecret', 'delete'],
  });
  const identityProviders = withConfigCache(
    createIdentityProviderStore(db, keyring, (id) => registry.get(id)?.descriptor),
    configCache,
    'identityProviders',
    { reads: ['get', 'getByName'], writes: ['create', 'update', 'delete'] },
  );
  const partial: AuthenticatorFactoryDeps = { ...base, applications, identityProviders };
  const log = pino({ level: config.logLevel, base: { component: 'sms' } }, options.logDestination);
  const smsGateway = createSmsGateway({
    trustedCertificates: () => truststore.pems(),
    // development keeps loopback mock providers working; production sends only to public addresses unless told
    destinations: {
      allowPrivate: config.sms.allowPrivateDestinations ?? config.mode === 'development',
      allowList: config.sms.allowedPrivateDestinations,
    },
    onFailure: (entry) => log.warn(entry, `SMS send failed: ${entry.code}: ${entry.reason}`),
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
    createSmsOtpAuthenticator({ ...partial, gateway: smsGateway }),
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
  });
  const catalogueOfMessages = Object.assign(
    {},
    engineMessages,
    ...authenticators.map((a) => a.descriptor.messages ?? {}),
  );
  const renderer = createPageRenderer(catalogueOfMessages);

  const provider: Provider = await createProvider({
    db,
    keyring,
    applications,
    issuer: config.publicUrl,
    interactionTtlSeconds: config.loginTransactionTtlSeconds,
    pages: {
      error: (_ctx, out) =>
        renderer.render('error', {
          messageId: 'oidc.error',
          message: renderer.message('oidc.error'),
          detail: out.error_description ?? out.error ?? '',
        }),
      logout: (_ctx, form) => renderer.render('logout', { form }),
      loggedOut: () => renderer.render('logged-out', {}),
    },
  });
  if (config.trustProxy) provider.proxy = true;

  return {
    ...partial,
    registry,
    engine,
    provider,
    renderer,
    /** the gateway pool of the login's SMS step, also for notices to users (a changed second factor) */
    smsGateway,
    async close() {
      await smsGateway.close();
      await state.close();
      await opened.close();
    },
  };
}

export type Services = Awaited<ReturnType<typeof createServices>>;
