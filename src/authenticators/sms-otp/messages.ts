/** User-facing texts of the SMS OTP pages by stable id; WSO2's wording where it is clear (reference §6). */
import { fraudMessages } from './fraud/messages.js';
import { smsOtpMessagesEs } from './messages.es.js';
import { smsOtpMessagesSi } from './messages.si.js';

export const smsOtpMessages = {
  'sms-otp.user-not-found': 'User not found in the directory. Cannot proceed further without SMS OTP authentication.',
  'sms-otp.disabled': 'Enable the SMS OTP in your Profile. Cannot proceed further without SMS OTP authentication.',
  'sms-otp.no-mobile':
    'Update mobile number in your profile. Cannot proceed further without a mobile number for SMS OTP.',
  'sms-otp.bad-mobile':
    'The mobile number in your profile cannot receive a code. Update mobile number in your profile.',
  'sms-otp.user-disabled': 'Your account is not available. Contact your administrator.',
  'sms-otp.locked':
    'Your account is locked because of too many failed attempts. Please try again in {minutes} minutes.',
  'sms-otp.code-missing': 'Please enter the code!',
  'sms-otp.invalid-code': 'The code you entered is incorrect. Please try again.',
  // what happened, not what to press: the page says what it offers (a resend after its countdown, a backup code)
  'sms-otp.expired': 'The code entered is expired.',
  'sms-otp.too-many-attempts': 'Too many incorrect codes: this code no longer works.',
  'sms-otp.code-dead': 'This code no longer works.',
  'sms-otp.send-failed': 'Unable to send code to your phone number. Please try again.',
  'sms-otp.send-timeout':
    'Sending the code is taking longer than usual. If it arrives, enter it below; otherwise ask for a new code.',
  'sms-otp.resent': 'We sent a new code to {maskedMobile}.',
  'sms-otp.resend-wait': 'You can ask for a new code in {seconds} seconds.',
  'sms-otp.resend-disabled': 'Sending a new code is not enabled.',
  'sms-otp.limit.per-login':
    'You have asked for too many codes in this login. Use the last code we sent, or start again later.',
  'sms-otp.limit.per-number': 'Too many codes were sent to this phone number. Please try again later.',
  'sms-otp.limit.per-account': 'Too many codes were sent for your account. Please try again later.',
  'sms-otp.limit.per-ip': 'Too many codes were requested from your network. Please try again later.',
  'sms-otp.limit.global': 'We cannot send more codes right now. Please try again later.',
  // development mode only, under the limit message: for the operator trying things out (the demo's admin)
  'sms-otp.limit.hint':
    'Development mode: the send limit reached is {setting} ({value}). Change it in the console under {where}, or as {setting} of the SMS OTP configuration in a setup file. Production mode does not show this note.',
  'sms-otp.country-not-allowed': 'Codes cannot be sent to phone numbers in this country.',
  'sms-otp.limit.number-type':
    'Codes cannot be sent to this kind of phone number (such as premium-rate). Update mobile number in your profile.',
  'sms-otp.mobile-missing': 'Please enter the mobile number!',
  'sms-otp.mobile-invalid': 'Enter a valid mobile phone number with its country code, for example +94 77 123 4567.',
  'sms-otp.mobile-pattern': '{patternMessage}',
  // the fixed words of the code page
  'sms-otp.page.title': 'Enter your code',
  'sms-otp.page.heading': 'Authenticating with SMS OTP',
  'sms-otp.page.enter-code': 'Enter the code sent to your mobile phone',
  'sms-otp.page.code': 'Code',
  'sms-otp.page.code-or-backup': 'Code (or a backup code)',
  'sms-otp.page.valid-for': 'The code is valid for {minutes} more minute(s).',
  'sms-otp.page.did-not-get': 'Did not get the code?',
  'sms-otp.page.resend': 'Resend code',
  'sms-otp.page.capture-title': 'Enter your mobile number',
  'sms-otp.page.capture-heading': 'Enter Your Mobile Phone Number',
  'sms-otp.page.capture-lead': 'We will send a code to it to finish signing in to',
  'sms-otp.page.capture-saved': 'It is saved to your profile once you enter that code.',
  'sms-otp.page.mobile': 'Mobile number',
  'sms-otp.page.country-hint-default': 'Include the country code if your number is not from {country}.',
  'sms-otp.page.country-hint': 'Include the country code, for example +94 77 123 4567.',
  'sms-otp.page.send': 'Send code',
  'sms-otp.page.not-sent-title': 'Code not sent',
  'sms-otp.page.not-sent-heading': 'We could not send your code',
  'sms-otp.page.to': 'to',
  'sms-otp.page.reference': 'Reference: {detail}',
  'sms-otp.page.backup-label': 'Or enter a backup code',
  'sms-otp.page.backup-continue': 'Continue with a backup code',
  'sms-otp.page.can-ask-now': 'You can ask for a new code now.',
  'sms-otp.page.last-code-dead': 'The last code sent to {maskedMobile} no longer works.',
  'sms-otp.page.backup-instead': 'You can enter a backup code instead of a new code.',
  'sms-otp.delivery-failed': 'The code sent to {maskedMobile} could not be delivered, the mobile network reports.',
  'sms-otp.delivery-failed.other-ways': 'Use one of the ways below instead: a new code goes by another route.',
  'sms-otp.page.no-new-code-backup':
    'No new code can be sent in this login: enter a backup code, or go back to {application} and start again.',
  'sms-otp.page.no-new-code': 'No new code can be sent in this login: go back to {application} and start again.',
  ...fraudMessages,
} as const;

export type SmsOtpMessageId = keyof typeof smsOtpMessages;

/** The same texts in the other languages shipped (messages.<locale>.ts), by locale. */
export const smsOtpTranslations: Record<string, Record<string, string>> = {
  es: smsOtpMessagesEs as Record<string, string>,
  si: smsOtpMessagesSi as Record<string, string>,
};
