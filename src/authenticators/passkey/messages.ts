/** User-facing texts of the passkey pages by stable id: notices, and the pages' fixed words (`passkey.page.*`). */
import { passkeyMessagesEs } from './messages.es.js';
import { passkeyMessagesSi } from './messages.si.js';

export const passkeyMessages = {
  'passkey.missing': 'Use your passkey to continue.',
  'passkey.cancelled': 'The passkey was not used. Try again, or try another way.',
  'passkey.refused': 'That passkey could not be verified. Try again, or try another way.',
  'passkey.expired': 'That took too long. Try your passkey again.',
  'passkey.too-many-attempts': 'Too many passkey attempts. Go back to the application and start again.',
  'passkey.locked':
    'Your account is locked because of too many failed attempts. Please try again in {minutes} minutes.',
  'passkey.user-disabled': 'Your account is not available. Contact your administrator.',
  'passkey.not-enrolled': 'You have no passkey set up, and this sign-in needs one. Contact your administrator.',
  'passkey.too-many-credentials': 'You have as many passkeys as allowed. Ask your administrator to remove one.',
  'passkey.register-refused': 'The passkey could not be added. Try again.',
  'passkey.page.get-title': 'Use your passkey',
  'passkey.page.get-hint-identified':
    'Use the passkey you set up for this account: your device asks for your fingerprint, face, PIN or security key.',
  'passkey.page.get-hint-any':
    'Your device shows the passkeys you have for this site: pick one, then confirm with your fingerprint, face, PIN or security key.',
  'passkey.page.needs-script': 'Passkeys need JavaScript. Turn it on in your browser, or try another way.',
  'passkey.page.use': 'Use a passkey',
  'passkey.page.register-title': 'Add a passkey',
  'passkey.page.register-lead':
    'asks for a passkey. Add one on this device now: from then on you sign in with your fingerprint, face, PIN or security key.',
  'passkey.page.add': 'Add a passkey',
} as const;

export type PasskeyMessageId = keyof typeof passkeyMessages;

/** The same texts in the other languages shipped (messages.<locale>.ts), by locale. */
export const passkeyTranslations: Record<string, Record<string, string>> = {
  es: passkeyMessagesEs as Record<string, string>,
  si: passkeyMessagesSi as Record<string, string>,
};
