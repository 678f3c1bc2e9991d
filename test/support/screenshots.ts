/**
 * Where browser tests put their screenshots: under test-results/ (ignored by git), never into docs/. The tracked
 * pictures change only through `npm run screenshots` (scripts/refresh-screenshots.mjs), which copies these.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

export const SCREENSHOT_DIR = join(root, 'test-results', 'screenshots');

/** The file for a screenshot named `name` (without .png); the folder is made when missing. */
export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, `${name}.png`);
}
