/**
 * Users as one canonical identity: usernames case-folded and NFKC-normalised, mobile numbers in E.164, and a table
 * of subject values that makes a claim used as an application's subject unique among users. Frozen in time: it
 * never imports application code (the normalisation rules are written out here as they were on this day), and it
 * reports what it cannot change (audit events `migration.*` and a warning) instead of merging or guessing.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists at their moment, not today's types
type AnyDb = Kysely<any>;

const MOBILE_CLAIM = 'http://wso2.org/claims/mobile';
const STORED_ON_USER = new Set(['username', 'accountLocked', 'unlockTime', 'failedSmsOtpAttempts', 'roles']);

const fold = (s: string) => s.trim().normalize('NFKC').toLowerCase().normalize('NFKC');
const subjectKey = (value: string) => createHash('sha256').update(fold(value)).digest('hex');
const masked = (value: string) => (value.length <= 4 ? '****' : `${'*'.repeat(value.length - 2)}${value.slice(-2)}`);

async function report(db: AnyDb, event: string, userId: string | null, data: Record<string, unknown>): Promise<void> {
  process.emitWarning(`migration 0002: ${event} ${JSON.stringify({ userId, ...data })}`);
  await db
    .insertInto('audit_events')
    .values({
      id: `ev_${randomBytes(12).toString('base64url')}`,
      at: Date.now(),
      event,
      user_id: userId,
      username: null,
      client_id: null,
      ip: null,
      data: JSON.stringify(data),
    })
    .execute();
}

async function foldUsernames(db: AnyDb): Promise<void> {
  const rows: { id: string; username: string }[] = await db
    .selectFrom('users')
    .select(['id', 'username'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const taken = new Set(rows.map((r) => r.username));
  for (const row of rows) {
    const folded = fold(row.username);
    if (folded === row.username) continue;
    if (taken.has(folded)) {
      // two accounts that are one name once folded: an operator decides which stays; nothing is merged
      await report(db, 'migration.username-collision', row.id, { username: row.username, foldsTo: folded });
      continue;
    }
    await db.updateTable('users').set({ username: folded }).where('id', '=', row.id).execute();
    taken.delete(row.username);
    taken.add(folded);
  }
}

async function normaliseMobiles(db: AnyDb): Promise<void> {
  const claim = await db
    .selectFrom('local_claims')
    .select('mapped_attribute')
    .where('uri', '=', MOBILE_CLAIM)
    .executeTakeFirst();
  if (!claim) return;
  const rows: { user_id: string; value: string }[] = await db
    .selectFrom('user_attributes')
    .select(['user_id', 'value'])
    .where('name', '=', claim.mapped_attribute)
    .execute();
  for (const row of rows) {
    const parsed = parsePhoneNumberFromString(row.value.trim());
    if (!parsed?.isValid()) {
      await report(db, 'migration.mobile-not-normalised', row.user_id, { mobile: masked(row.value) });
      continue;
    }
    if (parsed.number === row.value) continue;
    await db
      .updateTable('user_attributes')
      .set({ value: parsed.number })
      .where('user_id', '=', row.user_id)
      .where('name', '=', claim.mapped_attribute)
      .execute();
  }
}

async function fillSubjectValues(db: AnyDb): Promise<void> {
  const apps: { settings: string }[] = await db.selectFrom('applications').select('settings').execute();
  const uris = new Set(apps.map((a) => (JSON.parse(a.settings) as { subjectClaimUri?: string }).subjectClaimUri));
  const claims: { uri: string; mapped_attribute: string }[] = await db
    .selectFrom('local_claims')
    .select(['uri', 'mapped_attribute'])
    .execute();
  const attributes = new Set(
    claims.filter((c) => uris.has(c.uri) && !STORED_ON_USER.has(c.mapped_attribute)).map((c) => c.mapped_attribute),
  );
  for (const attribute of attributes) {
    const rows: { user_id: string; value: string }[] = await db
      .selectFrom('user_attributes')
      .select(['user_id', 'value'])
      .where('name', '=', attribute)
      .orderBy('user_id')
      .execute();
    const seen = new Set<string>();
    for (const row of rows) {
      const key = subjectKey(row.value);
      if (seen.has(key)) {
        await report(db, 'migration.subject-collision', row.user_id, { attribute });
        continue;
      }
      seen.add(key);
      await db.insertInto('subject_values').values({ attribute, value_key: key, user_id: row.user_id }).execute();
    }
  }
}

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('subject_values')
    .addColumn('attribute', 'varchar(255)', (c) => c.notNull())
    .addColumn('value_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('subject_values_pk', ['attribute', 'value_key'])
    .addUniqueConstraint('subject_values_user_attribute', ['user_id', 'attribute'])
    .execute();
  await foldUsernames(db);
  await normaliseMobiles(db);
  await fillSubjectValues(db);
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('subject_values').ifExists().execute();
}
