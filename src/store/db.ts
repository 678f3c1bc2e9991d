/** Opens the database (SQLite file by default, PostgreSQL with a postgres:// URL) and runs the migrations. */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  PostgresDialect,
  type SqliteDatabase,
  SqliteDialect,
} from 'kysely';
import type Pg from 'pg';
import { lazyModule } from '../lazy-module.js';
import { type DirectSqlite, runDirectly } from './compile-once.js';
import * as m0001 from './migrations/0001_initial.js';
import * as m0002 from './migrations/0002_user_identity.js';
import * as m0003 from './migrations/0003_saml_issuer.js';
import * as m0004 from './migrations/0004_totp.js';
import * as m0005 from './migrations/0005_webauthn.js';
import * as m0006 from './migrations/0006_sms_messages.js';
import * as m0008 from './migrations/0008_authenticator_settings.js';
import type { Database } from './schema.js';
import { runAfterCommit } from './transaction.js';

export type Db = Kysely<Database>;
export type DbKind = 'sqlite' | 'postgres';

export interface OpenedDb {
  db: Db;
  kind: DbKind;
  close(): Promise<void>;
}

/** pg loads only on a node with a PostgreSQL URL. */
const loadPg = lazyModule<typeof Pg>('pg');
let pgReady = false;
function postgresDriver(): typeof Pg {
  const pg = loadPg();
  // pg returns int8 as strings; our bigints are millisecond timestamps well inside Number's safe range.
  if (!pgReady) pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
  pgReady = true;
  return pg;
}

const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_user_identity': m0002,
  '0003_saml_issuer': m0003,
  '0004_totp': m0004,
  '0005_webauthn': m0005,
  '0006_sms_messages': m0006,
  '0008_authenticator_settings': m0008,
};
const provider: MigrationProvider = { getMigrations: async () => migrations };

/** The migrations this version knows, by name: a backup made by a newer version names others. */
export const KNOWN_MIGRATIONS: readonly string[] = Object.keys(migrations);

export function openDatabase(url: string): OpenedDb {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pool = new (postgresDriver().Pool)({ connectionString: url, max: 10 });
    // An idle connection the server closes (restart, failover) must not crash the process; the pool replaces it.
    pool.on('error', (err) => process.emitWarning(`PostgreSQL idle connection error: ${err.message}`));
    // A connection lost while checked out (a query running, the server gone) also emits 'error' on its client, where
    // pg-pool listens only while it is idle: without this the process dies; the query fails with the error instead.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    // audit listeners (metrics, operator log) hear of an event written in a transaction once it committed
    runAfterCommit(db);
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  const file = url.replace(/^sqlite:/, '');
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // WAL with NORMAL syncs at checkpoints, not at every commit: the database never corrupts, and a power cut can
  // lose only the last moments of short-lived login state — SQLite's recommended setting for WAL.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const statements = withStatementCache(sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
  runAfterCommit(db);
  runDirectly(db, {
    prepare: (text) => statements.prepare(text) as ReturnType<DirectSqlite['prepare']>,
    get inTransaction() {
      return sqlite.inTransaction;
    },
  });
  return { db, kind: 'sqlite', close: () => db.destroy() };
}

/**
 * Kysely prepares every query anew; with better-sqlite3 preparing costs about as much as running a small query, and
 * a login runs a few dozen. Statements are reusable, so the same SQL text gets the same prepared statement.
 */
function withStatementCache(sqlite: SQLite.Database, limit = 500): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let statement = cache.get(text);
      if (!statement) {
        statement = sqlite.prepare(text);
        if (cache.size >= limit) cache.delete(cache.keys().next().value!);
        cache.set(text, statement);
      }
      return statement;
    },
  };
}

export function databaseUrlFor(config: { databaseUrl?: string | undefined; dataDir: string }): string {
  return config.databaseUrl ?? `sqlite:${join(config.dataDir, 'stepgate.db')}`;
}

export async function migrate(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
