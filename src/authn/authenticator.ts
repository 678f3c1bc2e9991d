/**
 * The authenticator contract. The engine owns it; authenticators implement it and never import each other.
 * `begin` starts a step (shows a prompt, sends an SMS), `continue` handles what the user submitted.
 * Both return an outcome value; expected failures are values, never exceptions.
 */
import type { Application } from '../identity/applications.js';
import type { FederatedType, IdentityProvider } from '../identity/identity-providers.js';
import type { User } from '../identity/users.js';

export type AuthenticatorKind = 'local' | 'federated';

/**
 * Data about an authenticator, apart from its behaviour: the console and the validators read it. The configuration
 * part (schema, defaults, masking, merging, validation) is what the identity-provider store needs, so it is defined
 * there and extended here, keeping the dependency pointing from the engine to the domain.
 */
export interface AuthenticatorDescriptor extends FederatedType {
  /** stable id used in authentication sequences: 'password', 'sms-otp' */
  id: string;
  displayName: string;
  kind: AuthenticatorKind;
  /** RFC 8176 methods this authenticator contributes on success, unless the outcome says otherwise */
  amr: string[];
  /** user-facing texts by stable message id; pages look ids up here (and in the engine's own catalogue) */
  messages?: Record<string, string>;
}

/** Closed list of reasons; counters and audit events are keyed by them. */
export type FailureReason =
  | 'invalid-credentials'
  | 'user-locked'
  | 'user-disabled'
  | 'invalid-code'
  | 'expired-code'
  | 'too-many-attempts'
  | 'send-failed'
  | 'limit-reached'
  | 'sms-otp-disabled'
  | 'user-not-found'
  | 'no-mobile-number'
  | 'invalid-input'
  | 'configuration-error';

export interface PromptOutcome {
  kind: 'prompt';
  /** template id under src/web/pages/views, e.g. 'password', 'sms-otp/code' */
  view: string;
  data: Record<string, unknown>;
  /** message id shown above the form (not counted as a failure) */
  notice?: string;
  /** HTTP status for the page; 200 by default, 4xx for re-prompts after bad input */
  status?: number;
}

export interface SuccessOutcome {
  kind: 'success';
  user: User;
  /** overrides the descriptor's amr (a backup code is not 'sms') */
  amr?: string[];
}

export interface FailureOutcome {
  kind: 'failure';
  reason: FailureReason;
  /** message id for the user */
  message: string;
  /** values for the message (minutes until unlock…) */
  params?: Record<string, string | number>;
  /** true: the login cannot go on (error page); false: show the prompt again with the error */
  fatal: boolean;
  /** the prompt to show again when not fatal */
  retry?: PromptOutcome;
}

export interface SkipOutcome {
  kind: 'skip';
  reason: string;
}

export type Outcome = PromptOutcome | SuccessOutcome | FailureOutcome | SkipOutcome;

/** What an authenticator sees of the login: never an HTTP request. */
export interface StepContext {
  /** the login transaction id (oidc-provider interaction uid) */
  loginId: string;
  application: Application;
  /** set for federated authenticators */
  idp?: IdentityProvider;
  /** this authenticator's configuration inside the idp */
  config: Record<string, unknown>;
  /** the user established by earlier steps, if any */
  user?: User;
  /** this step's own state; the engine persists what the authenticator leaves here */
  state: Record<string, unknown>;
  client: { ip: string; userAgent: string };
  publicUrl: string;
  now: number;
  /** audit sink */
  audit(event: string, data?: Record<string, unknown>): Promise<void>;
}

export interface Authenticator {
  descriptor: AuthenticatorDescriptor;
  begin(ctx: StepContext): Promise<Outcome>;
  continue(ctx: StepContext, input: Record<string, string>): Promise<Outcome>;
}

export interface AuthenticatorRegistry {
  get(id: string): Authenticator | undefined;
  all(): Authenticator[];
}

export function createRegistry(list: Authenticator[]): AuthenticatorRegistry {
  // reads the list on each call, so the composition root may add authenticators after making the registry
  return { get: (id) => list.find((a) => a.descriptor.id === id), all: () => [...list] };
}
