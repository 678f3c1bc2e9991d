/**
 * Handling what the user submitted on the step's pages, in this order:
 *   user still there → not locked → capture page: validate the number and send
 *   → resend: allowed, cooled down, within limits → send a new code
 *   → code: take a try slot → (expired? then no compare) → the SMS code → a backup code → count the failure
 */
import type { Outcome, StepContext } from '../../authn/authenticator.js';
import type { BackupCodeStore } from '../../identity/backup-codes.js';
import { ClaimUri } from '../../identity/claim-uris.js';
import { LockReason, recordFailure, resetFailures } from '../../identity/lockout.js';
import { claimValue, isLocked, setUserClaims, type User } from '../../identity/users.js';
import type { Attempts } from './attempts.js';
import type { BeginDeps } from './begin.js';
import { readConfig, type SmsOtpConfig } from './config.js';
import { maskMobile } from './mask.js';
import type { SmsOtpMessageId } from './messages.js';
import { normaliseStoredNumber, validateCapturedNumber } from './mobile.js';
import { normaliseCode, otpMatches } from './otp.js';
import { afterSend, canTryAgain, currentPrompt, fatal, lockedOutcome, retry, waitNotice } from './outcomes.js';
import { capturePrompt } from './prompts.js';
import { AuditEvent } from './reasons.js';
import { sendCode } from './send.js';
import { type SmsOtpState, stateOf } from './state.js';

export interface ContinueDeps extends BeginDeps {
  backupCodes: BackupCodeStore;
  attempts: Attempts;
}

type Step = { deps: ContinueDeps; ctx: StepContext; config: SmsOtpConfig; s: SmsOtpState; user: User };

export async function continueStep(
  deps: ContinueDeps,
  ctx: StepContext,
  input: Record<string, string>,
): Promise<Outcome> {
  const config = readConfig(ctx.config);
  const s = stateOf(ctx.state);
  if (!ctx.user) return fatal('configuration-error', 'sms-otp.no-user');
  if (isLocked(ctx.user, ctx.now)) return lockedOutcome(ctx.user.lockedUntil!, ctx.now);
  const step: Step = { deps, ctx, config, s, user: ctx.user };
  let outcome: Outcome;
  if (s.phase === 'capture') outcome = await capture(step, input.mobile ?? '');
  else if (input.resend !== undefined) outcome = await resend(step);
  else outcome = await verify(step, input.code ?? '');
  ctx.state = { ...s };
  return outcome;
}

async function capture({ deps, ctx, config, s }: Step, typed: string): Promise<Outcome> {
  const checked = validateCapturedNumber(typed, config);
  if (!checked.ok)
    return retry('invalid-input', checked.message, capturePrompt(config, typed, 400), {
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
    return retry('limit-reached', 'sms-otp.country-not-allowed', capturePrompt(config, typed, 400));
  }
  return afterSend(config, s, sent, ctx.now);
}

async function resend({ deps, ctx, config, s }: Step): Promise<Outcome> {
  if (!canTryAgain(config, s) || !s.mobile)
    return retry('invalid-input', 'sms-otp.resend-disabled', currentPrompt(config, s, 400));
  if (s.lastSentAt !== undefined && ctx.now < s.lastSentAt + config.resendCooldownSeconds * 1000)
    return waitNotice(config, s, ctx.now);
  if (s.sends >= config.maxResends + 1) {
    await ctx.audit(AuditEvent.limitReached, { limit: 'per-login', to: s.maskedMobile ?? null });
    return retry('limit-reached', 'sms-otp.limit.per-login', currentPrompt(config, s, 429));
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
  if (code === '') return retry('invalid-input', 'sms-otp.code-missing', currentPrompt(config, s, 400));
  // slots belong to the last code sent and outlive it, so a dead code's guesses stay capped until a new code is sent
  const slotId = s.attemptsId ?? 'unsent';
  const ttlMs = deps.loginTtlMs;
  const max = config.maxWrongCodesPerOtp;
  const taken = await deps.attempts.take(ctx.loginId, slotId, max, ttlMs);
  if (!taken.evaluate) {
    await deps.attempts.awaitEvaluated(ctx.loginId, slotId, max);
    await ctx.audit(AuditEvent.failed, { reason: 'too-many-attempts', evaluated: false });
    s.otp = undefined;
    return wrong(step, 'too-many-attempts', 'sms-otp.too-many-attempts');
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
    let locked: number | null = null;
    if (config.lockout.enabled) {
      const counted = await recordFailure(
        deps.db,
        user.id,
        'otp',
        { maxAttempts: config.lockout.maxAttempts, lockMinutes: config.lockout.lockMinutes },
        ctx.now,
      );
      if (counted.locked) locked = counted.lockedUntil;
    }
    await ctx.audit(AuditEvent.failed, { reason, evaluated: true, attempt: taken.slot, of: max });
    if (locked !== null) {
      s.otp = undefined;
      await ctx.audit(AuditEvent.accountLocked, { reason: LockReason.otp, until: locked });
      return lockedOutcome(locked, ctx.now);
    }
    if (expired) {
      s.otp = undefined;
      return wrong(step, 'expired-code', 'sms-otp.expired');
    }
    if (taken.slot >= max) {
      s.otp = undefined;
      return wrong(step, 'too-many-attempts', 'sms-otp.too-many-attempts');
    }
    return wrong(step, 'invalid-code', otp ? 'sms-otp.invalid-code' : 'sms-otp.code-dead');
  } finally {
    await deps.attempts.settle(ctx.loginId, slotId, passed, ttlMs);
  }
}

function wrong(
  { config, s }: Step,
  reason: 'invalid-code' | 'expired-code' | 'too-many-attempts',
  message: SmsOtpMessageId,
): Outcome {
  if (!config.retryEnabled) return fatal(reason, message);
  return retry(reason, message, currentPrompt(config, s, 401));
}

async function passedBySms({ deps, ctx, config, s, user }: Step): Promise<Outcome> {
  if (user.failedOtpCount > 0) await resetFailures(deps.db, user.id, 'otp');
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
  s.otp = undefined;
  return { kind: 'success', user, amr: ['sms'] };
}

async function passedByBackupCode({ deps, ctx, s, user }: Step): Promise<Outcome> {
  if (user.failedOtpCount > 0) await resetFailures(deps.db, user.id, 'otp');
  const remaining = await deps.backupCodes.remaining(user.id);
  await ctx.audit(AuditEvent.backupCodeUsed, { remaining });
  await ctx.audit(AuditEvent.verified, { method: 'backup-code' });
  s.otp = undefined;
  // a backup code proves nothing about the captured number: it is not saved, and the method is not 'sms'
  return { kind: 'success', user, amr: ['otp'] };
}
