/** The internal user store: users, their attributes (read and written through local claims), roles and lock state. */
import type { Db } from '../store/db.js';
import type { UsersTable } from '../store/schema.js';
import { ClaimUri, isBackupCodeClaim, VIRTUAL_ATTRIBUTES } from './claim-uris.js';
import { type LocalClaim, listLocalClaims } from './claims.js';
import { ConflictError, type FieldProblem, NotFoundError, ValidationError } from './errors.js';
import { newId } from './ids.js';
import { checkPasswordPolicy, type PasswordHasher } from './passwords.js';
import { patternMatches } from './safe-regex.js';

export interface User {
  id: string;
  username: string;
  enabled: boolean;
  lockedUntil: number | null;
  lockedReason: string | null;
  failedPasswordCount: number;
  failedOtpCount: number;
  roles: string[];
  attributes: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export function isLocked(user: Pick<User, 'lockedUntil'>, now = Date.now()): boolean {
  return user.lockedUntil !== null && user.lockedUntil > now;
}

async function hydrate(db: Db, row: UsersTable): Promise<User> {
  const [attrs, roles] = await Promise.all([
    db.selectFrom('user_attributes').select(['name', 'value']).where('user_id', '=', row.id).execute(),
    db.selectFrom('user_roles').select('role').where('user_id', '=', row.id).execute(),
  ]);
  return {
    id: row.id,
    username: row.username,
    enabled: row.enabled === 1,
    lockedUntil: row.locked_until,
    lockedReason: row.locked_reason,
    failedPasswordCount: row.failed_password_count,
    failedOtpCount: row.failed_otp_count,
    roles: roles.map((r) => r.role).sort(),
    attributes: Object.fromEntries(attrs.map((a) => [a.name, a.value])),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function getUserById(db: Db, id: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? hydrate(db, row) : undefined;
}

export async function getUserByUsername(db: Db, username: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  return row ? hydrate(db, row) : undefined;
}

export async function getPasswordHash(db: Db, userId: string): Promise<string | null> {
  const row = await db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst();
  return row?.password_hash ?? null;
}

export interface ListUsersQuery {
  offset?: number;
  limit?: number;
  /** substring of the username */
  search?: string;
  /** exact attribute match, e.g. { mobile: '+94…' } */
  attribute?: { name: string; value: string };
}

export async function listUsers(db: Db, q: ListUsersQuery = {}): Promise<{ total: number; users: User[] }> {
  let base = db.selectFrom('users');
  if (q.search) base = base.where('username', 'like', `%${q.search.replace(/[%_]/g, '')}%`);
  if (q.attribute) {
    const { name, value } = q.attribute;
    base = base.where((eb) =>
      eb.exists(
        eb
          .selectFrom('user_attributes')
          .select('user_id')
          .whereRef('user_attributes.user_id', '=', 'users.id')
          .where('name', '=', name)
          .where('value', '=', value),
      ),
    );
  }
  const total = Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await base
    .selectAll()
    .orderBy('username')
    .offset(q.offset ?? 0)
    .limit(q.limit ?? 50)
    .execute();
  return { total, users: await Promise.all(rows.map((r) => hydrate(db, r))) };
}

export function checkUsername(username: string): string | undefined {
  if (!/^[\p{L}\p{N}._@+-]{1,255}$/u.test(username)) return 'must be 1–255 letters, digits or . _ @ + -';
  return undefined;
}

export interface CreateUserInput {
  username: string;
  password?: string | undefined;
  claims?: Record<string, string>;
  roles?: string[];
}

export async function createUser(
  db: Db,
  hasher: PasswordHasher,
  input: CreateUserInput,
  now = Date.now(),
): Promise<User> {
  const problems: FieldProblem[] = [];
  const usernameProblem = checkUsername(input.username ?? '');
  if (usernameProblem) problems.push({ field: 'username', message: usernameProblem });
  if (input.password !== undefined) {
    const p = checkPasswordPolicy(input.password);
    if (p) problems.push({ field: 'password', message: p });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  if (await getUserByUsername(db, input.username)) throw new ConflictError(`the user ${input.username} exists already`);
  const id = newId('u_');
  const passwordHash = input.password !== undefined ? await hasher.hash(input.password) : null;
  await db
    .insertInto('users')
    .values({
      id,
      username: input.username,
      password_hash: passwordHash,
      enabled: 1,
      failed_password_count: 0,
      failed_password_since: null,
      failed_otp_count: 0,
      locked_until: null,
      locked_reason: null,
      lockout_count: 0,
      created_at: now,
      updated_at: now,
    })
    .execute();
  if (input.roles?.length) await setRoles(db, id, input.roles);
  if (input.claims && Object.keys(input.claims).length > 0) {
    try {
      await setUserClaims(db, id, input.claims, { asAdmin: true });
    } catch (e) {
      await db.deleteFrom('users').where('id', '=', id).execute();
      throw e;
    }
  }
  return (await getUserById(db, id))!;
}

export async function setPassword(db: Db, hasher: PasswordHasher, userId: string, password: string): Promise<void> {
  const p = checkPasswordPolicy(password);
  if (p) throw new ValidationError([{ field: 'password', message: p }]);
  const hashed = await hasher.hash(password);
  const r = await db
    .updateTable('users')
    .set({ password_hash: hashed, updated_at: Date.now() })
    .where('id', '=', userId)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw new NotFoundError('user', userId);
}

/** Stores an upgraded hash only if the password has not changed in between. */
export async function replacePasswordHash(db: Db, userId: string, oldHash: string, newHash: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: newHash })
    .where('id', '=', userId)
    .where('password_hash', '=', oldHash)
    .execute();
}

export async function setRoles(db: Db, userId: string, roles: string[]): Promise<void> {
  await db.deleteFrom('user_roles').where('user_id', '=', userId).execute();
  for (const role of [...new Set(roles)]) {
    if (!/^[\w:.-]{1,64}$/.test(role))
      throw new ValidationError([{ field: 'roles', message: `"${role}" is not a role name` }]);
    await db.insertInto('user_roles').values({ user_id: userId, role }).execute();
  }
}

export async function setEnabled(db: Db, userId: string, enabled: boolean): Promise<void> {
  await db
    .updateTable('users')
    .set({ enabled: enabled ? 1 : 0, updated_at: Date.now() })
    .where('id', '=', userId)
    .execute();
}

export async function deleteUser(db: Db, userId: string): Promise<void> {
  const r = await db.deleteFrom('users').where('id', '=', userId).executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) throw new NotFoundError('user', userId);
}

/** Values of the virtual attributes, computed from the user record. */
function virtualAttribute(user: User, attribute: string, now: number): string | undefined {
  switch (attribute) {
    case 'username':
      return user.username;
    case 'accountLocked':
      return String(isLocked(user, now));
    case 'unlockTime':
      return isLocked(user, now) ? String(user.lockedUntil) : undefined;
    case 'failedSmsOtpAttempts':
      return String(user.failedOtpCount);
    case 'roles':
      return user.roles.length > 0 ? user.roles.join(',') : undefined;
    default:
      return undefined;
  }
}

/** The user's claims in the local dialect. Write-only claims (backup codes) are never read back. */
export function claimsOf(user: User, claims: LocalClaim[], now = Date.now()): Record<string, string> {
  const out: Record<string, string> = {};
  for (const claim of claims) {
    if (isBackupCodeClaim(claim.uri)) continue;
    const value = VIRTUAL_ATTRIBUTES.has(claim.mappedAttribute)
      ? virtualAttribute(user, claim.mappedAttribute, now)
      : user.attributes[claim.mappedAttribute];
    if (value !== undefined && value !== '') out[claim.uri] = value;
  }
  return out;
}

export async function getUserClaims(db: Db, user: User): Promise<Record<string, string>> {
  return claimsOf(user, await listLocalClaims(db));
}

/** Hook for claims whose values are not stored as attributes (backup codes are hashed into their own table). */
export type SpecialClaimWriter = (db: Db, userId: string, value: string) => Promise<void>;
const specialWriters = new Map<string, SpecialClaimWriter>();
export function registerSpecialClaimWriter(uri: string, writer: SpecialClaimWriter): void {
  specialWriters.set(uri, writer);
}

/**
 * Writes claim values (by local claim URI). An empty string removes the value. Read-only claims are refused,
 * values are checked against the claim's regex, and nothing is written unless every value is valid.
 */
export async function setUserClaims(
  db: Db,
  userId: string,
  values: Record<string, string>,
  opts: { asAdmin?: boolean } = {},
): Promise<void> {
  const claims = new Map((await listLocalClaims(db)).map((c) => [c.uri, c]));
  const problems: FieldProblem[] = [];
  const writes: { claim: LocalClaim; value: string }[] = [];
  for (const [uri, raw] of Object.entries(values)) {
    const claim = claims.get(uri);
    if (!claim) {
      problems.push({ field: uri, message: 'is not a local claim' });
      continue;
    }
    if (typeof raw !== 'string') {
      problems.push({ field: uri, message: 'must be a string' });
      continue;
    }
    const value = raw.trim();
    if (claim.readOnly || VIRTUAL_ATTRIBUTES.has(claim.mappedAttribute)) {
      problems.push({ field: uri, message: `${claim.displayName} is read-only` });
      continue;
    }
    if (value.length > 4096) {
      problems.push({ field: uri, message: 'is longer than 4096 characters' });
      continue;
    }
    if (value !== '' && claim.regex && !isBackupCodeClaim(uri) && !patternMatches(claim.regex, value)) {
      problems.push({ field: uri, message: `${claim.displayName} does not match the required format` });
      continue;
    }
    if (claim.required && value === '' && !opts.asAdmin) {
      problems.push({ field: uri, message: `${claim.displayName} is required` });
      continue;
    }
    writes.push({ claim, value });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  if (!(await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst()))
    throw new NotFoundError('user', userId);
  for (const { claim, value } of writes) {
    const special = isBackupCodeClaim(claim.uri) ? specialWriters.get('backup-codes') : undefined;
    if (special) {
      await special(db, userId, value);
      continue;
    }
    await db
      .deleteFrom('user_attributes')
      .where('user_id', '=', userId)
      .where('name', '=', claim.mappedAttribute)
      .execute();
    if (value !== '')
      await db.insertInto('user_attributes').values({ user_id: userId, name: claim.mappedAttribute, value }).execute();
  }
  await db.updateTable('users').set({ updated_at: Date.now() }).where('id', '=', userId).execute();
}

/** The attribute behind a claim URI, for code that needs one value (the mobile number, the subject). */
export async function claimValue(db: Db, user: User, uri: string): Promise<string | undefined> {
  if (uri === ClaimUri.username) return user.username;
  const claim = (await listLocalClaims(db)).find((c) => c.uri === uri);
  if (!claim) return undefined;
  return claimsOf(user, [claim])[uri];
}
