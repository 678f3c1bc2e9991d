/**
 * My Account's front door: /account/login starts a login of the built-in My Account application in the engine, the
 * login pages run its sequence like any application's, and when the steps end they hand the login back here.
 *
 *   holds    the browser carries the signed login cookie of this login (Path=/interaction/<id>)
 *   complete a new My Account session (the old one, if any, is ended: no session id survives a sign-in), then back
 *            to the My Account page the sign-in was started from
 *   refuse   a page saying the sign-in did not complete, with a way to try again
 */

import type { AccountSessions } from '../../account/sessions.js';
import type { LoginCompletion } from '../../authn/front-door.js';
import type { StateStore } from '../../state/state-store.js';
import type { FrontDoor } from '../front-doors.js';
import type { AccountCookies } from './cookies.js';

/** What /account/login remembers about a sign-in it started, until the login ends. */
export interface AccountLogin {
  returnTo: string;
  userAgent: string;
  ip: string;
}

export const accountLoginKey = (loginId: string) => `account:login:${loginId}`;

export function createAccountFrontDoor(deps: {
  state: StateStore;
  sessions: AccountSessions;
  cookies: AccountCookies;
  refusedPage: (description: string) => string;
  onSignedIn?: (completion: LoginCompletion, sessionId: string) => Promise<void>;
}): FrontDoor {
  return {
    protocol: 'account',
    async holds(req, _res, loginId) {
      return deps.cookies.holdsLogin(req, loginId);
    },
    async complete(req, res, completion) {
      const started = (await deps.state.get<AccountLogin>(accountLoginKey(completion.loginId)))?.value;
      await deps.state.delete(accountLoginKey(completion.loginId));
      const previous = deps.cookies.session(req);
      if (previous) await deps.sessions.destroy(previous);
      const session = await deps.sessions.create({
        userId: completion.accountId,
        amr: completion.amr,
        acr: completion.acr,
        authTime: completion.authTime,
        userAgent: started?.userAgent ?? '',
        ip: started?.ip ?? '',
      });
      deps.cookies.clearLogin(res, completion.loginId);
      deps.cookies.setSession(res, session.id);
      await deps.onSignedIn?.(completion, session.id);
      return { redirect: started?.returnTo ?? '/account/' };
    },
    async refuse(_req, res, refusal) {
      await deps.state.delete(accountLoginKey(refusal.loginId));
      deps.cookies.clearLogin(res, refusal.loginId);
      return { html: deps.refusedPage(refusal.description), status: 403 };
    },
  };
}
