/**
 * What the audit log tells operators, besides the audit trail itself: Prometheus metrics of a node, and one log
 * line per business event an operator acts on (`logOperatorEvents`). Metrics: one registry per app (tests run several apps in one process). Business counters are
 * fed by the audit log's events (`audit.onRecord`), so no login code knows about metrics; the only per-request cost
 * is one histogram observation by route pattern. docs/operations.md lists every metric with its labels.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type * as PromClient from 'prom-client';
import type { Registry } from 'prom-client';
import { safeEqual } from '../crypto/keyring.js';
import type { AuditInput, AuditLog } from '../identity/audit.js';
import type { PasswordHasher } from '../identity/passwords.js';
import { lazyModule } from '../lazy-module.js';
import { OIDC_ROUTES } from '../oidc/provider.js';
import { problemDocument } from './problem.js';

/** prom-client (and the OpenTelemetry API it pulls in) loads only on a node whose metrics are switched on. */
const promClient = lazyModule<typeof PromClient>('prom-client');

/** Seconds: from a fast cached page (1 ms) to a slow SMS gateway (10 s). */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds: a database or Redis round trip on loopback is well under a millisecond; an outage hits the timeout. */
const PING_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface Metrics {
  registry: Registry;
  /** one HTTP request done: by method, route pattern and status */
  observeRequest(req: FastifyRequest, reply: FastifyReply): void;
  /** the same for a request served past Fastify (web/oidc-lane.ts), by its route pattern */
  observeRaw(method: string, route: string, status: number, seconds: number): void;
  /** a login began at a front door */
  loginStarted(application: string, protocol: string): void;
  /** a probe of a back end (database, state store) and how it went */
  observePing(backend: 'database' | 'state-store', seconds: number, ok: boolean): void;
  /** stops listening to the audit log */
  close(): void;
}

export function createMetrics(deps: { audit: AuditLog; hasher: PasswordHasher; stateKind: string }): Metrics {
  const { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } = promClient();
  const registry = new Registry();
  // process CPU, memory, file descriptors, GC, and the event loop lag (nodejs_eventloop_lag_seconds and its percentiles)
  collectDefaultMetrics({ register: registry });
  const counter = (name: string, help: string, labelNames: string[]) =>
    new Counter({ name, help, labelNames, registers: [registry] });

  const http = new Histogram({
    name: 'stepgate_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern (never the raw URL) and status code.',
    labelNames: ['method', 'route', 'status'],
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });
  const loginsStarted = counter('stepgate_logins_started_total', 'Logins begun at a front door.', [
    'application',
    'protocol',
  ]);
  const loginsFinished = counter('stepgate_logins_finished_total', 'Logins in which every step passed.', [
    'application',
    'protocol',
    'acr',
  ]);
  const loginsFailed = counter(
    'stepgate_logins_failed_total',
    'Failed attempts at a step (step = the authenticator), and logins refused at the end (step = sequence).',
    ['application', 'step', 'reason'],
  );
  const smsSent = counter('stepgate_sms_sent_total', 'SMS handed to the gateway and accepted.', ['gateway', 'country']);
  const smsFailed = counter('stepgate_sms_failed_total', 'SMS sends that failed, by failure code.', [
    'gateway',
    'country',
    'code',
  ]);
  const delivery = counter(
    'stepgate_sms_delivery_total',
    "SMS whose provider's receipt moved them to a status: delivered, failed, expired or unknown.",
    ['gateway', 'provider', 'status'],
  );
  const receiptsRefused = counter(
    'stepgate_sms_receipts_refused_total',
    'Delivery receipts refused: a wrong URL token or signature, an unknown gateway or message, an unreadable body.',
    ['reason'],
  );
  const otp = counter(
    'stepgate_otp_verifications_total',
    'One-time codes checked: result is verified or the reason of the failure.',
    ['method', 'result'],
  );
  const limits = counter('stepgate_limit_hits_total', 'Send limits reached (cooldowns excluded).', ['limit']);
  const lockouts = counter('stepgate_lockouts_total', 'Accounts locked after failed attempts.', ['reason']);
  // the SMS fraud defence (docs/sms-fraud.md); its refusals are limit hits (limit = blocked, conversion, spend-cap)
  const conversionThrottled = counter(
    'stepgate_sms_conversion_throttled_total',
    'A country or prefix throttled because few of its codes were verified (once per window, on any node).',
    ['scope_kind', 'country', 'action'],
  );
  const spendCapReached = counter(
    'stepgate_sms_spend_cap_reached_total',
    'A gateway reached its daily spend cap (once per gateway and day).',
    ['gateway'],
  );
  const challenges = counter(
    'stepgate_sms_challenges_total',
    'Send challenges (proof of work): issued, passed, or the reason an answer was refused.',
    ['result'],
  );
  const ping = new Histogram({
    name: 'stepgate_backend_ping_duration_seconds',
    help: 'Round trip of a probe of the database or the state store (periodic, and each readiness check).',
    labelNames: ['backend', 'store'],
    buckets: PING_BUCKETS,
    registers: [registry],
  });
  const up = new Gauge({
    name: 'stepgate_backend_up',
    help: 'Whether the last probe of the back end answered (1) or not (0).',
    labelNames: ['backend', 'store'],
    registers: [registry],
  });
  new Gauge({
    name: 'stepgate_argon2_in_flight',
    help: 'Password hashes and verifications running now (the argon2 queue on the libuv thread pool).',
    registers: [registry],
    collect() {
      this.set(deps.hasher.inFlight());
    },
  });

  const storeOf = (backend: 'database' | 'state-store') => (backend === 'database' ? 'sql' : deps.stateKind);
  const text = (v: unknown, fallback = 'unknown') => (typeof v === 'string' && v !== '' ? v : fallback);

  /** The audit events that move a counter, by name; a `<step>.failed` event of any authenticator counts as well. */
  function count(e: AuditInput): void {
    const d = e.data ?? {};
    const application = text(e.clientId);
    switch (e.event) {
      case 'login.succeeded':
        loginsFinished.inc({ application, protocol: text(d.protocol), acr: text(d.acr) });
        return;
      case 'login.denied':
      case 'login.step-unavailable':
      case 'login.no-subject':
        loginsFailed.inc({ application, step: 'sequence', reason: text(d.reason, e.event.slice('login.'.length)) });
        return;
      case 'sms-otp.sent':
        smsSent.inc({ gateway: text(d.provider), country: text(d.country) });
        return;
      case 'sms-otp.send-failed':
        smsFailed.inc({ gateway: text(d.provider), country: text(d.country), code: text(d.code) });
        return;
      case 'sms-otp.verified':
        otp.inc({ method: text(d.method), result: 'verified' });
        return;
      case 'sms.receipt':
        // a replay or a late intermediate receipt moves nothing and counts nothing
        if (d.after !== d.before)
          delivery.inc({ gateway: text(d.gateway), provider: text(d.provider), status: text(d.after) });
        return;
      case 'sms.receipt-refused':
        receiptsRefused.inc({ reason: text(d.reason) });
        return;
      case 'sms.limit-reached':
        limits.inc({ limit: text(d.limit) });
        return;
      case 'account.locked':
        lockouts.inc({ reason: text(d.reason) });
        return;
      case 'sms-fraud.conversion-throttled':
        conversionThrottled.inc({ scope_kind: text(d.scopeKind), country: text(d.country), action: text(d.action) });
        return;
      case 'sms-fraud.spend-cap-reached':
        spendCapReached.inc({ gateway: text(d.gateway) });
        return;
      case 'sms-fraud.challenge-issued':
        challenges.inc({ result: 'issued' });
        return;
      case 'sms-fraud.challenge-passed':
        challenges.inc({ result: 'passed' });
        return;
      case 'sms-fraud.challenge-failed':
        challenges.inc({ result: text(d.reason) });
        return;
    }
    const failed = /^(?:login\.)?([a-z0-9-]+)\.failed$/.exec(e.event);
    if (failed) {
      loginsFailed.inc({ application, step: failed[1]!, reason: text(d.reason) });
      // a code that was checked and was wrong or expired; a refusal before any check (evaluated: false) is no verification
      if (failed[1] === 'sms-otp' && d.evaluated === true) otp.inc({ method: 'sms', result: text(d.reason) });
    }
  }
  const unsubscribe = deps.audit.onRecord((e) => {
    try {
      count(e);
    } catch {
      // a metric must never break the write it observes
    }
  });

  return {
    registry,
    observeRequest(req, reply) {
      http.observe(
        { method: req.method, route: routeOf(req), status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    },
    observeRaw(method, route, status, seconds) {
      http.observe({ method, route, status: String(status) }, seconds);
    },
    loginStarted(application, protocol) {
      loginsStarted.inc({ application, protocol });
    },
    observePing(backend, seconds, ok) {
      const labels = { backend, store: storeOf(backend) };
      ping.observe(labels, seconds);
      up.set(labels, ok ? 1 : 0);
    },
    close: unsubscribe,
  };
}

const OIDC_PATHS = (Object.values(OIDC_ROUTES) as string[]).sort((a, b) => b.length - a.length);

/**
 * The route pattern of a request: Fastify's (`/interaction/:uid`), or for oidc-provider (mounted as middleware, so
 * Fastify knows no route) its endpoint with any further path as `/*`. Never the raw URL: label values stay few.
 */
export function routeOf(req: FastifyRequest): string {
  return req.routeOptions.url || routeOfPath(req.url.split('?')[0] ?? '');
}

/** The route pattern of a path Fastify has no route for: oidc-provider's endpoints. */
export function routeOfPath(path: string): string {
  if (path.startsWith('/.well-known/')) return path === '/.well-known/openid-configuration' ? path : '/.well-known/*';
  if (path.startsWith('/oidc/')) {
    const endpoint = OIDC_PATHS.find((p) => path === p || path.startsWith(`${p}/`));
    if (!endpoint) return '/oidc/*';
    return endpoint === path ? endpoint : `${endpoint}/*`;
  }
  return '(unmatched)';
}

/** A bearer token check that takes the same time whatever the token sent. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m !== null && safeEqual(m[1]!, token);
}

/** GET /metrics on an app: the registry's text, behind the token when one is configured. */
export function serveMetrics(app: FastifyInstance, metrics: Metrics, token: string | undefined): void {
  app.get('/metrics', async (req, reply) => {
    if (token !== undefined && !bearerMatches(req.headers.authorization, token))
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .type('application/problem+json')
        .send(problemDocument('unauthorized'));
    return reply
      .header('cache-control', 'no-store')
      .type(metrics.registry.contentType)
      .send(await metrics.registry.metrics());
  });
}

/**
 * The management port (`metrics.port`): /metrics and the health paths on a listener of their own, for a scraper and
 * probes that should not reach the public port. No host check here: nothing on it is a page or an OIDC endpoint.
 */
export async function listenManagement(
  operations: FastifyInstance['operations'],
  options: { host: string; port: number; token?: string | undefined },
): Promise<FastifyInstance> {
  const { default: Fastify } = await import('fastify');
  const { serveHealth } = await import('./health.js');
  const app = Fastify({ logger: false });
  if (operations.metrics) serveMetrics(app, operations.metrics, options.token);
  serveHealth(app, operations.health);
  await app.listen({ host: options.host, port: options.port });
  return app;
}

/** Events an operator may have to act on (warn), and changes of configuration and accounts (info). */
const WARN_EVENTS = new Set([
  'sms.limit-reached',
  'account.locked',
  'login.step-unavailable',
  'sms-fraud.conversion-throttled',
  'sms-fraud.spend-cap-reached',
]);
const CHANGE_PREFIXES = ['admin.', 'setup.', 'cli.'];

/**
 * One log line per such event, with the request id it was written in. Audit events hold no secret and only masked
 * numbers (identity/audit.ts), so their data is logged as it is. Failed SMS sends are logged by the gateway itself.
 */
export function logOperatorEvents(audit: AuditLog, log: FastifyBaseLogger, requestId: () => string | undefined) {
  return audit.onRecord((e) => {
    const warn = WARN_EVENTS.has(e.event);
    if (!warn && !CHANGE_PREFIXES.some((p) => e.event.startsWith(p))) return;
    const line = {
      event: e.event,
      ...(e.clientId ? { clientId: e.clientId } : {}),
      ...(e.userId ? { userId: e.userId } : {}),
      reqId: requestId(),
      data: e.data ?? {},
    };
    if (warn) log.warn(line, e.event);
    else log.info(line, e.event);
  });
}
