/** Renders My Account's pages with eta (auto-escaping) from the views beside this file, in the login pages' look. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';

const here = dirname(fileURLToPath(import.meta.url));

export function createAccountRenderer(productName = 'Stepgate') {
  const eta = new Eta({ views: join(here, 'views'), autoEscape: true, cache: true, autoTrim: false });
  return (view: string, data: Record<string, unknown>): string => eta.render(`./${view}`, { productName, ...data });
}

export type AccountRenderer = ReturnType<typeof createAccountRenderer>;
