#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
// Finds every *.test.ts under test/ and examples/ and runs them with Node's test runner through tsx.
// Node 20 does not expand quoted globs, and `tsx --test` with no files passes vacuously, so the list is explicit.
// Before running, it says which optional back ends are missing, so a skipped suite is never silent.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const roots = ['test', 'examples'];
const filter = process.argv.slice(2);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(process.cwd(), path));
  }
  return out;
}

let files = roots
  .filter((r) => existsSync(r))
  .flatMap((r) => walk(r, []))
  .sort();
if (filter.length > 0) files = files.filter((f) => filter.some((p) => f.includes(p)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

const missing = [];
if (!process.env.DATABASE_URL)
  missing.push('PostgreSQL suites: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test');
if (!process.env.REDIS_URL) missing.push('Redis suites: set REDIS_URL=redis://127.0.0.1:6379');
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium))
  missing.push(`browser suites: install Chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
if (missing.length > 0) {
  console.log('These suites will be skipped on this machine:');
  for (const m of missing) console.log(`  - ${m}`);
}

const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
