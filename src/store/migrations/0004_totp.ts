/**
 * TOTP authenticator apps (RFC 6238) and the option a user last chose in a step that offers several. Frozen in time:
 * it never imports application code. The secret is sealed with the master key by the code that writes it; this
 * table only holds the sealed text. `last_used_step` is the last RFC 6238 time step a code of the credential passed
 * with: a code is accepted only for a later step, by one conditional UPDATE, so no node accepts a code twice.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists at their moment, not today's types
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('totp_credentials')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('label', 'varchar(255)', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('digits', 'integer', (c) => c.notNull())
    .addColumn('period', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('last_used_step', 'bigint')
    .execute();
  await db.schema.createIndex('totp_credentials_user').on('totp_credentials').column('user_id').execute();
  await db.schema
    .createTable('preferred_options')
    .addColumn('user_id', 'varchar(64)', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('option', 'varchar(255)', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('preferred_options').ifExists().execute();
  await db.schema.dropTable('totp_credentials').ifExists().execute();
}
