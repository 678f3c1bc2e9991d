/**
 * Handling what the user submitted on the step's pages, in this order:
 *   user still there → not locked → capture page: validate the number and send
 *   → resend: allowed, cooled down, within limits → send a new code
 *   → code: take a try slot → (expired? then no compare) → the SMS code → a backup code → a failure the engine counts
 *   → a challenge's answer (fraud/): passed → the send that waited for it
 */
import type { Outcome } from '../../authn/authenticator.js';
import type { BackupCodeStore } from '../../identity/backup-codes.js';
import { ClaimUri } from '../../identity/claim-uris.js';
import { claimValue, isLocked, setUserClaims, type User } from '../../identity/users.js';
import type { Attempts } from './attempts.js';
import type { BeginDeps } from './begin.js';
import type { SmsOtpConfig } from './config.js';
import { answerChallenge, countVerified } from './fraud/index.js';
import { maskMobile } from './mask.js';
import type { SmsOtpMessageId } from './messages.js';
import { normaliseStoredNumber, validateCapturedNumber } from './mobile.js';
import { normaliseCode, otpMatches } from './otp.js';
import { afterSend, canTryAgain, currentPrompt, limited, lockedOutcome, reprompt, waitNotice } from './outcomes.js';
import { capturePrompt } from './prompts.js';
import { AuditEvent } from './reasons.js';
import { sendCode } from './send.js';
import { type SmsOtpContext, type SmsOtpState, stateOf } from './state.js';

export interface ContinueDeps extends BeginDeps {
  backupCodes: BackupCodeStore;
  attempts: Attempts;
}

type Step = { deps: ContinueDeps; ctx: SmsOtpContext; config: SmsOtpConfig; s: SmsOtpState; user: User };

export async function continueStep(
  deps: ContinueDeps,
  ctx: SmsOtpContext,
  input: Record<string, string>,
): Promise<Outcome> {
  const { config } = ctx;
  const s = stateOf(ctx.state);
  // the descriptor requires a user: the engine runs this step only after one was established
  const user = ctx.user!;
  if (isLocked(user, ctx.now)) return lockedOutcome(user.lockedUntil!, ctx.now);
  const step: Step = { deps, ctx, config, s, user };
  let outcome: Outcome;
  if (input.pow !== undefined) outcome = await challenged(step, input);
  else if (s.phase === 'capture') outcome = await capture(step, input.mobile ?? '');
  else if (input.resend !== undefined) outcome = await resend(step);
  else outcome = await verify(step, input.code ?? '');
  ctx.state = { ...s };
  return outcome;
}

async function capture({ deps, ctx, config, s }: Step, typed: string): Promise<Outcome> {
  const checked = validateCapturedNumber(typed, config);
  if (!checked.ok)
    return reprompt('invalid-input', checked.message, capturePrompt(config, typed), {
      patternMessage: config.mobileRegexMessage,
    });
  s.capturedMobile = checked.e164;
  const sent = await sendCode(deps, ctx, config, s, {
    e164: checked.e164,
    country: checked.country,
    masked: maskMobile(checked.e164, config.mask),
  });
  if (!sent.ok && 'limit' in sent && sent.limit === 'country') {
    Object.assign(s, {
      phase: 'capture',
      capturedMobile: undefined,
      mobile: undefined,
      maskedMobile: undefined,
      country: undefined,
    });
    // the number was refused as typed: the user types another one (bad input, not a spent budget)
    return reprompt('limit-reached', 'sms-otp.country-not-allowed', capturePrompt(config, typed));
  }
  return afterSend(config, s, sent, ctx.now);
}

/** The answer to a send challenge: refused, the challenge page again; passed, the send that waited for it. */
async function challenged({ deps, ctx, config, s }: Step, input: Record<string, string>): Promise<Outcome> {
  const answered = await answerChallenge(deps.fraud, ctx, config, s, input, currentPrompt(config, s));
  if (answered.kind !== 'passed') return answered.outcome;
  const sent = await sendCode(
    deps,
    ctx,
    config,
    s,
    { e164: s.mobile!, country: s.country, masked: s.maskedMobile ?? '' },
    { challengePassed: true },
  );
  return afterSend(config, s, sent, ctx.now);
}

async function resend({ deps, ctx, config, s }: Step): Promise<Outcome> {
  if (!canTryAgain(config, s) || !s.mobile)
    return reprompt('invalid-input', 'sms-otp.resend-disabled', currentPrompt(config, s));
  if (s.lastSentAt !== undefined && ctx.now < s.lastSentAt + config.resendCooldownSeconds * 1000)
    return waitNotice(config, s, ctx.now);
  if (s.sends >= config.maxResends + 1) {
    await ctx.audit(AuditEvent.limitReached, { limit: 'per-login', to: s.maskedMobile ?? null });
    return limited('sms-otp.limit.per-login', currentPrompt(config, s));
  }
  const sent = await sendCode(deps, ctx, config, s, {
    e164: s.mobile,
    country: s.country,
    masked: s.maskedMobile ?? '',
  });
  return afterSend(config, s, sent, ctx.now);
}

async function verify(step: Step, typed: string): Promise<Outcome> {
  const { deps, ctx, config, s, user } = step;
  const code = normaliseCode(typed);
  if (code === '') return reprompt('invalid-input', 'sms-otp.code-missing', currentPrompt(config, s));
  // slots belong to the last code sent and outlive it, so a dead code's guesses stay capped until a new code is sent
  const slotId = s.attemptsId ?? 'unsent';
  const ttlMs = deps.loginTtlMs;
  const max = config.maxWrongCodesPerOtp;
  const taken = await deps.attempts.take(ctx.loginId, slotId, max, ttlMs);
  if (!taken.evaluate) {
    await deps.attempts.awaitEvaluated(ctx.loginId, slotId, max);
    await ctx.audit(AuditEvent.failed, { reason: 'too-many-attempts', evaluated: false });
    s.otp = undefined;
    return wrong(step, 'too-many-attempts', 'sms-otp.too-many-attempts', false);
  }
  let passed = false;
  try {
    const otp = s.otp;
    const expired = otp !== undefined && ctx.now >= otp.expiresAt;
    // expiry is checked before the code is compared: an expired code never matches
    if (otp && !expired && otpMatches(deps.keyring, ctx.loginId, otp, code)) {
      passed = true;
      return await passedBySms(step);
    }
    if (config.backupCodes && typed.length <= 64 && (await deps.backupCodes.consume(user.id, typed, ctx.now))) {
      passed = true;
      return await passedByBackupCode(step);
    }
    const reason = expired ? 'expired-code' : 'invalid-code';
    await ctx.audit(AuditEvent.failed, { reason, evaluated: true, attempt: taken.slot, of: max });
    if (expired) {
      s.otp = undefined;
      return wrong(step, 'expired-code', 'sms-otp.expired', true);
    }
    if (taken.slot >= max) {
      s.otp = undefined;
      return wrong(step, 'too-many-attempts', 'sms-otp.too-many-attempts', true);
    }
    return wrong(step, 'invalid-code', otp ? 'sms-otp.invalid-code' : 'sms-otp.code-dead', true);
  } finally {
    await deps.attempts.settle(ctx.loginId, slotId, passed, ttlMs);
  }
}

/**
 * A wrong code: the code page again (or the end of the login when retries are off). An evaluated guess counts toward
 * the account's lock when lockout is on; the engine counts it and, when it locks, ends the login saying so.
 */
function wrong(
  { config, s, user }: Step,
  reason: 'invalid-code' | 'expired-code' | 'too-many-attempts',
  message: SmsOtpMessageId,
  evaluated: boolean,
): Outcome {
  const counts =
    evaluated && config.lockout.enabled
      ? {
          counts: {
            user,
            policy: { maxAttempts: config.lockout.maxAttempts, lockMinutes: config.lockout.lockMinutes },
            lockedMessage: 'sms-otp.locked' satisfies SmsOtpMessageId,
          },
        }
      : {};
  return {
    kind: 'failure',
    reason,
    message,
    ...(config.retryEnabled ? { prompt: currentPrompt(config, s) } : {}),
    ...counts,
  };
}

async function passedBySms({ deps, ctx, config, s, user }: Step): Promise<Outcome> {
  // a captured number becomes the profile's number only now, after a code sent to it came back; it replaces a stored
  // number only when that one could not receive codes (capture was offered because of it)
  const stored = await claimValue(deps.db, user, ClaimUri.mobile);
  if (s.capturedMobile && (!stored || !normaliseStoredNumber(stored, config))) {
    try {
      // the one phone normaliser and the subject-uniqueness check run inside setUserClaims, atomically
      await deps.db
        .transaction()
        .execute((trx) => setUserClaims(trx, user.id, { [ClaimUri.mobile]: s.capturedMobile! }));
      await ctx.audit(AuditEvent.mobileSaved, { to: s.maskedMobile ?? null });
    } catch (err) {
      await ctx.audit(AuditEvent.mobileSaved, {
        to: s.maskedMobile ?? null,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
  await ctx.audit(AuditEvent.verified, { method: 'sms', to: s.maskedMobile ?? null });
  // the conversion rate of the gateway that carried this login's newest code (sms/receipts)
  await deps.messages?.verified(ctx.loginId, ctx.now);
  if (s.mobile) await countVerified(deps.fraud, ctx, config, { e164: s.mobile, country: s.country });
  s.otp = undefined;
  return { kind: 'success', user, amr: ['sms'] };
}

async function passedByBackupCode({ deps, ctx, s, user }: Step): Promise<Outcome> {
  const remaining = await deps.backupCodes.remaining(user.id);
  await ctx.audit(AuditEvent.backupCodeUsed, { remaining });
  await ctx.audit(AuditEvent.verified, { method: 'backup-code' });
  s.otp = undefined;
  // a backup code proves nothing about the captured number: it is not saved, and the method is not 'sms'
  return { kind: 'success', user, amr: ['otp'] };
}
