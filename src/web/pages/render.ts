/** Renders the server-side login pages with eta; templates auto-escape, so values are safe to print. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { DEFAULT_LOCALE, type Locale } from '../../authn/messages-locale.js';
import { formatMessage } from './messages.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface PageRenderer {
  /** the language this renderer speaks (`<html lang>`) */
  readonly locale: Locale;
  render(view: string, data: Record<string, unknown>): string;
  message(id: string, params?: Record<string, unknown>): string;
  /** the same pages in another language: its translations, each id missing there in English */
  forLocale(locale: Locale): PageRenderer;
}

export function createPageRenderer(
  catalogue: Record<string, string>,
  options: { productName?: string; translations?: Record<string, Record<string, string>> } = {},
): PageRenderer {
  const eta = new Eta({
    views: join(here, 'views'),
    autoEscape: true,
    // templates are read once per process (eta re-reads them on every render otherwise): restart to see an edit
    cache: true,
    autoTrim: false,
  });
  const productName = options.productName ?? 'Stepgate';
  const make = (locale: Locale, texts: Record<string, string>): PageRenderer => {
    const message = (id: string, params: Record<string, unknown> = {}) => formatMessage(texts, id, params);
    return {
      locale,
      message,
      render(view, data) {
        return eta.render(`./${view}`, { productName, lang: locale, t: message, ...data });
      },
      forLocale: (other) => renderers.get(other) ?? english,
    };
  };
  const english = make(DEFAULT_LOCALE, catalogue);
  const renderers = new Map<Locale, PageRenderer>([[DEFAULT_LOCALE, english]]);
  for (const [locale, texts] of Object.entries(options.translations ?? {}))
    renderers.set(locale as Locale, make(locale as Locale, { ...catalogue, ...texts }));
  return english;
}
