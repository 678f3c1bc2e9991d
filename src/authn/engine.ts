/**
 * The step engine: runs an application's authentication sequence for one login transaction, whatever protocol
 * started it. It knows authenticators only through the contract and front doors only through their data shapes
 * (front-door.ts), persists the transaction with compare-and-set under a per-login lease, and answers the web layer
 * with a value that says what happens next — never an HTTP status (web/pages/outcome-status.ts maps intents).
 *
 * One pass of `view` or `submit` is an ordered list of small actions (VIEW_PASS, SUBMIT_PASS below):
 *
 *   load → check live ─┬─ view:   refuse passive → show saved prompt ─┐
 *                      └─ submit: refuse passive → check step field → switch option → read choice ─┤
 *        ┌─────────────────────────────────────────────────────────────────────────┘
 *        └▶ pick option → run step (begin / continue) → apply outcome ─(step passed)─▶ pick option …
 *                                                           └─(no step left)─▶ finish → commit (compare-and-set)
 *
 * Each action hands the pass on, jumps back (a passed step picks the next option), or ends it with a result; a pass
 * that changed the transaction ends with one compare-and-set write.
 */
import type { Application, ApplicationStore, SequenceOption } from '../identity/applications.js';
import type { AuditLog } from '../identity/audit.js';
import type { IdentityProviderStore } from '../identity/identity-providers.js';
import { LockReason, recordFailure, resetFailures } from '../identity/lockout.js';
import { preferredOption, rememberOption } from '../identity/preferred-options.js';
import { claimValue, getUserById, isLocked, type User } from '../identity/users.js';
import type { StateStore, Versioned } from '../state/state-store.js';
import type { Db } from '../store/db.js';
import { noopTracer, type Tracer } from '../tracing.js';
import { ACR, summarise } from './acr.js';
import type {
  Authenticator,
  AuthenticatorRegistry,
  FailureOutcome,
  MessageParams,
  Outcome,
  PromptOutcome,
  StepContext,
} from './authenticator.js';
import type { LoginCompletion, LoginProtocol, LoginRefusal, LoginRequest } from './front-door.js';
import { createLoginLease, type LeaseTiming } from './lease.js';
import { type LoginTransaction, protocolOf, requirementsOf, transactionKey } from './login-transaction.js';
import type { EngineMessageId } from './messages.js';
import { type LocalePreferences, userLocaleOf } from './messages-locale.js';

export interface ClientInfo {
  ip: string;
  userAgent: string;
  /** the languages the request asks for (messages-locale.ts) */
  locales?: LocalePreferences;
}

/** Why a page is shown: what the user is asked for, or what they did not get past. The web layer picks the status. */
export type PageIntent = 'prompt' | 'reprompt' | 'failure' | 'limit' | 'unavailable';

/** Why a login cannot go on: it failed for good, it expired (or never existed), or the request could not be read. */
export type ErrorIntent = 'fatal' | 'expired' | 'bad-input';

export type EngineResult =
  | {
      type: 'page';
      intent: PageIntent;
      /** page id (the web layer maps it to a template) */
      page: string;
      data: Record<string, unknown>;
      notice?: string;
      tx: LoginTransaction;
      options?: OptionChoice[];
    }
  /** every step passed: the front door that owns the login answers the application */
  /** (`username`: the user's name as this pass read it, for the login's audit event) */
  | { type: 'finish'; completion: LoginCompletion; tx: LoginTransaction; username: string }
  /** the login cannot give the application what it asked for: the front door answers with its protocol's error */
  | { type: 'refuse'; refusal: LoginRefusal; tx: LoginTransaction }
  /** the login was completed before (a late double submit): where the winner went, if the front door said */
  | { type: 'completed'; protocol: LoginProtocol; returnTo?: string }
  | { type: 'error'; intent: ErrorIntent; message: string; params?: MessageParams }
  /** another submission changed the transaction first: show the current state */
  | { type: 'conflict' };

export interface OptionChoice {
  authenticator: string;
  idp?: string;
  displayName: string;
}

export interface EngineDeps {
  db: Db;
  state: StateStore;
  registry: AuthenticatorRegistry;
  applications: ApplicationStore;
  identityProviders: IdentityProviderStore;
  audit: AuditLog;
  publicUrl: string;
  transactionTtlMs: number;
  clock?: () => number;
  /** the per-login lease; tests shorten it to see a step outlive it */
  lease?: LeaseTiming;
  /** spans of each pass and each authenticator call (tracing.ts); a no-op by default */
  tracer?: Tracer;
}

/** One pass over a login: what the actions read and fill in, in the order they run. */
interface Pass {
  id: string;
  client: ClientInfo;
  /** the submitted form (submit passes); consumed by the first authenticator that continues with it */
  input?: Record<string, string>;
  tx: LoginTransaction;
  version: number;
  app: Application;
  /** the authenticator's answer, for applyOutcome */
  outcome?: Outcome;
  /** the transaction changed: the pass ends with a compare-and-set write */
  changed: boolean;
}

/** An action hands the pass on (undefined), ends it with a result, or sends it back to an earlier action. */
type Next = EngineResult | { goto: Action } | undefined;
type Action = (pass: Pass) => Promise<Next> | Next;

const ok = undefined;
const conflict = (): EngineResult => ({ type: 'conflict' });

export function createEngine(deps: EngineDeps) {
  const clock = deps.clock ?? Date.now;
  const lease = createLoginLease(deps.state, deps.lease);
  const tracer = deps.tracer ?? noopTracer;

  const load = (id: string) => deps.state.get<LoginTransaction>(transactionKey(id));

  // ── the actions of a pass, in the order they run ────────────────────────────────────────────────────────────────

  /**
   * load → check live → load the application: a pass over an expired, finished or failed login ends here. `known` is
   * the record the caller read in this request (a view's first look, which takes no lease); a pass under the lease
   * always reads it again.
   */
  async function loadTransaction(
    id: string,
    known?: Versioned<LoginTransaction>,
  ): Promise<EngineResult | Omit<Pass, 'id' | 'client' | 'changed'>> {
    const record = known ?? (await load(id));
    if (!record || record.value.expiresAt <= clock()) return error('expired', 'login.expired');
    const tx = record.value;
    if (tx.status === 'completed')
      return { type: 'completed', protocol: protocolOf(tx), ...(tx.returnTo ? { returnTo: tx.returnTo } : {}) };
    if (tx.status === 'failed') return error('fatal', tx.error?.message ?? 'login.failed', tx.error?.params);
    const app = await deps.applications.get(tx.applicationId);
    if (!app) return error('fatal', 'login.configuration-changed');
    return { tx, version: record.version, app };
  }

  /**
   * A passive login (OIDC prompt=none, SAML IsPassive) may show no page, and every step asks the user something or may
   * send something (an SMS) as it begins: it is refused before any step begins. Reusing a session is the front door's.
   */
  const refusePassive: Action = (p) =>
    requirementsOf(p.tx).passive
      ? refuse(
          p,
          'interaction-required',
          'login.interaction-required',
          'The login needs the user to interact, and the application asked for none.',
        )
      : ok;

  /** A begun step shows its saved prompt again: a reload never begins a step twice (no second SMS). */
  const showSavedPrompt: Action = async (p) => {
    const prompt = await savedPrompt(p);
    return prompt ? page(p.tx, 'prompt', prompt) : ok;
  };

  /** A form for another step than the current one (a stale tab, the loser of a race) sees the current state. */
  const checkStepField: Action = ({ tx, app, input }) =>
    app.steps[tx.stepIndex] && input?.step !== undefined && input.step !== String(tx.stepIndex)
      ? { type: 'conflict' }
      : ok;

  /** "Try another way": the user leaves the option their step started with and sees every option they have. */
  const switchOption: Action = async (p) => {
    if (p.input?.another === undefined) return ok;
    delete p.input;
    // nothing to switch to: the page as it is (never a second begin, which could send a second SMS)
    if (!p.tx.current?.alternatives) {
      const prompt = await savedPrompt(p);
      return prompt ? page(p.tx, 'prompt', prompt) : conflict();
    }
    delete p.tx.current;
    p.tx.offerChoice = p.tx.stepIndex;
    p.changed = true;
    return ok;
  };

  /** The user picked one option of a step that offers several: only one the step offers this user. */
  const readChoice: Action = async (p) => {
    const choice = p.input?.choose;
    const step = p.app.steps[p.tx.stepIndex];
    if (choice === undefined || !step) return ok;
    const named = (o: SequenceOption) => optionKey(o) === choice;
    const options = await offeredOptions(p, await availableOptions(step.options));
    const option = options.length > 1 ? options.find(named) : undefined;
    if (!option) {
      // an option switched off since the choice was shown: the page shows what is left
      if (step.options.length > 1 && step.options.some(named)) return { type: 'conflict' };
      return error('bad-input', 'login.bad-request');
    }
    // choosing the option already running shows it again: a restart would reset its resend and guess limits
    const running = p.tx.current && named(p.tx.current) ? await savedPrompt(p) : undefined;
    if (running) return page(p.tx, 'prompt', running);
    // the next login with a step like this one starts with this option (WSO2's "preferred MFA option")
    if (p.tx.userId) await rememberOption(deps.db, p.tx.userId, choice, clock());
    startOption(p, option, true);
    delete p.input;
    return ok;
  };

  /** The option this step runs: the one in progress, the only one available, or the user's choice among several. */
  const pickOption: Action = async (p) => {
    if (p.tx.current) return ok;
    const step = p.app.steps[p.tx.stepIndex];
    if (!step) return { goto: finishLogin };
    const available = await availableOptions(step.options);
    // a step whose every option is switched off fails closed: skipping it would hand out a weaker login
    if (available.length === 0) return stepUnavailable(p);
    const options = await offeredOptions(p, available);
    if (options.length === 1) {
      startOption(p, options[0]!, false);
      return ok;
    }
    // the option this user chose last time, unless they asked to see them all ("Try another way")
    const preferred =
      p.tx.offerChoice !== p.tx.stepIndex && p.tx.userId ? await preferredOption(deps.db, p.tx.userId) : undefined;
    const start = preferred !== undefined ? options.find((o) => optionKey(o) === preferred) : undefined;
    if (start) {
      startOption(p, start, true);
      return ok;
    }
    return {
      type: 'page',
      intent: 'prompt',
      page: 'choose',
      data: { step: p.tx.stepIndex + 1 },
      tx: p.tx,
      options: optionsOf(options),
    };
  };

  /** begin or continue the current option's authenticator, through the contract only. */
  const runStep: Action = async (p) => {
    const current = p.tx.current!;
    const authenticator = deps.registry.get(current.authenticator);
    if (!authenticator) return fail(p, 'login.configuration-changed');
    const ctx = await contextFor(p, authenticator);
    if ('error' in ctx) return fail(p, ctx.error);
    // the form belongs to a begun step; a step that has not begun yet begins instead (its first page)
    const input = current.begun ? p.input : undefined;
    delete p.input;
    // the span names the step and what came of it (the outcome's intent and message id), never the input
    const call = input ? 'continue' : 'begin';
    p.outcome = await tracer.span(
      `authenticator.${call}`,
      {
        'stepgate.application.id': p.app.id,
        'stepgate.login.step': p.tx.stepIndex + 1,
        'stepgate.authenticator': current.authenticator,
        ...(current.idp ? { 'stepgate.identity_provider': current.idp } : {}),
      },
      async (span) => {
        const outcome = input ? await authenticator.continue(ctx, input) : await authenticator.begin(ctx);
        span.set({
          'stepgate.outcome': outcome.kind,
          ...('message' in outcome && outcome.message ? { 'stepgate.outcome.message': outcome.message } : {}),
        });
        return outcome;
      },
    );
    current.state = ctx.state;
    p.changed = true;
    return ok;
  };

  /** What the outcome means for the login: a page to show, the end of it, or the next step. */
  const applyOutcome: Action = async (p) => {
    const outcome = p.outcome!;
    delete p.outcome;
    const current = p.tx.current!;
    switch (outcome.kind) {
      case 'prompt':
        current.begun = true;
        current.lastPrompt = toSave(outcome);
        return page(p.tx, 'prompt', outcome);
      case 'failure': {
        const locked = await countFailure(p, outcome);
        if (locked) return locked;
        if (!outcome.prompt) return fail(p, outcome.message, outcome.params);
        return retryPage(p, 'failure', outcome.message, outcome.params, outcome.prompt);
      }
      case 'reprompt':
      case 'limit':
      case 'unavailable':
        return retryPage(p, outcome.kind, outcome.message, outcome.params, outcome.prompt);
      case 'fatal':
        return fail(p, outcome.message, outcome.params);
      case 'skip':
      case 'success':
        if (outcome.kind === 'success') {
          if (p.tx.userId && p.tx.userId !== outcome.user.id) return fail(p, 'login.user-mismatch');
          await resetCounter(outcome.user, deps.registry.get(current.authenticator));
          p.tx.userId = outcome.user.id;
          const userLocale = userLocaleOf(outcome.user);
          if (userLocale) p.tx.locale = userLocale;
          const amr = outcome.amr ?? deps.registry.get(current.authenticator)?.descriptor.amr ?? [];
          p.tx.amr = [...new Set([...p.tx.amr, ...amr])];
        }
        p.tx.passed.push({
          step: p.tx.stepIndex,
          authenticator: current.authenticator,
          ...(current.idp ? { idp: current.idp } : {}),
          ...(outcome.kind === 'skip' ? { skipped: true } : {}),
        });
        p.tx.stepIndex += 1;
        delete p.tx.current;
        return { goto: pickOption };
    }
  };

  /** Every step passed: check the user one last time and what the application asked for, then hand the login on. */
  const finishLogin: Action = async (p) => {
    const { tx, app } = p;
    p.changed = true;
    if (!tx.userId) return fail(p, 'login.no-user');
    const user = await getUserById(deps.db, tx.userId);
    if (!user?.enabled) return fail(p, 'login.user-gone');
    if (isLocked(user, clock())) return fail(p, 'login.user-locked');
    // the application knows users by its subject claim: without a value there is no subject to give, and the
    // internal id is never given instead (it would be a second, different identity of the same person)
    if (!(await claimValue(deps.db, user, app.subjectClaimUri))) {
      await audit(p, 'login.no-subject', user, { subjectClaim: app.subjectClaimUri });
      return fail(p, 'login.no-subject');
    }
    const { amr, acr } = summarise(tx.amr);
    // an application that asked only for stronger authentication than this login reached gets an error, never a
    // silently weaker answer (a user who turned SMS OTP off passes with one factor)
    const acceptable = requirementsOf(tx).acceptableAcr ?? [];
    const known = Object.values(ACR) as string[];
    if (acceptable.length > 0 && !acceptable.includes(acr) && acceptable.some((a) => known.includes(a)))
      return refuse(
        p,
        'acr-unmet',
        'login.acr-unmet',
        `This login reached ${acr}, the application asked for ${acceptable.join(' or ')}.`,
      );
    const now = clock();
    tx.status = 'completed';
    tx.completedAt = now;
    return {
      type: 'finish',
      completion: { loginId: tx.id, applicationId: tx.applicationId, accountId: user.id, amr, acr, authTime: now },
      tx,
      username: user.username,
    };
  };

  /** The pass that shows the login: begins the current step once, or shows its saved page. */
  const VIEW_PASS: Action[] = [refusePassive, showSavedPrompt, pickOption, runStep, applyOutcome, finishLogin];
  /** The pass of a form submission: the step field, a choice, then the current step continues with the form. */
  const SUBMIT_PASS: Action[] = [
    refusePassive,
    checkStepField,
    switchOption,
    readChoice,
    pickOption,
    runStep,
    applyOutcome,
    finishLogin,
  ];

  /** A pass in its span: the application, the step it began at and what it answered with. */
  function run(actions: Action[], id: string, client: ClientInfo, input?: Record<string, string>) {
    return tracer.span(input ? 'login.submit' : 'login.view', {}, async (span) => {
      const result = await runPass(actions, id, client, input, (attributes) => span.set(attributes));
      span.set({
        'stepgate.login.result': result.type,
        ...('intent' in result ? { 'stepgate.login.intent': result.intent } : {}),
      });
      return result;
    });
  }

  async function runPass(
    actions: Action[],
    id: string,
    client: ClientInfo,
    input: Record<string, string> | undefined,
    describe: (attributes: Record<string, string | number>) => void,
  ) {
    const loaded = await loadTransaction(id);
    if ('type' in loaded) return loaded;
    const p: Pass = { id, client, ...(input ? { input } : {}), ...loaded, changed: false };
    describe({ 'stepgate.application.id': p.app.id, 'stepgate.login.step': p.tx.stepIndex + 1 });
    let result: EngineResult | undefined;
    for (let i = 0; i < actions.length && !result; ) {
      const next = await actions[i]!(p);
      if (next === undefined) i += 1;
      else if ('goto' in next) i = actions.indexOf(next.goto);
      else result = next;
    }
    return p.changed ? commit(result!, p) : result!;
  }

  // ── helpers of the actions ──────────────────────────────────────────────────────────────────────────────────────

  function error(intent: 'fatal' | 'expired' | 'bad-input', message: EngineMessageId | string, params?: MessageParams) {
    return { type: 'error', intent, message, ...(params ? { params } : {}) } satisfies EngineResult;
  }

  function page(tx: LoginTransaction, intent: PageIntent, prompt: PromptOutcome): EngineResult {
    return {
      type: 'page',
      intent,
      page: prompt.page,
      // a step that offered other options too: the page offers to switch ("Try another way")
      data: tx.current?.alternatives ? { ...prompt.data, canSwitch: true } : prompt.data,
      ...(prompt.notice ? { notice: prompt.notice } : {}),
      tx,
    };
  }

  /** The page again with the message of what went wrong; a reload shows it as it is now (the message stays). */
  async function retryPage(
    p: Pass,
    intent: PageIntent,
    message: string,
    params: MessageParams = {},
    prompt?: PromptOutcome,
  ) {
    const current = p.tx.current!;
    const base: PromptOutcome = prompt ?? (await savedPrompt(p)) ?? { kind: 'prompt', page: 'error', data: {} };
    current.begun = true;
    const shown: PromptOutcome = { ...base, notice: message, data: { ...base.data, ...params } };
    current.lastPrompt = toSave(shown);
    return page(p.tx, intent, shown);
  }

  /** A prompt as the transaction keeps it: without the data it shows but must never store (a secret being set up). */
  function toSave(prompt: PromptOutcome): PromptOutcome {
    if (!prompt.transient) return prompt;
    const data = { ...prompt.data };
    for (const key of prompt.transient) delete data[key];
    return { ...prompt, data };
  }

  /** The begun step's saved page; what it shows but did not store is rebuilt from the step's state by its authenticator. */
  async function savedPrompt(p: Pass): Promise<PromptOutcome | undefined> {
    const prompt = p.tx.current?.begun ? p.tx.current.lastPrompt : undefined;
    if (!prompt?.transient) return prompt;
    const authenticator = deps.registry.get(p.tx.current!.authenticator);
    const ctx = authenticator?.redisplay ? await contextFor(p, authenticator) : undefined;
    const again = ctx && !('error' in ctx) ? await authenticator!.redisplay!(ctx) : undefined;
    return again ? { ...prompt, data: { ...prompt.data, ...again.data } } : prompt;
  }

  function fail(p: Pass, message: EngineMessageId | string, params?: MessageParams): EngineResult {
    p.tx.status = 'failed';
    p.tx.error = { message, ...(params ? { params } : {}) };
    p.changed = true;
    return error('fatal', message, params);
  }

  function refuse(p: Pass, reason: LoginRefusal['reason'], message: EngineMessageId, description: string) {
    p.tx.status = 'failed';
    p.tx.error = { message };
    p.changed = true;
    return { type: 'refuse', refusal: { loginId: p.tx.id, reason, description }, tx: p.tx } satisfies EngineResult;
  }

  function startOption(p: Pass, option: SequenceOption, alternatives: boolean) {
    p.tx.current = {
      authenticator: option.authenticator,
      ...(option.idp ? { idp: option.idp } : {}),
      begun: false,
      ...(alternatives ? { alternatives } : {}),
    };
    delete p.tx.offerChoice;
    p.changed = true;
  }

  /** How a choice names an option on the choose page and in the user's remembered choice. */
  function optionKey(o: SequenceOption): string {
    return `${o.idp ?? ''}:${o.authenticator}`;
  }

  /**
   * The options of a step offered to the user of this login: those they have set up (an authenticator without
   * `enrolled` counts as set up). A user who has none of them is offered them all, so each can offer to be set up
   * inside the login (an authenticator app, a mobile number): a user who has one is never offered to add another
   * with the factors of the earlier steps alone. Before any user is known, every option.
   */
  async function offeredOptions(p: Pass, options: SequenceOption[]): Promise<SequenceOption[]> {
    if (!p.tx.userId || options.length < 2) return options;
    const enrolled: SequenceOption[] = [];
    for (const option of options) {
      const authenticator = deps.registry.get(option.authenticator)!;
      if (!authenticator.enrolled) {
        enrolled.push(option);
        continue;
      }
      const ctx = await contextFor(p, authenticator, { authenticator: option.authenticator, idp: option.idp });
      if (!('error' in ctx) && (await authenticator.enrolled(ctx))) enrolled.push(option);
    }
    return enrolled.length > 0 ? enrolled : options;
  }

  function optionsOf(options: SequenceOption[]): OptionChoice[] {
    return options.map((o) => {
      const name = deps.registry.get(o.authenticator)?.descriptor.displayName ?? o.authenticator;
      return {
        authenticator: o.authenticator,
        ...(o.idp ? { idp: o.idp } : {}),
        displayName: o.idp ? `${name} (${o.idp})` : name,
      };
    });
  }

  /** The options of a step that can run now: a registered authenticator, and for a federated one an enabled IdP entry. */
  async function availableOptions(options: SequenceOption[]): Promise<SequenceOption[]> {
    const available: SequenceOption[] = [];
    for (const option of options) {
      if (!deps.registry.get(option.authenticator)) continue;
      if (option.idp) {
        const idp = await deps.identityProviders.getByName(option.idp);
        if (!idp?.enabled || !idp.authenticators.some((a) => a.type === option.authenticator && a.enabled)) continue;
      }
      available.push(option);
    }
    return available;
  }

  async function stepUnavailable(p: Pass): Promise<EngineResult> {
    const step = p.app.steps[p.tx.stepIndex]!;
    await audit(p, 'login.step-unavailable', undefined, {
      step: p.tx.stepIndex,
      options: step.options.map((o) => (o.idp ? `${o.authenticator} (${o.idp})` : o.authenticator)),
    });
    return fail(p, 'login.method-unavailable');
  }

  /** What the authenticator sees of the login: its typed configuration, the user of earlier steps, its own state. */
  async function contextFor(
    p: Pass,
    authenticator: Authenticator,
    current: { authenticator: string; idp?: string | undefined; state?: unknown } = p.tx.current!,
  ): Promise<StepContext | { error: EngineMessageId }> {
    let idp: StepContext['idp'];
    let stored: Record<string, unknown> = {};
    if (current.idp) {
      idp = await deps.identityProviders.getByName(current.idp);
      const entry = idp?.authenticators.find((a) => a.type === current.authenticator);
      if (!idp?.enabled || !entry?.enabled) return { error: 'login.method-unavailable' };
      stored = entry.config;
    }
    let user: User | undefined;
    if (p.tx.userId) {
      user = await getUserById(deps.db, p.tx.userId);
      // no later step runs for a user disabled (or deleted) since an earlier one: no SMS goes to a disabled account
      if (!user?.enabled) return { error: 'login.user-gone' };
    } else if (authenticator.descriptor.requiresUser) return { error: 'login.needs-user' };
    return {
      loginId: p.tx.id,
      application: p.app,
      ...(idp ? { idp } : {}),
      config: authenticator.readConfig(stored),
      ...(user ? { user } : {}),
      state: current.state,
      client: p.client,
      publicUrl: deps.publicUrl,
      now: clock(),
      audit: (event, data = {}) => audit(p, event, user, data),
    };
  }

  /**
   * The one place a failed attempt is counted toward a lock (identity/lockout.ts, one atomic UPDATE on the shared
   * database). Returns the end of the login when the failure locked the account and the authenticator may say so.
   */
  async function countFailure(p: Pass, outcome: FailureOutcome): Promise<EngineResult | undefined> {
    const descriptor = deps.registry.get(p.tx.current!.authenticator)?.descriptor;
    const counter = descriptor?.counter;
    if (!outcome.counts || !counter) return undefined;
    const { user, policy, lockedMessage } = outcome.counts;
    const now = clock();
    const reason = descriptor.lockReason ?? LockReason[counter];
    const counted = await recordFailure(deps.db, user.id, counter, policy, now, reason);
    if (!counted.locked) return undefined;
    await audit(p, 'account.locked', user, {
      username: user.username,
      reason,
      until: counted.lockedUntil,
    });
    if (!lockedMessage) return undefined;
    return fail(p, lockedMessage, { minutes: Math.max(1, Math.ceil((counted.lockedUntil! - now) / 60_000)) });
  }

  /** A passed step starts its counter again (only when there was something to reset: no write on most logins). */
  async function resetCounter(user: User, authenticator: Authenticator | undefined) {
    const counter = authenticator?.descriptor.counter;
    if (!counter) return;
    const count = counter === 'password' ? user.failedPasswordCount : user.failedOtpCount;
    if (count > 0) await resetFailures(deps.db, user.id, counter);
  }

  function audit(p: Pass, event: string, user: User | undefined, data: Record<string, unknown>) {
    return deps.audit.record({
      event,
      userId: user?.id ?? p.tx.userId ?? null,
      username: user?.username ?? null,
      clientId: p.app.clientId,
      ip: p.client.ip,
      data: { loginId: p.tx.id, ...data },
    });
  }

  /** A small change outside a pass (a few compare-and-set tries); `change` returns undefined to leave it as it is. */
  async function amend(id: string, change: (tx: LoginTransaction) => LoginTransaction | undefined): Promise<void> {
    for (let i = 0; i < 3; i++) {
      const record = await load(id);
      const changed = record && change(record.value);
      if (!record || !changed) return;
      const ttl = Math.max(1000, changed.expiresAt - clock());
      if (await deps.state.replace(transactionKey(id), record.version, changed, ttl)) return;
    }
  }

  async function commit(result: EngineResult, p: Pass): Promise<EngineResult> {
    const ttl = Math.max(1000, p.tx.expiresAt - clock());
    // the pass's one write, in its own span: a slow state store (Redis, the database) shows here
    const saved = await tracer.span('login.save', { 'stepgate.state.kind': deps.state.kind }, async (span) => {
      const won = await deps.state.replace(transactionKey(p.tx.id), p.version, p.tx, ttl);
      span.set({ 'stepgate.state.compare_and_set': won ? 'won' : 'lost' });
      return won;
    });
    return saved ? result : { type: 'conflict' };
  }

  return {
    /**
     * A front door starts a login: the transaction is created under the front door's id. A second call for the same
     * id keeps the first. False when the application does not exist.
     */
    async start(request: LoginRequest): Promise<boolean> {
      const application = await deps.applications.get(request.applicationId);
      if (!application) return false;
      const now = clock();
      const tx: LoginTransaction = {
        id: request.loginId,
        protocol: request.protocol,
        clientId: application.clientId,
        applicationId: application.id,
        status: 'in-progress',
        requirements: request.requirements,
        stepIndex: 0,
        amr: [],
        passed: [],
        createdAt: now,
        expiresAt: now + deps.transactionTtlMs,
      };
      await deps.state.create(transactionKey(request.loginId), tx, deps.transactionTtlMs);
      return true;
    },
    load,
    /**
     * What the user sees now: begins the current step once; a reload shows the same prompt without side effects.
     * `known`: the transaction as the caller read it in this request, so that it is not read twice.
     */
    async view(id: string, client: ClientInfo, known?: Versioned<LoginTransaction>): Promise<EngineResult> {
      const loaded = await loadTransaction(id, known);
      if ('type' in loaded) return loaded;
      const saved = await showSavedPrompt({ id, client, ...loaded, changed: false });
      if (saved && !('goto' in saved)) return saved;
      // beginning a step has side effects (an SMS): one request at a time, then look again
      return lease.exclusive(id, () => run(VIEW_PASS, id, client), conflict);
    },
    /** Handles a form submission for the current step, one submission of a login at a time. */
    submit: (id: string, input: Record<string, string>, client: ClientInfo) =>
      lease.exclusive(id, () => run(SUBMIT_PASS, id, client, input), conflict),
    /** The user or the front door ends the login without a user (Cancel): later submissions see it failed. */
    async cancel(id: string): Promise<void> {
      await amend(id, (tx) =>
        tx.status === 'in-progress' ? { ...tx, status: 'failed', error: { message: 'login.failed' } } : undefined,
      );
    },
    /** Remembers where the browser continues after a redirect answer, so a late double submit lands there as well. */
    async remember(id: string, returnTo: string): Promise<void> {
      await amend(id, (tx) => ({ ...tx, returnTo }));
    },
  };
}

export type Engine = ReturnType<typeof createEngine>;
