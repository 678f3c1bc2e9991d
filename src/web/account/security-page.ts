/**
 * What every change on the Security page shares: the page itself (with a notice by message id), the guard every
 * change passes (a session, a well-formed form, its CSRF token, the rules of account/rules.ts) and the redirect back
 * after a change (POST/redirect/GET).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { loadFactors } from '../../account/factors.js';
import type { AccountChange } from '../../account/rules.js';
import { isTwoFactor } from '../../account/sessions.js';
import type { AccountContext, Signed } from './context.js';

export type Form = Record<string, string>;
export type Post = FastifyRequest<{ Params: Record<string, string> }>;

const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function createSecurityKit(ctx: AccountContext) {
  const { services } = ctx;
  async function securityPage(
    reply: FastifyReply,
    status: number,
    signed: Signed,
    notices: Parameters<AccountContext['page']>[5] = {},
  ) {
    const f = await loadFactors(services, signed.user);
    return ctx.page(
      reply,
      status,
      'security',
      {
        username: signed.user.username,
        twoFactor: isTwoFactor(signed.session),
        mobile: f.mobile,
        sms: f.sms !== undefined,
        smsOtpOn: f.smsOtpOn,
        smsOtpDisabled: f.smsOtpDisabled,
        userMaySwitchSmsOtp: f.userMaySwitchSmsOtp,
        totp: f.totp.map((c) => ({ id: c.id, label: c.label, added: date(c.createdAt) })),
        passkeys: f.passkeys.map((c, n) => ({
          id: c.id,
          n,
          label: c.label,
          added: date(c.createdAt),
          synced: c.backedUp,
        })),
        backupCodesLeft: f.backupCodesLeft,
      },
      signed,
      { params: { minutes: ctx.reauthWindowMinutes }, ...notices },
    );
  }

  /**
   * A POST of a signed-in user with a good CSRF token, after the rule check of `change`: the handler runs only when
   * no rule refuses. Without a session: to the sign-in (303); a bad token: 403; a refusal: 403 with the reason.
   */
  function guarded(
    change: AccountChange | ((form: Form) => AccountChange | undefined),
    handler: (
      req: Post,
      reply: FastifyReply,
      signed: Signed,
      form: Form,
      factors: Awaited<ReturnType<AccountContext['check']>>['factors'],
    ) => Promise<unknown>,
  ) {
    return async (req: Post, reply: FastifyReply) => {
      const form = formOf(req.body);
      const signed = await ctx.signedIn(req);
      if (!signed) return reply.redirect(ctx.reauthUrl(), 303);
      if (!form) return securityPage(reply, 400, signed, { error: 'account.error.bad-request' });
      if (!ctx.csrfOk(signed, form)) return ctx.message(reply, 403, 'account.error.csrf', signed);
      const wanted = typeof change === 'function' ? change(form) : change;
      if (!wanted) return securityPage(reply, 400, signed, { error: 'account.error.bad-request' });
      const { factors, refusal } = await ctx.check(req, signed, wanted);
      if (refusal) return securityPage(reply, 403, signed, { error: `account.refused.${refusal}` });
      return handler(req, reply, signed, form, factors);
    };
  }

  const done = (reply: FastifyReply, id: string, to = '/account/') =>
    reply.header('cache-control', 'no-store').redirect(`${to}?done=${encodeURIComponent(id)}`, 303);

  return { securityPage, guarded, done };
}

export type SecurityKit = ReturnType<typeof createSecurityKit>;

/** A urlencoded form whose every field is one string; undefined otherwise (a field sent twice is malformed). */
export function formOf(body: unknown): Form | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const out: Form = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (typeof v !== 'string') return undefined;
    out[k] = v;
  }
  return out;
}
