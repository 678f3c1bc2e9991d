/**
 * The real back ends a suite runs against: SQLite always; PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set.
 * Each PostgreSQL run gets a database of its own, made from the `test` database's server and dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** a fresh, empty database URL and a function that removes it */
  create(): Promise<{ url: string; dataDir: string; drop(): Promise<void> }>;
}

export const sqliteBackend: Backend = {
  name: 'sqlite',
  async create() {
    const dataDir = mkdtempSync(join(tmpdir(), 'stepgate-test-'));
    return {
      url: `sqlite:${join(dataDir, 'stepgate.db')}`,
      dataDir,
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  },
};

export const postgresBackend: Backend = {
  name: 'postgres',
  async create() {
    const base = process.env.DATABASE_URL!;
    const name = `stepgate_t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${name}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'stepgate-test-'));
    return {
      url: url.toString(),
      dataDir,
      async drop() {
        const c = new pg.Client({ connectionString: base });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
};

/** SQLite, plus PostgreSQL when DATABASE_URL is set. Suites loop over this list. */
export function backends(): Backend[] {
  return process.env.DATABASE_URL ? [sqliteBackend, postgresBackend] : [sqliteBackend];
}

export const skipPostgres = process.env.DATABASE_URL
  ? false
  : 'PostgreSQL: DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)';
export const skipRedis = process.env.REDIS_URL ? false : 'Redis: REDIS_URL is not set (e.g. redis://127.0.0.1:6379)';
