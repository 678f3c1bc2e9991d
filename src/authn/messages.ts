/** User-facing texts of the engine's own outcomes by stable id; authenticators add theirs through their descriptors. */
export const engineMessages = {
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
  'login.needs-user':
    'This sign-in step cannot run before an earlier step identified you. The administrator of this application must put Username & Password first.',
  'login.no-subject':
    'Your account has no value for the identifier this application knows you by, so you cannot sign in to it yet. Contact your administrator.',
  'login.acr-unmet': 'This login did not reach the level of authentication the application asked for.',
  'login.interaction-required':
    'The application asked to sign you in without showing a page, and that was not possible.',
  'login.bad-request': 'The form could not be read. Go back and try again.',
} as const;

export type EngineMessageId = keyof typeof engineMessages;
