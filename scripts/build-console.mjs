#!/usr/bin/env node
// Builds the console SPA into console/dist (run by `npm ci` through the prepare script, and by `npm start` when missing).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const onlyIfMissing = process.argv.includes('--if-missing');
if (onlyIfMissing && existsSync('console/dist/index.html')) process.exit(0);
if (!existsSync('node_modules/vite')) {
  console.warn('build-console: vite is not installed (production install?); the console will not be served');
  process.exit(0);
}
const r = spawnSync(
  process.execPath,
  ['node_modules/vite/bin/vite.js', 'build', '--config', 'console/vite.config.ts', '--logLevel', 'warn'],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
