/**
 * buildApp: the Fastify application without listening (tests use it as is). Each surface is its own plugin:
 * oidc-provider under /oidc and /.well-known, the login pages, static assets, and the optional surfaces.
 * Every request first passes the host check: a node answers only for its public host.
 *
 * The HTTP side is made here, on top of the services: the page renderer (with every message catalogue), oidc-provider
 * (whose own pages it renders), and the front doors the login pages hand finished logins to.
 */
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, LogController } from 'fastify';
import { createOidcFrontDoor } from '../oidc/front-door.js';
import type { ProviderPages } from '../oidc/provider.js';
import type { Services } from '../services.js';
import { accountPlugin } from './account/plugin.js';
import { authorizationPost } from './authorization-post.js';
import { createFrontDoors, type FrontDoors } from './front-doors.js';
import { answerOidcOutages, createHealth, HEALTH_PATHS, serveHealth } from './health.js';
import { hostRule, isAddressedToUs } from './host-check.js';
import { limitJsonBodies } from './json-limits.js';
import { createMetrics, logOperatorEvents, serveMetrics } from './metrics.js';
import { notFoundHandler } from './not-found.js';
import { createOidcLane, isOidcPath, type OidcLane } from './oidc-lane.js';
import { messageCatalogue, translatedCatalogues } from './pages/messages.js';
import { loginPages } from './pages/plugin.js';
import { createPageRenderer, type PageRenderer } from './pages/render.js';
import { problemDocument } from './problem.js';
import { receiptsPlugin } from './receipts/plugin.js';
import { bindRequestContext, currentRequestId, requestIdGenerator } from './request-context.js';
import { samlPlugin, samlPluginOptions } from './saml/plugin.js';
import { traceRequests } from './tracing.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface AppOptions {
  logger?: boolean | object;
  /** further plugins mounted after the core (dev SMS inbox, admin API, SCIM, console) */
  plugins?: { plugin: FastifyPluginAsync<Record<string, unknown>>; options?: Record<string, unknown> }[];
}

/** oidc-provider's own pages (errors, logout) in Stepgate's look. */
function providerPages(renderer: PageRenderer): ProviderPages {
  return {
    error: (out) =>
      renderer.render('error', {
        messageId: 'oidc.error',
        message: renderer.message('oidc.error'),
        detail: out.error_description ?? out.error ?? '',
      }),
    logout: (form) => renderer.render('logout', { form }),
    loggedOut: () => renderer.render('logged-out', {}),
  };
}

/**
 * The headers @fastify/helmet sets, computed once: the plugin builds helmet's middleware (and its CSP string) again on
 * every request. They are read from the raw response of one request to a throwaway app with the plugin alone.
 */
async function helmetHeaders(options: FastifyHelmetOptions): Promise<[string, string][]> {
  const probe = Fastify();
  await probe.register(helmet, options);
  let headers: [string, string][] = [];
  probe.get('/', async (_req, reply) => {
    headers = Object.entries(reply.raw.getHeaders()).map(([name, value]) => [name, String(value)]);
    return '';
  });
  await probe.inject('/');
  await probe.close();
  return headers;
}

/** The HTTP side of a login: the pages' renderer (oidc-provider's own pages too) and the front doors (OIDC here). */
export function createWebParts(services: Services): { renderer: PageRenderer; frontDoors: FrontDoors } {
  const renderer = createPageRenderer(messageCatalogue(services.registry.all()), {
    translations: translatedCatalogues(services.registry.all()),
  });
  services.providerPages.use(providerPages(renderer));
  const frontDoors = createFrontDoors();
  frontDoors.add(createOidcFrontDoor(services.provider));
  return { renderer, frontDoors };
}

export async function buildApp(services: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const { renderer, frontDoors } = createWebParts(services);
  // oidc-provider's requests take the lane past Fastify once it is made below (web/oidc-lane.ts); the server's
  // timeouts are Fastify's defaults, which it sets only on a server it makes itself
  let lane: OidcLane | undefined;
  let closing = false;
  const app = Fastify({
    serverFactory: (handler) => {
      const server = createServer((req, res) => {
        if (!lane?.(req, res)) handler(req, res);
      });
      // Fastify's defaults for the server it would have made
      server.keepAliveTimeout = 72_000;
      server.requestTimeout = 0;
      server.setTimeout(0);
      return server;
    },
    logger: options.logger ?? { level: services.config.logLevel },
    // Fastify's two lines per request cost a login about 2 ms of CPU; one line per request is logged at debug below
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: services.config.trustProxy,
    bodyLimit: 1024 * 1024,
    // the request id on every log line of the request, in the x-request-id header and in its audit events
    genReqId: requestIdGenerator(services.config.trustProxy),
  });
  // the request's span first (tracing on only), so the request context and everything after run inside it
  traceRequests(app, services.tracer);
  bindRequestContext(app);
  services.audit.tagRequests(currentRequestId);
  services.tracing?.tagRequests(currentRequestId);
  // every JSON body, on any surface, keeps a nesting depth and number range before code walks it (json-limits.ts)
  limitJsonBodies(app);

  // operations (docs/operations.md): metrics when a token or a management port is set, health, draining
  const { metrics: metricsConfig } = services.config;
  const metrics =
    metricsConfig.token !== undefined || metricsConfig.port !== undefined
      ? createMetrics({ audit: services.audit, hasher: services.hasher, stateKind: services.state.kind })
      : undefined;
  const health = createHealth({
    db: services.db,
    state: services.state,
    metrics,
    log: app.log,
    pingIntervalMs: metrics ? metricsConfig.pingIntervalSeconds * 1000 : undefined,
  });
  app.decorate('operations', { health, metrics });
  const unlogEvents = logOperatorEvents(services.audit, app.log, currentRequestId);
  if (metrics) {
    app.addHook('onResponse', async (req, reply) => metrics.observeRequest(req, reply));
    const started = (ctx: { oidc?: { client?: { clientId?: string } } }) =>
      metrics.loginStarted(ctx.oidc?.client?.clientId ?? 'unknown', 'oidc');
    services.provider.on('interaction.started', started);
    app.addHook('onClose', async () => void services.provider.off('interaction.started', started));
  }
  // ioredis reconnects by itself and reports each failed attempt as an error event: the probe above logs the outage
  // once (and readiness shows it), so the attempts are logged at debug only
  const redisError = (err: Error) => app.log.debug({ err }, 'Redis connection error');
  services.redis?.on('error', redisError);
  app.addHook('onClose', async () => {
    health.close();
    metrics?.close();
    unlogEvents();
    services.redis?.off('error', redisError);
  });
  const metricsOnMainPort = metrics !== undefined && metricsConfig.port === undefined;

  if (app.log.level === 'debug' || app.log.level === 'trace')
    app.addHook('onResponse', async (req, reply) => {
      req.log.debug(
        { method: req.method, path: req.url.split('?')[0], status: reply.statusCode, ms: reply.elapsedTime },
        'request',
      );
    });

  // before anything else (the oidc-provider hook included): a request for another host name is answered here and goes no further.
  // the health paths (and /metrics, behind its token) stay open to probes that address the node by its IP.
  const hosts = hostRule(services.config.publicUrl, {
    development: services.config.mode === 'development',
    trustProxy: services.config.trustProxy,
  });
  app.addHook('onRequest', async (req, reply) => {
    if (isAddressedToUs(req.headers, hosts) || HEALTH_PATHS.has(req.url)) return;
    if (metricsOnMainPort && req.url === '/metrics') return;
    reply.code(421).header('cache-control', 'no-store');
    if (String(req.headers.accept ?? '').includes('text/html'))
      return reply.type('text/html; charset=utf-8').send(
        renderer.render('error', {
          title: 'Wrong address',
          messageId: 'web.misdirected',
          message: renderer.message('web.misdirected', { url: services.config.publicUrl }),
        }),
      );
    return reply.type('application/problem+json').send(problemDocument('misdirected-request'));
  });

  const securityHeaders = await helmetHeaders({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        // stylesheets and fonts from this origin only: the pages, the console build and the inbox use no inline styles
        'style-src': ["'self'"],
        'font-src': ["'self'"],
        // Chrome applies form-action to the redirect after a POST; our forms redirect back to the application.
        'form-action': null,
        'upgrade-insecure-requests': services.config.publicUrl.startsWith('https:') ? [] : null,
      },
    },
    strictTransportSecurity: services.config.publicUrl.startsWith('https:'),
    crossOriginOpenerPolicy: false,
  });
  app.addHook('onRequest', (_req, reply, done) => {
    for (const [name, value] of securityHeaders) reply.raw.setHeader(name, value);
    done();
  });

  answerOidcOutages(services.provider);
  const oidc = services.provider.callback();
  // oidc-provider answers its paths itself, from the raw request and response, before Fastify reads a body (it reads
  // its own): a hook rather than middie, whose middleware runner cost every request of a login its share
  // the same requests when they reach Fastify: app.inject(), and every request while tracing is on
  app.addHook('onRequest', (req, reply, done) => {
    if (!isOidcPath(req.method, req.url)) return done();
    // oidc-provider builds its URLs from the request; behind a trusted proxy it reads X-Forwarded-Proto, which the
    // host check does not cover: pin it to the public URL's scheme so discovery can only say the issuer's origin
    if (hosts.trustProxy) req.raw.headers['x-forwarded-proto'] = hosts.scheme.replace(/:$/, '');
    reply.hijack();
    void oidc(req.raw, reply.raw);
  });
  if (!services.tracer.enabled)
    lane = createOidcLane({
      oidc,
      hosts,
      securityHeaders,
      requestId: requestIdGenerator(services.config.trustProxy),
      metrics,
      closing: () => closing,
    });
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  await app.register(authorizationPost, { renderer });

  await app.register(fastifyStatic, { root: join(here, 'assets'), prefix: '/assets/', maxAge: '1h' });

  serveHealth(app, health);
  if (metricsOnMainPort) serveMetrics(app, metrics, metricsConfig.token);
  app.get('/', async (_req, reply) => reply.redirect('/.well-known/openid-configuration'));

  await app.register(loginPages, {
    engine: services.engine,
    frontDoors,
    applications: services.applications,
    audit: services.audit,
    keyring: services.keyring,
    renderer,
    issuer: services.config.publicUrl,
    rateLimit: { postsPerMinute: services.config.loginRateLimit.postsPerMinute, redis: services.redis },
  });
  // SMS delivery receipts from the providers, and the code page's delivery poll (docs/delivery-receipts.md)
  await app.register(receiptsPlugin, {
    receive: { db: services.db, keyring: services.keyring, findGateway: services.findSmsGateway },
    messages: services.smsMessages,
    audit: services.audit,
    publicUrl: services.config.publicUrl,
    loadLogin: async (id) => (await services.engine.load(id))?.value,
    frontDoors,
  });
  // further front doors register here, before any request: frontDoors.add(door) (SAML)
  await app.register(
    samlPlugin,
    samlPluginOptions(services, {
      renderer,
      frontDoors,
      onLoginStarted: metrics ? (clientId) => metrics.loginStarted(clientId, 'saml') : undefined,
    }),
  );
  // My Account signs users in through a front door of its own (docs/my-account.md)
  if (services.config.account.enabled) await app.register(accountPlugin, { services, frontDoors });

  // an unknown path: a page for a browser, a problem for a program (the admin API, SCIM and console answer their own)
  app.setNotFoundHandler(notFoundHandler(renderer));

  for (const p of options.plugins ?? []) await app.register(p.plugin, p.options ?? {});
  return app;
}
