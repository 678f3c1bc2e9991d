#!/usr/bin/env -S node --max-old-space-size=256 --max-semi-space-size=2
// The V8 flags above bound the heap: left alone, V8 lets a busy server grow to several hundred MiB of garbage it
// has not collected yet (RSS 340 MiB after 2,000 logins against 180 MiB with them, for the same CPU). A young
// generation of 2 MiB semi-spaces instead of 8 saved another 14 MiB idle and after load, again for the same CPU
// (bench/ab.ts with AB_FLAGS_B; docs/benchmarks.md). Raise them for an unusual load by running node with flags of
// your own before this file.
// The `stepgate` command: runs the compiled CLI in dist/. In a source checkout it first rebuilds dist/ when a source
// file changed since the last build (a few seconds with tsc), so the server never runs through a TypeScript loader.
import { existsSync } from 'node:fs';
import nodeModule from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// V8 code cache on disk (Node ≥ 22.1): a CLI command starts in about half the time from the second run on. A server
// (start, demo) goes without it: the cache saves it 0.3 s once and costs it 6–10 MiB of RSS for as long as it runs
const args = process.argv.slice(2);
const command = args.find((arg, i) => !arg.startsWith('-') && args[i - 1] !== '-c' && args[i - 1] !== '--config');
if (command !== 'start' && command !== 'demo') nodeModule.enableCompileCache?.();

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const builder = join(root, 'scripts', 'build-server.mjs');
const built = join(root, 'dist', 'src', 'cli.js');

if (existsSync(builder)) {
  const { isStale, build } = await import(pathToFileURL(builder).href);
  if (isStale()) {
    const error = build();
    if (error && !existsSync(built)) {
      console.error(`stepgate: ${error}`);
      process.exit(1);
    }
    if (error) console.error(`stepgate: ${error}; running the previous build`);
  }
}
if (!existsSync(built)) {
  console.error('stepgate: dist/ is missing; run npm run build');
  process.exit(1);
}
const { main, describeError } = await import(pathToFileURL(built).href);
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    const message = describeError(e);
    console.error(message ? `stepgate: ${message}` : e);
    process.exit(1);
  },
);
