/**
 * User-facing texts of the web layer by stable id (a form that could not be read, a rate limit, oidc-provider's own
 * pages), and the one catalogue the pages render from: the engine's (authn/messages.ts), these, and each
 * authenticator's.
 */
import type { Authenticator } from '../../authn/authenticator.js';
import { engineMessagesEs } from '../../authn/messages.es.js';
import { engineMessages } from '../../authn/messages.js';
import { engineMessagesSi } from '../../authn/messages.si.js';
import { DEFAULT_LOCALE, SUPPORTED_LOCALES } from '../../authn/messages-locale.js';
import { webMessagesEs } from './messages.es.js';
import { webMessagesSi } from './messages.si.js';

export const webMessages: Record<string, string> = {
  'login.csrf': 'The form was sent without its security token, or from another page. Reload the page and try again.',
  'login.too-large': 'The form sent was too large.',
  'login.rate-limited': 'Too many requests from your network. Wait a minute and try again.',
  'login.internal': 'Something went wrong on our side. Try again in a moment.',
  'login.unavailable':
    'The login service is briefly unavailable, and nothing was checked or changed. Try again in a moment.',
  'login.already-complete':
    'This login is already complete: the application has its answer. Go back to the application to continue.',
  'oidc.error': 'The application sent an invalid login request.',
  'web.misdirected': 'This server does not answer at this address. Open {url} instead.',
  'web.not-found': 'There is no page at this address. Check the link, or go back to the application you came from.',
  'logout.confirm': 'Do you want to log out of Stepgate?',
  'logout.done': 'You have been logged out.',
  'logout.kept': 'You are still logged in. You can close this page.',
  // the fixed words of the page templates
  'page.secured-by': 'Secured by {product}',
  'page.sign-in': 'Sign in',
  'page.to-continue-to': 'to continue to',
  'page.username': 'Username',
  'page.password': 'Password',
  'page.continue': 'Continue',
  'page.cancel': 'Cancel and go back to {application}',
  'page.problem-title': 'Sign-in problem',
  'page.problem-heading': 'We could not sign you in',
  'page.try-again': 'Try again',
  'page.back': 'Go back to the application',
  'page.choose-title': 'Choose how to sign in',
  'page.choose-heading': 'Choose how to continue',
  'page.step-of': 'Step {step} of your sign-in to',
  'page.try-another-way': 'Try another way',
};

/** Every message the pages can show, by id (English). */
export function messageCatalogue(authenticators: readonly Authenticator[]): Record<string, string> {
  return Object.assign({}, engineMessages, webMessages, ...authenticators.map((a) => a.descriptor.messages ?? {}));
}

const ownTranslations: Record<string, Record<string, string>[]> = {
  es: [engineMessagesEs, webMessagesEs],
  si: [engineMessagesSi, webMessagesSi],
};

/** The translated messages per supported locale other than English (only the ids translated; the rest is English). */
export function translatedCatalogues(authenticators: readonly Authenticator[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const locale of SUPPORTED_LOCALES) {
    if (locale === DEFAULT_LOCALE) continue;
    out[locale] = Object.assign(
      {},
      ...(ownTranslations[locale] ?? []),
      ...authenticators.map((a) => a.descriptor.translations?.[locale] ?? {}),
    );
  }
  return out;
}

/** The English ids a locale has no translation for (every one falls back to English). */
export function missingTranslations(
  english: Record<string, string>,
  translated: Record<string, string> | undefined,
): string[] {
  return Object.keys(english).filter((id) => !translated?.[id]);
}

export function formatMessage(
  catalogue: Record<string, string>,
  id: string,
  params: Record<string, unknown> = {},
): string {
  const text = catalogue[id] ?? id;
  return text.replace(/\{(\w+)\}/g, (_, k: string) => (params[k] !== undefined ? String(params[k]) : `{${k}}`));
}
