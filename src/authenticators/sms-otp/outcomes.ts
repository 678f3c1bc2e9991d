/** Turns what happened (a send, a lock, a refusal) into the outcome value the engine applies. */
import type { FailureReason, MessageParams, Outcome, PromptOutcome } from '../../authn/authenticator.js';
import type { SmsOtpConfig } from './config.js';
import type { SmsOtpMessageId } from './messages.js';
import { codePrompt, notSentPrompt } from './prompts.js';
import type { SendOutcome } from './send.js';
import type { SmsOtpState } from './state.js';

const withParams = (params?: MessageParams) => (params ? { params } : {});

/** The login cannot go on. */
export function fatal(reason: FailureReason, message: SmsOtpMessageId, params?: MessageParams): Outcome {
  return { kind: 'fatal', reason, message, ...withParams(params) };
}

/** Bad or missing input: the page again, nothing counted. */
export function reprompt(
  reason: FailureReason,
  message: SmsOtpMessageId,
  prompt: PromptOutcome,
  params?: MessageParams,
): Outcome {
  return { kind: 'reprompt', reason, message, prompt, ...withParams(params) };
}

/** A limit was reached: the page again with the limit's message. */
export function limited(message: SmsOtpMessageId, prompt: PromptOutcome, params?: MessageParams): Outcome {
  return { kind: 'limit', reason: 'limit-reached', message, prompt, ...withParams(params) };
}

export function lockedOutcome(lockedUntil: number, now: number): Outcome {
  return fatal('user-locked', 'sms-otp.locked', { minutes: Math.max(1, Math.ceil((lockedUntil - now) / 60_000)) });
}

/** "Try again" is offered when resends are on, or when no code ever reached the provider. */
export function canTryAgain(config: SmsOtpConfig, s: SmsOtpState): boolean {
  return config.resendEnabled || s.lastSentAt === undefined;
}

/** The page that fits the state: the code page while a code went out, else the not-sent page. */
export function currentPrompt(config: SmsOtpConfig, s: SmsOtpState): PromptOutcome {
  return s.phase === 'not-sent' ? notSentPrompt(config, s, canTryAgain(config, s)) : codePrompt(config, s);
}

export function waitNotice(config: SmsOtpConfig, s: SmsOtpState, now: number): Outcome {
  const readyAt = (s.lastSentAt ?? now) + config.resendCooldownSeconds * 1000;
  const seconds = Math.max(1, Math.ceil((readyAt - now) / 1000));
  return limited('sms-otp.resend-wait', currentPrompt(config, s), { seconds });
}

/** What the user sees after a send: the code page, the wait notice, or a clear page saying no code was sent. */
export function afterSend(config: SmsOtpConfig, s: SmsOtpState, sent: SendOutcome, now: number): Outcome {
  if (sent.ok) {
    const page = codePrompt(config, s);
    return s.sends > 1 ? { ...page, notice: 'sms-otp.resent' } : page;
  }
  // the send waits for a challenge: its page (the step state holds which one)
  if ('challenge' in sent) return sent.challenge;
  if ('limit' in sent) {
    if (sent.limit === 'cooldown') return waitNotice(config, s, now);
    if (!s.otp) s.phase = 'not-sent';
    const message: SmsOtpMessageId =
      sent.limit === 'country' ? 'sms-otp.country-not-allowed' : `sms-otp.limit.${sent.limit}`;
    const page = s.otp ? codePrompt(config, s) : notSentPrompt(config, s, false);
    // development mode: the page names the limit and where to change it (send.ts made the hint)
    if (sent.hint) page.data = { ...page.data, limitHint: sent.hint };
    return limited(message, page);
  }
  if (!s.otp) s.phase = 'not-sent';
  const detail = sent.detailed
    ? `${sent.failure.code}: ${sent.failure.providerAnswer ?? sent.failure.reason}`
    : sent.failure.code;
  // a timed-out send may still arrive: its code is live (send.ts), so the page says so and keeps the code box
  const message: SmsOtpMessageId = sent.failure.code === 'timeout' ? 'sms-otp.send-timeout' : 'sms-otp.send-failed';
  return { kind: 'unavailable', reason: 'send-failed', message, prompt: currentPrompt(config, s), params: { detail } };
}
