/**
 * A SAML service provider's Issuer (entity ID) beside the application's settings, under a unique index, so two
 * applications never share an entity ID even when two writes race. Frozen in time: it never imports application
 * code; an existing duplicate (impossible before this migration's day, when no SAML settings were stored) is
 * reported and left without an issuer instead of guessed at.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists at their moment, not today's types
type AnyDb = Kysely<any>;

async function fillIssuers(db: AnyDb): Promise<void> {
  const rows: { id: string; settings: string }[] = await db
    .selectFrom('applications')
    .select(['id', 'settings'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const seen = new Set<string>();
  for (const row of rows) {
    const issuer = (JSON.parse(row.settings) as { saml?: { issuer?: unknown } }).saml?.issuer;
    if (typeof issuer !== 'string' || issuer === '') continue;
    if (seen.has(issuer)) {
      process.emitWarning(`migration 0003: application ${row.id} shares its SAML issuer with another; left out`);
      continue;
    }
    seen.add(issuer);
    await db.updateTable('applications').set({ saml_issuer: issuer }).where('id', '=', row.id).execute();
  }
}

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('applications').addColumn('saml_issuer', 'varchar(1024)').execute();
  await fillIssuers(db);
  // NULL (no SAML) is not a value: any number of applications may have none, on SQLite and PostgreSQL alike
  await db.schema.createIndex('applications_saml_issuer').unique().on('applications').column('saml_issuer').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('applications_saml_issuer').ifExists().execute();
  await db.schema.alterTable('applications').dropColumn('saml_issuer').execute();
}
