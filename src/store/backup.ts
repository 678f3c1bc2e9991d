/**
 * `stepgate backup` / `restore` for the embedded SQLite database. The backup uses SQLite's online backup API, so
 * a running node keeps serving while it is taken and the copy is one consistent point in time (a file copy of a
 * database in WAL mode is not). A restore checks the file before it replaces anything: a SQLite database that passes
 * integrity_check, made by Stepgate, with no migration this version does not know.
 * PostgreSQL deployments back up with pg_dump / pg_restore (docs/backup.md): the server's own tools do it better.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { KNOWN_MIGRATIONS } from './db.js';

export class BackupError extends Error {}

/** The SQLite file behind a database URL, or undefined for PostgreSQL. */
export function sqliteFileOf(url: string): string | undefined {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return undefined;
  return url.replace(/^sqlite:/, '');
}

export async function backupSqlite(file: string, target: string, overwrite = false): Promise<{ pages: number }> {
  if (!existsSync(file)) throw new BackupError(`there is no database at ${file} (check dataDir)`);
  if (existsSync(target) && !overwrite) throw new BackupError(`${target} exists; give --force to overwrite it`);
  const source = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    // into a temporary name first: an interrupted backup never leaves a half file under the name asked for
    const partial = `${target}.partial`;
    rmSync(partial, { force: true });
    const { totalPages } = await source.backup(partial);
    renameSync(partial, target);
    return { pages: totalPages };
  } finally {
    source.close();
  }
}

/** What a restore would bring back, read from the backup alone (nothing is changed). */
export function inspectBackup(source: string): { migrations: string[]; users: number; applications: number } {
  if (!existsSync(source)) throw new BackupError(`there is no file at ${source}`);
  let db: SQLite.Database;
  try {
    db = new SQLite(source, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new BackupError(`${source} is not a SQLite database: ${(e as Error).message}`);
  }
  try {
    const check = (() => {
      try {
        return db.pragma('integrity_check', { simple: true });
      } catch (e) {
        throw new BackupError(`${source} is not a SQLite database: ${(e as Error).message}`);
      }
    })();
    if (check !== 'ok') throw new BackupError(`${source} is damaged (integrity_check: ${String(check)})`);
    const hasTable = (name: string) =>
      db.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(name) !== undefined;
    if (!hasTable('kysely_migration') || !hasTable('users'))
      throw new BackupError(`${source} is a SQLite database, but not a Stepgate one`);
    const migrations = (db.prepare('select name from kysely_migration order by name').all() as { name: string }[]).map(
      (r) => r.name,
    );
    const unknown = migrations.filter((m) => !KNOWN_MIGRATIONS.includes(m));
    if (unknown.length > 0)
      throw new BackupError(
        `${source} was made by a newer Stepgate (migrations ${unknown.join(', ')}); restore it with that version`,
      );
    const count = (table: string) => (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    return { migrations, users: count('users'), applications: count('applications') };
  } finally {
    db.close();
  }
}

/**
 * Replaces the database with a checked backup. Every node must be stopped first (the caller checks what it can);
 * the old file's WAL and shared-memory files go with it, so nothing of the replaced database is replayed.
 */
export async function restoreSqlite(file: string, source: string, overwrite: boolean) {
  const found = inspectBackup(source);
  if (existsSync(file) && !overwrite)
    throw new BackupError(`a database exists at ${file}; give --force to replace it with the backup`);
  const incoming = new SQLite(source, { readonly: true, fileMustExist: true });
  const staged = `${file}.restoring`;
  try {
    rmSync(staged, { force: true });
    await incoming.backup(staged);
  } finally {
    incoming.close();
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  renameSync(staged, file);
  return found;
}
