// Masking of secrets and the phone number in what the gateway shows: the rendered request and the provider's answer.
import { bodyKindOf, formEncode, jsonStringContent, percentEncode } from './encode.js';
import { type HeaderPair, headerValue } from './headers.js';
import type { RenderedRequest } from './render.js';

export const MASK = '****';

/** Parameter, header and JSON key names whose values are treated as secrets. */
export const SENSITIVE_NAME = /key|secret|token|pass(word|wd)?|pwd|auth|sig/i;

/** Shows only the last 4 digits: `+94771234567` → `********4567`. */
export function maskPhone(number: string): string {
  const keep = Math.min(4, number.length);
  return '*'.repeat(number.length - keep) + number.slice(number.length - keep);
}

function variants(value: string): string[] {
  return [...new Set([value, percentEncode(value), formEncode(value), jsonStringContent(value)])];
}

export type Masker = (text: string) => string;

/** Replaces every given secret (and its URL, form and JSON forms) with ****, and the number with its masked form. */
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

function splitPairs(text: string): { name: string; value: string }[] {
  return text
    .split('&')
    .filter((p) => p !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? { name: pair, value: '' } : { name: pair.slice(0, eq), value: pair.slice(eq + 1) };
    });
}

function decodeForm(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Values of `name=value` pairs (URL query or form body) whose name looks secret, decoded. */
function sensitivePairValues(text: string): string[] {
  return splitPairs(text)
    .filter((p) => SENSITIVE_NAME.test(decodeForm(p.name)) && p.value !== '')
    .map((p) => decodeForm(p.value));
}

/** Replaces the value of each secret-looking pair in a query or form string, keeping everything else byte for byte. */
export function maskSensitivePairs(text: string): string {
  return text.replace(/(^|&)([^=&]*)=([^&]*)/g, (whole, sep: string, name: string, value: string) =>
    SENSITIVE_NAME.test(decodeForm(name)) && value !== '' ? `${sep}${name}=${MASK}` : whole,
  );
}

function jsonSensitiveValues(body: string): string[] {
  const found: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (SENSITIVE_NAME.test(k) && (typeof v === 'string' || typeof v === 'number')) found.push(String(v));
        else walk(v);
      }
    }
  };
  try {
    walk(JSON.parse(body));
  } catch {
    // not JSON: nothing to collect
  }
  return found;
}

const isAuthorization = (name: string) => /^(proxy-)?authorization$/i.test(name);

/** The credential part of an Authorization value; for Basic also the decoded password. */
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

/** Every secret visible in a rendered request: credentials, secret-looking query/form/JSON values. */
export function secretsInRequest(request: RenderedRequest): string[] {
  const secrets: string[] = [];
  for (const [name, value] of request.headers) {
    if (isAuthorization(name)) secrets.push(...credentialsOf(value));
    else if (SENSITIVE_NAME.test(name)) secrets.push(value);
  }
  const query = request.url.indexOf('?');
  if (query >= 0) secrets.push(...sensitivePairValues(request.url.slice(query + 1).split('#')[0] ?? ''));
  if (request.body !== undefined) {
    const kind = bodyKindOf(headerValue(request.headers, 'content-type'));
    if (kind === 'form') secrets.push(...sensitivePairValues(request.body));
    if (kind === 'json') secrets.push(...jsonSensitiveValues(request.body));
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

/** The request as it may be shown or logged: credentials and secrets as ****, the number masked. */
export function maskRequest(request: RenderedRequest, mask: Masker): RenderedRequest {
  const query = request.url.indexOf('?');
  const url =
    query < 0 ? request.url : request.url.slice(0, query + 1) + maskSensitivePairs(request.url.slice(query + 1));
  const masked: RenderedRequest = {
    method: request.method,
    url: mask(url),
    headers: request.headers.map((h) => maskHeader(h, mask)),
  };
  if (request.body !== undefined) {
    const isForm = bodyKindOf(headerValue(request.headers, 'content-type')) === 'form';
    masked.body = mask(isForm ? maskSensitivePairs(request.body) : request.body);
  }
  return masked;
}
