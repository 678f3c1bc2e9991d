#!/usr/bin/env node
// Refreshes docs/screenshots: runs the browser suites that take the pictures (they write into
// test-results/screenshots, never into docs/), then copies every picture that docs/ shows. `--copy-only` skips the
// run and copies what the last run left. Tests never touch docs/, so this is the one way the tracked pictures change.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const from = join('test-results', 'screenshots');
const to = join('docs', 'screenshots');
const suites = ['test/console/guide.test.ts', 'test/console/access.test.ts', 'test/demo/demo.browser.test.ts'];

if (!process.argv.includes('--copy-only')) {
  const run = spawnSync(process.execPath, ['scripts/run-tests.mjs', ...suites], { stdio: 'inherit' });
  if (run.status !== 0) {
    console.error('refresh-screenshots: the browser suites failed; docs/screenshots is left as it was');
    process.exit(run.status ?? 1);
  }
}
if (!existsSync(from)) {
  console.error(`refresh-screenshots: ${from} is empty; run without --copy-only first`);
  process.exit(1);
}
const pictures = readdirSync(from).filter((n) => n.endsWith('.png'));
for (const name of pictures) copyFileSync(join(from, name), join(to, name));
const missing = readdirSync(to).filter((n) => n.endsWith('.png') && !pictures.includes(n));
console.log(`refresh-screenshots: copied ${pictures.length} pictures into ${to}`);
if (missing.length > 0)
  console.warn(`refresh-screenshots: no new picture for ${missing.join(', ')} (no test takes it any more?)`);
