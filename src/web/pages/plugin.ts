/**
 * The login pages: a front door (OIDC, SAML) sends the browser to /interaction/:id, and these routes run the
 * application's authentication sequence through the step engine, whatever protocol started the login. Server-rendered
 * HTML forms that work without JavaScript. When the steps end, the front door that owns the login answers.
 *
 * Each request: find the login and its front door → the browser holds it → (POST) check size, shape and CSRF token
 * → engine → page (status by intent, outcome-status.ts), or the front door's answer.
 */
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Engine, EngineResult } from '../../authn/engine.js';
import { type LoginTransaction, protocolOf, requirementsOf } from '../../authn/login-transaction.js';
import { chooseLocale, type LocalePreferences, parseAcceptLanguage } from '../../authn/messages-locale.js';
import { type Keyring, safeEqual } from '../../crypto/keyring.js';
import type { ApplicationStore } from '../../identity/applications.js';
import type { AuditLog } from '../../identity/audit.js';
import type { FrontDoor, FrontDoorAnswer, FrontDoors } from '../front-doors.js';
import { isBackendOutage } from '../health.js';
import { errorStatus, pageStatus } from './outcome-status.js';
import type { PageRenderer } from './render.js';

export interface LoginPagesDeps {
  issuer: string;
  /** submissions per client IP per minute; counted in Redis when a client is given, so every node shares the count */
  rateLimit: { postsPerMinute: number; redis?: Redis | undefined };
  engine: Engine;
  frontDoors: FrontDoors;
  applications: ApplicationStore;
  audit: AuditLog;
  keyring: Keyring;
  renderer: PageRenderer;
}

const FORM_LIMIT = 16 * 1024;

export async function loginPages(app: FastifyInstance, deps: LoginPagesDeps): Promise<void> {
  const { engine, renderer } = deps;
  await app.register(formbody, { bodyLimit: FORM_LIMIT });
  const { redis } = deps.rateLimit;
  await app.register(rateLimit, {
    global: false,
    // keys carry the issuer: the nodes of one deployment share them, other deployments on the same Redis do not
    ...(redis ? { redis, nameSpace: `stepgate:${deps.issuer}:login-rl:` } : {}),
    // a throttled form gets the same friendly page as any other refusal (the error handler renders it)
    errorResponseBuilder: (_req, context) =>
      Object.assign(new Error('rate limited'), { statusCode: context.statusCode }),
  });

  const csrfFor = (id: string) => deps.keyring.mac('csrf', id);
  const issuerOrigin = new URL(deps.issuer).origin;
  /** the languages asked for: the login's ui_locales, then the browser's (the user's claim comes between, in steps) */
  const localesOf = (req: FastifyRequest, tx?: LoginTransaction): LocalePreferences => ({
    requested: (tx && requirementsOf(tx).uiLocales) ?? [],
    accepted: parseAcceptLanguage(req.headers['accept-language']),
  });
  const clientInfo = (req: FastifyRequest, tx?: LoginTransaction) => ({
    ip: req.ip,
    userAgent: String(req.headers['user-agent'] ?? '').slice(0, 256),
    locales: localesOf(req, tx),
  });
  /** the pages in the request's language (without a login: Accept-Language only) */
  const pagesFor = (req: FastifyRequest, tx?: LoginTransaction) =>
    renderer.forLocale(chooseLocale(localesOf(req, tx), tx?.locale));

  function errorPage(reply: FastifyReply, status: number, messageId: string, extra: Record<string, unknown> = {}) {
    const pages = pagesFor(reply.request);
    return reply
      .status(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(
        pages.render('error', {
          messageId,
          message: pages.message(messageId, (extra.params as Record<string, unknown>) ?? {}),
          ...extra,
        }),
      );
  }

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return errorPage(reply, 413, 'login.too-large');
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
      return errorPage(reply, 415, 'login.bad-request');
    if (error.statusCode === 429) return errorPage(reply, 429, 'login.rate-limited');
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
      return errorPage(reply, error.statusCode, 'login.bad-request');
    // a back end down (Redis, PostgreSQL): the step is not run on a guess; the user may try again (web/health.ts)
    if (isBackendOutage(error)) return errorPage(reply.header('retry-after', '5'), 503, 'login.unavailable');
    req.log.error({ err: error }, 'login page failed');
    return errorPage(reply, 500, 'login.internal');
  });

  /** A front door's answer: a redirect (303), or its own page (SAML's auto-posting form), never cached. */
  function answer(reply: FastifyReply, door: FrontDoorAnswer) {
    reply.header('cache-control', 'no-store');
    if ('redirect' in door) return reply.redirect(door.redirect, 303);
    return reply
      .status(door.status ?? 200)
      .type('text/html; charset=utf-8')
      .send(door.html);
  }

  /**
   * A login that another submission completed: where the winner went when its answer was a redirect, else a page
   * saying so — never a second answer to the application (a SAML assertion is posted once).
   */
  function alreadyComplete(reply: FastifyReply, id: string, door: FrontDoor | undefined, returnTo?: string) {
    const to = returnTo ?? door?.resumeUrl?.(id);
    if (to) return reply.header('cache-control', 'no-store').redirect(to, 303);
    return errorPage(reply, 409, 'login.already-complete');
  }

  /** True when `to` is the front door's resume URL for this login, on the issuer's origin. */
  function isResumeUrl(to: string, door: FrontDoor, id: string): boolean {
    const resume = door.resumeUrl?.(id);
    if (!resume) return false;
    const url = new URL(to, deps.issuer);
    return url.origin === issuerOrigin && url.pathname === resume && url.search === '' && url.hash === '';
  }

  /** The login (and its record), its front door, and whether this browser holds it; undefined when any is missing. */
  async function held(req: FastifyRequest, reply: FastifyReply, id: string) {
    const record = await engine.load(id);
    const tx = record?.value;
    const door = tx ? deps.frontDoors.get(protocolOf(tx)) : undefined;
    const holds = door ? await door.holds(req.raw, reply.raw, id) : false;
    return { record, tx, door, holds };
  }

  async function respond(req: FastifyRequest, reply: FastifyReply, id: string, door: FrontDoor, result: EngineResult) {
    switch (result.type) {
      case 'page': {
        const app = await deps.applications.get(result.tx.applicationId);
        const pages = pagesFor(req, result.tx);
        const html = pages.render(result.page, {
          ...result.data,
          applicationName: app?.name ?? '',
          action: `/interaction/${id}`,
          abort: `/interaction/${id}/abort`,
          csrf: csrfFor(id),
          stepIndex: result.tx.stepIndex,
          step: result.tx.stepIndex,
          options: result.options ?? [],
          noticeId: result.notice ?? '',
          notice: result.notice ? pages.message(result.notice, result.data) : '',
        });
        return reply
          .status(pageStatus(result.intent))
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(html);
      }
      case 'finish': {
        const { completion } = result;
        const answered = await door.complete(req.raw, reply.raw, completion);
        // a late double submit is sent where this answer went: remembered, unless it is the front door's resume URL,
        // where alreadyComplete sends it anyway (OIDC: one read and one write fewer per login)
        if ('redirect' in answered && !isResumeUrl(answered.redirect, door, id))
          await engine.remember(id, answered.redirect);
        await deps.audit.record({
          event: 'login.succeeded',
          userId: completion.accountId,
          username: result.username,
          clientId: result.tx.clientId,
          ip: req.ip,
          data: { loginId: id, protocol: door.protocol, amr: completion.amr, acr: completion.acr },
        });
        return answer(reply, answered);
      }
      case 'refuse': {
        const answered = await door.refuse(req.raw, reply.raw, result.refusal);
        await audited(req, result.tx, 'login.denied', {
          loginId: id,
          protocol: door.protocol,
          reason: result.refusal.reason,
          requirements: result.tx.requirements ?? {},
        });
        return answer(reply, answered);
      }
      case 'completed':
        return alreadyComplete(reply, id, door, result.returnTo);
      case 'conflict':
        return reply.redirect(`/interaction/${id}`, 303);
      case 'error':
        return errorPage(reply, errorStatus(result.intent), result.message, {
          params: result.params ?? {},
          back: `/interaction/${id}/abort`,
        });
    }
  }

  function audited(req: FastifyRequest, tx: LoginTransaction, event: string, data: Record<string, unknown>) {
    return deps.audit.record({ event, userId: tx.userId ?? null, clientId: tx.clientId, ip: req.ip, data });
  }

  app.get<{ Params: { uid: string } }>('/interaction/:uid', async (req, reply) => {
    const { uid } = req.params;
    const { record, tx, door, holds } = await held(req, reply, uid);
    if (!tx || !door || !holds) return errorPage(reply, 410, 'login.expired');
    return respond(req, reply, uid, door, await engine.view(uid, clientInfo(req, tx), record));
  });

  const throttled = { rateLimit: { max: deps.rateLimit.postsPerMinute, timeWindow: 60_000 } };
  app.post<{ Params: { uid: string } }>(
    '/interaction/:uid',
    { bodyLimit: FORM_LIMIT, config: throttled },
    async (req, reply) => {
      const { uid } = req.params;
      if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
        return errorPage(reply, 415, 'login.bad-request');
      const body = req.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        return errorPage(reply, 400, 'login.bad-request');
      const input: Record<string, string> = {};
      for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
        // a field sent twice, or not as text, is a malformed form, not something to guess at
        if (typeof v !== 'string') return errorPage(reply, 400, 'login.bad-request');
        input[k] = v;
      }
      if (!input.csrf || !safeEqual(input.csrf, csrfFor(uid))) return errorPage(reply, 403, 'login.csrf');
      const { tx, door, holds } = await held(req, reply, uid);
      if (!tx || !door || !holds) {
        // a double submit that lost after the winner finished the login still lands where the winner went
        if (tx?.status === 'completed') return alreadyComplete(reply, uid, door, tx.returnTo);
        return errorPage(reply, 410, 'login.expired');
      }
      delete input.csrf;
      return respond(req, reply, uid, door, await engine.submit(uid, input, clientInfo(req, tx)));
    },
  );

  /** Cancel: the login ends without a user, and the front door tells the application so. */
  app.get<{ Params: { uid: string } }>('/interaction/:uid/abort', async (req, reply) => {
    const { uid } = req.params;
    const { tx, door, holds } = await held(req, reply, uid);
    if (!tx || !door || !holds) return errorPage(reply, 410, 'login.expired');
    if (tx.status === 'completed') return alreadyComplete(reply, uid, door, tx.returnTo);
    await engine.cancel(uid);
    const refusal = {
      loginId: uid,
      reason: 'cancelled' as const,
      description: 'The user cancelled the login or could not complete it.',
    };
    return answer(reply, await door.refuse(req.raw, reply.raw, refusal));
  });
}
