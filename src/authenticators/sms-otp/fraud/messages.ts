/** User-facing texts of the fraud defence by stable id; spread into the SMS OTP catalogue (../messages.ts). */
export const fraudMessages = {
  'sms-otp.limit.blocked': 'Codes cannot be sent to this phone number. Use another way to sign in, or contact us.',
  'sms-otp.limit.conversion':
    'Codes to phone numbers like yours are paused for a while because of unusual traffic. Please try again later, or use another way to sign in.',
  'sms-otp.limit.spend-cap': 'We cannot send more codes today. Please try again later, or use another way to sign in.',
  'sms-otp.challenge.wrong': 'The check did not pass. Please let it run again.',
  'sms-otp.challenge.missing': 'The check did not finish. Please let it run again.',
  'sms-otp.challenge.expired': 'The check took too long and expired: a new one is running.',
  'sms-otp.challenge.replayed': 'That check was already used: a new one is running.',
  'sms-otp.challenge.other-login': 'That check belongs to another sign-in: a new one is running.',
  'sms-otp.page.challenge-title': 'Checking your browser',
  'sms-otp.page.challenge-heading': 'One moment before we send your code',
  'sms-otp.page.challenge-lead':
    'Many codes were asked for from your network, so your browser does a short calculation before we send one.',
  'sms-otp.page.challenge-working': 'Checking… this takes a few seconds.',
  'sms-otp.page.challenge-done': 'Done. Sending your code…',
  'sms-otp.page.challenge-needs-js':
    'This check needs JavaScript. Turn JavaScript on and reload the page, or use a backup code below.',
} as const;

export type FraudMessageId = keyof typeof fraudMessages;
