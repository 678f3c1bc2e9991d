/** Turns what happened (a send, a lock, a refusal) into the outcome value the engine applies. */
import type { FailureReason, Outcome, PromptOutcome } from '../../authn/authenticator.js';
import type { SmsOtpConfig } from './config.js';
import type { SmsOtpMessageId } from './messages.js';
import { codePrompt, notSentPrompt } from './prompts.js';
import type { SendOutcome } from './send.js';
import type { SmsOtpState } from './state.js';

export function fatal(
  reason: FailureReason,
  message: SmsOtpMessageId,
  params?: Record<string, string | number>,
): Outcome {
  return { kind: 'failure', reason, message, fatal: true, ...(params ? { params } : {}) };
}

export function retry(
  reason: FailureReason,
  message: SmsOtpMessageId,
  prompt: PromptOutcome,
  params?: Record<string, string | number>,
): Outcome {
  return { kind: 'failure', reason, message, fatal: false, retry: prompt, ...(params ? { params } : {}) };
}

export function lockedOutcome(lockedUntil: number, now: number): Outcome {
  return fatal('user-locked', 'sms-otp.locked', { minutes: Math.max(1, Math.ceil((lockedUntil - now) / 60_000)) });
}

/** "Try again" is offered when resends are on, or when no code ever reached the provider. */
export function canTryAgain(config: SmsOtpConfig, s: SmsOtpState): boolean {
  return config.resendEnabled || s.lastSentAt === undefined;
}

/** The page that fits the state: the code page while a code went out, else the not-sent page. */
export function currentPrompt(config: SmsOtpConfig, s: SmsOtpState, status: number): PromptOutcome {
  return s.phase === 'not-sent'
    ? notSentPrompt(config, s, canTryAgain(config, s), status)
    : codePrompt(config, s, status);
}

export function waitNotice(config: SmsOtpConfig, s: SmsOtpState, now: number): Outcome {
  const readyAt = (s.lastSentAt ?? now) + config.resendCooldownSeconds * 1000;
  const seconds = Math.max(1, Math.ceil((readyAt - now) / 1000));
  return retry('limit-reached', 'sms-otp.resend-wait', currentPrompt(config, s, 429), { seconds });
}

/** What the user sees after a send: the code page, the wait notice, or a clear page saying no code was sent. */
export function afterSend(config: SmsOtpConfig, s: SmsOtpState, sent: SendOutcome, now: number): Outcome {
  if (sent.ok) {
    const page = codePrompt(config, s);
    return s.sends > 1 ? { ...page, notice: 'sms-otp.resent' } : page;
  }
  if ('limit' in sent) {
    if (sent.limit === 'cooldown') return waitNotice(config, s, now);
    if (!s.otp) s.phase = 'not-sent';
    const message: SmsOtpMessageId =
      sent.limit === 'country' ? 'sms-otp.country-not-allowed' : `sms-otp.limit.${sent.limit}`;
    const page = s.otp ? codePrompt(config, s, 429) : notSentPrompt(config, s, false, 429);
    // development mode: the page names the limit and where to change it (send.ts made the hint)
    if (sent.hint) page.data = { ...page.data, limitHint: sent.hint };
    return retry('limit-reached', message, page);
  }
  if (!s.otp) s.phase = 'not-sent';
  const detail = config.gateway.showDetailedErrors
    ? `${sent.failure.code}: ${sent.failure.providerAnswer ?? sent.failure.reason}`
    : sent.failure.code;
  // a timed-out send may still arrive: its code is live (send.ts), so the page says so and keeps the code box
  const message: SmsOtpMessageId = sent.failure.code === 'timeout' ? 'sms-otp.send-timeout' : 'sms-otp.send-failed';
  return retry('send-failed', message, currentPrompt(config, s, 503), { detail });
}
