/**
 * Which language a login speaks: the application's OIDC `ui_locales` (recorded when the login started), else the
 * user's locale claim once a step identified them, else the browser's `Accept-Language`, else English. A tag with a
 * region falls back to its language (es-419 → es); a language Stepgate has no texts for is skipped.
 */

export const SUPPORTED_LOCALES = ['en', 'es', 'si'] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

/** What the request says about languages, in preference order (the web layer fills it in; never an HTTP request). */
export interface LocalePreferences {
  /** the login's requested locales (OIDC ui_locales) */
  requested?: readonly string[];
  /** the browser's Accept-Language, best first */
  accepted?: readonly string[];
}

/** User attributes read as the user's locale: the `locale` claim's attribute, or WSO2's locality claim's. */
export const USER_LOCALE_ATTRIBUTES = ['locale', 'localityName', 'locality'] as const;

const MAX_TAGS = 16;

/** The supported locale a BCP 47 tag stands for (exact, then its language), or undefined. */
export function supportedLocale(tag: string): Locale | undefined {
  const t = tag.trim().toLowerCase().replaceAll('_', '-');
  if (!/^[a-z]{1,8}(-[a-z0-9]{1,8})*$/.test(t)) return undefined;
  const base = t.split('-')[0]!;
  return (SUPPORTED_LOCALES as readonly string[]).includes(base) ? (base as Locale) : undefined;
}

/** Accept-Language (RFC 9110 §12.5.4), best first; q=0 and `*` are dropped, bad entries ignored. */
export function parseAcceptLanguage(header: string | undefined): string[] {
  if (!header) return [];
  const entries: { tag: string; q: number; i: number }[] = [];
  for (const [i, part] of header.slice(0, 1024).split(',').slice(0, MAX_TAGS).entries()) {
    const [tag = '', ...params] = part.trim().split(';');
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (tag && tag !== '*' && q > 0) entries.push({ tag: tag.trim(), q, i });
  }
  return entries.sort((a, b) => b.q - a.q || a.i - b.i).map((e) => e.tag);
}

/** OIDC ui_locales: space-separated tags in preference order. */
export function parseUiLocales(value: unknown): string[] {
  return typeof value === 'string' ? value.split(' ').filter(Boolean).slice(0, MAX_TAGS) : [];
}

/** The user's locale claim value, if any. */
export function userLocaleOf(user: { attributes: Record<string, string> } | undefined): string | undefined {
  if (!user) return undefined;
  for (const a of USER_LOCALE_ATTRIBUTES) if (user.attributes[a]) return user.attributes[a];
  return undefined;
}

export function chooseLocale(prefs: LocalePreferences | undefined, userLocale?: string): Locale {
  for (const tag of prefs?.requested ?? []) {
    const l = supportedLocale(tag);
    if (l) return l;
  }
  const fromUser = userLocale ? supportedLocale(userLocale) : undefined;
  if (fromUser) return fromUser;
  for (const tag of prefs?.accepted ?? []) {
    const l = supportedLocale(tag);
    if (l) return l;
  }
  return DEFAULT_LOCALE;
}
