/**
 * The Sessions page: the user's application sessions (oidc-provider's) with device, address and time, each one
 * revocable, and all at once. Revoking ends the session and its grants with their tokens (account/app-sessions.ts);
 * it is audited and told to the user by SMS. Ending sessions weakens no factor: a session and its CSRF token suffice.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { listAppSessions, revokeAllAppSessions, revokeAppSession } from '../../account/app-sessions.js';
import { loadFactors } from '../../account/factors.js';
import { sessionsNoticeText } from '../../account/sms.js';
import type { AccountContext, Signed } from './context.js';
import { formOf } from './security-routes.js';

const when = (ms: number) =>
  ms > 0 ? `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'at an unknown time';

/** A short name for a user agent: the browser and the system, not the whole string. */
export function deviceName(userAgent: string | undefined): string {
  if (!userAgent) return 'unknown device';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Chrome\//.test(userAgent)
      ? 'Chrome'
      : /Firefox\//.test(userAgent)
        ? 'Firefox'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : userAgent.split(/[ /]/)[0]!.slice(0, 40);
  const system = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : '';
  return system ? `${browser} on ${system}` : browser;
}

export function sessionsRoutes(app: FastifyInstance, ctx: AccountContext): void {
  const { services } = ctx;
  const names = async (clientId: string) => (await services.applications.getByClientId(clientId))?.name;

  async function sessionsPage(
    reply: FastifyReply,
    status: number,
    signed: Signed,
    notices: { error?: string; done?: string } = {},
  ) {
    const sessions = await listAppSessions(services.db, services.state, signed.user.id, names);
    return ctx.page(
      reply,
      status,
      'sessions',
      {
        sessions: sessions.map((s) => ({
          uid: s.uid,
          apps: s.applications.map((a) => a.name).join(', ') || 'no application',
          when: when(s.loginAt),
          device: deviceName(s.userAgent),
          ip: s.ip || 'unknown address',
        })),
        me: {
          when: when(signed.session.createdAt),
          device: deviceName(signed.session.userAgent),
          ip: signed.session.ip || 'unknown address',
        },
      },
      signed,
      notices,
    );
  }

  app.get('/account/sessions', async (req, reply) => {
    const signed = await ctx.signedIn(req);
    if (!signed) return reply.redirect(ctx.reauthUrl('/account/sessions'), 303);
    const q = req.query as Record<string, unknown>;
    return sessionsPage(reply, 200, signed, typeof q.done === 'string' ? { done: q.done } : {});
  });

  async function posted(req: FastifyRequest, reply: FastifyReply): Promise<Signed | undefined> {
    const signed = await ctx.signedIn(req);
    if (!signed) {
      await reply.redirect(ctx.reauthUrl('/account/sessions'), 303);
      return undefined;
    }
    const form = formOf(req.body);
    if (!form || !ctx.csrfOk(signed, form)) {
      await ctx.message(reply, 403, 'account.error.csrf', signed);
      return undefined;
    }
    return signed;
  }

  async function tell(req: FastifyRequest, signed: Signed, all: boolean) {
    const factors = await loadFactors(services, signed.user);
    const text = sessionsNoticeText(signed.user.username, all);
    const sent = await ctx.sms(factors.sms, factors.mobile, text);
    await ctx.audit(req, signed.user, 'account.notice', { changes: ['sessions'], ...sent }).catch(() => undefined);
  }

  app.post<{ Params: { uid: string } }>('/account/sessions/:uid/revoke', async (req, reply) => {
    const signed = await posted(req, reply);
    if (!signed) return reply;
    const uid = req.params.uid.slice(0, 128);
    // the deletes and their event commit together (account/app-sessions.ts)
    const revoked = await revokeAppSession(services.db, services.state, signed.user.id, uid, (trx) =>
      ctx.audit(req, signed.user, 'account.session-revoked', { sessionUid: uid }, trx),
    );
    if (!revoked) return sessionsPage(reply, 404, signed, { error: 'account.error.not-found' });
    await tell(req, signed, false);
    return reply.redirect('/account/sessions?done=account.done.session-revoked', 303);
  });

  app.post('/account/sessions/revoke-all', async (req, reply) => {
    const signed = await posted(req, reply);
    if (!signed) return reply;
    await revokeAllAppSessions(services.db, services.state, signed.user.id, (trx, ended) =>
      ctx.audit(req, signed.user, 'account.sessions-revoked', ended, trx),
    );
    // My Account sessions in other browsers end too (one may be whoever the user is locking out); this browser
    // keeps a new session with the same sign-in
    await ctx.sessions.endAll(signed.user.id);
    await ctx.sessions.destroy(signed.session.id);
    const { id: _old, createdAt: _at, generation: _g, ...kept } = signed.session;
    const renewed = await ctx.sessions.create(kept, signed.session.createdAt);
    ctx.cookies.setSession(reply.raw, renewed.id);
    await tell(req, signed, true);
    return reply.redirect('/account/sessions?done=account.done.sessions-revoked', 303);
  });
}
