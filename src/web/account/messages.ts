/** What My Account's pages say, by stable id: the notices after a change, the refusals and the errors (English). */
export const accountMessages = {
  // done
  'account.done.mobile-changed': 'Your mobile number is changed. We told your old number.',
  'account.done.sms-otp-off': 'SMS codes are off: your sign-ins no longer send codes to your phone.',
  'account.done.sms-otp-on': 'SMS codes are on again.',
  'account.done.totp-added': 'The authenticator app is added.',
  'account.done.totp-removed': 'The authenticator app is removed.',
  'account.done.renamed': 'The name is saved.',
  'account.done.passkey-added': 'The passkey is added.',
  'account.done.passkey-removed': 'The passkey is removed.',
  'account.done.session-revoked': 'The session is ended; its applications must sign you in again.',
  'account.done.sessions-revoked': 'Every session is ended.',
  'account.done.mobile-cancelled': 'The number change is cancelled; your number stays as it was.',
  // refusals (rules.ts)
  'account.refused.reauth-needed':
    'For this change, confirm it is you first: sign in again (your last sign-in is older than {minutes} minutes).',
  'account.refused.two-factor-session-needed':
    'This change needs a sign-in with your second factor. Sign in again with your code, app or passkey.',
  'account.refused.sms-otp-not-switchable': 'Your organisation does not let users switch SMS codes off or on.',
  'account.refused.another-factor-needed':
    'Add an authenticator app or a passkey before you switch SMS codes off: your sign-ins need a second factor.',
  'account.refused.last-factor':
    'This is your last second factor and your sign-ins need one: add another before you remove it.',
  'account.refused.no-sms-provider': 'Mobile numbers cannot be confirmed here: no SMS provider is set up.',
  // input
  'account.error.invalid-number':
    'That is not a mobile number. Type it with its country code, for example +94 77 123 4567.',
  'account.error.same-number': 'That is your number already.',
  'account.error.number-taken': 'That number belongs to another account, so it cannot be yours too.',
  'account.error.too-many-sends': 'Too many codes were sent for number changes. Try again in an hour.',
  'account.error.send-failed': 'The code could not be sent to that number. Check it, or try again later.',
  'account.error.no-pending': 'There is no number change waiting (or it expired). Start again.',
  'account.error.wrong-code': 'That code is not right. Check the text message and try again.',
  'account.error.too-many-wrong-codes': 'Too many wrong codes: the change is cancelled. Start again.',
  'account.error.totp-wrong-code': 'That code does not match. Check the app (and the phone’s clock) and try again.',
  'account.error.totp-expired': 'Adding the app took too long. Start again.',
  'account.error.totp-too-many': 'You have as many authenticator apps as allowed.',
  'account.error.totp-too-many-tries': 'Too many wrong codes. Start adding the app again.',
  'account.error.passkey-refused': 'The passkey could not be added. Try again.',
  'account.error.passkey-cancelled': 'Adding the passkey was cancelled or failed. Try again.',
  'account.error.passkey-too-many': 'You have as many passkeys as allowed.',
  'account.error.not-found': 'There is no such item (it may have been removed already).',
  'account.error.bad-request': 'The form could not be read. Go back and try again.',
  'account.error.csrf': 'The form expired or did not come from this page. Go back, reload and try again.',
  'account.error.label': 'Give it a name (up to 64 characters).',
  'account.error.too-large': 'The form is too large.',
  'account.error.rate-limited':
    'Too many changes were sent from your address in a short time. Wait a minute and try again.',
  'account.error.signin-failed': 'The sign-in did not complete.',
  'account.error.internal': 'Something went wrong on our side. Try again.',
  'account.error.unavailable': 'A service My Account needs is not answering. Try again in a moment.',
} as const;

export type AccountMessageId = keyof typeof accountMessages;

export function isAccountMessage(id: string): id is AccountMessageId {
  return Object.hasOwn(accountMessages, id);
}

export function accountMessage(id: AccountMessageId, params: Record<string, string | number> = {}): string {
  return accountMessages[id].replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}
