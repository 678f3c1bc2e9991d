#!/usr/bin/env node
// Refreshes docs/screenshots: runs the browser suites that take the pictures (they write into
// test-results/screenshots, never into docs/), then copies the pictures docs/screenshots holds and any other that
// README.md or docs/*.md shows (a new picture enters docs/ when a page refers to it).
// `--copy-only` skips the run and copies what the last run left. Tests never touch docs/, so this is the one way
// the tracked pictures change.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const from = join('test-results', 'screenshots');
const to = join('docs', 'screenshots');
const suites = [
  'test/console/guide.test.ts',
  'test/console/access.test.ts',
  'test/demo/demo.browser.test.ts',
  'test/demo/demo-saml.browser.test.ts',
  'test/account/account.browser.test.ts',
];

if (!process.argv.includes('--copy-only')) {
  // a clean folder: only this run's pictures can be copied
  rmSync(from, { recursive: true, force: true });
  const run = spawnSync(process.execPath, ['scripts/run-tests.mjs', ...suites], { stdio: 'inherit' });
  if (run.status !== 0) {
    console.error('refresh-screenshots: the browser suites failed; docs/screenshots is left as it was');
    process.exit(run.status ?? 1);
  }
}
const pages = [
  'README.md',
  ...readdirSync('docs')
    .filter((n) => n.endsWith('.md'))
    .map((n) => join('docs', n)),
];
const shown = new Set([
  ...readdirSync(to).filter((n) => n.endsWith('.png')),
  ...pages.flatMap((p) => [...readFileSync(p, 'utf8').matchAll(/screenshots\/([\w.-]+\.png)/g)].map((m) => m[1])),
]);
const copied = [];
const missing = [];
for (const name of shown) {
  if (existsSync(join(from, name))) {
    copyFileSync(join(from, name), join(to, name));
    copied.push(name);
  } else missing.push(name);
}
console.log(`refresh-screenshots: copied ${copied.length} pictures into ${to}`);
if (missing.length > 0)
  console.warn(`refresh-screenshots: no picture for ${missing.join(', ')} (which test takes it?)`);
