/** The outcome values of the step: a wrong code counted toward the account's lock, the end of the login, a lock. */
import type { FailureReason, Outcome, PromptOutcome } from '../../authn/authenticator.js';
import type { User } from '../../identity/users.js';
import type { TotpConfig } from './config.js';
import type { TotpMessageId } from './messages.js';

export function fatal(reason: FailureReason, message: TotpMessageId): Outcome {
  return { kind: 'fatal', reason, message };
}

export function lockedOutcome(lockedUntil: number, now: number): Outcome {
  const minutes = Math.max(1, Math.ceil((lockedUntil - now) / 60_000));
  return { kind: 'fatal', reason: 'user-locked', message: 'totp.locked', params: { minutes } };
}

/**
 * A wrong code of the user's app: the code page again, or the end of the login when this login's tries are spent.
 * It counts toward the account's lock on the counter SMS OTP uses (the engine counts it, and ends the login saying so
 * when it locks). A wrong first code while adding an app is a typing or clock problem, not a guess at a secret:
 * it is limited per login but not counted.
 */
export function wrongCode(
  config: TotpConfig,
  user: User,
  reason: 'invalid-code' | 'too-many-attempts',
  message: TotpMessageId,
  options: { prompt?: PromptOutcome; counted: boolean },
): Outcome {
  return {
    kind: 'failure',
    reason,
    message,
    ...(options.prompt ? { prompt: options.prompt } : {}),
    ...(options.counted
      ? {
          counts: {
            user,
            policy: { maxAttempts: config.maxAttempts, lockMinutes: config.lockMinutes },
            lockedMessage: 'totp.locked' satisfies TotpMessageId,
          },
        }
      : {}),
  };
}
