#!/usr/bin/env node
// Runs the compiled CLI when built (npm run build), otherwise the TypeScript source through tsx.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'src', 'cli.js');
if (existsSync(built)) {
  const { main, describeError } = await import(pathToFileURL(built).href);
  run(main, describeError);
} else {
  await import('tsx/esm/api').then(({ register }) => register());
  const { main, describeError } = await import(pathToFileURL(join(root, 'src', 'cli.ts')).href);
  run(main, describeError);
}

function run(main, describeError) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      const message = describeError(e);
      console.error(message ? `stepgate: ${message}` : e);
      process.exit(1);
    },
  );
}
