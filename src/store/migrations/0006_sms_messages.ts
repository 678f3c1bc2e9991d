/**
 * SMS delivery receipts: one row per SMS a provider accepted (`sms_messages`) and its status timeline
 * (`sms_message_events`, one row per status Stepgate was told, the send included). Frozen in time: it never imports
 * application code. `gateway` is `<identity provider id>/<gateway name>`; `provider_message_id` the id the provider
 * answered with (absent when it gave none: no receipt can find such a message); `destination` the masked number;
 * `status` accepted → delivered / failed / expired / unknown; `login_id` the login a code was sent for (none for a
 * notice), `verified_at` when that login's code was entered (the conversion rate).
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists at their moment, not today's types
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('sms_messages')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('idp_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('gateway', 'varchar(64)', (c) => c.notNull())
    .addColumn('provider', 'varchar(32)', (c) => c.notNull())
    .addColumn('provider_message_id', 'varchar(255)')
    .addColumn('purpose', 'varchar(16)', (c) => c.notNull())
    .addColumn('destination', 'varchar(64)', (c) => c.notNull())
    .addColumn('destination_suffix', 'varchar(8)', (c) => c.notNull())
    .addColumn('country', 'varchar(2)')
    .addColumn('segments', 'integer', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('error_code', 'varchar(64)')
    .addColumn('login_id', 'varchar(128)')
    .addColumn('verified_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sms_messages_provider_id')
    .on('sms_messages')
    .columns(['idp_id', 'gateway', 'provider_message_id'])
    .execute();
  await db.schema.createIndex('sms_messages_created').on('sms_messages').column('created_at').execute();
  await db.schema.createIndex('sms_messages_login').on('sms_messages').column('login_id').execute();
  await db.schema
    .createTable('sms_message_events')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('message_id', 'varchar(64)', (c) => c.notNull().references('sms_messages.id').onDelete('cascade'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('provider_status', 'varchar(64)', (c) => c.notNull())
    .addColumn('error_code', 'varchar(64)')
    .execute();
  await db.schema.createIndex('sms_message_events_message').on('sms_message_events').column('message_id').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('sms_message_events').ifExists().execute();
  await db.schema.dropTable('sms_messages').ifExists().execute();
}
