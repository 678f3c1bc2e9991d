/** Renders the server-side login pages with eta; templates auto-escape, so values are safe to print. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { formatMessage } from './messages.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface PageRenderer {
  render(view: string, data: Record<string, unknown>): string;
  message(id: string, params?: Record<string, unknown>): string;
}

export function createPageRenderer(
  catalogue: Record<string, string>,
  options: { productName?: string } = {},
): PageRenderer {
  const eta = new Eta({
    views: join(here, 'views'),
    autoEscape: true,
    // templates are read once per process (eta re-reads them on every render otherwise): restart to see an edit
    cache: true,
    autoTrim: false,
  });
  const message = (id: string, params: Record<string, unknown> = {}) => formatMessage(catalogue, id, params);
  return {
    message,
    render(view, data) {
      return eta.render(`./${view}`, { productName: options.productName ?? 'Stepgate', t: message, ...data });
    },
  };
}
