/**
 * User-facing texts of the web layer by stable id (a form that could not be read, a rate limit, oidc-provider's own
 * pages), and the one catalogue the pages render from: the engine's (authn/messages.ts), these, and each
 * authenticator's.
 */
import type { Authenticator } from '../../authn/authenticator.js';
import { engineMessages } from '../../authn/messages.js';

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
};

/** Every message the pages can show, by id. */
export function messageCatalogue(authenticators: readonly Authenticator[]): Record<string, string> {
  return Object.assign({}, engineMessages, webMessages, ...authenticators.map((a) => a.descriptor.messages ?? {}));
}

export function formatMessage(
  catalogue: Record<string, string>,
  id: string,
  params: Record<string, unknown> = {},
): string {
  const text = catalogue[id] ?? id;
  return text.replace(/\{(\w+)\}/g, (_, k: string) => (params[k] !== undefined ? String(params[k]) : `{${k}}`));
}
