#!/usr/bin/env node
// Compiles the server, the CLI and the sample into dist/ (tsc) and copies the page templates and assets beside them.
// `--if-stale` builds only when a source is newer than the last build, so `npm start`, `bin/stepgate.js` and
// `npm test` always run compiled JavaScript that matches the sources, never a TypeScript loader.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');
const sources = ['src', 'examples/pickup-dispatch/src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
const assets = ['src/web/pages/views', 'src/web/assets', 'src/web/account/views', 'src/web/account/assets'];

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let max = s.mtimeMs;
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)));
  return max;
}

/** True when dist/ is missing or older than any source file, template or build setting. */
export function isStale() {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return sources.some((p) => existsSync(join(root, p)) && newest(join(root, p)) > built);
}

/** Runs tsc and copies the assets; returns an error message, or undefined when dist/ is up to date. */
export function build() {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc))
    return 'TypeScript is not installed (a production install needs a built dist/: run npm run build)';
  // --noCheck: emitting is a few seconds; type checking is `npm run typecheck` (and CI), not every start
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--noCheck'], {
    stdio: 'inherit',
  });
  if (r.status !== 0) return `the TypeScript build failed (exit ${r.status ?? r.signal})`;
  for (const dir of assets) cpSync(join(root, dir), join(root, 'dist', dir), { recursive: true });
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  return undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);
  const error = build();
  if (error) {
    console.error(`build-server: ${error}`);
    process.exit(1);
  }
}
