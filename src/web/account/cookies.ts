/**
 * My Account's cookies, each an id and an HMAC of it under a purpose of its own (one cannot stand for the other):
 * the login cookie binds a sign-in in progress to this browser (Path=/interaction/<id>, like SAML's), the session
 * cookie carries the My Account session id (Path=/account). HttpOnly, SameSite=Lax, Secure when the public URL is
 * https.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Keyring } from '../../crypto/keyring.js';
import { appendCookie, cookieSeal, cookieValues } from '../signed-cookie.js';

export const ACCOUNT_LOGIN_COOKIE = 'stepgate_account_login';
export const ACCOUNT_SESSION_COOKIE = 'stepgate_account';

export function createAccountCookies(
  keyring: Keyring,
  options: { secure: boolean; loginTtlMs: number; sessionTtlMs: number },
) {
  const { seal, open } = cookieSeal(keyring, 'account-cookie');
  const attributes = (path: string, maxAgeMs: number) =>
    [
      `Path=${path}`,
      `Max-Age=${Math.floor(maxAgeMs / 1000)}`,
      'HttpOnly',
      'SameSite=Lax',
      ...(options.secure ? ['Secure'] : []),
    ].join('; ');
  return {
    setLogin(res: ServerResponse, loginId: string): void {
      appendCookie(
        res,
        `${ACCOUNT_LOGIN_COOKIE}=${encodeURIComponent(seal('login', loginId))}; ${attributes(`/interaction/${loginId}`, options.loginTtlMs)}`,
      );
    },
    holdsLogin(req: IncomingMessage, loginId: string): boolean {
      return cookieValues(req, ACCOUNT_LOGIN_COOKIE).some((v) => open('login', v) === loginId);
    },
    clearLogin(res: ServerResponse, loginId: string): void {
      appendCookie(res, `${ACCOUNT_LOGIN_COOKIE}=; ${attributes(`/interaction/${loginId}`, 0)}`);
    },
    setSession(res: ServerResponse, sessionId: string): void {
      appendCookie(
        res,
        `${ACCOUNT_SESSION_COOKIE}=${encodeURIComponent(seal('session', sessionId))}; ${attributes('/account', options.sessionTtlMs)}`,
      );
    },
    session(req: IncomingMessage): string | undefined {
      for (const v of cookieValues(req, ACCOUNT_SESSION_COOKIE)) {
        const id = open('session', v);
        if (id) return id;
      }
      return undefined;
    },
    clearSession(res: ServerResponse): void {
      appendCookie(res, `${ACCOUNT_SESSION_COOKIE}=; ${attributes('/account', 0)}`);
    },
  };
}

export type AccountCookies = ReturnType<typeof createAccountCookies>;
