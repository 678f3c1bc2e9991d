/**
 * Handling a submitted code, in this order:
 *   not locked → a code was typed → take a try slot of this login (beyond the limit: the login ends, nothing compared)
 *   → adding an app: its first code confirms it → else the user's apps: a code passes once (replay refused on every
 *   node) → a wrong code the engine counts toward the account's lock.
 */
import type { Outcome } from '../../authn/authenticator.js';
import { isLocked } from '../../identity/users.js';
import type { TotpAttempts } from './attempts.js';
import { type BeginDeps, startEnrolment } from './begin.js';
import { normaliseCode } from './code.js';
import { confirmEnrolment, displayOf } from './enrolment.js';
import { fatal, lockedOutcome, wrongCode } from './outcomes.js';
import { codePrompt, enrolPrompt } from './prompts.js';
import type { TotpContext } from './state.js';

export interface ContinueDeps extends BeginDeps {
  attempts: TotpAttempts;
  loginTtlMs: number;
}

export async function continueStep(
  deps: ContinueDeps,
  ctx: TotpContext,
  input: Record<string, string>,
): Promise<Outcome> {
  const user = ctx.user!;
  const { config } = ctx;
  if (isLocked(user, ctx.now)) return lockedOutcome(user.lockedUntil!, ctx.now);
  const typed = input.code ?? '';
  const code = normaliseCode(typed);
  if (code === '') return { kind: 'reprompt', reason: 'invalid-input', message: 'totp.code-missing' };
  const phase = ctx.state?.phase === 'enrol' && ctx.state.enrolment ? 'enrol' : 'code';
  const max = config.maxWrongCodesPerLogin;
  const taken = await deps.attempts.take(ctx.loginId, phase, max, deps.loginTtlMs);
  if (!taken.evaluate) {
    await ctx.audit('totp.failed', { reason: 'too-many-attempts', evaluated: false });
    return wrongCode(config, user, 'too-many-attempts', 'totp.too-many-attempts', { counted: false });
  }
  const last = taken.slot >= max;
  if (phase === 'enrol') {
    const confirmed = await confirmEnrolment(deps.credentials, config, ctx.state!.enrolment!, code, ctx.now);
    if (confirmed.ok) {
      ctx.state = { phase: 'code' };
      await ctx.audit('totp.enrolled', { credentialId: confirmed.credential.id, via: 'login' });
      await ctx.audit('totp.verified', { credentialId: confirmed.credential.id });
      return { kind: 'success', user, amr: ['otp'] };
    }
    await ctx.audit('totp.failed', { reason: `enrolment-${confirmed.reason}`, attempt: taken.slot, of: max });
    if (confirmed.reason === 'too-many-credentials') return fatal('limit-reached', 'totp.too-many-credentials');
    if (confirmed.reason === 'expired') {
      const fresh = await startEnrolment(deps, ctx, config);
      return {
        kind: 'reprompt',
        reason: 'expired-code',
        message: 'totp.enrol-expired',
        ...('page' in fresh ? { prompt: fresh } : {}),
      };
    }
    if (last) return wrongCode(config, user, 'too-many-attempts', 'totp.too-many-attempts', { counted: false });
    const display = await displayOf(deps.credentials, config, ctx.state!.enrolment!, user.username, ctx.publicUrl);
    return wrongCode(config, user, 'invalid-code', 'totp.enrol-invalid-code', {
      prompt: enrolPrompt(config, display),
      counted: false,
    });
  }
  const check =
    typed.length <= 16
      ? await deps.credentials.check(user.id, code, ctx.now, config.driftSteps)
      : { kind: 'wrong' as const };
  if (check.kind === 'passed') {
    await ctx.audit('totp.verified', { credentialId: check.credential.id });
    return { kind: 'success', user, amr: ['otp'] };
  }
  const reason = check.kind === 'replayed' ? 'replayed' : 'invalid-code';
  await ctx.audit('totp.failed', { reason, evaluated: true, attempt: taken.slot, of: max });
  if (last) return wrongCode(config, user, 'too-many-attempts', 'totp.too-many-attempts', { counted: true });
  return wrongCode(config, user, 'invalid-code', check.kind === 'replayed' ? 'totp.code-used' : 'totp.invalid-code', {
    prompt: codePrompt(config),
    counted: true,
  });
}
