/**
 * The send challenge hook: before an SMS goes out, a client IP past a soft limit must first pass a challenge (a
 * proof of work, a CAPTCHA). The sms-otp step asks `needed`, shows what `issue` renders as the step's page, and
 * hands the answer to `verify`; nothing here knows HTTP. `hashcash.ts` is the built-in implementation.
 */
import type { PromptOutcome } from '../../../authn/authenticator.js';
import type { FraudConfig } from './config.js';

export type ChallengePolicy = FraudConfig['challenge'];

export interface ChallengeRequest {
  loginId: string;
  ip: string;
  now: number;
}

/** Why an answer was refused; each goes into the audit event and picks the page's message. */
export type ChallengeRefusal = 'missing' | 'wrong' | 'expired' | 'replayed' | 'other-login';

export type ChallengeVerdict = { ok: true } | { ok: false; reason: ChallengeRefusal };

export interface SendChallenge {
  /** names the implementation in audit events */
  readonly kind: string;
  /** Whether a send from this request needs a passed challenge first. */
  needed(req: ChallengeRequest, policy: ChallengePolicy): Promise<boolean>;
  /** A send went out for this request: it counts toward the soft limit. */
  counted(req: ChallengeRequest, policy: ChallengePolicy): Promise<void>;
  /** A new challenge bound to this login: its id (kept in the step state) and the page that shows it. */
  issue(req: ChallengeRequest, policy: ChallengePolicy): Promise<{ id: string; prompt: PromptOutcome }>;
  /** The page of a challenge already issued, shown again (after a refused answer). */
  render(id: string, policy: ChallengePolicy, expiresAt: number): PromptOutcome;
  /** Checks an answer to the challenge `expected` (the one this login was given); a passed answer is used up. */
  verify(req: ChallengeRequest, expected: string | undefined, input: Record<string, string>): Promise<ChallengeVerdict>;
}
