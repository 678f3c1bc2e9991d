/** Local claims and dialect mappings: the catalogue of user attributes by URI, with the defaults the seed relies on. */
import type { Db } from '../store/db.js';
import type { LocalClaimsTable } from '../store/schema.js';
import { type Alongside, inTransaction } from '../store/transaction.js';
import { ClaimUri, isBackupCodeClaim, LOCAL_DIALECT, OIDC_DIALECT } from './claim-uris.js';
import type { ConfigCache } from './config-cache.js';
import { ConflictError, type FieldProblem, NotFoundError, ValidationError } from './errors.js';
import { isReservedClaim } from './reserved-claims.js';
import { patternProblem } from './safe-regex.js';
import type { ClaimMapping, LocalClaim } from './types.js';

export type { ClaimMapping, LocalClaim } from './types.js';

const BOOL_REGEX = '^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$';

type Defaults = Omit<LocalClaim, 'system' | 'regex' | 'description'> & { regex?: string; description?: string };
export const DEFAULT_LOCAL_CLAIMS: Defaults[] = [
  {
    uri: ClaimUri.username,
    displayName: 'Username',
    mappedAttribute: 'username',
    supportedByDefault: true,
    required: true,
    readOnly: true,
    displayOrder: 1,
  },
  {
    uri: ClaimUri.givenName,
    displayName: 'First Name',
    mappedAttribute: 'givenName',
    supportedByDefault: true,
    required: false,
    readOnly: false,
    displayOrder: 2,
  },
  {
    uri: ClaimUri.lastName,
    displayName: 'Last Name',
    mappedAttribute: 'sn',
    supportedByDefault: true,
    required: false,
    readOnly: false,
    displayOrder: 3,
  },
  {
    uri: ClaimUri.email,
    displayName: 'Email',
    mappedAttribute: 'mail',
    supportedByDefault: true,
    required: false,
    readOnly: false,
    displayOrder: 4,
    regex: '^[^\\s@]+@[^\\s@]+$',
  },
  {
    uri: ClaimUri.mobile,
    displayName: 'Mobile',
    mappedAttribute: 'mobile',
    supportedByDefault: true,
    required: false,
    readOnly: false,
    displayOrder: 5,
    regex: '^\\+?[0-9 ()-]{4,20}$',
    description: 'Mobile number; SMS one-time passwords are sent to it.',
  },
  {
    uri: ClaimUri.smsOtpDisabled,
    displayName: 'Disable SMSOTP',
    mappedAttribute: 'smsotpDisabled',
    supportedByDefault: false,
    required: false,
    readOnly: false,
    displayOrder: 10,
    regex: BOOL_REGEX,
    description: 'True turns the SMS one-time password step off for this user (unless SMS OTP is mandatory).',
  },
  {
    uri: ClaimUri.preferredMfaOption,
    displayName: 'Preferred MFA Option',
    mappedAttribute: 'preferredMFAOption',
    supportedByDefault: false,
    required: false,
    readOnly: false,
    displayOrder: 11,
    // an option of a step as `idp:authenticator`: `smsOTP:sms-otp`, `:totp`, `:passkey`
    regex: '^[A-Za-z0-9 ._-]{0,255}:[a-z0-9-]{1,64}$',
    description:
      'The option a step that offers several starts with (idp:authenticator, e.g. smsOTP:sms-otp or :totp); the user can still switch.',
  },
  {
    uri: ClaimUri.accountLocked,
    displayName: 'Account Locked',
    mappedAttribute: 'accountLocked',
    supportedByDefault: false,
    required: false,
    readOnly: true,
    displayOrder: 20,
  },
  {
    uri: ClaimUri.unlockTime,
    displayName: 'Unlock Time',
    mappedAttribute: 'unlockTime',
    supportedByDefault: false,
    required: false,
    readOnly: true,
    displayOrder: 21,
  },
  {
    uri: ClaimUri.failedSmsOtpAttempts,
    displayName: 'Failed SMS OTP Attempts',
    mappedAttribute: 'failedSmsOtpAttempts',
    supportedByDefault: false,
    required: false,
    readOnly: true,
    displayOrder: 22,
  },
  {
    uri: ClaimUri.role,
    displayName: 'Role',
    mappedAttribute: 'roles',
    supportedByDefault: false,
    required: false,
    readOnly: true,
    displayOrder: 30,
  },
];

export const DEFAULT_OIDC_MAPPINGS: [string, string][] = [
  ['preferred_username', ClaimUri.username],
  ['given_name', ClaimUri.givenName],
  ['family_name', ClaimUri.lastName],
  ['email', ClaimUri.email],
  ['phone_number', ClaimUri.mobile],
];

function toClaim(row: LocalClaimsTable): LocalClaim {
  return {
    uri: row.uri,
    displayName: row.display_name,
    description: row.description,
    mappedAttribute: row.mapped_attribute,
    supportedByDefault: row.supported_by_default === 1,
    required: row.required === 1,
    readOnly: row.read_only === 1,
    regex: row.regex,
    displayOrder: row.display_order,
    system: row.system === 1,
  };
}

/** Inserts the built-in claims and mappings that are missing; never overwrites what an admin changed. */
export async function ensureDefaultClaims(db: Db): Promise<void> {
  const existing = new Set((await db.selectFrom('local_claims').select('uri').execute()).map((r) => r.uri));
  for (const c of DEFAULT_LOCAL_CLAIMS) {
    if (existing.has(c.uri)) continue;
    await db
      .insertInto('local_claims')
      .values({
        uri: c.uri,
        display_name: c.displayName,
        description: c.description ?? '',
        mapped_attribute: c.mappedAttribute,
        supported_by_default: c.supportedByDefault ? 1 : 0,
        required: c.required ? 1 : 0,
        read_only: c.readOnly ? 1 : 0,
        regex: c.regex ?? null,
        display_order: c.displayOrder,
        system: 1,
      })
      .execute();
  }
  const mapped = new Set(
    (await db.selectFrom('claim_mappings').select('external_claim').where('dialect', '=', OIDC_DIALECT).execute()).map(
      (r) => r.external_claim,
    ),
  );
  for (const [external, local] of DEFAULT_OIDC_MAPPINGS) {
    if (mapped.has(external)) continue;
    await db
      .insertInto('claim_mappings')
      .values({ dialect: OIDC_DIALECT, external_claim: external, local_claim_uri: local })
      .execute();
  }
}

/**
 * The catalogue reads every login makes (the local claims behind a user's values, the OIDC dialect's mappings) go
 * through the node's configuration cache when one is registered for the database handle they are given; a
 * transaction (a different handle) reads the tables. The writers below announce each change, which flushes this node
 * at once and every other node within the cache's interval. Writers must be given the registered handle (every
 * caller does): a change inside a caller's transaction could not be announced after its commit.
 */
const catalogueCaches = new WeakMap<Db, ConfigCache>();

export function cacheClaimCatalogue(db: Db, cache: ConfigCache): void {
  catalogueCaches.set(db, cache);
}

function cachedRead<T>(db: Db, key: string, load: () => Promise<T>): Promise<T> {
  const cache = catalogueCaches.get(db);
  return cache ? cache.read(`claims.${key}`, load) : load();
}

/** Runs a catalogue write and announces it, also after a failure (part of it may have landed). */
async function announced<T>(db: Db, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } finally {
    await catalogueCaches.get(db)?.changed();
  }
}

/** The local claims, in display order; shared and frozen when cached (callers copy before changing). */
export async function listLocalClaims(db: Db): Promise<LocalClaim[]> {
  return cachedRead(db, 'local', async () => {
    const rows = await db.selectFrom('local_claims').selectAll().orderBy('display_order').orderBy('uri').execute();
    return rows.map(toClaim);
  });
}

export async function getLocalClaim(db: Db, uri: string): Promise<LocalClaim | undefined> {
  const row = await db.selectFrom('local_claims').selectAll().where('uri', '=', uri).executeTakeFirst();
  return row ? toClaim(row) : undefined;
}

export type LocalClaimInput = Omit<
  LocalClaim,
  'system' | 'displayOrder' | 'description' | 'regex' | 'supportedByDefault' | 'required' | 'readOnly'
> &
  Partial<Pick<LocalClaim, 'displayOrder' | 'description' | 'regex' | 'supportedByDefault' | 'required' | 'readOnly'>>;

function checkClaimInput(input: LocalClaimInput): void {
  const problems: FieldProblem[] = [];
  if (!/^[a-z][a-z0-9+.-]*:\/\/?\S+$/i.test(input.uri ?? ''))
    problems.push({ field: 'uri', message: 'must be a URI such as http://wso2.org/claims/nickname' });
  if (!input.displayName?.trim()) problems.push({ field: 'displayName', message: 'is required' });
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/.test(input.mappedAttribute ?? ''))
    problems.push({
      field: 'mappedAttribute',
      message: 'must be an attribute name of letters, digits, "_", "-" or "."',
    });
  // formats run on RE2 (linear time): a pattern that would need backtracking is refused here
  const regexProblem = input.regex ? patternProblem(input.regex) : undefined;
  if (regexProblem) problems.push({ field: 'regex', message: regexProblem });
  if (problems.length > 0) throw new ValidationError(problems);
}

/** `alongside` (the audit event) commits with the write; each writer below takes one. */
export async function addLocalClaim(db: Db, input: LocalClaimInput, alongside?: Alongside): Promise<LocalClaim> {
  return announced(db, async () => {
    checkClaimInput(input);
    if (await getLocalClaim(db, input.uri)) throw new ConflictError(`the claim ${input.uri} exists already`);
    const order = input.displayOrder ?? 100;
    await inTransaction(db, async (trx) => {
      await trx
        .insertInto('local_claims')
        .values({
          uri: input.uri,
          display_name: input.displayName.trim(),
          description: input.description ?? '',
          mapped_attribute: input.mappedAttribute,
          supported_by_default: input.supportedByDefault ? 1 : 0,
          required: input.required ? 1 : 0,
          read_only: input.readOnly && !isBackupCodeClaim(input.uri) ? 1 : 0,
          regex: input.regex || null,
          display_order: order,
          system: 0,
        })
        .execute();
      await alongside?.(trx);
    });
    return (await getLocalClaim(db, input.uri))!;
  });
}

export async function updateLocalClaim(
  db: Db,
  uri: string,
  patch: Partial<LocalClaimInput>,
  alongside?: Alongside,
): Promise<LocalClaim> {
  return announced(db, async () => {
    const current = await getLocalClaim(db, uri);
    if (!current) throw new NotFoundError('claim', uri);
    const next = { ...current, ...patch, uri };
    checkClaimInput(next);
    if (current.system && next.mappedAttribute !== current.mappedAttribute)
      throw new ValidationError([{ field: 'mappedAttribute', message: 'a built-in claim keeps its attribute' }]);
    // the subject values held unique are those of the attribute; moving a subject claim would leave them unchecked
    if (next.mappedAttribute !== current.mappedAttribute) {
      const subjectOf = (await claimUsage(db, uri)).filter((u) => u.startsWith('subject claim of'));
      if (subjectOf.length > 0)
        throw new ConflictError(`${uri} is the ${subjectOf.join('; ')}: its attribute cannot change`);
    }
    await inTransaction(db, async (trx) => {
      await trx
        .updateTable('local_claims')
        .set({
          display_name: next.displayName.trim(),
          description: next.description ?? '',
          mapped_attribute: next.mappedAttribute,
          supported_by_default: next.supportedByDefault ? 1 : 0,
          required: next.required ? 1 : 0,
          read_only: current.system ? (current.readOnly ? 1 : 0) : next.readOnly ? 1 : 0,
          regex: next.regex || null,
          display_order: next.displayOrder ?? current.displayOrder,
        })
        .where('uri', '=', uri)
        .execute();
      await alongside?.(trx);
    });
    return (await getLocalClaim(db, uri))!;
  });
}

/** A claim is in use while an application requests it or takes its subject from it, or a dialect maps to it. */
export async function claimUsage(db: Db, uri: string): Promise<string[]> {
  const uses: string[] = [];
  const apps = await db.selectFrom('applications').select(['name', 'settings']).execute();
  for (const app of apps) {
    const s = JSON.parse(app.settings) as { subjectClaimUri?: string; requestedClaims?: string[] };
    if (s.subjectClaimUri === uri) uses.push(`subject claim of application "${app.name}"`);
    else if (s.requestedClaims?.includes(uri)) uses.push(`requested by application "${app.name}"`);
  }
  const maps = await db.selectFrom('claim_mappings').selectAll().where('local_claim_uri', '=', uri).execute();
  for (const m of maps) uses.push(`mapped from ${m.external_claim} in ${m.dialect}`);
  return uses;
}

export async function deleteLocalClaim(db: Db, uri: string, alongside?: Alongside): Promise<void> {
  return announced(db, async () => {
    const claim = await getLocalClaim(db, uri);
    if (!claim) throw new NotFoundError('claim', uri);
    if (claim.system) throw new ConflictError(`${uri} is built in and cannot be deleted`);
    const uses = await claimUsage(db, uri);
    if (uses.length > 0) throw new ConflictError(`${uri} is in use: ${uses.join('; ')}`);
    await inTransaction(db, async (trx) => {
      await trx.deleteFrom('local_claims').where('uri', '=', uri).execute();
      await alongside?.(trx);
    });
  });
}

export async function listDialects(db: Db): Promise<{ uri: string; mappings: number }[]> {
  const rows = await db.selectFrom('claim_mappings').select('dialect').execute();
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.dialect, (counts.get(r.dialect) ?? 0) + 1);
  const local = (await db.selectFrom('local_claims').select('uri').execute()).length;
  return [{ uri: LOCAL_DIALECT, mappings: local }, ...[...counts].map(([uri, mappings]) => ({ uri, mappings }))];
}

export async function listMappings(db: Db, dialect: string): Promise<ClaimMapping[]> {
  return cachedRead(db, `mappings:${dialect}`, async () => {
    const rows = await db
      .selectFrom('claim_mappings')
      .selectAll()
      .where('dialect', '=', dialect)
      .orderBy('external_claim')
      .execute();
    return rows.map((r) => ({ dialect: r.dialect, externalClaim: r.external_claim, localClaimUri: r.local_claim_uri }));
  });
}

export async function setMapping(db: Db, mapping: ClaimMapping, alongside?: Alongside): Promise<void> {
  return announced(db, async () => {
    if (!(await getLocalClaim(db, mapping.localClaimUri)))
      throw new ValidationError([{ field: 'localClaimUri', message: `no local claim ${mapping.localClaimUri}` }]);
    if (!/^[\w.:/-]{1,255}$/.test(mapping.externalClaim))
      throw new ValidationError([{ field: 'externalClaim', message: 'must be a claim name' }]);
    if (mapping.dialect === OIDC_DIALECT && isReservedClaim(mapping.externalClaim))
      throw new ValidationError([
        {
          field: 'externalClaim',
          message: `${mapping.externalClaim} is a protocol claim of JWT/OpenID Connect and cannot carry user data`,
        },
      ]);
    // the old mapping's removal and the new one commit together: never a moment without a mapping
    await inTransaction(db, async (trx) => {
      await trx
        .deleteFrom('claim_mappings')
        .where('dialect', '=', mapping.dialect)
        .where('external_claim', '=', mapping.externalClaim)
        .execute();
      await trx
        .insertInto('claim_mappings')
        .values({
          dialect: mapping.dialect,
          external_claim: mapping.externalClaim,
          local_claim_uri: mapping.localClaimUri,
        })
        .execute();
      await alongside?.(trx);
    });
  });
}

export async function deleteMapping(
  db: Db,
  dialect: string,
  externalClaim: string,
  alongside?: Alongside,
): Promise<void> {
  return announced(db, () =>
    inTransaction(db, async (trx) => {
      const r = await trx
        .deleteFrom('claim_mappings')
        .where('dialect', '=', dialect)
        .where('external_claim', '=', externalClaim)
        .executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw new NotFoundError('claim mapping', `${dialect} ${externalClaim}`);
      await alongside?.(trx);
    }),
  );
}
