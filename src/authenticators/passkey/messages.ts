/** User-facing texts of the passkey pages by stable id. */
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
} as const;

export type PasskeyMessageId = keyof typeof passkeyMessages;
