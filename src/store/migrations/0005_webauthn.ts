/**
 * Passkeys (WebAuthn credentials) of users. Frozen in time: it never imports application code. `id` is the
 * credential id (base64url) the authenticator chose, unique across users; `public_key` its COSE public key
 * (base64url); `sign_count` the last signature counter seen (0: the authenticator keeps none); `device_type`
 * simplewebauthn's singleDevice / multiDevice; `backed_up` whether the passkey is synced.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists at their moment, not today's types
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('webauthn_credentials')
    .addColumn('id', 'varchar(1024)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('sign_count', 'bigint', (c) => c.notNull())
    .addColumn('transports', 'varchar(255)', (c) => c.notNull())
    .addColumn('device_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('backed_up', 'integer', (c) => c.notNull())
    .addColumn('label', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex('webauthn_credentials_user').on('webauthn_credentials').column('user_id').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('webauthn_credentials').ifExists().execute();
}
