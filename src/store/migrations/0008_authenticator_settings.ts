/**
 * Settings of the local authenticators per installation (TOTP, passkeys), edited in the console and the admin API;
 * and the hash algorithm of each authenticator app, so that changing the installation's algorithm never breaks an
 * app set up before. Frozen in time: it never imports application code. `settings` is the JSON the application
 * validated; a row that is absent means the configuration file's values.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists at their moment, not today's types
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('authenticator_settings')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // every app made before this migration was made with SHA-1, the only algorithm there was
  await db.schema
    .alterTable('totp_credentials')
    .addColumn('algorithm', 'varchar(16)', (c) => c.notNull().defaultTo('SHA1'))
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('totp_credentials').dropColumn('algorithm').execute();
  await db.schema.dropTable('authenticator_settings').ifExists().execute();
}
