/**
 * Applications (WSO2: service providers): the inbound protocols (OIDC client settings, SAML 2.0 service provider
 * settings, or both), the claim configuration and the authentication sequence, which is the same whatever the protocol.
 */
import { randomBytes } from 'node:crypto';
import type { Keyring } from '../crypto/keyring.js';
import type { Db } from '../store/db.js';
import type { ApplicationsTable } from '../store/schema.js';
import { type Alongside, inTransaction } from '../store/transaction.js';
import { ClaimUri } from './claim-uris.js';
import { listLocalClaims } from './claims.js';
import { ConflictError, type FieldProblem, NotFoundError, ValidationError } from './errors.js';
import { getIdentityProviderByName } from './identity-providers.js';
import { newId } from './ids.js';
import { checkSamlSettings, type SamlServiceProviderInput, samlSettingsOf } from './saml-settings.js';
import { adoptSubjectClaim, isUniqueViolation } from './subjects.js';
import type { Application, ApplicationSettings, AuthenticationStep } from './types.js';

export type { SamlServiceProviderInput } from './saml-settings.js';
export type {
  Application,
  ApplicationSettings,
  AuthenticationStep,
  ClientType,
  GrantType,
  SamlNameIdFormat,
  SamlServiceProviderSettings,
  SequenceOption,
} from './types.js';

export interface ApplicationInput extends Partial<Omit<ApplicationSettings, 'saml'>> {
  name: string;
  /** the SAML service provider settings (defaults filled in); null on an update removes them */
  saml?: SamlServiceProviderInput | null;
  description?: string;
  clientId?: string;
  /** confidential clients: leave out to generate one */
  clientSecret?: string;
}

/** What validation needs to know about authenticators, without importing the engine. */
export interface AuthenticatorCatalogue {
  kindOf(id: string): 'local' | 'federated' | undefined;
  /** true when the authenticator acts on a user an earlier step established (it cannot be a sequence's first step) */
  requiresUser(id: string): boolean;
}

const SEAL = 'client-secret';
export const DEFAULT_SETTINGS: ApplicationSettings = {
  clientType: 'confidential',
  redirectUris: [],
  postLogoutRedirectUris: [],
  grantTypes: ['authorization_code', 'refresh_token'],
  extraScopes: [],
  subjectClaimUri: ClaimUri.username,
  requestedClaims: [],
  steps: [{ options: [{ authenticator: 'password' }] }],
};

function toApplication(row: ApplicationsTable): Application {
  const settings = { ...DEFAULT_SETTINGS, ...(JSON.parse(row.settings) as Partial<ApplicationSettings>) };
  return {
    ...settings,
    id: row.id,
    name: row.name,
    description: row.description,
    clientId: row.client_id,
    hasSecret: row.client_secret_sealed !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function isRedirectUri(value: string): boolean {
  try {
    const u = new URL(value);
    return (
      !u.hash &&
      (u.protocol === 'https:' || u.protocol === 'http:' || /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(u.protocol))
    );
  } catch {
    return false;
  }
}

export function createApplicationStore(db: Db, keyring: Keyring, catalogue: AuthenticatorCatalogue) {
  async function validate(input: ApplicationInput, settings: ApplicationSettings, selfId?: string): Promise<void> {
    const problems: FieldProblem[] = [];
    if (!input.name?.trim()) problems.push({ field: 'name', message: 'is required' });
    else if (input.name.length > 255) problems.push({ field: 'name', message: 'is longer than 255 characters' });
    if (input.clientId !== undefined && !/^[\w.:~-]{3,255}$/.test(input.clientId))
      problems.push({ field: 'clientId', message: 'must be 3–255 letters, digits or . _ : ~ -' });
    if (!['confidential', 'public'].includes(settings.clientType))
      problems.push({ field: 'clientType', message: 'must be confidential or public' });
    settings.redirectUris.forEach((u, i) => {
      if (!isRedirectUri(u))
        problems.push({ field: `redirectUris[${i}]`, message: `"${u}" is not an absolute URI without a fragment` });
    });
    settings.postLogoutRedirectUris.forEach((u, i) => {
      if (!isRedirectUri(u))
        problems.push({
          field: `postLogoutRedirectUris[${i}]`,
          message: `"${u}" is not an absolute URI without a fragment`,
        });
    });
    for (const g of settings.grantTypes) {
      if (!['authorization_code', 'refresh_token', 'client_credentials'].includes(g))
        problems.push({ field: 'grantTypes', message: `unsupported grant type ${g}` });
    }
    // no grant type is an application OIDC refuses: it must speak SAML then, or it is no application at all
    if (settings.grantTypes.length === 0 && !settings.saml)
      problems.push({
        field: 'grantTypes',
        message: 'an application needs an OIDC grant type or a SAML configuration (saml)',
      });
    if (settings.saml) problems.push(...checkSamlSettings(settings.saml));
    if (settings.grantTypes.includes('authorization_code') && settings.redirectUris.length === 0)
      problems.push({ field: 'redirectUris', message: 'the authorization code grant needs at least one redirect URI' });
    if (settings.clientType === 'public' && settings.grantTypes.includes('client_credentials'))
      problems.push({ field: 'grantTypes', message: 'a public client cannot use client credentials' });
    const method = settings.tokenEndpointAuthMethod;
    if (method !== undefined && !['client_secret_basic', 'client_secret_post'].includes(method))
      problems.push({ field: 'tokenEndpointAuthMethod', message: 'must be client_secret_basic or client_secret_post' });
    for (const s of settings.extraScopes) {
      if (!/^[\w:.-]{1,64}$/.test(s)) problems.push({ field: 'extraScopes', message: `"${s}" is not a scope name` });
    }
    const claims = new Set((await listLocalClaims(db)).map((c) => c.uri));
    if (!claims.has(settings.subjectClaimUri))
      problems.push({ field: 'subjectClaimUri', message: `${settings.subjectClaimUri} is not a local claim` });
    settings.requestedClaims.forEach((c, i) => {
      if (!claims.has(c)) problems.push({ field: `requestedClaims[${i}]`, message: `${c} is not a local claim` });
    });
    problems.push(...(await validateSequence(settings.steps)));
    if (problems.length > 0) throw new ValidationError(problems);
    if (await nameOrClientIdTaken(input, selfId))
      throw new ConflictError(`an application with this name or client id exists already`);
    if (settings.saml && (await issuerHolder(settings.saml.issuer, selfId))) throw issuerTaken(settings.saml.issuer);
  }

  async function nameOrClientIdTaken(input: ApplicationInput, selfId?: string): Promise<boolean> {
    const clash = await db
      .selectFrom('applications')
      .select('id')
      .where((eb) =>
        eb.or([eb('name', '=', input.name), ...(input.clientId ? [eb('client_id', '=', input.clientId)] : [])]),
      )
      .execute();
    return clash.some((r) => r.id !== selfId);
  }

  /** Another application that has this SAML issuer (entity ID), if any. */
  async function issuerHolder(issuer: string, selfId?: string): Promise<string | undefined> {
    const row = await db.selectFrom('applications').select('id').where('saml_issuer', '=', issuer).executeTakeFirst();
    return row && row.id !== selfId ? row.id : undefined;
  }

  const issuerTaken = (issuer: string) =>
    new ConflictError(`another application has the SAML issuer (entity ID) "${issuer}" already; it must be unique`);

  /**
   * Runs a write; a unique index that refused it (a write racing past validate's reads) becomes the conflict the
   * reads would have found.
   */
  async function uniquely(
    input: ApplicationInput,
    settings: ApplicationSettings,
    selfId: string | undefined,
    write: () => Promise<void>,
  ) {
    try {
      await write();
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      if (settings.saml && (await issuerHolder(settings.saml.issuer, selfId))) throw issuerTaken(settings.saml.issuer);
      if (await nameOrClientIdTaken(input, selfId))
        throw new ConflictError(`an application with this name or client id exists already`);
      throw e;
    }
  }

  async function validateSequence(steps: AuthenticationStep[]): Promise<FieldProblem[]> {
    const problems: FieldProblem[] = [];
    if (!Array.isArray(steps) || steps.length === 0)
      return [{ field: 'steps', message: 'the authentication sequence needs at least one step' }];
    if (steps.length > 10) problems.push({ field: 'steps', message: 'at most 10 steps' });
    for (const [i, step] of steps.entries()) {
      if (!step?.options?.length) {
        problems.push({ field: `steps[${i}]`, message: `step ${i + 1} has no authenticator` });
        continue;
      }
      for (const [j, option] of step.options.entries()) {
        const field = `steps[${i}].options[${j}]`;
        const kind = catalogue.kindOf(option.authenticator);
        if (!kind) {
          problems.push({ field, message: `unknown authenticator "${option.authenticator}"` });
          continue;
        }
        if (kind === 'local' && option.idp)
          problems.push({
            field,
            message: `${option.authenticator} is a local authenticator and takes no identity provider`,
          });
        if (kind === 'federated') {
          if (!option.idp) {
            problems.push({
              field,
              message: `${option.authenticator} is federated: name the identity provider that configures it`,
            });
            continue;
          }
          const idp = await getIdentityProviderByName(db, keyring, option.idp);
          if (!idp) problems.push({ field, message: `identity provider "${option.idp}" does not exist` });
          else if (!idp.enabled) problems.push({ field, message: `identity provider "${option.idp}" is disabled` });
          else if (!idp.authenticators.some((a) => a.type === option.authenticator && a.enabled))
            problems.push({
              field,
              message: `identity provider "${option.idp}" has no enabled ${option.authenticator} authenticator`,
            });
        }
      }
      if (i === 0 && step.options.every((o) => catalogue.requiresUser(o.authenticator)))
        problems.push({
          field: 'steps[0]',
          message: 'this step needs a user from an earlier step: put Username & Password first',
        });
      // (T, TOTP) an option of the first step that needs a user, beside one that identifies: picked, it has none
      else if (i === 0)
        for (const [j, o] of step.options.entries())
          if (catalogue.requiresUser(o.authenticator))
            problems.push({
              field: `steps[0].options[${j}]`,
              message: `${o.authenticator} needs a user from an earlier step: it cannot be an option of the first step`,
            });
    }
    return problems;
  }

  function settingsOf(input: ApplicationInput, base: ApplicationSettings): ApplicationSettings {
    const pick = <K extends Exclude<keyof ApplicationSettings, 'saml'>>(k: K): ApplicationSettings[K] =>
      (input[k] ?? base[k]) as ApplicationSettings[K];
    const saml = input.saml === null ? undefined : input.saml !== undefined ? samlSettingsOf(input.saml) : base.saml;
    return {
      clientType: pick('clientType'),
      redirectUris: pick('redirectUris'),
      postLogoutRedirectUris: pick('postLogoutRedirectUris'),
      grantTypes: pick('grantTypes'),
      extraScopes: pick('extraScopes'),
      subjectClaimUri: pick('subjectClaimUri'),
      requestedClaims: pick('requestedClaims'),
      steps: pick('steps'),
      // only a confidential client has a secret to send; a public one authenticates with none
      ...(pick('clientType') === 'confidential' && pick('tokenEndpointAuthMethod')
        ? { tokenEndpointAuthMethod: pick('tokenEndpointAuthMethod') }
        : {}),
      ...(saml ? { saml } : {}),
    };
  }

  const store = {
    validateSequence,
    async list(): Promise<Application[]> {
      return (await db.selectFrom('applications').selectAll().orderBy('name').execute()).map(toApplication);
    },
    async get(id: string): Promise<Application | undefined> {
      const row = await db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toApplication(row) : undefined;
    },
    async getByName(name: string): Promise<Application | undefined> {
      const row = await db.selectFrom('applications').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? toApplication(row) : undefined;
    },
    async getByClientId(clientId: string): Promise<Application | undefined> {
      const row = await db.selectFrom('applications').selectAll().where('client_id', '=', clientId).executeTakeFirst();
      return row ? toApplication(row) : undefined;
    },
    /** The application whose SAML service provider has this Issuer (entity ID). */
    async getBySamlIssuer(issuer: string): Promise<Application | undefined> {
      const row = await db.selectFrom('applications').selectAll().where('saml_issuer', '=', issuer).executeTakeFirst();
      return row ? toApplication(row) : undefined;
    },
    async clientSecret(id: string): Promise<string | undefined> {
      const row = await db
        .selectFrom('applications')
        .select('client_secret_sealed')
        .where('id', '=', id)
        .executeTakeFirst();
      return row?.client_secret_sealed ? keyring.open(row.client_secret_sealed, SEAL) : undefined;
    },
    /** Creates an application; returns the client secret once (generated when not given). */
    /** `alongside` (the audit event) commits in the insert's transaction, given the new application's ids. */
    async create(
      input: ApplicationInput,
      now = Date.now(),
      alongside?: (trx: Db, created: { id: string; clientId: string }) => Promise<void>,
    ): Promise<{ application: Application; clientSecret?: string }> {
      const settings = settingsOf(input, DEFAULT_SETTINGS);
      await validate(input, settings);
      const clientId = input.clientId ?? newId('app_');
      // an application without a grant type (SAML only) is no OIDC client: it has no secret to send
      const secret =
        settings.clientType === 'confidential' && (settings.grantTypes.length > 0 || input.clientSecret !== undefined)
          ? (input.clientSecret ?? randomBytes(32).toString('base64url'))
          : undefined;
      if (secret !== undefined && secret.length < 16)
        throw new ValidationError([{ field: 'clientSecret', message: 'must be at least 16 characters' }]);
      const id = newId('a_');
      // the subject claim becomes unique among users in the same transaction (409 when users already share a value)
      await uniquely(input, settings, undefined, () =>
        db.transaction().execute(async (trx) => {
          await adoptSubjectClaim(trx, settings.subjectClaimUri);
          await trx
            .insertInto('applications')
            .values({
              id,
              name: input.name.trim(),
              description: input.description ?? '',
              client_id: clientId,
              client_secret_sealed: secret ? keyring.seal(secret, SEAL) : null,
              settings: JSON.stringify(settings),
              saml_issuer: settings.saml?.issuer ?? null,
              created_at: now,
              updated_at: now,
            })
            .execute();
          await alongside?.(trx, { id, clientId });
        }),
      );
      const application = (await store.get(id))!;
      return secret ? { application, clientSecret: secret } : { application };
    },
    async update(
      id: string,
      input: Partial<ApplicationInput>,
      now = Date.now(),
      alongside?: Alongside,
    ): Promise<Application> {
      const current = await store.get(id);
      if (!current) throw new NotFoundError('application', id);
      const merged: ApplicationInput = { name: input.name ?? current.name, clientId: current.clientId, ...input };
      if (input.clientId !== undefined && input.clientId !== current.clientId)
        throw new ValidationError([{ field: 'clientId', message: 'cannot be changed' }]);
      const settings = settingsOf(merged, current);
      await validate(merged, settings, id);
      const set: Partial<ApplicationsTable> = {
        name: merged.name.trim(),
        description: merged.description ?? current.description,
        settings: JSON.stringify(settings),
        saml_issuer: settings.saml?.issuer ?? null,
        updated_at: now,
      };
      if (settings.clientType === 'public') set.client_secret_sealed = null;
      else if (input.clientSecret !== undefined) {
        if (input.clientSecret.length < 16)
          throw new ValidationError([{ field: 'clientSecret', message: 'must be at least 16 characters' }]);
        set.client_secret_sealed = keyring.seal(input.clientSecret, SEAL);
      }
      await uniquely(merged, settings, id, () =>
        db.transaction().execute(async (trx) => {
          if (settings.subjectClaimUri !== current.subjectClaimUri)
            await adoptSubjectClaim(trx, settings.subjectClaimUri);
          await trx.updateTable('applications').set(set).where('id', '=', id).execute();
          await alongside?.(trx);
        }),
      );
      return (await store.get(id))!;
    },
    async regenerateSecret(id: string, alongside?: Alongside): Promise<string> {
      const app = await store.get(id);
      if (!app) throw new NotFoundError('application', id);
      if (app.clientType !== 'confidential')
        throw new ValidationError([{ field: 'clientType', message: 'a public client has no secret' }]);
      const secret = randomBytes(32).toString('base64url');
      await inTransaction(db, async (trx) => {
        await trx
          .updateTable('applications')
          .set({ client_secret_sealed: keyring.seal(secret, SEAL), updated_at: Date.now() })
          .where('id', '=', id)
          .execute();
        await alongside?.(trx);
      });
      return secret;
    },
    async delete(id: string, alongside?: Alongside): Promise<void> {
      await inTransaction(db, async (trx) => {
        const r = await trx.deleteFrom('applications').where('id', '=', id).executeTakeFirst();
        if (Number(r.numDeletedRows) === 0) throw new NotFoundError('application', id);
        await alongside?.(trx);
      });
    },
  };
  return store;
}

export type ApplicationStore = ReturnType<typeof createApplicationStore>;
