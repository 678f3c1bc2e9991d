/**
 * The login pages: oidc-provider sends the browser to /interaction/:uid, and these routes run the application's
 * authentication sequence through the step engine. Server-rendered HTML forms that work without JavaScript.
 *
 * Each request: check the interaction cookie → (POST) check size, shape and CSRF token → engine → page or redirect.
 */
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type Provider from 'oidc-provider';
import type { Engine, EngineResult } from '../../authn/engine.js';
import { type Keyring, safeEqual } from '../../crypto/keyring.js';
import type { ApplicationStore } from '../../identity/applications.js';
import type { AuditLog } from '../../identity/audit.js';
import { OIDC_ROUTES } from '../../oidc/provider.js';
import type { PageRenderer } from './render.js';

export interface LoginPagesDeps {
  issuer: string;
  /** submissions per client IP per minute; counted in Redis when a URL is given, so every node shares the count */
  rateLimit: { postsPerMinute: number; redisUrl?: string | undefined };
  provider: Provider;
  engine: Engine;
  applications: ApplicationStore;
  audit: AuditLog;
  keyring: Keyring;
  renderer: PageRenderer;
}

const FORM_LIMIT = 16 * 1024;

/** Where oidc-provider resumes an interaction once its result is stored (interactionResult returns the same). */
const resumeUrl = (uid: string) => `${OIDC_ROUTES.authorization}/${uid}`;

export async function loginPages(app: FastifyInstance, deps: LoginPagesDeps): Promise<void> {
  const { provider, engine, renderer } = deps;
  await app.register(formbody, { bodyLimit: FORM_LIMIT });
  const redis = deps.rateLimit.redisUrl ? new Redis(deps.rateLimit.redisUrl, { maxRetriesPerRequest: 1 }) : undefined;
  if (redis) app.addHook('onClose', async () => redis.disconnect());
  await app.register(rateLimit, {
    global: false,
    // keys carry the issuer: the nodes of one deployment share them, other deployments on the same Redis do not
    ...(redis ? { redis, nameSpace: `stepgate:${deps.issuer}:login-rl:` } : {}),
    // a throttled form gets the same friendly page as any other refusal (the error handler renders it)
    errorResponseBuilder: (_req, context) =>
      Object.assign(new Error('rate limited'), { statusCode: context.statusCode }),
  });

  const csrfFor = (uid: string) => deps.keyring.mac('csrf', uid);
  const clientInfo = (req: FastifyRequest) => ({
    ip: req.ip,
    userAgent: String(req.headers['user-agent'] ?? '').slice(0, 256),
  });

  function errorPage(reply: FastifyReply, status: number, messageId: string, extra: Record<string, unknown> = {}) {
    return reply
      .status(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(
        renderer.render('error', {
          messageId,
          message: renderer.message(messageId, (extra.params as Record<string, unknown>) ?? {}),
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
    req.log.error({ err: error }, 'login page failed');
    return errorPage(reply, 500, 'login.internal');
  });

  /** The interaction must exist and belong to this browser (oidc-provider checks its cookie). */
  async function details(req: FastifyRequest, reply: FastifyReply) {
    try {
      return await provider.interactionDetails(req.raw, reply.raw);
    } catch {
      return undefined;
    }
  }

  async function respond(req: FastifyRequest, reply: FastifyReply, uid: string, result: EngineResult) {
    switch (result.type) {
      case 'page': {
        const app = await deps.applications.get(result.tx.applicationId);
        const html = renderer.render(result.view, {
          ...result.data,
          applicationName: app?.name ?? '',
          action: `/interaction/${uid}`,
          abort: `/interaction/${uid}/abort`,
          csrf: csrfFor(uid),
          stepIndex: result.tx.stepIndex,
          step: result.tx.stepIndex,
          options: result.options ?? [],
          noticeId: result.notice ?? '',
          notice: result.notice ? renderer.message(result.notice, result.data) : '',
        });
        return reply
          .status(result.status)
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(html);
      }
      case 'finish': {
        const returnTo = await provider.interactionResult(
          req.raw,
          reply.raw,
          { login: { accountId: result.accountId, amr: result.amr, acr: result.acr, remember: true } },
          { mergeWithLastSubmission: false },
        );
        await engine.remember(uid, returnTo);
        const user = await engine.userOf(result.tx);
        await deps.audit.record({
          event: 'login.succeeded',
          userId: result.accountId,
          username: user?.username ?? null,
          clientId: result.tx.clientId,
          ip: req.ip,
          data: { loginId: uid, amr: result.amr, acr: result.acr },
        });
        return reply.header('cache-control', 'no-store').redirect(returnTo, 303);
      }
      case 'deny': {
        const returnTo = await provider.interactionResult(
          req.raw,
          reply.raw,
          { error: result.error, error_description: result.description },
          { mergeWithLastSubmission: false },
        );
        await deps.audit.record({
          event: 'login.denied',
          userId: result.tx.userId ?? null,
          clientId: result.tx.clientId,
          ip: req.ip,
          data: { loginId: uid, error: result.error, requestedAcr: result.tx.requestedAcr ?? [] },
        });
        return reply.header('cache-control', 'no-store').redirect(returnTo, 303);
      }
      case 'completed':
        // the winner may not have stored its return address yet: oidc-provider resumes every interaction at this URL
        return reply.redirect(result.returnTo ?? resumeUrl(uid), 303);
      case 'conflict':
        return reply.redirect(`/interaction/${uid}`, 303);
      case 'error':
        return errorPage(reply, result.status, result.message, {
          params: result.params ?? {},
          back: `/interaction/${uid}/abort`,
        });
    }
  }

  app.get<{ Params: { uid: string } }>('/interaction/:uid', async (req, reply) => {
    const { uid } = req.params;
    const interaction = await details(req, reply);
    if (!interaction) return errorPage(reply, 410, 'login.expired');
    const clientId = String(interaction.params.client_id ?? '');
    const application = await deps.applications.getByClientId(clientId);
    if (!application) return errorPage(reply, 400, 'login.unknown-client');
    const acrValues = String(interaction.params.acr_values ?? '')
      .split(' ')
      .filter(Boolean);
    await engine.start(uid, application, acrValues);
    return respond(req, reply, uid, await engine.view(uid, clientInfo(req)));
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
      const interaction = await details(req, reply);
      if (!interaction) {
        // a double submit that lost after the winner finished the interaction still lands where the winner went
        const record = await engine.load(uid);
        if (record?.value.status === 'completed') return reply.redirect(record.value.returnTo ?? resumeUrl(uid), 303);
        return errorPage(reply, 410, 'login.expired');
      }
      delete input.csrf;
      return respond(req, reply, uid, await engine.submit(uid, input, clientInfo(req)));
    },
  );

  app.get<{ Params: { uid: string } }>('/interaction/:uid/abort', async (req, reply) => {
    const interaction = await details(req, reply);
    if (!interaction) return errorPage(reply, 410, 'login.expired');
    const returnTo = await provider.interactionResult(
      req.raw,
      reply.raw,
      { error: 'access_denied', error_description: 'The user cancelled the login or could not complete it.' },
      { mergeWithLastSubmission: false },
    );
    return reply.redirect(returnTo, 303);
  });
}
