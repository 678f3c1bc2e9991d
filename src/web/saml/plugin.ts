/**
 * The SAML 2.0 identity provider over HTTP:
 *
 *   GET  /saml2/metadata        the IdP metadata (signing certificates, SSO and SLO services)
 *   GET|POST /saml2/sso         an AuthnRequest (HTTP-Redirect | HTTP-POST) → a login (303 to /interaction/<id>), or
 *                               at once the Response from the SAML session or an error status, auto-posted to the ACS
 *   GET  /saml2/idp-init?sp=    IdP-initiated SSO for a service provider that allows it
 *   GET|POST /saml2/slo         a LogoutRequest or a LogoutResponse (either binding); without one, logs the browser's
 *                               SAML session out of every service provider
 *
 * A refused message (unknown service provider, bad signature, unregistered ACS URL, replay, expiry, bad XML) gets
 * an error page and nothing is posted anywhere.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type Provider from 'oidc-provider';
import type { LoginRequest } from '../../authn/front-door.js';
import { type Keyring, safeEqual } from '../../crypto/keyring.js';
import type { AuditLog } from '../../identity/audit.js';
import type { Application } from '../../identity/types.js';
import { decodePost, decodeRedirect, encodeRedirect } from '../../saml/bindings.js';
import { createSamlCookies, createSamlFrontDoor, postPage } from '../../saml/front-door.js';
import { createIdentityProvider, type Outgoing, type SsoDecision } from '../../saml/identity-provider.js';
import { loadSamlKeys } from '../../saml/keys.js';
import type { Binding, Incoming } from '../../saml/messages.js';
import { buildMetadata } from '../../saml/metadata.js';
import { signedRedirectQuery } from '../../saml/signature.js';
import { SamlError } from '../../saml/xml.js';
import type { StateStore } from '../../state/state-store.js';
import type { Db } from '../../store/db.js';
import type { FrontDoors } from '../front-doors.js';
import { isBackendOutage } from '../health.js';
import type { PageRenderer } from '../pages/render.js';

export interface SamlPluginDeps {
  db: Db;
  state: StateStore;
  audit: AuditLog;
  keyring: Keyring;
  applications: {
    get(id: string): Promise<Application | undefined>;
    getBySamlIssuer(issuer: string): Promise<Application | undefined>;
  };
  engine: { start(request: LoginRequest): Promise<boolean> };
  frontDoors: FrontDoors;
  renderer: PageRenderer;
  publicUrl: string;
  loginTtlMs: number;
  /**
   * ends this browser's OIDC session when a SAML logout ends its SAML session (the next OIDC login runs the steps
   * again; OIDC relying parties are not told)
   */
  endOidcSession?: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  /**
   * tells of each OIDC logout that ended a browser's OIDC session (before its answer is written), so that its SAML
   * session ends too; returns the unsubscribe
   */
  onOidcLogout?: ((listener: (req: IncomingMessage, res: ServerResponse) => void) => () => void) | undefined;
  /** requests that start a login (SSO, IdP-initiated) per client IP per minute; counted in Redis when given */
  rateLimit: { perMinute: number; redis?: Redis | undefined };
  /** told of each login started here, by the application's client id (the metrics count logins by front door) */
  onLoginStarted?: ((clientId: string) => void) | undefined;
}

/** A POSTed SAML message with its signature fits easily; larger bodies are refused before parsing. */
const BODY_LIMIT = 192 * 1024;

export async function samlPlugin(app: FastifyInstance, deps: SamlPluginDeps): Promise<void> {
  await app.register(formbody, { bodyLimit: BODY_LIMIT });
  // each AuthnRequest writes a pending login and a transaction: one client cannot fill the state store with them
  const { redis } = deps.rateLimit;
  await app.register(rateLimit, {
    global: false,
    ...(redis ? { redis, nameSpace: `stepgate:${deps.publicUrl}:saml-rl:` } : {}),
    errorResponseBuilder: (_req, context) =>
      Object.assign(new Error('rate limited'), { statusCode: context.statusCode }),
  });
  const throttled = { config: { rateLimit: { max: deps.rateLimit.perMinute, timeWindow: 60_000 } } };
  // keys are read at start, like the OIDC keys: a rotation takes effect when each node restarts
  const keys = await loadSamlKeys(deps.db, deps.keyring);
  const idp = createIdentityProvider({
    db: deps.db,
    state: deps.state,
    audit: deps.audit,
    applications: deps.applications,
    publicUrl: deps.publicUrl,
    keys: () => keys,
    loginTtlMs: deps.loginTtlMs,
  });
  const cookies = createSamlCookies(deps.keyring, {
    secure: deps.publicUrl.startsWith('https:'),
    loginTtlMs: deps.loginTtlMs,
  });
  const { renderer } = deps;
  // an OIDC logout of this browser ends its SAML session too (the reverse of a SAML logout ending the OIDC one):
  // the cookie goes with the OIDC logout's answer, the record right after
  const stopListening = deps.onOidcLogout?.((req, res) => {
    const sessionId = cookies.session(req);
    if (sessionId === undefined) return;
    cookies.clearSession(res);
    idp.endSessionQuietly(sessionId, 'oidc-logout').catch((err: unknown) => {
      app.log.warn({ err }, 'could not end the SAML session of an OIDC logout');
    });
  });
  app.addHook('onClose', async () => stopListening?.());

  const errorHtml = (message: string, title = 'SAML sign-in problem') =>
    renderer.render('error', { title, messageId: 'saml.refused', message });
  deps.frontDoors.add(createSamlFrontDoor(idp, cookies, (message) => errorHtml(message)));

  function page(reply: FastifyReply, status: number, html: string) {
    return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  }

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (error instanceof SamlError) return page(reply, error.status, errorHtml(error.reason));
    if (error.statusCode === 429)
      return page(reply, 429, errorHtml('Too many sign-in requests from your network. Wait a minute and try again.'));
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return page(reply, 413, errorHtml('The SAML message is too large.'));
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
      return page(reply, error.statusCode, errorHtml('The SAML request could not be read.'));
    // the database or the state store is away: a clear, retryable answer, and nothing was asserted
    if (isBackendOutage(error))
      return page(
        reply.header('retry-after', '5'),
        503,
        errorHtml('Sign-in is unavailable for a moment. Try again shortly.'),
      );
    req.log.error({ err: error }, 'SAML endpoint failed');
    return page(reply, 500, errorHtml('Something went wrong on our side. Try again in a moment.'));
  });

  /** The SAML message of a request, by binding: query parameters (Redirect) or form fields (POST). */
  function incoming(req: FastifyRequest, param: 'SAMLRequest' | 'SAMLResponse'): Incoming | undefined {
    const binding: Binding = req.method === 'POST' ? 'post' : 'redirect';
    const source = (binding === 'post' ? req.body : req.query) as Record<string, unknown> | undefined;
    const value = source?.[param];
    if (value === undefined) return undefined;
    const relayState = source?.RelayState;
    if (typeof value !== 'string' || (relayState !== undefined && typeof relayState !== 'string'))
      throw new SamlError('A SAML parameter is given twice or is not text.');
    // SAML bindings §3.4.3: RelayState is at most 80 bytes; a little room for service providers that exceed it
    if (relayState !== undefined && relayState.length > 1024) throw new SamlError('The RelayState is too long.');
    return {
      binding,
      xml: binding === 'post' ? decodePost(value) : decodeRedirect(value),
      url: req.url,
      param,
      ...(relayState !== undefined ? { relayState } : {}),
    };
  }

  function checkForm(req: FastifyRequest): void {
    if (req.method !== 'POST') return;
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
      throw new SamlError('Send SAML messages as an HTML form (application/x-www-form-urlencoded).', 415);
  }

  /** Sends a message with its binding: a signed redirect, or the auto-posting page. */
  function send(reply: FastifyReply, message: Outgoing) {
    if (message.kind === 'post') return page(reply, 200, postPage(message));
    const query = signedRedirectQuery(message.param, encodeRedirect(message.xml), message.relayState, keys.current);
    const target = `${message.url}${message.url.includes('?') ? '&' : '?'}${query}`;
    return reply.header('cache-control', 'no-store').redirect(target, 303);
  }

  async function decide(req: FastifyRequest, reply: FastifyReply, decision: SsoDecision) {
    if (decision.kind === 'answer') {
      if (decision.session) cookies.setSession(reply.raw, decision.session.id);
      return send(reply, decision.message);
    }
    const { pending, requirements } = decision;
    const started = await deps.engine.start({
      loginId: pending.loginId,
      protocol: 'saml',
      applicationId: pending.applicationId,
      requirements,
    });
    if (!started) throw new SamlError('This service provider is not registered with Stepgate.', 403);
    cookies.setLogin(reply.raw, pending.loginId);
    if (deps.onLoginStarted)
      deps.onLoginStarted((await deps.applications.get(pending.applicationId))?.clientId ?? 'unknown');
    req.log.debug({ loginId: pending.loginId, issuer: pending.issuer }, 'SAML login started');
    return reply.header('cache-control', 'no-store').redirect(`/interaction/${pending.loginId}`, 303);
  }

  app.get('/saml2/metadata', async (_req, reply) =>
    reply
      .type('application/samlmetadata+xml; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(buildMetadata(idp.endpoints, keys)),
  );

  const sso = async (req: FastifyRequest, reply: FastifyReply) => {
    checkForm(req);
    const message = incoming(req, 'SAMLRequest');
    if (!message) throw new SamlError('The request carries no SAMLRequest.');
    return decide(req, reply, await idp.receiveAuthnRequest(message, cookies.session(req.raw)));
  };
  app.get('/saml2/sso', throttled, sso);
  app.post('/saml2/sso', { bodyLimit: BODY_LIMIT, ...throttled }, sso);

  app.get<{ Querystring: Record<string, unknown> }>('/saml2/idp-init', throttled, async (req, reply) => {
    const { sp, RelayState } = req.query;
    if (typeof sp !== 'string' || !sp) throw new SamlError('Name the service provider: /saml2/idp-init?sp=<issuer>.');
    if (RelayState !== undefined && (typeof RelayState !== 'string' || RelayState.length > 1024))
      throw new SamlError('The RelayState is not valid.');
    return decide(req, reply, await idp.idpInitiated(sp, RelayState, cookies.session(req.raw)));
  });

  /** The browser logs out of Stepgate: its SAML session cookie goes, and its OIDC session with it. */
  async function endBrowserSessions(req: FastifyRequest, reply: FastifyReply) {
    cookies.clearSession(reply.raw);
    try {
      await deps.endOidcSession?.(req.raw, reply.raw);
    } catch (err) {
      // the SAML logout stands even when the OIDC session cannot be read (a stale or foreign cookie)
      req.log.warn({ err }, 'could not end the OIDC session of a SAML logout');
    }
  }

  const slo = async (req: FastifyRequest, reply: FastifyReply) => {
    checkForm(req);
    const request = incoming(req, 'SAMLRequest');
    const response = request ? undefined : incoming(req, 'SAMLResponse');
    let next: Outgoing | undefined;
    if (request) {
      const result = await idp.receiveLogoutRequest(request, cookies.session(req.raw));
      if (result.endedSession || cookies.session(req.raw)) await endBrowserSessions(req, reply);
      next = result.next;
    } else if (response) {
      next = await idp.receiveLogoutResponse(response);
    } else {
      // logging out at Stepgate is the user's decision: a bare link (another site's navigation) only asks, and
      // the confirmation carries a token bound to this browser's SAML session
      const session = cookies.session(req.raw);
      if (!session) return page(reply, 200, renderer.render('logged-out', {}));
      const token = deps.keyring.mac('saml-logout', session);
      const form = (req.method === 'POST' ? req.body : undefined) as Record<string, unknown> | undefined;
      if (typeof form?.csrf !== 'string' || !safeEqual(form.csrf, token))
        return page(
          reply,
          req.method === 'POST' ? 403 : 200,
          renderer.render('logout', {
            form: `<form id="op.logoutForm" method="post" action="/saml2/slo"><input type="hidden" name="csrf" value="${token}"></form>`,
          }),
        );
      if (form.logout !== 'yes') return page(reply, 200, renderer.render('still-logged-in', {}));
      next = await idp.logoutEverywhere(session);
      await endBrowserSessions(req, reply);
    }
    if (next) return send(reply, next);
    return page(reply, 200, renderer.render('logged-out', {}));
  };
  app.get('/saml2/slo', slo);
  app.post('/saml2/slo', { bodyLimit: BODY_LIMIT }, slo);

  // the SAML endpoints take GET and POST only; anything else is a clear refusal, not a 404
  for (const url of ['/saml2/sso', '/saml2/slo', '/saml2/metadata', '/saml2/idp-init'])
    app.route({
      method: ['PUT', 'DELETE', 'PATCH'],
      url,
      handler: async (_req, reply) =>
        page(
          reply.header('allow', url === '/saml2/metadata' || url === '/saml2/idp-init' ? 'GET' : 'GET, POST'),
          405,
          errorHtml('This SAML endpoint takes GET and POST only.'),
        ),
    });
}

/** The plugin's dependencies from the composition root's services and the web parts (app.ts mounts it in one line). */
export function samlPluginOptions(
  services: Omit<SamlPluginDeps, 'frontDoors' | 'renderer' | 'publicUrl' | 'loginTtlMs' | 'rateLimit'> & {
    config: { publicUrl: string; loginTransactionTtlSeconds: number; loginRateLimit: { postsPerMinute: number } };
    redis?: Redis | undefined;
    provider?: Provider;
  },
  web: { renderer: PageRenderer; frontDoors: FrontDoors; onLoginStarted?: ((clientId: string) => void) | undefined },
): SamlPluginDeps {
  return {
    db: services.db,
    state: services.state,
    audit: services.audit,
    keyring: services.keyring,
    applications: services.applications,
    engine: services.engine,
    frontDoors: web.frontDoors,
    renderer: web.renderer,
    publicUrl: services.config.publicUrl,
    loginTtlMs: services.config.loginTransactionTtlSeconds * 1000,
    rateLimit: { perMinute: services.config.loginRateLimit.postsPerMinute, redis: services.redis },
    endOidcSession: services.provider ? oidcSessionEnder(services.provider) : undefined,
    onOidcLogout: services.provider ? oidcLogoutsOf(services.provider) : undefined,
    onLoginStarted: web.onLoginStarted,
  };
}

/**
 * oidc-provider's successful RP-initiated logouts that ended the whole OIDC session (the user said yes to logging out
 * of Stepgate, `logout` in the form), not those that only ended one client's part of it.
 */
function oidcLogoutsOf(provider: Provider) {
  return (listener: (req: IncomingMessage, res: ServerResponse) => void) => {
    const ended = (ctx: { req: IncomingMessage; res: ServerResponse; oidc?: { params?: { logout?: unknown } } }) => {
      if (ctx.oidc?.params?.logout) listener(ctx.req, ctx.res);
    };
    provider.on('end_session.success', ended);
    return () => void provider.off('end_session.success', ended);
  };
}

/**
 * Destroys the oidc-provider session the browser's cookie names (oidc-provider reads its own signed cookie from the
 * request); a browser without one is left alone.
 */
function oidcSessionEnder(provider: Provider) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const session = await provider.Session.get({ req, res } as unknown as Parameters<typeof provider.Session.get>[0]);
    if (session.accountId) await session.destroy();
  };
}
