// The one place secrets are masked, with the one mask token: configurations as shown to admins, the rendered request,
// the provider's answer and anything else the gateway lets out (audit, logs, pages, the CLI).
//
// What counts as a secret (docs/sms-providers.md, "What is masked"):
// - a header named Authorization / Proxy-Authorization, or whose name looks secret (SENSITIVE_NAME);
// - the user name and password in a URL (`https://user:pass@host/`);
// - the value of a query, form or JSON parameter whose name looks secret, or whose value looks like a credential
//   (SECRET_LOOKING: 16 or more letters, digits and `-._~+/=`, with at least one letter and one digit, no placeholder);
// - preset fields declared secret, and the operator's own "Mask values in Error Info".

import type { GatewayConfig } from './config.js';
import { bodyKindOf, formEncode, jsonStringContent, percentEncode } from './encode.js';
import { type HeaderPair, headerValue, parseHeaders, serializeHeaders } from './headers.js';
import { PRESETS } from './presets/index.js';
import type { RenderedRequest } from './render.js';

/** Stands for a secret wherever one is shown; sent back to the admin API, it keeps the stored secret. */
export const MASK = '********';

/** Parameter, header and JSON key names whose values are treated as secrets. */
export const SENSITIVE_NAME = /key|secret|token|pass(word|wd)?|pwd|auth|sig|credential/i;

/** A value that looks like a credential even under an innocent name (`?u=ab12cd34ef56gh78`). */
const SECRET_LOOKING = /^(?=.*[A-Za-z])(?=.*\d)[A-Za-z0-9\-._~+/=]{16,}$/;

/** Deeper structures are not walked (and not shown): bounds the work on hostile input. */
const MAX_DEPTH = 32;

const isAuthorization = (name: string) => /^(proxy-)?authorization$/i.test(name);
const isSecretHeader = (name: string) => isAuthorization(name) || SENSITIVE_NAME.test(name);
const hasPlaceholder = (value: string) => value.includes('$ctx.');

/** The parameter rule above, for a decoded name and value. */
export function isSecretParameter(name: string, value: string): boolean {
  if (value === '' || value === MASK) return value === MASK;
  if (SENSITIVE_NAME.test(name)) return true;
  return !hasPlaceholder(value) && SECRET_LOOKING.test(value);
}

/** Shows only the last 4 digits: `+94771234567` → `********4567`. */
export function maskPhone(number: string): string {
  const keep = Math.min(4, number.length);
  return '*'.repeat(number.length - keep) + number.slice(number.length - keep);
}

function variants(value: string): string[] {
  return [...new Set([value, percentEncode(value), formEncode(value), jsonStringContent(value)])];
}

export type Masker = (text: string) => string;

/** Replaces every given secret (and its URL, form and JSON forms) with the mask, and the number with its masked form. */
export function createMasker(secrets: readonly string[], phone?: string): Masker {
  const replacements: [string, string][] = [];
  for (const secret of secrets) {
    if (secret === '' || secret === MASK) continue;
    for (const v of variants(secret)) replacements.push([v, MASK]);
  }
  if (phone !== undefined && phone !== '') {
    const masked = maskPhone(phone);
    const forms = new Set([phone, phone.replace(/^\+/, '')]);
    for (const form of forms) {
      if (form.length < 5) continue;
      for (const v of variants(form)) replacements.push([v, masked]);
    }
  }
  replacements.sort((a, b) => b[0].length - a[0].length);
  return (text) => replacements.reduce((acc, [from, to]) => acc.split(from).join(to), text);
}

export function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

// `scheme://user:password@` at the start of a URL (template or rendered)
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@/i;
// `name=value` in a URL query or form body, and `"name": "value"` in a JSON body.
const PAIR = /(^|[?&])([^=&?#]*)=([^&#]*)/g;
const JSON_PAIR = /("((?:[^"\\]|\\.)*)"\s*:\s*")((?:[^"\\]|\\.)*)(")/g;

/** The user name and password of a URL's userinfo, decoded; empty parts are left out. */
export function userinfoOf(url: string): { user: string; password: string } | undefined {
  const m = USERINFO.exec(url.trim());
  if (!m) return undefined;
  const info = m[2] as string;
  const colon = info.indexOf(':');
  const user = colon < 0 ? info : info.slice(0, colon);
  const password = colon < 0 ? '' : info.slice(colon + 1);
  return { user: decodeComponent(user), password: decodeComponent(password) };
}

function maskUserinfo(url: string): string {
  return url.replace(USERINFO, (_whole, scheme: string, info: string) => {
    const colon = info.indexOf(':');
    const part = (s: string) => (s === '' ? '' : MASK);
    return colon < 0
      ? `${scheme}${part(info)}@`
      : `${scheme}${part(info.slice(0, colon))}:${part(info.slice(colon + 1))}@`;
  });
}

/** Masks secret pairs (query/form and JSON) by the parameter rule, keeping everything else byte for byte. */
export function maskPairs(text: string): string {
  return text
    .replace(PAIR, (whole, sep: string, name: string, value: string) =>
      value !== '' && isSecretParameter(decodeComponent(name), decodeComponent(value))
        ? `${sep}${name}=${MASK}`
        : whole,
    )
    .replace(JSON_PAIR, (whole, head: string, name: string, value: string, tail: string) =>
      value !== '' && isSecretParameter(name, value) ? `${head}${MASK}${tail}` : whole,
    );
}

/** A URL with its userinfo and secret query values masked. */
export function maskUrl(url: string): string {
  const query = url.indexOf('?');
  const head = maskUserinfo(query < 0 ? url : url.slice(0, query));
  return query < 0 ? head : head + maskPairs(url.slice(query));
}

function mapHeaders(text: string, map: (pair: HeaderPair) => HeaderPair): string {
  const parsed = parseHeaders(text);
  if (!parsed.ok) return text;
  const mapped = parsed.headers.map(map);
  return mapped.some((p, i) => p[1] !== parsed.headers[i]?.[1]) ? serializeHeaders(mapped) : text;
}

/** The configuration with every secret replaced by the mask, for the console, an API answer or an export. */
export function maskGatewayConfigForDisplay(config: GatewayConfig): GatewayConfig {
  const shown: GatewayConfig = {
    ...config,
    url: maskUrl(config.url),
    payload: maskPairs(config.payload),
    headers: mapHeaders(config.headers, ([n, v]) => [n, isSecretHeader(n) && v !== '' ? MASK : v]),
    maskValues: config.maskValues.map(() => MASK),
  };
  if (config.preset !== undefined) {
    const secretNames = new Set(PRESETS[config.preset.provider].fields.filter((f) => f.secret).map((f) => f.name));
    shown.preset = {
      provider: config.preset.provider,
      fields: Object.fromEntries(
        Object.entries(config.preset.fields).map(([k, v]) => [k, secretNames.has(k) && v !== '' ? MASK : v]),
      ),
    };
  }
  return shown;
}

/** Every string under a secret-looking key becomes the mask, at any depth (for configurations without their own masking). */
export function maskSecretsByName(value: unknown, key = '', depth = 0): unknown {
  if (typeof value === 'string') return SENSITIVE_NAME.test(key) && value !== '' ? MASK : value;
  if (depth > MAX_DEPTH) return MASK;
  if (Array.isArray(value)) return value.map((v) => maskSecretsByName(v, key, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecretsByName(v, k, depth + 1)]));
  }
  return value;
}

function splitPairs(text: string): { name: string; value: string }[] {
  return text
    .split('&')
    .filter((p) => p !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? { name: pair, value: '' } : { name: pair.slice(0, eq), value: pair.slice(eq + 1) };
    });
}

/** Decoded values of `name=value` pairs (URL query or form body) that are secrets by the parameter rule. */
function secretPairValues(text: string): string[] {
  return splitPairs(text)
    .map((p) => ({ name: decodeComponent(p.name), value: decodeComponent(p.value) }))
    .filter((p) => p.value !== '' && isSecretParameter(p.name, p.value))
    .map((p) => p.value);
}

function jsonSecretValues(body: string): string[] {
  const found: string[] = [];
  const walk = (node: unknown, depth: number) => {
    if (depth > MAX_DEPTH) return;
    if (Array.isArray(node)) for (const v of node) walk(v, depth + 1);
    else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if ((typeof v === 'string' || typeof v === 'number') && isSecretParameter(k, String(v))) found.push(String(v));
        else walk(v, depth + 1);
      }
    }
  };
  try {
    walk(JSON.parse(body), 0);
  } catch {
    // not JSON: nothing to collect
  }
  return found;
}

/** The credential part of an Authorization value; for Basic also the decoded user and password. */
function credentialsOf(value: string): string[] {
  const [scheme, token] = value.includes(' ')
    ? [value.slice(0, value.indexOf(' ')), value.slice(value.indexOf(' ') + 1).trim()]
    : ['', value];
  const out = [token, value];
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) out.push(decoded.slice(colon + 1));
  }
  return out;
}

/** Every secret visible in a rendered request: credentials, userinfo, secret query/form/JSON values. */
export function secretsInRequest(request: RenderedRequest): string[] {
  const secrets: string[] = [];
  for (const [name, value] of request.headers) {
    if (isAuthorization(name)) secrets.push(...credentialsOf(value));
    else if (SENSITIVE_NAME.test(name)) secrets.push(value);
  }
  const info = userinfoOf(request.url);
  if (info) secrets.push(info.user, info.password);
  const query = request.url.indexOf('?');
  if (query >= 0) secrets.push(...secretPairValues(request.url.slice(query + 1).split('#')[0] ?? ''));
  if (request.body !== undefined) {
    const kind = bodyKindOf(headerValue(request.headers, 'content-type'));
    if (kind === 'form') secrets.push(...secretPairValues(request.body));
    if (kind === 'json') secrets.push(...jsonSecretValues(request.body));
  }
  return secrets.filter((s) => s.length >= 3);
}

function maskHeader([name, value]: HeaderPair, mask: Masker): HeaderPair {
  if (isAuthorization(name)) {
    const space = value.indexOf(' ');
    return [name, space > 0 ? `${value.slice(0, space)} ${MASK}` : MASK];
  }
  if (SENSITIVE_NAME.test(name)) return [name, MASK];
  return [name, mask(value)];
}

/** The request as it may be shown or logged: credentials and secrets masked, the number masked. */
export function maskRequest(request: RenderedRequest, mask: Masker): RenderedRequest {
  const masked: RenderedRequest = {
    method: request.method,
    url: mask(maskUrl(request.url)),
    headers: request.headers.map((h) => maskHeader(h, mask)),
  };
  if (request.body !== undefined) {
    const kind = bodyKindOf(headerValue(request.headers, 'content-type'));
    masked.body = mask(kind === 'form' ? maskPairs(request.body) : request.body);
  }
  return masked;
}
