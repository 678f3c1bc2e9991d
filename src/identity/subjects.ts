/**
 * Subject values: a claim that any application takes its `sub` from belongs to one user only. The table
 * `subject_values` holds one row per user and subject attribute, keyed by the normalised value, so the database's
 * primary key refuses a second holder even when two writes race; the message never names the other user.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../store/db.js';
import { VIRTUAL_ATTRIBUTES } from './claim-uris.js';
import { ConflictError } from './errors.js';

/** The key of a value: case and compatibility forms folded, so `A@x` and `a@x` are one subject. */
export function subjectKey(value: string): string {
  return createHash('sha256').update(value.trim().normalize('NFKC').toLowerCase().normalize('NFKC')).digest('hex');
}

/** A unique or primary key constraint refused the row (better-sqlite3 and pg name it differently). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Stored attributes that are the subject claim of at least one application (usernames are unique by themselves). */
export async function subjectAttributes(db: Db): Promise<Set<string>> {
  const apps = await db.selectFrom('applications').select('settings').execute();
  const uris = new Set(apps.map((a) => (JSON.parse(a.settings) as { subjectClaimUri?: string }).subjectClaimUri));
  if (uris.size === 0) return new Set();
  const claims = await db.selectFrom('local_claims').select(['uri', 'mapped_attribute']).execute();
  return new Set(
    claims.filter((c) => uris.has(c.uri) && !VIRTUAL_ATTRIBUTES.has(c.mapped_attribute)).map((c) => c.mapped_attribute),
  );
}

export function subjectTaken(displayName: string): ConflictError {
  return new ConflictError(`${displayName} is already the sign-in identifier of another user; it must be unique`);
}

/** Records (or moves) the user's subject value; a value another user holds is a ConflictError. */
export async function holdSubjectValue(
  db: Db,
  userId: string,
  attribute: string,
  value: string,
  displayName: string,
): Promise<void> {
  if (value === '') {
    await db.deleteFrom('subject_values').where('user_id', '=', userId).where('attribute', '=', attribute).execute();
    return;
  }
  const key = subjectKey(value);
  try {
    await db
      .insertInto('subject_values')
      .values({ attribute, value_key: key, user_id: userId })
      .onConflict((oc) => oc.columns(['user_id', 'attribute']).doUpdateSet({ value_key: key }))
      .execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw subjectTaken(displayName);
    throw err;
  }
}

/**
 * An application is about to take its subject from `attribute`: refuse when users already share a value,
 * otherwise (re)build the attribute's rows so every later write is checked by the key. Run it in the
 * transaction that saves the application.
 */
export async function adoptSubjectAttribute(db: Db, attribute: string, displayName: string): Promise<void> {
  if (VIRTUAL_ATTRIBUTES.has(attribute)) return;
  const rows = await db
    .selectFrom('user_attributes')
    .select(['user_id', 'value'])
    .where('name', '=', attribute)
    .execute();
  const byKey = new Map<string, string>();
  let shared = 0;
  for (const row of rows) {
    const key = subjectKey(row.value);
    if (byKey.has(key)) shared++;
    else byKey.set(key, row.user_id);
  }
  if (shared > 0)
    throw new ConflictError(
      `${displayName} cannot be the subject claim: ${shared} user(s) share a value with another user; make the values unique first`,
    );
  await db.deleteFrom('subject_values').where('attribute', '=', attribute).execute();
  for (const [key, userId] of byKey)
    await db.insertInto('subject_values').values({ attribute, value_key: key, user_id: userId }).execute();
}

/** `adoptSubjectAttribute` for a local claim URI (an application's `subjectClaimUri`); unknown claims are left alone. */
export async function adoptSubjectClaim(db: Db, uri: string): Promise<void> {
  const claim = await db
    .selectFrom('local_claims')
    .select(['mapped_attribute', 'display_name'])
    .where('uri', '=', uri)
    .executeTakeFirst();
  if (claim) await adoptSubjectAttribute(db, claim.mapped_attribute, claim.display_name);
}
