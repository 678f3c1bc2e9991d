/**
 * The internal user store: users, their attributes (read and written through local claims), roles and lock state.
 * Repository functions take `db` or a transaction; the caller owns the transaction (an admin write and its audit
 * event commit together). Usernames are stored canonical (usernames.ts), mobile numbers in E.164 (phone.ts), and
 * subject-claim values are held unique (subjects.ts).
 */
import { type ExpressionBuilder, sql } from 'kysely';
import { compileOncePerDialect } from '../store/compile-once.js';
import type { Db } from '../store/db.js';
import type { Database, UsersTable } from '../store/schema.js';
import { ClaimUri, isBackupCodeClaim, VIRTUAL_ATTRIBUTES } from './claim-uris.js';
import { type LocalClaim, listLocalClaims } from './claims.js';
import { ConflictError, type FieldProblem, NotFoundError, ValidationError } from './errors.js';
import { newId } from './ids.js';
import { checkPasswordPolicy, type PasswordHasher } from './passwords.js';
import { normalisePhone } from './phone.js';
import { patternMatches } from './safe-regex.js';
import { holdSubjectValue, isUniqueViolation, subjectAttributes } from './subjects.js';
import { foldUsername, prepareUsername } from './usernames.js';

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

/** The user columns a `User` is made of (never the password hash). */
const USER_COLUMNS = [
  'id',
  'username',
  'enabled',
  'locked_until',
  'locked_reason',
  'failed_password_count',
  'failed_otp_count',
  'created_at',
  'updated_at',
] as const;
type UserRow = Pick<UsersTable, (typeof USER_COLUMNS)[number]>;

function toUser(row: UserRow, rows: { name: string; value: string; is_role: number }[]): User {
  const attributes: Record<string, string> = {};
  const roles: string[] = [];
  for (const r of rows) {
    if (Number(r.is_role) === 1) roles.push(r.name);
    else attributes[r.name] = r.value;
  }
  return {
    id: row.id,
    username: row.username,
    enabled: Number(row.enabled) === 1,
    lockedUntil: row.locked_until,
    lockedReason: row.locked_reason,
    failedPasswordCount: row.failed_password_count,
    failedOtpCount: row.failed_otp_count,
    roles: roles.sort(),
    attributes,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

async function hydrate(db: Db, row: UserRow): Promise<User> {
  const rows = await db
    .selectFrom('user_attributes')
    .select(['name', 'value', sql<number>`0`.as('is_role')])
    .where('user_id', '=', row.id)
    .unionAll(
      db
        .selectFrom('user_roles')
        .select(['role as name', sql<string>`''`.as('value'), sql<number>`1`.as('is_role')])
        .where('user_id', '=', row.id),
    )
    .execute();
  return toUser(row, rows);
}

/**
 * A user, its attributes and its roles in one statement (a login reads its user several times): the user's row
 * (`part` 0), then one row per attribute (1) and per role (2), with nulls in the columns a part does not have.
 * `key` picks the user: by id, or by stored username (the attributes and roles then by that user's id).
 */
function oneUserStatement(key: 'id' | 'username') {
  return compileOncePerDialect(1, (db: Db, value: string) => {
    const owner = (eb: ExpressionBuilder<Database, 'user_attributes' | 'user_roles'>) =>
      key === 'id'
        ? eb(eb.ref('user_id'), '=', value)
        : eb(eb.ref('user_id'), '=', eb.selectFrom('users').select('id').where('username', '=', value));
    const none = <T>() => sql<T>`null`;
    return db
      .selectFrom('users')
      .select([sql<number>`0`.as('part'), ...USER_COLUMNS, none<string>().as('name'), none<string>().as('value')])
      .where(key, '=', value)
      .unionAll(
        db
          .selectFrom('user_attributes')
          .select([
            sql<number>`1`.as('part'),
            'user_id as id',
            ...USER_COLUMNS.slice(1).map((c) => none<never>().as(c)),
            'name',
            'value',
          ])
          .where(owner),
      )
      .unionAll(
        db
          .selectFrom('user_roles')
          .select([
            sql<number>`2`.as('part'),
            'user_id as id',
            ...USER_COLUMNS.slice(1).map((c) => none<never>().as(c)),
            'role as name',
            sql<string>`''`.as('value'),
          ])
          .where(owner),
      );
  });
}
const userStatements = { id: oneUserStatement('id'), username: oneUserStatement('username') };

async function readUser(db: Db, key: 'id' | 'username', value: string): Promise<User | undefined> {
  const { rows } = await userStatements[key].run(db, value);
  const row = rows.find((r) => Number(r.part) === 0);
  if (!row) return undefined;
  const rest = rows
    .filter((r) => Number(r.part) !== 0)
    .map((r) => ({ name: r.name!, value: r.value!, is_role: Number(r.part) === 2 ? 1 : 0 }));
  return toUser(row as UserRow, rest);
}

export async function getUserById(db: Db, id: string): Promise<User | undefined> {
  return readUser(db, 'id', id);
}

/**
 * The user a typed login name means: its canonical (folded) form first; the name exactly as typed second, for a row
 * the username migration could not fold because its folded form was taken (reported, never merged).
 */
export async function getUserByUsername(db: Db, username: string): Promise<User | undefined> {
  const folded = foldUsername(username.trim());
  return (
    (await readUser(db, 'username', folded)) ??
    (folded === username ? undefined : await readUser(db, 'username', username))
  );
}

const passwordHashStatement = compileOncePerDialect(1, (db: Db, userId: string) =>
  db.selectFrom('users').select('password_hash').where('id', '=', userId),
);

export async function getPasswordHash(db: Db, userId: string): Promise<string | null> {
  return (await passwordHashStatement.run(db, userId)).rows[0]?.password_hash ?? null;
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
  if (q.search) base = base.where('username', 'like', `%${foldUsername(q.search).replace(/[%_\\]/g, '')}%`);
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

export interface CreateUserInput {
  username: string;
  password?: string | undefined;
  claims?: Record<string, string>;
  roles?: string[];
}

/** A checked new user with its password already hashed: what `insertUser` writes. */
export interface NewUser {
  username: string;
  passwordHash: string | null;
  claims: Record<string, string>;
  roles: string[];
  enabled: boolean;
}

/**
 * Checks and hashes, touching no table: hashing takes tens of milliseconds and must not run while a transaction
 * holds SQLite's one connection.
 */
export async function prepareNewUser(
  hasher: PasswordHasher,
  input: CreateUserInput & { enabled?: boolean },
): Promise<NewUser> {
  const problems: FieldProblem[] = [];
  const prepared = prepareUsername(typeof input.username === 'string' ? input.username : '');
  if (!prepared.ok) problems.push({ field: 'username', message: prepared.message });
  if (input.password !== undefined) {
    const p = checkPasswordPolicy(input.password);
    if (p) problems.push({ field: 'password', message: p });
  }
  const roleProblem = checkRoles(input.roles ?? []);
  if (roleProblem) problems.push(roleProblem);
  if (problems.length > 0 || !prepared.ok) throw new ValidationError(problems);
  return {
    username: prepared.username,
    passwordHash: input.password !== undefined ? await hasher.hash(input.password) : null,
    claims: input.claims ?? {},
    roles: input.roles ?? [],
    enabled: input.enabled ?? true,
  };
}

/** Writes a prepared user: the row, roles and claims. Give it a transaction so a failure leaves no half-made user. */
export async function insertUser(db: Db, user: NewUser, now = Date.now()): Promise<User> {
  const id = newId('u_');
  try {
    await db
      .insertInto('users')
      .values({
        id,
        username: user.username,
        password_hash: user.passwordHash,
        enabled: user.enabled ? 1 : 0,
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
  } catch (err) {
    // two creations of one name race past any read; the unique index decides, and the loser is told so
    if (isUniqueViolation(err)) throw new ConflictError(`the user ${user.username} exists already`);
    throw err;
  }
  if (user.roles.length > 0) await setRoles(db, id, user.roles);
  const claims = Object.fromEntries(Object.entries(user.claims).filter(([, v]) => v !== ''));
  if (Object.keys(claims).length > 0) await setUserClaims(db, id, claims, { asAdmin: true });
  return (await getUserById(db, id))!;
}

/** Prepares and inserts in one transaction (its own, unless `db` is one already). */
export async function createUser(
  db: Db,
  hasher: PasswordHasher,
  input: CreateUserInput,
  now = Date.now(),
): Promise<User> {
  const user = await prepareNewUser(hasher, input);
  if (db.isTransaction) return insertUser(db, user, now);
  return db.transaction().execute((trx) => insertUser(trx, user, now));
}

/** The hash of a new password that meets the policy (computed before any transaction opens). */
export async function preparePassword(hasher: PasswordHasher, password: string): Promise<string> {
  const p = checkPasswordPolicy(password);
  if (p) throw new ValidationError([{ field: 'password', message: p }]);
  return hasher.hash(password);
}

export async function setPasswordHash(db: Db, userId: string, hash: string): Promise<void> {
  const r = await db
    .updateTable('users')
    .set({ password_hash: hash, updated_at: Date.now() })
    .where('id', '=', userId)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw new NotFoundError('user', userId);
}

export async function setPassword(db: Db, hasher: PasswordHasher, userId: string, password: string): Promise<void> {
  await setPasswordHash(db, userId, await preparePassword(hasher, password));
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

function checkRoles(roles: string[]): FieldProblem | undefined {
  const bad = roles.find((role) => typeof role !== 'string' || !/^[\w:.-]{1,64}$/.test(role));
  return bad === undefined ? undefined : { field: 'roles', message: `"${bad}" is not a role name` };
}

/** Replaces the user's roles with these; checked before anything is removed. */
export async function setRoles(db: Db, userId: string, roles: string[]): Promise<void> {
  const problem = checkRoles(roles);
  if (problem) throw new ValidationError([problem]);
  const wanted = [...new Set(roles)];
  await db
    .deleteFrom('user_roles')
    .where('user_id', '=', userId)
    .where('role', 'not in', ['', ...wanted])
    .execute();
  for (const role of wanted)
    await db
      .insertInto('user_roles')
      .values({ user_id: userId, role })
      .onConflict((oc) => oc.columns(['user_id', 'role']).doNothing())
      .execute();
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
 * Writes claim values (by local claim URI). An empty string removes the value. Read-only claims are refused, the
 * mobile number is stored in E.164, values are checked against the claim's regex, and nothing is written unless
 * every value is valid. Each value is an upsert (never delete-then-insert: a crash between the two lost a number);
 * a subject-claim value is held in `subject_values` first, so a value another user holds changes nothing. Give it
 * a transaction when several claims must change together.
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
    let value = raw.trim();
    if (claim.uri === ClaimUri.mobile && value !== '') {
      const phone = normalisePhone(value);
      if (!phone.ok) {
        problems.push({ field: uri, message: `${claim.displayName} ${phone.message}` });
        continue;
      }
      value = phone.e164;
    }
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
  const subjects = await subjectAttributes(db);
  for (const { claim, value } of writes) {
    if (subjects.has(claim.mappedAttribute))
      await holdSubjectValue(db, userId, claim.mappedAttribute, value, claim.displayName);
  }
  for (const { claim, value } of writes) {
    const special = isBackupCodeClaim(claim.uri) ? specialWriters.get('backup-codes') : undefined;
    if (special) {
      await special(db, userId, value);
      continue;
    }
    if (value === '') {
      await db
        .deleteFrom('user_attributes')
        .where('user_id', '=', userId)
        .where('name', '=', claim.mappedAttribute)
        .execute();
      continue;
    }
    await db
      .insertInto('user_attributes')
      .values({ user_id: userId, name: claim.mappedAttribute, value })
      .onConflict((oc) => oc.columns(['user_id', 'name']).doUpdateSet({ value }))
      .execute();
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
