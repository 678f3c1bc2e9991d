#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
// Finds every *.test.ts under test/ and examples/ and runs them with Node's test runner through tsx.
// Node 20 does not expand quoted globs, and `tsx --test` with no files passes vacuously, so the list is explicit.
// Before running, it says which optional back ends are missing, so a skipped suite is never silent, and it closes
// with one line that counts the skipped tests by reason (a second reporter, scripts/test-summary.mjs, collects them).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
const summaryDir = mkdtempSync(join(tmpdir(), 'stepgate-run-tests-'));
const summaryFile = join(summaryDir, 'summary.json');
// Tests start the CLI, the demo and servers from the compiled dist/ as operators do: rebuild it first when a source
// changed, once, instead of in each test process that starts the command.
const built = spawnSync(process.execPath, [join(import.meta.dirname, 'build-server.mjs'), '--if-stale'], {
  stdio: 'inherit',
});
if (built.status !== 0) process.exit(built.status ?? 1);

const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(import.meta.dirname, 'test-summary.mjs')}`,
    `--test-reporter-destination=${summaryFile}`,
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);

let summary;
try {
  summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
} catch {
  summary = undefined;
}
rmSync(summaryDir, { recursive: true, force: true });
if (summary) {
  console.log(
    `\nSummary: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped` +
      (summary.todo ? `, ${summary.todo} todo` : ''),
  );
  console.log(`  (${files.length} test files)`);
  for (const [reason, count] of Object.entries(summary.reasons)) console.log(`  skipped ${count}: ${reason}`);
} else {
  console.log('\nSummary: the test run ended without a summary (see the output above)');
}
process.exit(result.status ?? 1);
