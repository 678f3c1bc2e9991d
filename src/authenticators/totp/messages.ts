/** User-facing texts of the TOTP pages by stable id. */
import { totpMessagesEs } from './messages.es.js';
import { totpMessagesSi } from './messages.si.js';

export const totpMessages = {
  'totp.code-missing': 'Enter the code your authenticator app shows.',
  'totp.invalid-code': 'The code you entered is incorrect. Please try again.',
  'totp.code-used': 'This code was used already. Wait for the next code in your app and enter that one.',
  'totp.too-many-attempts': 'Too many incorrect codes. Go back to the application and start again.',
  'totp.locked': 'Your account is locked because of too many failed attempts. Please try again in {minutes} minutes.',
  'totp.not-enrolled':
    'You have no authenticator app set up, and this sign-in needs one. Contact your administrator to add one.',
  'totp.enrol-invalid-code':
    'That code does not match. Check that the app added the account shown here and that the phone’s clock is right, then enter the current code.',
  'totp.enrol-expired': 'Setting up the app took too long. A new QR code is shown: scan it again.',
  'totp.too-many-credentials': 'You have as many authenticator apps as allowed. Ask your administrator to remove one.',
  'totp.enrolled': 'Your authenticator app is set up.',
  'totp.page.code-title': 'Enter your code',
  'totp.page.code-heading': 'Enter the code from your authenticator app',
  'totp.page.code': 'Code',
  'totp.page.code-hint':
    'Open the authenticator app on your phone and enter the {digits}-digit code it shows for this account.',
  'totp.page.enrol-title': 'Set up an authenticator app',
  'totp.page.enrol-lead': 'asks for a code from an authenticator app. Add this account to one now.',
  'totp.page.enrol-open':
    'Open an authenticator app on your phone (for example Google Authenticator, Microsoft Authenticator, FreeOTP or 1Password) and add an account.',
  'totp.page.enrol-scan': 'Scan this QR code:',
  'totp.page.enrol-by-hand': 'Or enter this key by hand (account {account}, time-based):',
  'totp.page.open-on-device': 'Open in an authenticator app on this device',
  'totp.page.enrol-enter': 'Enter the {digits}-digit code the app shows now.',
  'totp.page.code-from-app': 'Code from the app',
  'totp.page.confirm': 'Confirm and continue',
} as const;

export type TotpMessageId = keyof typeof totpMessages;

/** The same texts in the other languages shipped (messages.<locale>.ts), by locale. */
export const totpTranslations: Record<string, Record<string, string>> = {
  es: totpMessagesEs as Record<string, string>,
  si: totpMessagesSi as Record<string, string>,
};
