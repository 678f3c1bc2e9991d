/**
 * The real back ends a suite runs against: SQLite always; PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set.
 * Each PostgreSQL run gets a database of its own, made from the `test` database's server and dropped afterwards.
 * A variant whose back end is missing is registered as a skipped test with the reason, so the runner's summary
 * counts it (Node 20 does not count a skipped `describe`, and a loop that leaves a variant out says nothing at all).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
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

/**
 * SQLite, plus PostgreSQL when DATABASE_URL is set. Prefer `forEachBackend` or `variants`, which name each variant
 * that cannot run here. So that an older loop over this list is not silent either, a call without PostgreSQL
 * registers one skipped test for the calling file's PostgreSQL variants.
 */
export function backends(): Backend[] {
  if (skipPostgres) {
    const caller = callerFile();
    if (!announced.has(caller)) {
      announced.add(caller);
      test(`${caller}: the PostgreSQL variants`, { skip: skipPostgres }, () => {});
    }
  }
  return process.env.DATABASE_URL ? [sqliteBackend, postgresBackend] : [sqliteBackend];
}

const announced = new Set<string>();

/** The test file that called into this module (the first stack frame outside it). */
function callerFile(): string {
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  const here = import.meta.url;
  for (const frame of frames) {
    const m = /(file:\/\/[^\s)]+?|\/[^\s)]+?):\d+:\d+\)?$/.exec(frame.trim());
    if (m && !m[1]!.startsWith(here) && !here.endsWith(m[1]!))
      return relative(process.cwd(), m[1]!.replace(/^file:\/\//, ''));
  }
  return 'a test file';
}

export const skipPostgres: string | false = process.env.DATABASE_URL
  ? false
  : 'PostgreSQL: DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)';
export const skipRedis: string | false = process.env.REDIS_URL
  ? false
  : 'Redis: REDIS_URL is not set (e.g. redis://127.0.0.1:6379)';

/** One way to run a suite: a database back end, optionally with Redis as the shared state store. */
export interface Variant {
  /** 'sqlite', 'postgres', or 'sqlite + redis state' */
  name: string;
  backend: Backend;
  /** pass on to `startStepgate({ redis })` */
  redis: boolean;
  /** why this variant cannot run on this machine, or false */
  skip: string | false;
}

/** Every variant, runnable or not: SQLite, PostgreSQL, and (with `redis: true`) SQLite with Redis state. */
export function variants(options: { redis?: boolean } = {}): Variant[] {
  const list: Variant[] = [
    { name: 'sqlite', backend: sqliteBackend, redis: false, skip: false },
    { name: 'postgres', backend: postgresBackend, redis: false, skip: skipPostgres },
  ];
  if (options.redis) list.push({ name: 'sqlite + redis state', backend: sqliteBackend, redis: true, skip: skipRedis });
  return list;
}

/**
 * Declares `describe(`${title} on ${variant}`)` for every variant. A variant that cannot run here becomes one skipped
 * test of that name with the reason, instead of vanishing from the run.
 */
export function forEachBackend(
  title: string,
  body: (backend: Backend, variant: Variant) => void,
  options: { redis?: boolean } = {},
): void {
  for (const variant of variants(options)) {
    suiteNeeding(variant.skip, `${title} on ${variant.name}`, () => body(variant.backend, variant));
  }
}

/** A suite that needs an optional back end (skipPostgres, skipRedis, or both joined by `||`): run it, or count it as skipped. */
export function suiteNeeding(skip: string | false, title: string, body: () => void): void {
  if (skip) test(title, { skip }, () => {});
  else describe(title, body);
}
