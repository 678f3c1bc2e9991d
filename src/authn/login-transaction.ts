/**
 * The login transaction: everything Stepgate knows about one login between the first page and the answer to the
 * application. Keyed by the id its front door gave it (OIDC: the interaction uid), stored in the shared state store
 * with a version, so that two concurrent submissions of one step cannot both pass (the second write loses the
 * compare-and-set).
 *
 *   in-progress ──(every step passed)──▶ completed
 *        └──────(fatal failure)────────▶ failed
 */
import type { PromptOutcome } from './authenticator.js';
import type { LoginProtocol, LoginRequirements } from './front-door.js';

export type LoginStatus = 'in-progress' | 'completed' | 'failed';

export interface CurrentStep {
  /** which option of the step the user is on */
  authenticator: string;
  idp?: string;
  /** begin() has run: a reload shows lastPrompt again instead of beginning anew (no second SMS) */
  begun: boolean;
  /** the authenticator's own state for this step (OTP hash, expiry, tries, resends…); its shape is the authenticator's */
  state?: unknown;
  lastPrompt?: PromptOutcome;
  /** the step offered this user other options too: the page offers "Try another way" */
  alternatives?: boolean;
}

export interface LoginTransaction {
  /** the login id the front door gave (OIDC: the interaction uid) */
  id: string;
  /** the front door that started the login and takes it back; absent in transactions saved before SAML: OIDC */
  protocol?: LoginProtocol;
  clientId: string;
  applicationId: string;
  status: LoginStatus;
  /** what the application asked of this login (acr, forced re-authentication, passive) */
  requirements?: LoginRequirements;
  /** acr values asked for, as transactions saved before `requirements` recorded them; read as requirements.acceptableAcr */
  requestedAcr?: string[];
  /** the user's locale claim, recorded when a step identified the user: the pages' language after ui_locales */
  locale?: string;
  /** index of the step being run */
  stepIndex: number;
  /** the user established by the first step that identified one; later steps act on this user */
  userId?: string;
  /** RFC 8176 methods collected from passed steps */
  amr: string[];
  /** the steps passed so far, for the audit trail */
  passed: { step: number; authenticator: string; idp?: string; skipped?: boolean }[];
  current?: CurrentStep;
  /** the step (index) at which the user asked to see every option ("Try another way") instead of their preferred one */
  offerChoice?: number;
  /** why a failed login failed: a message id and its values */
  error?: { message: string; params?: Record<string, string | number> };
  /** when every step passed (the auth time the front door hands on) */
  completedAt?: number;
  /** where the browser continues once the login completed, when the front door answered with a redirect */
  returnTo?: string;
  createdAt: number;
  expiresAt: number;
}

/** The protocol of a transaction; those saved before front doors existed are OIDC logins. */
export function protocolOf(tx: LoginTransaction): LoginProtocol {
  return tx.protocol ?? 'oidc';
}

/** What the application asked of a transaction, reading those saved with only `requestedAcr` too. */
export function requirementsOf(tx: LoginTransaction): LoginRequirements {
  if (tx.requirements) return tx.requirements;
  return tx.requestedAcr && tx.requestedAcr.length > 0 ? { acceptableAcr: tx.requestedAcr } : {};
}

export function transactionKey(id: string): string {
  return `login:${id}`;
}
