/** Identity providers: named, enable-able entries that carry federated authenticator configurations (sealed at rest). */
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Keyring } from '../crypto/keyring.js';
import { fieldOf } from '../schema/problems.js';
import type { Db } from '../store/db.js';
import type { IdentityProvidersTable } from '../store/schema.js';
import { type Alongside, inTransaction } from '../store/transaction.js';
import { ConflictError, type FieldProblem, NotFoundError, ValidationError } from './errors.js';
import { newId } from './ids.js';
import type { FederatedAuthenticatorConfig, IdentityProvider } from './types.js';

export type { FederatedAuthenticatorConfig, IdentityProvider } from './types.js';

export interface IdentityProviderInput {
  name: string;
  displayName?: string;
  description?: string;
  enabled?: boolean;
  authenticators?: FederatedAuthenticatorConfig[];
}

/** What the store needs to know about an authenticator type; the engine's descriptors extend it. */
export interface FederatedType {
  id: string;
  kind: 'local' | 'federated';
  /** federated authenticators: the schema of their configuration inside an identity provider */
  configSchema?: TSchema;
  /** default configuration values for a new identity provider entry */
  defaultConfig?: Record<string, unknown>;
  /** turns stored configuration into what the console may show (secrets masked) */
  maskConfig?: (config: Record<string, unknown>) => Record<string, unknown>;
  /** merges an edited configuration with the stored one (a masked secret keeps its stored value) */
  mergeConfig?: (
    incoming: Record<string, unknown>,
    stored: Record<string, unknown> | undefined,
  ) => Record<string, unknown>;
  /** checks a configuration beyond its schema; returns problems by field */
  validateConfig?: (config: Record<string, unknown>) => { field: string; message: string }[];
  /**
   * masked secrets the merge could not resolve (nothing stored, or the destination changed): checked on every save,
   * enabled or not, so a mask is never stored as if it were the secret
   */
  unresolvedSecrets?: (config: Record<string, unknown>) => { field: string; message: string }[];
  /** mistakes that do not block a save (a placeholder without its $), shown to the admin after saving */
  configWarnings?: (config: Record<string, unknown>) => { field: string; message: string }[];
}

const SEAL = 'idp-authenticators';

function toIdp(row: IdentityProvidersTable, keyring: Keyring): IdentityProvider {
  return {
    id: row.id,
    name: row.name,
    displayName: row.display_name,
    description: row.description,
    enabled: row.enabled === 1,
    authenticators: JSON.parse(keyring.open(row.authenticators_sealed, SEAL)) as FederatedAuthenticatorConfig[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function getIdentityProviderByName(
  db: Db,
  keyring: Keyring,
  name: string,
): Promise<IdentityProvider | undefined> {
  const row = await db.selectFrom('identity_providers').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? toIdp(row, keyring) : undefined;
}

export function createIdentityProviderStore(
  db: Db,
  keyring: Keyring,
  types: (id: string) => FederatedType | undefined,
) {
  function normalise(
    list: FederatedAuthenticatorConfig[],
    stored: FederatedAuthenticatorConfig[],
  ): FederatedAuthenticatorConfig[] {
    const problems: FieldProblem[] = [];
    const seen = new Set<string>();
    const out = list.map((entry, i) => {
      const field = `authenticators[${i}]`;
      const type = types(entry?.type);
      if (type?.kind !== 'federated') {
        problems.push({ field: `${field}.type`, message: `unknown federated authenticator "${entry?.type}"` });
        return entry;
      }
      if (seen.has(type.id)) problems.push({ field: `${field}.type`, message: `${type.id} is configured twice` });
      seen.add(type.id);
      const previous = stored.find((s) => s.type === type.id)?.config;
      let config = { ...(type.defaultConfig ?? {}), ...(previous ?? {}), ...(entry.config ?? {}) };
      if (type.mergeConfig) config = type.mergeConfig(entry.config ?? {}, previous ?? type.defaultConfig);
      let shapeOk = true;
      if (type.configSchema) {
        config = Value.Default(type.configSchema, Value.Convert(type.configSchema, config)) as Record<string, unknown>;
        for (const e of Value.Errors(type.configSchema, config)) {
          shapeOk = false;
          // in the API's field notation (routes[0].match.prefixes[1]), which the console matches to its fields
          const at = fieldOf(e.path, '');
          problems.push({ field: at === '' ? `${field}.config` : `${field}.config.${at}`, message: e.message });
        }
      }
      // the checks below read the configuration as its type; a misshapen one has its schema problems already
      if (!shapeOk) return { type: type.id, enabled: entry.enabled !== false, config };
      for (const p of type.unresolvedSecrets?.(config) ?? [])
        problems.push({ field: `${field}.config.${p.field}`, message: p.message });
      if (entry.enabled && type.validateConfig) {
        for (const p of type.validateConfig(config))
          problems.push({ field: `${field}.config.${p.field}`, message: p.message });
      }
      return { type: type.id, enabled: entry.enabled !== false, config };
    });
    if (problems.length > 0) throw new ValidationError(problems);
    return out;
  }

  function checkName(name: string | undefined): void {
    if (!name || !/^[\w.-]{1,64}$/.test(name))
      throw new ValidationError([{ field: 'name', message: 'must be 1–64 letters, digits or . _ -' }]);
  }

  const store = {
    async list(): Promise<IdentityProvider[]> {
      return (await db.selectFrom('identity_providers').selectAll().orderBy('name').execute()).map((r) =>
        toIdp(r, keyring),
      );
    },
    async get(id: string): Promise<IdentityProvider | undefined> {
      const row = await db.selectFrom('identity_providers').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toIdp(row, keyring) : undefined;
    },
    getByName: (name: string) => getIdentityProviderByName(db, keyring, name),
    /** `alongside` (the audit event) commits in the insert's transaction, given the new provider's id. */
    async create(
      input: IdentityProviderInput,
      now = Date.now(),
      alongside?: (trx: Db, created: { id: string }) => Promise<void>,
    ): Promise<IdentityProvider> {
      checkName(input.name);
      if (await store.getByName(input.name))
        throw new ConflictError(`an identity provider named ${input.name} exists already`);
      const authenticators = normalise(input.authenticators ?? [], []);
      const id = newId('idp_');
      await inTransaction(db, async (trx) => {
        await trx
          .insertInto('identity_providers')
          .values({
            id,
            name: input.name,
            display_name: input.displayName ?? input.name,
            description: input.description ?? '',
            enabled: input.enabled === false ? 0 : 1,
            authenticators_sealed: keyring.seal(JSON.stringify(authenticators), SEAL),
            created_at: now,
            updated_at: now,
          })
          .execute();
        await alongside?.(trx, { id });
      });
      return (await store.get(id))!;
    },
    async update(
      id: string,
      input: Partial<IdentityProviderInput>,
      now = Date.now(),
      alongside?: Alongside,
    ): Promise<IdentityProvider> {
      const current = await store.get(id);
      if (!current) throw new NotFoundError('identity provider', id);
      if (input.name !== undefined && input.name !== current.name) {
        checkName(input.name);
        if (await store.getByName(input.name))
          throw new ConflictError(`an identity provider named ${input.name} exists already`);
      }
      const authenticators = input.authenticators
        ? normalise(input.authenticators, current.authenticators)
        : current.authenticators;
      await inTransaction(db, async (trx) => {
        await trx
          .updateTable('identity_providers')
          .set({
            name: input.name ?? current.name,
            display_name: input.displayName ?? current.displayName,
            description: input.description ?? current.description,
            enabled: (input.enabled ?? current.enabled) ? 1 : 0,
            authenticators_sealed: keyring.seal(JSON.stringify(authenticators), SEAL),
            updated_at: now,
          })
          .where('id', '=', id)
          .execute();
        await alongside?.(trx);
      });
      return (await store.get(id))!;
    },
    async delete(id: string, usedBy: (name: string) => Promise<string[]>, alongside?: Alongside): Promise<void> {
      const current = await store.get(id);
      if (!current) throw new NotFoundError('identity provider', id);
      const users = await usedBy(current.name);
      if (users.length > 0)
        throw new ConflictError(`identity provider ${current.name} is used by: ${users.join(', ')}`);
      await inTransaction(db, async (trx) => {
        await trx.deleteFrom('identity_providers').where('id', '=', id).execute();
        await alongside?.(trx);
      });
    },
    /** What the admin should know about a saved identity provider: each authenticator's warnings, by field. */
    warnings(idp: IdentityProvider): FieldProblem[] {
      return idp.authenticators.flatMap((a, i) =>
        (types(a.type)?.configWarnings?.(a.config) ?? []).map((w) => ({
          field: `authenticators[${i}].config.${w.field}`,
          message: w.message,
        })),
      );
    },
    /** The view for admins: each authenticator's configuration with secrets masked. */
    masked(idp: IdentityProvider): IdentityProvider {
      return {
        ...idp,
        authenticators: idp.authenticators.map((a) => {
          const type = types(a.type);
          return { ...a, config: type?.maskConfig ? type.maskConfig(a.config) : a.config };
        }),
      };
    },
  };
  return store;
}

export type IdentityProviderStore = ReturnType<typeof createIdentityProviderStore>;
