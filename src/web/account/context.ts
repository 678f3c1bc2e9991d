/**
 * What every My Account route uses: the signed-in user of a request, the CSRF token of a session, pages with their
 * notices, audit events and notice SMS. Built once per plugin (plugin.ts) and handed to the route modules.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ACCOUNT_CLIENT_ID } from '../../account/account-app.js';
import { type Factors, loadFactors } from '../../account/factors.js';
import { type AccountChange, type AccountRefusal, refusalOf } from '../../account/rules.js';
import { type AccountSession, type AccountSessions, isFresh, isTwoFactor } from '../../account/sessions.js';
import { changeNoticeText, masked, sendSms } from '../../account/sms.js';
import { safeEqual } from '../../crypto/keyring.js';
import type { AuthenticatorKind } from '../../identity/authenticator-changes.js';
import { getUserById, type User } from '../../identity/users.js';
import type { Services } from '../../services.js';
import type { Db } from '../../store/db.js';
import type { AccountCookies } from './cookies.js';
import { type AccountMessageId, accountMessage, isAccountMessage } from './messages.js';
import type { AccountRenderer } from './render.js';

export interface Signed {
  session: AccountSession;
  user: User;
}

export function createAccountContext(deps: {
  services: Services;
  render: AccountRenderer;
  cookies: AccountCookies;
  sessions: AccountSessions;
  reauthWindowMs: number;
}) {
  const { services, render, cookies, sessions } = deps;
  const csrfFor = (sessionId: string) => services.keyring.mac('account-csrf', sessionId);

  /** The session of this request and its user; a session whose user is gone or disabled is ended. */
  async function signedIn(req: FastifyRequest): Promise<Signed | undefined> {
    const id = cookies.session(req.raw);
    const session = id ? await sessions.get(id) : undefined;
    if (!session) return undefined;
    const user = await getUserById(services.db, session.userId);
    if (!user?.enabled) {
      await sessions.destroy(session.id);
      return undefined;
    }
    return { session, user };
  }

  /** The form's CSRF token belongs to this session (constant-time). */
  function csrfOk(signed: Signed, body: Record<string, string>): boolean {
    return typeof body.csrf === 'string' && safeEqual(body.csrf, csrfFor(signed.session.id));
  }

  function reauthUrl(returnTo = '/account/'): string {
    return `/account/login?return=${encodeURIComponent(returnTo)}`;
  }

  /** Renders a page for a signed-in user, with a notice by message id (ids only: no text from the request). */
  function page(
    reply: FastifyReply,
    status: number,
    view: string,
    data: Record<string, unknown>,
    signed?: Signed,
    notices: { error?: string; done?: string; params?: Record<string, string | number> } = {},
  ) {
    const error = notices.error && isAccountMessage(notices.error) ? notices.error : undefined;
    const done = notices.done && isAccountMessage(notices.done) ? notices.done : undefined;
    const needsSignIn =
      error === 'account.refused.reauth-needed' || error === 'account.refused.two-factor-session-needed';
    return reply
      .status(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(
        render(view, {
          ...data,
          signedIn: signed !== undefined,
          csrf: signed ? csrfFor(signed.session.id) : '',
          ...(error ? { errorId: error, error: accountMessage(error, notices.params) } : {}),
          ...(done ? { doneId: done, done: accountMessage(done) } : {}),
          ...(needsSignIn ? { reauth: reauthUrl(String(data.returnTo ?? '/account/')) } : {}),
        }),
      );
  }

  function message(reply: FastifyReply, status: number, id: AccountMessageId, signed?: Signed, title = 'My Account') {
    return page(reply, status, 'message', { title }, signed, { error: id });
  }

  /**
   * Records an event of this user's My Account. A change passes `within`, the transaction of its write, so both
   * commit or neither (docs/architecture.md, "Admin writes"); events of what stores nothing (a refusal, a notice,
   * a code sent) go on `db`.
   */
  async function audit(
    req: FastifyRequest,
    user: User,
    event: string,
    data: Record<string, unknown> = {},
    within: Db = services.db,
  ) {
    await services.audit.record(
      {
        event,
        userId: user.id,
        username: user.username,
        clientId: ACCOUNT_CLIENT_ID,
        ip: req.ip,
        data: { via: 'my-account', ...data },
      },
      within,
    );
  }

  /** Sends one of My Account's SMS through the provider's gateway, recorded in the SMS message log. */
  const sms = (provider: Factors['sms'], number: string | undefined, text: string) =>
    sendSms(services.smsGateway, provider, number, text, services.smsMessages);

  /** Tells the user by SMS that their sign-in changed (to `to`, else their number); audits the outcome, never throws. */
  async function notify(req: FastifyRequest, user: User, factors: Factors, changes: AuthenticatorKind[], to?: string) {
    const number = to ?? factors.mobile;
    const sent = await sms(factors.sms, number, changeNoticeText(user.username, changes));
    if (sent.outcome === 'failed') req.log.warn({ ...sent, changes }, 'the notice of a My Account change failed');
    await audit(req, user, 'account.notice', { changes, ...sent }).catch(() => undefined);
  }

  /** The factors, and the rule that refuses the change for this session (audited), if any. */
  async function check(req: FastifyRequest, signed: Signed, change: AccountChange) {
    const factors = await loadFactors(services, signed.user);
    const refusal: AccountRefusal | undefined = refusalOf(
      change,
      { fresh: isFresh(signed.session, deps.reauthWindowMs), twoFactor: isTwoFactor(signed.session) },
      factors,
    );
    if (refusal) await audit(req, signed.user, 'account.change-refused', { change: change.kind, reason: refusal });
    return { factors, refusal };
  }

  return {
    services,
    sessions,
    cookies,
    render,
    reauthWindowMinutes: Math.round(deps.reauthWindowMs / 60_000),
    signedIn,
    csrfOk,
    csrfFor,
    reauthUrl,
    page,
    message,
    audit,
    sms,
    notify,
    check,
    masked,
  };
}

export type AccountContext = ReturnType<typeof createAccountContext>;
