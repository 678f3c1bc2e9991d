/**
 * Starting the step for the user an earlier step identified: a locked account ends here; a user with an app is asked
 * for its code; a user without one adds one inside the login when the deployment allows it (the engine offers this
 * option to such a user only when the step has no other option they have), else the login cannot go on.
 */
import type { Outcome } from '../../authn/authenticator.js';
import { isLocked } from '../../identity/users.js';
import type { TotpConfig } from './config.js';
import type { TotpCredentialStore } from './credentials.js';
import { prepareEnrolment } from './enrolment.js';
import { fatal, lockedOutcome } from './outcomes.js';
import { codePrompt, enrolPrompt } from './prompts.js';
import type { TotpContext } from './state.js';

export interface BeginDeps {
  credentials: TotpCredentialStore;
}

export const APP_LABEL = 'Authenticator app';

export async function begin(deps: BeginDeps, ctx: TotpContext): Promise<Outcome> {
  const user = ctx.user!;
  if (isLocked(user, ctx.now)) return lockedOutcome(user.lockedUntil!, ctx.now);
  if (await deps.credentials.has(user.id)) {
    ctx.state = { phase: 'code' };
    return codePrompt(ctx.config);
  }
  if (!ctx.config.enrolAtLogin) {
    await ctx.audit('totp.failed', { reason: 'not-enrolled' });
    return fatal('not-enrolled', 'totp.not-enrolled');
  }
  return startEnrolment(deps, ctx, ctx.config);
}

/** A new secret for this login, kept sealed in the step's state until the app's first code comes back. */
export async function startEnrolment(deps: BeginDeps, ctx: TotpContext, config: TotpConfig): Promise<Outcome> {
  const user = ctx.user!;
  const { pending, display } = await prepareEnrolment(
    deps.credentials,
    config,
    user,
    ctx.publicUrl,
    APP_LABEL,
    ctx.now,
  );
  ctx.state = { phase: 'enrol', enrolment: pending };
  await ctx.audit('totp.enrolment-started', { via: 'login' });
  return enrolPrompt(config, display);
}
