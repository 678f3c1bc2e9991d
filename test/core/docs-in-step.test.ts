/** Docs that are generated from code must match the code. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { configurationMarkdown } from '../../scripts/config-docs.js';

test('docs/configuration.md is generated from the current configuration schema (run npx tsx scripts/config-docs.ts)', () => {
  assert.equal(readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8'), configurationMarkdown());
});
