/**
 * The login transaction: everything Stepgate knows about one login between the first page and the ID token.
 * Keyed by oidc-provider's interaction uid, stored in the shared state store with a version, so that two
 * concurrent submissions of one step cannot both pass (the second write loses the compare-and-set).
 *
 *   in-progress ──(every step passed)──▶ completed
 *        └──────(fatal failure)────────▶ failed
 */
import type { PromptOutcome } from './authenticator.js';

export type LoginStatus = 'in-progress' | 'completed' | 'failed';

export interface CurrentStep {
  /** which option of the step the user is on */
  authenticator: string;
  idp?: string;
  /** begin() has run: a reload shows lastPrompt again instead of beginning anew (no second SMS) */
  begun: boolean;
  /** the authenticator's own state for this step (OTP hash, expiry, tries, resends…) */
  state: Record<string, unknown>;
  lastPrompt?: PromptOutcome;
}

export interface LoginTransaction {
  /** oidc-provider interaction uid */
  id: string;
  clientId: string;
  applicationId: string;
  status: LoginStatus;
  /** index of the step being run */
  stepIndex: number;
  /** the user established by the first step that identified one; later steps act on this user */
  userId?: string;
  /** acr values the application asked for (acr_values); the login is refused if it reaches none of them */
  requestedAcr?: string[];
  /** RFC 8176 methods collected from passed steps */
  amr: string[];
  /** the steps passed so far, for the audit trail */
  passed: { step: number; authenticator: string; idp?: string; skipped?: boolean }[];
  current?: CurrentStep;
  /** why a failed login failed: a message id and its values */
  error?: { message: string; params?: Record<string, string | number> };
  /** where oidc-provider continues once the login completed (so a double submit lands there too) */
  returnTo?: string;
  createdAt: number;
  expiresAt: number;
}

export function transactionKey(id: string): string {
  return `login:${id}`;
}
