/**
 * The step's side of a send challenge: the page it shows (the challenge's own page, with the backup-code way out),
 * and what an answer leads to — passed (the waiting send goes out), or the page again with why it was refused. An
 * answer to a challenge that expired is met with a fresh challenge; the other refusals keep the one issued.
 */
import type { Outcome, PromptOutcome } from '../../../authn/authenticator.js';
import type { SmsOtpConfig } from '../config.js';
import type { SmsOtpContext, SmsOtpState } from '../state.js';
import { type FraudDefence, FraudEvent } from './gate.js';
import type { FraudMessageId } from './messages.js';

/** The challenge's page with what the step adds: the number it is for, and a backup code instead. */
export function challengePage(prompt: PromptOutcome, config: SmsOtpConfig, s: SmsOtpState): PromptOutcome {
  return {
    ...prompt,
    data: {
      ...prompt.data,
      maskedMobile: s.maskedMobile ?? '',
      // on the capture page a code box would be read as a number: the backup code is offered once a number is known
      backupCodes: config.backupCodes && s.phase !== 'capture',
    },
  };
}

export type Answer = { kind: 'passed' } | { kind: 'refused'; outcome: Outcome };

export async function answerChallenge(
  fraud: FraudDefence,
  ctx: SmsOtpContext,
  config: SmsOtpConfig,
  s: SmsOtpState,
  input: Record<string, string>,
  current: PromptOutcome,
): Promise<Answer> {
  const req = { loginId: ctx.loginId, ip: ctx.client.ip, now: ctx.now };
  const policy = config.fraud.challenge;
  const pending = s.mobile ? s.challenge : undefined;
  const verdict = await fraud.challenge.verify(req, pending?.id, input);
  if (verdict.ok && pending) {
    s.challenge = undefined;
    await ctx.audit(FraudEvent.challengePassed, { kind: fraud.challenge.kind });
    return { kind: 'passed' };
  }
  const reason = verdict.ok ? 'wrong' : verdict.reason;
  await ctx.audit(FraudEvent.challengeFailed, { kind: fraud.challenge.kind, reason, pending: pending !== undefined });
  const message: FraudMessageId = `sms-otp.challenge.${reason}`;
  // nothing waits for a challenge (the send went out, or never needed one): the step's page, the answer refused
  if (!pending)
    return { kind: 'refused', outcome: { kind: 'reprompt', reason: 'invalid-input', message, prompt: current } };
  let page: PromptOutcome;
  if (ctx.now >= pending.expiresAt) {
    const issued = await fraud.challenge.issue(req, policy);
    s.challenge = { id: issued.id, expiresAt: Number(issued.prompt.data.challengeExpiresAt) };
    page = issued.prompt;
  } else page = fraud.challenge.render(pending.id, policy, pending.expiresAt);
  return {
    kind: 'refused',
    outcome: { kind: 'reprompt', reason: 'invalid-input', message, prompt: challengePage(page, config, s) },
  };
}
