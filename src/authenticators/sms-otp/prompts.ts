/** The pages of the step as prompt values: the code page, the capture page and the not-sent page. */
import type { PromptOutcome } from '../../authn/authenticator.js';
import type { SmsOtpConfig } from './config.js';
import type { SmsOtpState } from './state.js';

/** The code page; it carries absolute times so that a reload (which re-shows this prompt) shows the right time left. */
export function codePrompt(config: SmsOtpConfig, s: SmsOtpState): PromptOutcome {
  return {
    kind: 'prompt',
    page: 'sms-otp/code',
    // whether the provider reported the code undelivered is asked again on each reload (delivery-log.ts), never stored
    transient: ['deliveryFailed'],
    data: {
      maskedMobile: s.maskedMobile ?? '',
      hasCode: s.otp !== undefined,
      expiresAt: s.otp?.expiresAt ?? 0,
      resendEnabled: config.resendEnabled,
      resendAt: (s.lastSentAt ?? 0) + config.resendCooldownSeconds * 1000,
      resendsLeft: Math.max(0, config.maxResends + 1 - s.sends),
      numeric: config.numericOnly,
      codeLength: config.otpLength,
      backupCodes: config.backupCodes,
    },
  };
}

export function capturePrompt(config: SmsOtpConfig, typed = ''): PromptOutcome {
  return {
    kind: 'prompt',
    page: 'sms-otp/capture',
    data: { mobile: typed, defaultCountry: config.defaultCountry },
  };
}

/** Shown when no code could be sent: says so, offers to try again, and takes a backup code when those are on. */
export function notSentPrompt(config: SmsOtpConfig, s: SmsOtpState, canRetry: boolean): PromptOutcome {
  return {
    kind: 'prompt',
    page: 'sms-otp/not-sent',
    data: {
      maskedMobile: s.maskedMobile ?? '',
      canRetry: canRetry && (s.sends === 0 || config.resendEnabled),
      backupCodes: config.backupCodes,
    },
  };
}
