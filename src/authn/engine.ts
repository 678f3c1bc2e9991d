/**
 * The step engine: runs an application's authentication sequence for one login transaction.
 * It knows authenticators only through the contract, persists the transaction with compare-and-set, and
 * answers the web layer with a value: show a page, finish the login, show an error, or "someone else won the race".
 *
 * One pass of `view` or `submit` is an ordered pipeline:
 *   load transaction → check it is live → pick the step option → begin / continue → apply the outcome → save (CAS)
 */
import { randomUUID } from 'node:crypto';
import type { Application, ApplicationStore, AuthenticationStep, SequenceOption } from '../identity/applications.js';
import type { AuditLog } from '../identity/audit.js';
import type { IdentityProviderStore } from '../identity/identity-providers.js';
import { claimValue, getUserById, isLocked, type User } from '../identity/users.js';
import type { StateStore } from '../state/state-store.js';
import type { Db } from '../store/db.js';
import { ACR, summarise } from './acr.js';
import type { AuthenticatorRegistry, Outcome, PromptOutcome, StepContext } from './authenticator.js';
import { type LoginTransaction, transactionKey } from './login-transaction.js';

export interface ClientInfo {
  ip: string;
  userAgent: string;
}

export type EngineResult =
  | {
      type: 'page';
      view: string;
      data: Record<string, unknown>;
      notice?: string;
      status: number;
      tx: LoginTransaction;
      options?: OptionChoice[];
    }
  | { type: 'finish'; accountId: string; amr: string[]; acr: string; tx: LoginTransaction }
  | { type: 'completed'; returnTo?: string }
  | { type: 'error'; message: string; params?: Record<string, string | number>; status: number }
  /** the login cannot give the application what it asked for: answer the application with this OAuth error */
  | { type: 'deny'; error: string; description: string; tx: LoginTransaction }
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
}

/** How long a request waits for another request of the same login, and how long a lease lives if its node dies. */
const LEASE_WAIT_MS = 5000;
const LEASE_TTL_MS = 10_000;

export function createEngine(deps: EngineDeps) {
  const clock = deps.clock ?? Date.now;

  async function load(id: string) {
    return deps.state.get<LoginTransaction>(transactionKey(id));
  }

  /** Creates the transaction for a new interaction; a second call for the same uid keeps the first. */
  async function start(id: string, application: Application, requestedAcr: string[] = []): Promise<void> {
    const now = clock();
    const tx: LoginTransaction = {
      ...(requestedAcr.length > 0 ? { requestedAcr } : {}),
      id,
      clientId: application.clientId,
      applicationId: application.id,
      status: 'in-progress',
      stepIndex: 0,
      amr: [],
      passed: [],
      createdAt: now,
      expiresAt: now + deps.transactionTtlMs,
    };
    await deps.state.create(transactionKey(id), tx, deps.transactionTtlMs);
  }

  async function save(tx: LoginTransaction, version: number): Promise<boolean> {
    const ttl = Math.max(1000, tx.expiresAt - clock());
    return deps.state.replace(transactionKey(tx.id), version, tx, ttl);
  }

  function optionsOf(options: SequenceOption[]): OptionChoice[] {
    return options.map((o) => ({
      authenticator: o.authenticator,
      ...(o.idp ? { idp: o.idp } : {}),
      displayName: o.idp
        ? `${deps.registry.get(o.authenticator)?.descriptor.displayName ?? o.authenticator} (${o.idp})`
        : (deps.registry.get(o.authenticator)?.descriptor.displayName ?? o.authenticator),
    }));
  }

  async function context(
    tx: LoginTransaction,
    app: Application,
    client: ClientInfo,
  ): Promise<StepContext | { error: string }> {
    const current = tx.current!;
    let idp: StepContext['idp'];
    let config: Record<string, unknown> = {};
    if (current.idp) {
      idp = await deps.identityProviders.getByName(current.idp);
      const entry = idp?.authenticators.find((a) => a.type === current.authenticator);
      if (!idp?.enabled || !entry?.enabled) return { error: 'login.method-unavailable' };
      config = entry.config;
    }
    let user: User | undefined;
    if (tx.userId) {
      user = await getUserById(deps.db, tx.userId);
      // no later step runs for a user disabled (or deleted) since an earlier one: no SMS goes to a disabled account
      if (!user?.enabled) return { error: 'login.user-gone' };
    }
    return {
      loginId: tx.id,
      application: app,
      ...(idp ? { idp } : {}),
      config,
      ...(user ? { user } : {}),
      state: current.state,
      client,
      publicUrl: deps.publicUrl,
      now: clock(),
      audit: (event, data = {}) =>
        deps.audit.record({
          event,
          userId: user?.id ?? null,
          username: user?.username ?? null,
          clientId: app.clientId,
          ip: client.ip,
          data: { loginId: tx.id, ...data },
        }),
    };
  }

  /** Applies an authenticator's outcome to the transaction and decides what the user sees next. */
  async function apply(
    tx: LoginTransaction,
    app: Application,
    outcome: Outcome,
    client: ClientInfo,
  ): Promise<EngineResult> {
    const current = tx.current!;
    switch (outcome.kind) {
      case 'prompt':
        current.begun = true;
        current.lastPrompt = outcome;
        return page(tx, outcome);
      case 'failure': {
        if (outcome.fatal) {
          tx.status = 'failed';
          tx.error = { message: outcome.message, ...(outcome.params ? { params: outcome.params } : {}) };
          return {
            type: 'error',
            message: outcome.message,
            ...(outcome.params ? { params: outcome.params } : {}),
            status: 403,
          };
        }
        const retry: PromptOutcome = outcome.retry ?? current.lastPrompt ?? { kind: 'prompt', view: 'error', data: {} };
        current.begun = true;
        current.lastPrompt = { ...retry, notice: outcome.message, data: { ...retry.data, ...(outcome.params ?? {}) } };
        return page(tx, { ...current.lastPrompt, status: retry.status ?? 400 });
      }
      case 'skip':
      case 'success': {
        if (outcome.kind === 'success') {
          if (tx.userId && tx.userId !== outcome.user.id) {
            tx.status = 'failed';
            tx.error = { message: 'login.user-mismatch' };
            return { type: 'error', message: 'login.user-mismatch', status: 403 };
          }
          tx.userId = outcome.user.id;
          const amr = outcome.amr ?? deps.registry.get(current.authenticator)?.descriptor.amr ?? [];
          tx.amr = [...new Set([...tx.amr, ...amr])];
        }
        tx.passed.push({
          step: tx.stepIndex,
          authenticator: current.authenticator,
          ...(current.idp ? { idp: current.idp } : {}),
          ...(outcome.kind === 'skip' ? { skipped: true } : {}),
        });
        tx.stepIndex += 1;
        delete tx.current;
        return advance(tx, app, client);
      }
    }
  }

  function page(tx: LoginTransaction, prompt: PromptOutcome): EngineResult {
    return {
      type: 'page',
      view: prompt.view,
      data: prompt.data,
      ...(prompt.notice ? { notice: prompt.notice } : {}),
      status: prompt.status ?? 200,
      tx,
    };
  }

  /** Moves to the next step: finish when none is left, ask the user to choose when a step offers several options. */
  async function advance(tx: LoginTransaction, app: Application, client: ClientInfo): Promise<EngineResult> {
    const step = app.steps[tx.stepIndex];
    if (!step) return finish(tx, app, client);
    if (!tx.current) {
      const options = await availableOptions(step);
      // a step whose every option is switched off fails closed: skipping it would hand out a weaker login
      if (options.length === 0) return unavailable(tx, app, step, client);
      if (options.length > 1)
        return {
          type: 'page',
          view: 'choose',
          data: { step: tx.stepIndex + 1 },
          status: 200,
          tx,
          options: optionsOf(options),
        };
      const option = options[0]!;
      tx.current = {
        authenticator: option.authenticator,
        ...(option.idp ? { idp: option.idp } : {}),
        begun: false,
        state: {},
      };
    }
    return beginCurrent(tx, app, client);
  }

  /** The options of a step that can run now: a registered authenticator, and for a federated one an enabled IdP entry. */
  async function availableOptions(step: AuthenticationStep): Promise<SequenceOption[]> {
    const available: SequenceOption[] = [];
    for (const option of step.options) {
      if (!deps.registry.get(option.authenticator)) continue;
      if (option.idp) {
        const idp = await deps.identityProviders.getByName(option.idp);
        if (!idp?.enabled || !idp.authenticators.some((a) => a.type === option.authenticator && a.enabled)) continue;
      }
      available.push(option);
    }
    return available;
  }

  async function unavailable(
    tx: LoginTransaction,
    app: Application,
    step: AuthenticationStep,
    client: ClientInfo,
  ): Promise<EngineResult> {
    await deps.audit.record({
      event: 'login.step-unavailable',
      userId: tx.userId ?? null,
      clientId: app.clientId,
      ip: client.ip,
      data: {
        loginId: tx.id,
        step: tx.stepIndex,
        options: step.options.map((o) => (o.idp ? `${o.authenticator} (${o.idp})` : o.authenticator)),
      },
    });
    return fail(tx, 'login.method-unavailable');
  }

  async function beginCurrent(tx: LoginTransaction, app: Application, client: ClientInfo): Promise<EngineResult> {
    const authenticator = deps.registry.get(tx.current!.authenticator);
    if (!authenticator) return fail(tx, 'login.configuration-changed');
    const ctx = await context(tx, app, client);
    if ('error' in ctx) return fail(tx, ctx.error);
    const outcome = await authenticator.begin(ctx);
    tx.current!.state = ctx.state;
    return apply(tx, app, outcome, client);
  }

  function fail(tx: LoginTransaction, message: string): EngineResult {
    tx.status = 'failed';
    tx.error = { message };
    return { type: 'error', message, status: 403 };
  }

  /** Every step passed: check the user one last time and hand oidc-provider the account and methods. */
  async function finish(tx: LoginTransaction, app: Application, client: ClientInfo): Promise<EngineResult> {
    if (!tx.userId) return fail(tx, 'login.no-user');
    const user = await getUserById(deps.db, tx.userId);
    if (!user?.enabled) return fail(tx, 'login.user-gone');
    if (isLocked(user, clock())) return fail(tx, 'login.user-locked');
    // the application knows users by its subject claim: without a value there is no sub to give, and the internal id
    // is never given instead (it would be a second, different identity of the same person)
    if (!(await claimValue(deps.db, user, app.subjectClaimUri))) {
      await deps.audit.record({
        event: 'login.no-subject',
        userId: user.id,
        username: user.username,
        clientId: app.clientId,
        ip: client.ip,
        data: { loginId: tx.id, subjectClaim: app.subjectClaimUri },
      });
      return fail(tx, 'login.no-subject');
    }
    const { amr, acr } = summarise(tx.amr);
    // an application that asked only for stronger authentication than this login reached gets an error, never a
    // silently weaker token (a user who turned SMS OTP off passes with one factor)
    if (
      tx.requestedAcr &&
      !tx.requestedAcr.includes(acr) &&
      tx.requestedAcr.some((a) => Object.values(ACR).includes(a as (typeof ACR)[keyof typeof ACR]))
    ) {
      tx.status = 'failed';
      tx.error = { message: 'login.acr-unmet' };
      return {
        type: 'deny',
        error: 'unmet_authentication_requirements',
        description: `This login reached ${acr}, the application asked for ${tx.requestedAcr.join(' or ')}.`,
        tx,
      };
    }
    tx.status = 'completed';
    return { type: 'finish', accountId: user.id, amr, acr, tx };
  }

  /** Loads a live transaction and its application, or says why the login cannot go on. */
  async function open(id: string): Promise<{ tx: LoginTransaction; version: number; app: Application } | EngineResult> {
    const record = await load(id);
    if (!record) return { type: 'error', message: 'login.expired', status: 410 };
    const tx = record.value;
    if (tx.expiresAt <= clock()) return { type: 'error', message: 'login.expired', status: 410 };
    if (tx.status === 'completed') return { type: 'completed', ...(tx.returnTo ? { returnTo: tx.returnTo } : {}) };
    if (tx.status === 'failed')
      return {
        type: 'error',
        message: tx.error?.message ?? 'login.failed',
        ...(tx.error?.params ? { params: tx.error.params } : {}),
        status: 403,
      };
    const app = await deps.applications.get(tx.applicationId);
    if (!app) return { type: 'error', message: 'login.configuration-changed', status: 403 };
    return { tx, version: record.version, app };
  }

  async function commit(result: EngineResult, tx: LoginTransaction, version: number): Promise<EngineResult> {
    return (await save(tx, version)) ? result : { type: 'conflict' };
  }

  /**
   * Runs one mutation of a login at a time across all nodes (a short lease in the shared state store), so a double
   * submit or a reload racing a submission never runs a step's side effects twice. Compare-and-set still guards
   * correctness if a lease expires; a request that cannot get the lease in time is told to look again.
   */
  async function exclusive(id: string, fn: () => Promise<EngineResult>): Promise<EngineResult> {
    const key = `login-lease:${id}`;
    // the lease names its owner: only this request renews or releases it, never one that took it after expiry
    const lease = { owner: randomUUID() };
    const deadline = performance.now() + LEASE_WAIT_MS;
    while (!(await deps.state.create(key, lease, LEASE_TTL_MS))) {
      if (performance.now() > deadline) return { type: 'conflict' };
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
    }
    // a step may wait on a gateway for minutes (its timeouts are configurable): renewed while it runs, the lease
    // outlives any timeout, and still ends within LEASE_TTL_MS when the node holding it dies
    const renewal = setInterval(() => {
      deps.state.renewIf(key, lease, LEASE_TTL_MS).catch(() => undefined);
    }, LEASE_TTL_MS / 3);
    renewal.unref();
    try {
      return await fn();
    } finally {
      clearInterval(renewal);
      await deps.state.deleteIf(key, lease);
    }
  }

  /** The saved prompt of a begun step, or a final state; undefined when the current step still has to begin. */
  async function showSaved(id: string): Promise<EngineResult | undefined> {
    const opened = await open(id);
    if ('type' in opened) return opened;
    const { tx } = opened;
    if (tx.current?.begun && tx.current.lastPrompt) {
      const result = page(tx, tx.current.lastPrompt);
      return result.type === 'page' ? { ...result, status: 200 } : result;
    }
    return undefined;
  }

  async function viewAndBegin(id: string, client: ClientInfo): Promise<EngineResult> {
    const opened = await open(id);
    if ('type' in opened) return opened;
    const { tx, version, app } = opened;
    return commit(await advance(tx, app, client), tx, version);
  }

  async function submitNow(id: string, input: Record<string, string>, client: ClientInfo): Promise<EngineResult> {
    const opened = await open(id);
    if ('type' in opened) return opened;
    const { tx, version, app } = opened;
    const step = app.steps[tx.stepIndex];
    if (!step) return commit(await finish(tx, app, client), tx, version);
    if (input.step !== undefined && input.step !== String(tx.stepIndex)) return { type: 'conflict' };
    if (input.choose !== undefined) {
      const named = (o: SequenceOption) => `${o.idp ?? ''}:${o.authenticator}` === input.choose;
      const options = await availableOptions(step);
      const option = options.length > 1 ? options.find(named) : undefined;
      if (!option) {
        // an option switched off since the choice was shown: the page shows what is left
        if (step.options.length > 1 && step.options.some(named)) return { type: 'conflict' };
        return { type: 'error', message: 'login.bad-request', status: 400 };
      }
      // choosing the option already running shows it again: a restart would reset its resend and guess limits
      if (tx.current?.begun && tx.current.lastPrompt && named(tx.current)) {
        const shown = page(tx, tx.current.lastPrompt);
        return shown.type === 'page' ? { ...shown, status: 200 } : shown;
      }
      tx.current = {
        authenticator: option.authenticator,
        ...(option.idp ? { idp: option.idp } : {}),
        begun: false,
        state: {},
      };
      return commit(await beginCurrent(tx, app, client), tx, version);
    }
    if (!tx.current?.begun) return commit(await advance(tx, app, client), tx, version);
    const authenticator = deps.registry.get(tx.current.authenticator);
    if (!authenticator) return commit(fail(tx, 'login.configuration-changed'), tx, version);
    const ctx = await context(tx, app, client);
    if ('error' in ctx) return commit(fail(tx, ctx.error), tx, version);
    const outcome = await authenticator.continue(ctx, input);
    tx.current.state = ctx.state;
    return commit(await apply(tx, app, outcome, client), tx, version);
  }

  return {
    start,
    load,
    /** What the user sees now: begins the current step once; a reload shows the same prompt without side effects. */
    async view(id: string, client: ClientInfo): Promise<EngineResult> {
      const shown = await showSaved(id);
      if (shown) return shown;
      // beginning a step has side effects (an SMS): one request at a time, then look again
      return exclusive(id, async () => (await showSaved(id)) ?? viewAndBegin(id, client));
    },
    /** Handles a form submission for the current step, one submission of a login at a time. */
    submit: (id: string, input: Record<string, string>, client: ClientInfo) =>
      exclusive(id, () => submitNow(id, input, client)),
    /** Remembers where oidc-provider continues, so a late double submit lands there as well. */
    async remember(id: string, returnTo: string): Promise<void> {
      for (let i = 0; i < 3; i++) {
        const record = await load(id);
        if (!record) return;
        if (await save({ ...record.value, returnTo }, record.version)) return;
      }
    },
    /** The user of a finished transaction (for audit at the edge). */
    async userOf(tx: LoginTransaction): Promise<User | undefined> {
      return tx.userId ? getUserById(deps.db, tx.userId) : undefined;
    },
  };
}

export type Engine = ReturnType<typeof createEngine>;
