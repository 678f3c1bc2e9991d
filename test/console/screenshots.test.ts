/**
 * Test runs leave docs/ alone: screenshots go to test-results/screenshots (ignored by git), no test source names
 * docs/screenshots as a place to write, and `npm run screenshots` is the one way the tracked pictures change.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { SCREENSHOT_DIR, screenshotPath } from '../support/screenshots.js';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(path).isDirectory()) sources(path, out);
    else if (/\.(ts|mjs|js)$/.test(name)) out.push(path);
  }
  return out;
}

describe('screenshots stay out of docs/ during test runs', () => {
  test('the screenshot folder is under test-results/, which git ignores', () => {
    assert.equal(relative(root, SCREENSHOT_DIR), join('test-results', 'screenshots'));
    const file = relative(root, screenshotPath('console-home'));
    const ignored = spawnSync('git', ['check-ignore', '-q', file], { cwd: root });
    assert.equal(ignored.status, 0, `${file} is not ignored by git`);
  });

  test('no test source points a screenshot (or any file) at docs/screenshots', () => {
    const self = relative(root, import.meta.filename);
    const offenders = [...sources(join(root, 'test')), ...sources(join(root, 'examples'))]
      .filter((f) => relative(root, f) !== self)
      .filter((f) => /docs['"]?\s*,\s*['"]screenshots|docs\/screenshots/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    assert.deepEqual(offenders, []);
  });

  test('package.json offers npm run screenshots, the explicit refresh', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.match(pkg.scripts.screenshots ?? '', /scripts\/refresh-screenshots\.mjs/);
  });
});
