/**
 * Signed cookies shared by the front doors that keep their own (My Account, SAML): reading every value a cookie name
 * carries, adding a Set-Cookie without dropping the ones already set, and sealing a value with an HMAC under a
 * namespace and purpose of its own, so one cookie (or another front door's) cannot stand for another.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Keyring, safeEqual } from '../crypto/keyring.js';

/** Every value sent under `name` (a browser may send several, one per matching path); a mangled one is skipped. */
export function cookieValues(req: IncomingMessage, name: string): string[] {
  const out: string[] = [];
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      out.push(decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // a cookie that is not ours (or was mangled) is no cookie
    }
  }
  return out;
}

/** Adds a Set-Cookie header next to those already on the response (a login may set one cookie and clear another). */
export function appendCookie(res: ServerResponse, cookie: string): void {
  const existing = res.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  res.setHeader('set-cookie', [...list, cookie]);
}

/**
 * `value.HMAC(namespace:purpose, value)`: `open` gives the value back only when the MAC matches (constant time) for
 * the same namespace and purpose.
 */
export function cookieSeal(keyring: Keyring, namespace: string) {
  const macOf = (purpose: string, value: string) => keyring.mac(`${namespace}:${purpose}`, value);
  return {
    seal: (purpose: string, value: string): string => `${value}.${macOf(purpose, value)}`,
    open: (purpose: string, sealed: string): string | undefined => {
      const dot = sealed.lastIndexOf('.');
      if (dot <= 0) return undefined;
      const value = sealed.slice(0, dot);
      return safeEqual(sealed.slice(dot + 1), macOf(purpose, value)) ? value : undefined;
    },
  };
}
