// Builds the Pickup Dispatch sample application: an OpenID Connect relying party (authorization code + PKCE)
// with a server-side session, modelled on WSO2's Pickup Dispatch sample. Builds without listening.
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import { allowedHosts, hostOf } from './host-check.js';
import { finishLogin, logoutUrl, startLogin } from './login-flow.js';
import { describeProblem, type LoginProblem } from './problems.js';
import { createRelyingParty, isLoopbackHttp } from './relying-party.js';
import { createSessionStore, type Session } from './sessions.js';
import { STYLESHEET } from './styles.js';
import { type Booking, DRIVERS, PASSENGERS, renderHomePage, VEHICLES } from './views/home-page.js';
import { STYLESHEET_PATH } from './views/layout.js';
import { renderNotFoundPage, renderProblemPage, renderUnexpectedErrorPage } from './views/problem-page.js';
import { renderStartPage } from './views/start-page.js';

export interface PickupDispatchOptions {
  /** The identity server's issuer, e.g. `http://localhost:9443`. Plain http only for localhost / 127.0.0.1. */
  issuer: string;
  clientId: string;
  /** Absent for a public client, which then relies on PKCE alone. */
  clientSecret?: string;
  /** Where the sample is reachable, e.g. `http://localhost:8080`; the redirect URI is `<baseUrl>/oauth2client`. */
  baseUrl: string;
  /** Space-separated scopes. Default `openid profile email phone`. */
  scopes?: string;
  logger?: FastifyServerOptions['logger'];
}

export const SESSION_COOKIE = 'pickup_dispatch_session';
export const CALLBACK_PATH = '/oauth2client';
const DEFAULT_SCOPES = 'openid profile email phone';

function parseOptions(options: PickupDispatchOptions) {
  const issuer = new URL(options.issuer);
  if (issuer.protocol !== 'https:' && !isLoopbackHttp(issuer)) {
    throw new Error(
      `pickup-dispatch: the issuer must use https (plain http only for localhost), got ${options.issuer}`,
    );
  }
  const base = new URL(options.baseUrl);
  const origin = base.href.replace(/\/$/, '');
  return {
    issuer,
    clientId: options.clientId,
    clientSecret: options.clientSecret === '' ? undefined : options.clientSecret,
    redirectUri: `${origin}${CALLBACK_PATH}`,
    postLogoutRedirectUri: `${origin}/`,
    scopes: options.scopes ?? DEFAULT_SCOPES,
    secureCookies: base.protocol === 'https:',
    base,
  };
}

export async function createPickupDispatch(options: PickupDispatchOptions): Promise<FastifyInstance> {
  const { secureCookies, base, ...settings } = parseOptions(options);
  const rp = createRelyingParty(settings);
  const sessions = createSessionStore();
  const app = Fastify({ logger: options.logger ?? false });
  await app.register(cookie);
  await app.register(formbody);

  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax', secure: secureCookies } as const;
  const sessionOf = (request: FastifyRequest): Session | undefined => sessions.get(request.cookies[SESSION_COOKIE]);
  const startSession = (reply: FastifyReply, session: Omit<Session, 'expiresAt'>, replacing: string | undefined) => {
    sessions.destroy(replacing);
    reply.setCookie(SESSION_COOKIE, sessions.create(session), cookieOptions);
  };
  const page = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type('text/html; charset=utf-8').send(body);
  const problemPage = (reply: FastifyReply, problem: LoginProblem) => {
    const described = describeProblem(problem);
    return page(reply, described.status, renderProblemPage(described));
  };

  const hosts = allowedHosts(base);
  app.addHook('onRequest', async (request, reply) => {
    if (hosts.has(hostOf(request.headers.host, base.protocol) ?? '')) return;
    return page(
      reply,
      421,
      renderProblemPage({
        status: 421,
        title: 'Wrong address',
        explanation: `Pickup Dispatch does not answer at this address. Open ${base.origin}/ instead.`,
        details: [],
      }),
    );
  });

  // Pages hold tokens and personal data: never cache them, never leak URLs (with codes) in Referer.
  const formTargets = `'self' ${settings.issuer.origin}`;
  app.addHook('onSend', async (_request, reply) => {
    reply.header(
      'content-security-policy',
      `default-src 'none'; style-src 'self'; img-src 'self'; form-action ${formTargets}; base-uri 'none'; frame-ancestors 'none'`,
    );
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });

  app.get('/', async (request, reply) => {
    if (sessionOf(request)?.user !== undefined) return reply.redirect('/home', 303);
    return page(reply, 200, renderStartPage());
  });

  const login = async (request: FastifyRequest, reply: FastifyReply) => {
    const outcome = await startLogin(rp, request.log);
    if (outcome.kind === 'problem') return problemPage(reply, outcome.problem);
    // A new session per login attempt: the id changes again after the callback, so a planted id is useless.
    startSession(reply, { pending: outcome.pending }, request.cookies[SESSION_COOKIE]);
    return reply.redirect(outcome.url.href, 303);
  };
  app.post('/login', login);
  app.get('/login', login);

  app.get(CALLBACK_PATH, async (request, reply) => {
    const sessionId = request.cookies[SESSION_COOKIE];
    const session = sessions.get(sessionId);
    const callbackUrl = new URL(request.url, `${settings.redirectUri}`);
    const outcome = await finishLogin(rp, session?.pending, callbackUrl, request.log);
    if (outcome.kind === 'problem') {
      // A pending login is single-use; a mismatched or failed response ends it.
      if (session !== undefined) delete session.pending;
      return problemPage(reply, outcome.problem);
    }
    startSession(reply, { user: outcome.user }, sessionId);
    return reply.redirect('/home', 303);
  });

  app.get('/home', async (request, reply) => {
    const user = sessionOf(request)?.user;
    if (user === undefined) return reply.redirect('/', 303);
    return page(reply, 200, renderHomePage(user));
  });

  app.post<{ Body: Partial<Record<keyof Booking, string>> }>('/book', async (request, reply) => {
    const user = sessionOf(request)?.user;
    if (user === undefined) return reply.redirect('/', 303);
    const { driver, vehicle, passenger } = request.body ?? {};
    const booking =
      DRIVERS.find((d) => d === driver) &&
      VEHICLES.find((v) => v === vehicle) &&
      PASSENGERS.find((p) => p === passenger)
        ? { driver: driver as string, vehicle: vehicle as string, passenger: passenger as string }
        : undefined;
    return page(reply, 200, renderHomePage(user, booking));
  });

  app.post('/logout', async (request, reply) => {
    const sessionId = request.cookies[SESSION_COOKIE];
    const user = sessions.get(sessionId)?.user;
    sessions.destroy(sessionId);
    reply.clearCookie(SESSION_COOKIE, cookieOptions);
    if (user === undefined) return reply.redirect('/', 303);
    return reply.redirect(await logoutUrl(rp, user, request.log), 303);
  });

  app.get(STYLESHEET_PATH, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(STYLESHEET),
  );

  app.setNotFoundHandler(async (_request, reply) => page(reply, 404, renderNotFoundPage()));
  app.setErrorHandler(async (error, request, reply) => {
    request.log.error({ err: error }, 'pickup-dispatch: unexpected error');
    const statusCode = (error as { statusCode?: unknown }).statusCode;
    const status = typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 ? statusCode : 500;
    return page(reply, status, renderUnexpectedErrorPage());
  });

  return app;
}
