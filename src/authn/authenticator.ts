/**
 * The authenticator contract. The engine owns it; authenticators implement it and never import each other.
 * `begin` starts a step (shows a prompt, sends an SMS), `continue` handles what the user submitted.
 * Both return an outcome value that says what happened in the login's words, never in HTTP's: the web layer
 * picks statuses and templates (web/pages/outcome-status.ts). Expected failures are values, never exceptions.
 */
import type { Application } from '../identity/applications.js';
import type { FederatedType, IdentityProvider } from '../identity/identity-providers.js';
import type { FailureKind, LockPolicy } from '../identity/lockout.js';
import type { User } from '../identity/users.js';
import type { LocalePreferences } from './messages-locale.js';

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
  /**
   * true: the step acts on a user an earlier step established (Keycloak's `requiresUser()`); the engine never runs it
   * without one, and an application cannot put it first
   */
  requiresUser: boolean;
  /** the user's failure counter this authenticator's counted failures go to; the engine resets it on success */
  counter?: FailureKind;
  /**
   * the locked reason (the `lockedReason` claim, the `account.locked` event) when this authenticator's failures lock
   * the account; by default the counter's (identity/lockout.ts `LockReason`)
   */
  lockReason?: string;
  /** user-facing texts by stable message id; pages look ids up here (and in the engine's own catalogue) */
  messages?: Record<string, string>;
  /** the same texts in other languages, by locale (messages-locale.ts); a missing id falls back to `messages` */
  translations?: Record<string, Record<string, string>>;
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
  | 'not-enrolled'
  | 'invalid-input'
  | 'configuration-error';

/** Values for a message's placeholders (minutes until unlock…). */
export type MessageParams = Record<string, string | number>;

/** A page to show: a stable page id (the web layer maps it to a template), its data and an optional notice. */
export interface PromptOutcome {
  kind: 'prompt';
  /** page id, e.g. 'password', 'sms-otp/code' */
  page: string;
  data: Record<string, unknown>;
  /** message id shown above the form (not a failure) */
  notice?: string;
  /**
   * keys of `data` that are shown but never stored with the login (a secret being set up): a reload gets them again
   * from the authenticator's `redisplay`
   */
  transient?: string[];
}

/** What every refusal says: why (for counters and audit) and what the user reads. */
interface Refusal {
  reason: FailureReason;
  /** message id for the user */
  message: string;
  params?: MessageParams;
}

/** Bad or missing input (an empty field, a malformed number): the page again, nothing counted. */
export interface RepromptOutcome extends Refusal {
  kind: 'reprompt';
  /** the page to show again; default the step's last page */
  prompt?: PromptOutcome;
}

/** Whose failure a failure is, under which lock policy; the engine records it on the descriptor's counter (identity/lockout). */
export interface FailureCount {
  user: User;
  policy: LockPolicy;
  /**
   * the message id (with `{minutes}`) the login ends with when this failure locks the account; absent, the user sees
   * the same answer as for any wrong attempt (a password page must not tell that an account exists)
   */
  lockedMessage?: string;
}

/** A wrong credential: a failed attempt, counted toward a lock when `counts` says against whom. */
export interface FailureOutcome extends Refusal {
  kind: 'failure';
  /** the page to try again on; absent: the login ends (retries are off) */
  prompt?: PromptOutcome;
  counts?: FailureCount;
}

/** A limit was reached (a resend cooldown, a send budget): the page again with the limit's message. */
export interface LimitOutcome extends Refusal {
  kind: 'limit';
  prompt?: PromptOutcome;
}

/** A service the step needs did not answer (the SMS gateway): the page again, offering what can still be done. */
export interface UnavailableOutcome extends Refusal {
  kind: 'unavailable';
  prompt?: PromptOutcome;
}

/** The login cannot go on (a disabled account, a missing mobile number with capture off). */
export interface FatalOutcome extends Refusal {
  kind: 'fatal';
}

export interface SuccessOutcome {
  kind: 'success';
  user: User;
  /** overrides the descriptor's amr (a backup code is not 'sms') */
  amr?: string[];
}

export interface SkipOutcome {
  kind: 'skip';
  reason: string;
}

export type Outcome =
  | PromptOutcome
  | RepromptOutcome
  | FailureOutcome
  | LimitOutcome
  | UnavailableOutcome
  | FatalOutcome
  | SuccessOutcome
  | SkipOutcome;

/** The outcomes that show a page again with a message: what the user did not get past. */
export type RetryOutcome = RepromptOutcome | FailureOutcome | LimitOutcome | UnavailableOutcome;

/** What an authenticator sees of the login: never an HTTP request. */
export interface StepContext<Config = unknown, State = unknown> {
  /** the login transaction id */
  loginId: string;
  application: Application;
  /** set for federated authenticators */
  idp?: IdentityProvider;
  /** this authenticator's configuration inside the idp, typed by its `readConfig` */
  config: Config;
  /** the user established by earlier steps; always set for an authenticator that `requiresUser` */
  user?: User;
  /** this step's own state, undefined until the step saved one; the engine persists what the authenticator leaves here */
  state: State | undefined;
  client: { ip: string; userAgent: string; locales?: LocalePreferences };
  publicUrl: string;
  now: number;
  /** audit sink */
  audit(event: string, data?: Record<string, unknown>): Promise<void>;
}

/**
 * An authenticator with its configuration and step state types. `Authenticator` alone (both unknown) is any
 * authenticator: the operations are methods, so a typed one is assignable to it, which is how the registry holds them.
 */
export interface Authenticator<Config = unknown, State = unknown> {
  descriptor: AuthenticatorDescriptor;
  /** the typed configuration from the one stored in the identity provider (local authenticators get `{}`) */
  readConfig(stored: Record<string, unknown>): Config;
  begin(ctx: StepContext<Config, State>): Promise<Outcome>;
  continue(ctx: StepContext<Config, State>, input: Record<string, string>): Promise<Outcome>;
  /**
   * Whether the user of `ctx` has this authenticator set up (an authenticator app, a passkey). A step that offers
   * several options offers only those the user has; absent, the authenticator counts as set up for everyone.
   */
  enrolled?(ctx: StepContext<Config, State>): Promise<boolean>;
  /** The current page again, rebuilt from the step's state without side effects (for prompts with `transient` data). */
  redisplay?(ctx: StepContext<Config, State>): Promise<PromptOutcome | undefined>;
}

export interface AuthenticatorRegistry {
  get(id: string): Authenticator | undefined;
  all(): Authenticator[];
}

export function createRegistry(list: Authenticator[]): AuthenticatorRegistry {
  // reads the list on each call, so the composition root may add authenticators after making the registry
  return { get: (id) => list.find((a) => a.descriptor.id === id), all: () => [...list] };
}
