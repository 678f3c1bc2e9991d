/**
 * My Account at /account/: users manage their own sign-in (Security) and their application sessions (Sessions).
 * Server-rendered forms like the login pages. The user signs in through the My Account application's own sequence:
 * /account/login starts a login through the account front door (front-door.ts), the login pages run it, and the
 * front door gives a My Account session (a random id in the state store, in a signed HttpOnly cookie).
 */
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ensureAccountApplication } from '../../account/account-app.js';
import { createAccountSessions } from '../../account/sessions.js';
import type { Services } from '../../services.js';
import type { FrontDoors } from '../front-doors.js';
import { isBackendOutage } from '../health.js';
import { createAccountContext } from './context.js';
import { createAccountCookies } from './cookies.js';
import { recordDevices } from './devices.js';
import { type AccountLogin, accountLoginKey, createAccountFrontDoor } from './front-door.js';
import { accountMessage } from './messages.js';
import { createAccountRenderer } from './render.js';
import { securityRoutes } from './security-routes.js';
import { sessionsRoutes } from './sessions-routes.js';

const here = dirname(fileURLToPath(import.meta.url));
const FORM_LIMIT = 16 * 1024;

export interface AccountPluginOptions {
  services: Services;
  frontDoors: FrontDoors;
}

/** Only a path inside My Account may be where a sign-in returns to (no open redirect). */
export function safeReturn(value: unknown): string {
  return typeof value === 'string' && /^\/account\/[\w\-/]*$/.test(value) && !value.includes('//')
    ? value
    : '/account/';
}

export async function accountPlugin(app: FastifyInstance, options: AccountPluginOptions): Promise<void> {
  const { services } = options;
  const settings = services.config.account;
  const render = createAccountRenderer();
  const sessionTtlMs = settings.sessionMinutes * 60_000;
  const cookies = createAccountCookies(services.keyring, {
    secure: services.config.publicUrl.startsWith('https:'),
    loginTtlMs: services.config.loginTransactionTtlSeconds * 1000,
    sessionTtlMs,
  });
  const sessions = createAccountSessions(services.state, sessionTtlMs);
  const ctx = createAccountContext({
    services,
    render,
    cookies,
    sessions,
    reauthWindowMs: settings.reauthMinutes * 60_000,
  });

  options.frontDoors.add(
    createAccountFrontDoor({
      state: services.state,
      sessions,
      cookies,
      refusedPage: (description) =>
        render('message', {
          title: 'Sign-in did not complete',
          signedIn: false,
          errorId: 'account.error.signin-failed',
          error: `${accountMessage('account.error.signin-failed')} ${description}`,
          next: '/account/login',
          nextLabel: 'Try again',
        }),
    }),
  );
  const stopRecording = recordDevices(services.provider, services.state);
  app.addHook('onClose', async () => stopRecording());

  await app.register(formbody, { bodyLimit: FORM_LIMIT });
  // every form of My Account, per client address, on top of the per-session code limits: as many a minute as the
  // login pages allow (`loginRateLimit.postsPerMinute`), counted apart from them, shared through Redis in cluster mode
  await app.register(rateLimit, {
    max: services.config.loginRateLimit.postsPerMinute,
    timeWindow: 60_000,
    allowList: (req) => req.method !== 'POST',
    ...(services.redis
      ? { redis: services.redis, nameSpace: `stepgate:${services.config.publicUrl}:account-rl:` }
      : {}),
    errorResponseBuilder: (_req, context) =>
      Object.assign(new Error('rate limited'), { statusCode: context.statusCode, code: 'RATE_LIMITED' }),
  });
  await app.register(fastifyStatic, {
    root: join(here, 'assets'),
    prefix: '/account/assets/',
    decorateReply: false,
    maxAge: '1h',
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return ctx.message(reply, 413, 'account.error.too-large');
    if (error.code === 'RATE_LIMITED') return ctx.message(reply, 429, 'account.error.rate-limited');
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
      return ctx.message(reply, error.statusCode, 'account.error.bad-request');
    if (isBackendOutage(error)) return ctx.message(reply.header('retry-after', '5'), 503, 'account.error.unavailable');
    req.log.error({ err: error }, 'My Account page failed');
    return ctx.message(reply, 500, 'account.error.internal');
  });
  // pages carry a user's factors and CSRF tokens: never cached (the stylesheet is)
  app.addHook('onSend', async (req, reply) => {
    if (!req.url.startsWith('/account/assets/')) reply.header('cache-control', 'no-store');
  });

  app.get('/account', async (_req, reply) => reply.redirect('/account/', 301));

  /** Starts a sign-in (also a re-authentication): a login of the My Account application, bound to this browser. */
  app.get('/account/login', async (req: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
    const application = await ensureAccountApplication(
      services.applications,
      services.identityProviders,
      services.config.publicUrl,
    );
    const loginId = `acct_${randomBytes(18).toString('base64url')}`;
    const login: AccountLogin = {
      returnTo: safeReturn(req.query.return),
      userAgent: String(req.headers['user-agent'] ?? '').slice(0, 256),
      ip: req.ip,
    };
    const ttl = services.config.loginTransactionTtlSeconds * 1000;
    await services.state.create(accountLoginKey(loginId), login, ttl);
    await services.engine.start({
      loginId,
      protocol: 'account',
      applicationId: application.id,
      requirements: { forceAuthentication: true },
    });
    cookies.setLogin(reply.raw, loginId);
    return reply.redirect(`/interaction/${loginId}`, 303);
  });

  app.post('/account/logout', async (req, reply) => {
    const signed = await ctx.signedIn(req);
    const form = req.body as Record<string, unknown> | undefined;
    if (signed) {
      if (typeof form?.csrf !== 'string' || !ctx.csrfOk(signed, form as Record<string, string>))
        return ctx.message(reply, 403, 'account.error.csrf', signed);
      await sessions.destroy(signed.session.id);
      await ctx.audit(req, signed.user, 'account.signed-out');
    }
    cookies.clearSession(reply.raw);
    return ctx.page(reply, 200, 'message', { title: 'Signed out', next: '/account/login', nextLabel: 'Sign in again' });
  });

  securityRoutes(app, ctx);
  sessionsRoutes(app, ctx);
}
