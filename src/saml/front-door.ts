/**
 * The SAML front door: an AuthnRequest starts a login in the engine (the web plugin), and when the steps end the
 * login pages hand it back here.
 *
 *   holds    the browser carries the signed login cookie for this login (Path=/interaction/<id>)
 *   complete the SAML session is made or joined, and the signed Response is auto-posted to the registered ACS URL
 *   refuse   an error Response (NoAuthnContext, NoPassive, AuthnFailed) is auto-posted the same way
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Keyring } from '../crypto/keyring.js';
import type { FrontDoor } from '../web/front-doors.js';
import { appendCookie, cookieSeal, cookieValues } from '../web/signed-cookie.js';
import { encodePost } from './bindings.js';
import type { PostMessage, SamlIdentityProvider } from './identity-provider.js';
import { SESSION_TTL_MS } from './state.js';

export const LOGIN_COOKIE = 'stepgate_saml_login';
export const SESSION_COOKIE = 'stepgate_saml_session';

export interface SamlCookies {
  secure: boolean;
  loginTtlMs: number;
}

/** Signed cookies: the value and an HMAC of it under a purpose of its own, so one cookie cannot stand for another. */
export function createSamlCookies(keyring: Keyring, options: SamlCookies) {
  const { seal, open } = cookieSeal(keyring, 'saml-cookie');
  const attributes = (path: string, maxAgeMs: number, crossSite: boolean) => {
    const parts = [`Path=${path}`, `Max-Age=${Math.floor(maxAgeMs / 1000)}`, 'HttpOnly'];
    // the session is read on the service providers' cross-site POSTs (HTTP-POST binding, Single Logout): over HTTPS
    // it is SameSite=None; plain HTTP (development) cannot have None, Lax still serves the Redirect binding
    if (crossSite && options.secure) parts.push('SameSite=None');
    else parts.push('SameSite=Lax');
    if (options.secure) parts.push('Secure');
    return parts.join('; ');
  };
  return {
    setLogin(res: ServerResponse, loginId: string): void {
      appendCookie(
        res,
        `${LOGIN_COOKIE}=${encodeURIComponent(seal('login', loginId))}; ${attributes(`/interaction/${loginId}`, options.loginTtlMs, false)}`,
      );
    },
    holdsLogin(req: IncomingMessage, loginId: string): boolean {
      return cookieValues(req, LOGIN_COOKIE).some((v) => open('login', v) === loginId);
    },
    clearLogin(res: ServerResponse, loginId: string): void {
      appendCookie(res, `${LOGIN_COOKIE}=; Path=/interaction/${loginId}; Max-Age=0; HttpOnly; SameSite=Lax`);
    },
    setSession(res: ServerResponse, sessionId: string): void {
      appendCookie(
        res,
        `${SESSION_COOKIE}=${encodeURIComponent(seal('session', sessionId))}; ${attributes('/', SESSION_TTL_MS, true)}`,
      );
    },
    session(req: IncomingMessage): string | undefined {
      for (const v of cookieValues(req, SESSION_COOKIE)) {
        const id = open('session', v);
        if (id) return id;
      }
      return undefined;
    },
    clearSession(res: ServerResponse): void {
      appendCookie(
        res,
        `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${options.secure ? '; Secure' : ''}`,
      );
    },
  };
}

export type SamlCookieJar = ReturnType<typeof createSamlCookies>;

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/**
 * The HTTP-POST binding's page: a form to the service provider that /assets/saml-post.js submits at once (the CSP
 * allows no inline script); without JavaScript the user presses Continue. Every value is HTML-escaped.
 */
export function postPage(message: PostMessage, productName = 'Stepgate'): string {
  const fields = [`<input type="hidden" name="${message.param}" value="${escapeHtml(encodePost(message.xml))}">`];
  if (message.relayState !== undefined)
    fields.push(`<input type="hidden" name="RelayState" value="${escapeHtml(message.relayState)}">`);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>Continue · ${escapeHtml(productName)}</title>`,
    '<link rel="stylesheet" href="/assets/login.css">',
    '<script src="/assets/saml-post.js" defer></script>',
    '</head>',
    '<body>',
    `<header class="brand" role="banner"><span class="logo" aria-hidden="true">◆</span> ${escapeHtml(productName)}</header>`,
    '<main id="main" class="card" role="main">',
    '<h1>Returning to the application</h1>',
    `<form id="saml-post" method="post" action="${escapeHtml(message.url)}">`,
    ...fields,
    '<p>If nothing happens, press Continue.</p>',
    '<button type="submit" class="button">Continue</button>',
    '</form>',
    '</main>',
    '</body>',
    '</html>',
  ].join('\n');
}

export function createSamlFrontDoor(
  idp: SamlIdentityProvider,
  cookies: SamlCookieJar,
  errorPage: (message: string, status: number) => string,
): FrontDoor {
  return {
    protocol: 'saml',
    async holds(req, _res, loginId) {
      return cookies.holdsLogin(req, loginId);
    },
    async complete(req, res, completion) {
      const done = await idp.complete(completion, cookies.session(req));
      cookies.clearLogin(res, completion.loginId);
      if ('error' in done) return { html: errorPage(done.error, 410), status: 410 };
      cookies.setSession(res, done.session.id);
      return { html: postPage(done.message) };
    },
    async refuse(_req, res, refusal) {
      const answer = await idp.refuse(refusal);
      cookies.clearLogin(res, refusal.loginId);
      if ('error' in answer) return { html: errorPage(answer.error, 410), status: 410 };
      return { html: postPage(answer) };
    },
  };
}
