/**
 * Whether this node can serve: liveness (the process answers), readiness (the database, the state store and the
 * signing keys answer, and the node is not draining), a periodic probe that feeds the latency metrics and logs each
 * change of a back end's state once, and the one rule of what counts as a back end outage (`isBackendOutage`), which
 * the surfaces' error handlers answer with 503 instead of 500.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type Provider from 'oidc-provider';
import type { StateStore } from '../state/state-store.js';
import type { Db } from '../store/db.js';
import type { Metrics } from './metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** this node's health and metrics (web/app.ts makes them; main.ts drains and serves the management port) */
    operations: { health: Health; metrics: Metrics | undefined };
  }
}

export type CheckName = 'database' | 'stateStore' | 'signingKeys';

export interface Readiness {
  ready: boolean;
  status: 'ready' | 'not-ready' | 'draining';
  checks: Record<CheckName, { ok: boolean; ms: number; error?: string }>;
  /** the checks that failed, by name */
  failed: CheckName[];
}

export interface Health {
  readiness(): Promise<Readiness>;
  /** readiness is false from now on (SIGTERM) */
  drain(): void;
  readonly draining: boolean;
  close(): void;
}

export interface HealthDeps {
  db: Db;
  state: StateStore;
  metrics?: Metrics | undefined;
  log: FastifyBaseLogger;
  /** a probe slower than this counts as failed (default 1 s) */
  timeoutMs?: number;
  /** periodic probe for the metrics and the log; undefined: only on readiness checks */
  pingIntervalMs?: number | undefined;
}

class ProbeTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

function within<T>(ms: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ProbeTimeout(ms)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function createHealth(deps: HealthDeps): Health {
  const timeoutMs = deps.timeoutMs ?? 1000;
  let draining = false;
  const lastOk: Partial<Record<CheckName, boolean>> = {};

  const probes: Record<CheckName, () => Promise<unknown>> = {
    database: () => sql`select 1`.execute(deps.db),
    // one counter read: the same round trip every login makes to the state store (Redis in cluster mode)
    stateStore: () => deps.state.count('health:probe'),
    // the keys oidc-provider signs with were loaded at start from here; a node whose table lost them cannot rotate
    signingKeys: async () => {
      const key = await deps.db
        .selectFrom('signing_keys')
        .select('kid')
        .where('use', '=', 'sig')
        .where('status', '=', 'active')
        .limit(1)
        .executeTakeFirst();
      if (!key) throw new Error('no active signing key');
    },
  };

  async function probe(name: CheckName): Promise<Readiness['checks'][CheckName]> {
    const started = performance.now();
    let error: string | undefined;
    try {
      await within(timeoutMs, probes[name]);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const ms = performance.now() - started;
    if (name !== 'signingKeys')
      deps.metrics?.observePing(name === 'database' ? 'database' : 'state-store', ms / 1000, !error);
    const ok = error === undefined;
    if (lastOk[name] !== undefined && lastOk[name] !== ok) {
      if (ok) deps.log.info({ check: name }, `${name} answers again`);
      else deps.log.warn({ check: name, error }, `${name} does not answer: ${error}`);
    }
    lastOk[name] = ok;
    return { ok, ms: Math.round(ms * 10) / 10, ...(error ? { error } : {}) };
  }

  async function readiness(): Promise<Readiness> {
    const names = Object.keys(probes) as CheckName[];
    const results = await Promise.all(names.map(probe));
    const checks = Object.fromEntries(names.map((n, i) => [n, results[i]!])) as Readiness['checks'];
    const failed = names.filter((n) => !checks[n].ok);
    const status = draining ? 'draining' : failed.length > 0 ? 'not-ready' : 'ready';
    return { ready: status === 'ready', status, checks, failed };
  }

  const timer = deps.pingIntervalMs
    ? setInterval(() => void readiness().catch(() => undefined), deps.pingIntervalMs)
    : undefined;
  timer?.unref();

  return {
    readiness,
    drain() {
      draining = true;
    },
    get draining() {
      return draining;
    },
    close() {
      if (timer) clearInterval(timer);
    },
  };
}

/** The probe paths; the host check lets them through for any Host (probes address a node by its IP). */
export const HEALTH_PATHS: ReadonlySet<string> = new Set(['/healthz', '/health/live', '/health/ready']);

/** /health/live, /health/ready, and the older /healthz (the database answers) on an app. */
export function serveHealth(app: FastifyInstance, health: Health): void {
  app.get('/health/live', async (_req, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get('/health/ready', async (_req, reply) => {
    const r = await health.readiness();
    return reply
      .code(r.ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: r.status, checks: r.checks, ...(r.ready ? {} : { failed: r.failed }) });
  });
  app.get('/healthz', async (_req, reply) => {
    const r = await health.readiness();
    const ok = r.checks.database.ok && !health.draining;
    return reply
      .code(ok ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: ok ? 'ok' : health.draining ? 'draining' : 'unavailable' });
  });
}

/** Node's and the drivers' codes for a connection that could not be made or was lost. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);
/** PostgreSQL SQLSTATEs of a server that is going away or cannot take us (class 08: connection exception). */
const POSTGRES_UNAVAILABLE = /^(08...|57P01|57P02|57P03|53300)$/;
/** The messages ioredis and pg use for a lost or missing connection (they carry no code). */
const OUTAGE_MESSAGES = [
  /^Connection is closed\.$/,
  /^Command timed out$/,
  /^Reached the max retries per request limit/,
  /^Stream isn't writeable/,
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error/,
  /^Cannot use a pool after calling end/,
];

/**
 * True when an error says a back end (the database, Redis) did not answer, rather than that the request or the code
 * was wrong: the request is answered with 503 and may be tried again, and nothing was half-written (each write is one
 * statement or one transaction). Follows `cause` a few levels (Kysely and our stores may wrap).
 */
export function isBackendOutage(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth++) {
    const { code, name, message, cause } = e as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || POSTGRES_UNAVAILABLE.test(code))) return true;
    if (name === 'MaxRetriesPerRequestError') return true;
    if (typeof message === 'string' && OUTAGE_MESSAGES.some((m) => m.test(message))) return true;
    if (e instanceof AggregateError && e.errors.some(isBackendOutage)) return true;
    e = cause;
  }
  return false;
}

/**
 * oidc-provider answers anything thrown inside it with `server_error` and 500. When the cause is an outage the answer
 * becomes 503 with Retry-After (JSON endpoints say `temporarily_unavailable`), like every other surface. Its own
 * error handler runs inside each route and reports through the `server_error` event; Koa writes the response only
 * after the outermost middleware, registered here, has returned.
 */
export function answerOidcOutages(provider: Provider): void {
  const outages = new WeakSet<object>();
  provider.on('server_error', (ctx: object, err: unknown) => {
    if (isBackendOutage(err)) outages.add(ctx);
  });
  provider.use(async (ctx, next) => {
    await next();
    if (!outages.has(ctx)) return;
    ctx.status = 503;
    ctx.set('retry-after', '5');
    if (ctx.body !== null && typeof ctx.body === 'object' && !Buffer.isBuffer(ctx.body))
      ctx.body = {
        error: 'temporarily_unavailable',
        error_description: 'a back end this request needs did not answer; try again',
      };
  });
}
