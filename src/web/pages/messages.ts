/** User-facing texts of the login pages by stable id; authenticators add theirs through their descriptors. */
export const engineMessages: Record<string, string> = {
  'login.expired': 'This login has expired or was already used. Go back to the application and start again.',
  'login.failed': 'The login could not be completed. Go back to the application and start again.',
  'login.configuration-changed':
    'The login settings of this application changed during your login. Go back to the application and start again.',
  'login.user-gone': 'Your account is not available. Contact your administrator.',
  'login.method-unavailable':
    'The sign-in method this application needs is switched off. Contact the administrator of this application.',
  'login.user-locked': 'Your account is temporarily locked. Try again later.',
  'login.user-mismatch': 'The steps of this login were passed by different users. Start again.',
  'login.no-user': 'No step of this login identified a user. Contact the administrator of this application.',
  'login.no-subject':
    'Your account has no value for the identifier this application knows you by, so you cannot sign in to it yet. Contact your administrator.',
  'login.acr-unmet': 'This login did not reach the level of authentication the application asked for.',
  'login.bad-request': 'The form could not be read. Go back and try again.',
  'login.csrf': 'The form was sent without its security token, or from another page. Reload the page and try again.',
  'login.too-large': 'The form sent was too large.',
  'login.rate-limited': 'Too many requests from your network. Wait a minute and try again.',
  'login.unknown-client': 'The application that sent you here is not registered with Stepgate.',
  'login.internal': 'Something went wrong on our side. Try again in a moment.',
  'oidc.error': 'The application sent an invalid login request.',
  'web.misdirected': 'This server does not answer at this address. Open {url} instead.',
  'web.not-found': 'There is no page at this address. Check the link, or go back to the application you came from.',
  'logout.confirm': 'Do you want to log out of Stepgate?',
  'logout.done': 'You have been logged out.',
};

export function formatMessage(
  catalogue: Record<string, string>,
  id: string,
  params: Record<string, unknown> = {},
): string {
  const text = catalogue[id] ?? id;
  return text.replace(/\{(\w+)\}/g, (_, k: string) => (params[k] !== undefined ? String(params[k]) : `{${k}}`));
}
