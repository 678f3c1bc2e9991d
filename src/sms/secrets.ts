// Secrets in a gateway configuration on save: keeping a stored secret for a masked value, but only while the
// configuration still sends to the same destination, and listing the secrets a configuration holds.
//
// An admin API shows a configuration with every secret masked and accepts it back; an incoming mask keeps the stored
// value, so secrets never leave the server and an unchanged form never erases them. A mask never follows a changed
// destination: were it restored, whoever may edit the URL could send the stored credentials to a host of their choice.
import type { GatewayConfig, Problem } from './config.js';
import { headerValue, parseHeaders, serializeHeaders } from './headers.js';
import { MASK, maskGatewayConfigForDisplay, maskUrl, userinfoOf } from './mask.js';
import { PRESETS, resolveFields } from './presets/index.js';
import { effectiveTemplate } from './validate.js';

const PAIR = /(^|[?&])([^=&?#]*)=([^&#]*)/g;
const JSON_PAIR = /("((?:[^"\\]|\\.)*)"\s*:\s*")((?:[^"\\]|\\.)*)(")/g;
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@/i;

/**
 * Where a configuration sends, with its secrets masked: the provider (or "plain"), the whole SMS URL the
 * configuration produces (for a preset: from its API base URL and fields) and a Host header if one is set.
 * Two configurations that differ only in secrets have the same destination; any other change to these parts is a
 * new destination.
 */
export function destinationOf(config: GatewayConfig): string {
  const shown = maskGatewayConfigForDisplay(config);
  const template = effectiveTemplate(shown);
  const headers = parseHeaders(template.headers);
  const host = headers.ok ? (headerValue(headers.headers, 'host') ?? '') : '';
  const kind = config.preset === undefined ? 'plain' : `preset:${config.preset.provider}`;
  return JSON.stringify([kind, maskUrl(template.url.trim()), host.trim().toLowerCase()]);
}

function pairValues(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const m of text.matchAll(PAIR)) values.set(`p:${m[2]}`, m[3] ?? '');
  for (const m of text.matchAll(JSON_PAIR)) values.set(`j:${m[2]}`, m[3] ?? '');
  return values;
}

function restorePairs(incoming: string, stored: string): string {
  const old = pairValues(stored);
  return incoming
    .replace(PAIR, (whole, sep: string, name: string, value: string) =>
      value === MASK && old.has(`p:${name}`) ? `${sep}${name}=${old.get(`p:${name}`)}` : whole,
    )
    .replace(JSON_PAIR, (whole, head: string, name: string, value: string, tail: string) =>
      value === MASK && old.has(`j:${name}`) ? `${head}${old.get(`j:${name}`)}${tail}` : whole,
    );
}

function restoreUrl(incoming: string, stored: string): string {
  const old = USERINFO.exec(stored.trim())?.[2];
  const withInfo = incoming.replace(USERINFO, (whole, scheme: string, info: string) => {
    if (old === undefined) return whole;
    const [user, ...rest] = info.split(':');
    const [oldUser, ...oldRest] = old.split(':');
    const password = rest.join(':');
    const keptUser = user === MASK ? oldUser : user;
    const keptPassword = password === MASK ? oldRest.join(':') : password;
    return `${scheme}${keptUser}${rest.length > 0 ? `:${keptPassword}` : ''}@`;
  });
  return restorePairs(withInfo, stored);
}

function mapHeaderValues(text: string, map: (name: string, value: string) => string): string {
  const parsed = parseHeaders(text);
  if (!parsed.ok) return text;
  const mapped = parsed.headers.map(([n, v]) => [n, map(n, v)] as [string, string]);
  return mapped.some((p, i) => p[1] !== parsed.headers[i]?.[1]) ? serializeHeaders(mapped) : text;
}

/**
 * The incoming configuration with each mask replaced by the stored secret it stands for, when the destination is
 * unchanged. Otherwise (or with nothing stored) the masks stay, and unresolvedMasks reports them.
 */
export function mergeSecrets(incoming: GatewayConfig, stored: GatewayConfig | undefined): GatewayConfig {
  if (stored === undefined || destinationOf(incoming) !== destinationOf(stored)) return incoming;
  const storedHeaders = parseHeaders(stored.headers);
  const oldHeader = (name: string) =>
    storedHeaders.ok ? storedHeaders.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1] : undefined;
  const merged: GatewayConfig = {
    ...incoming,
    url: restoreUrl(incoming.url, stored.url),
    payload: restorePairs(incoming.payload, stored.payload),
    headers: mapHeaderValues(incoming.headers, (n, v) => (v === MASK ? (oldHeader(n) ?? v) : v)),
    maskValues: incoming.maskValues.map((v, i) => (v === MASK ? (stored.maskValues[i] ?? v) : v)),
  };
  if (incoming.preset !== undefined) {
    const storedFields = stored.preset?.fields ?? {};
    merged.preset = {
      provider: incoming.preset.provider,
      fields: Object.fromEntries(
        Object.entries(incoming.preset.fields).map(([k, v]) => [k, v === MASK ? (storedFields[k] ?? v) : v]),
      ),
    };
  }
  return merged;
}

const REENTER =
  `still holds the mask ${MASK}: a stored secret is kept only while the destination (SMS URL, API base URL, ` +
  'provider) stays the same, so enter the secret again';

/** The fields that still hold a mask after merging: each names a secret that must be entered again. */
export function unresolvedMasks(config: GatewayConfig): Problem[] {
  const problems: Problem[] = [];
  const add = (field: string) => problems.push({ field, message: REENTER, severity: 'error' });
  for (const field of ['url', 'headers', 'payload'] as const) if (config[field].includes(MASK)) add(field);
  config.maskValues.forEach((v, i) => {
    if (v === MASK) add(`maskValues[${i}]`);
  });
  for (const [name, value] of Object.entries(config.preset?.fields ?? {})) {
    if (value.includes(MASK)) add(`preset.fields.${name}`);
  }
  return problems;
}

/** Every secret value the configuration holds: preset secret fields, URL credentials and the configured mask values. */
export function secretValuesOf(config: GatewayConfig): string[] {
  const values = config.maskValues.filter((v) => v !== '');
  const info = userinfoOf(config.url);
  if (info) values.push(...[info.user, info.password].filter((v) => v.length >= 3));
  if (config.preset !== undefined) {
    const fields = resolveFields(config.preset);
    for (const field of PRESETS[config.preset.provider].fields) {
      const value = fields[field.name];
      if (field.secret && value) values.push(value);
    }
  }
  return values;
}

const ADDRESS_KEY = /url|uri|host|endpoint|base|server|address|domain/i;

/** The address-like string values of a configuration without its own masking (keys named like url, host...). */
function addressesOf(value: unknown, key = '', depth = 0, out: string[] = []): string[] {
  if (depth > 32) return out;
  if (typeof value === 'string' && ADDRESS_KEY.test(key)) out.push(`${key}=${maskUrl(value)}`);
  else if (Array.isArray(value)) for (const v of value) addressesOf(v, key, depth + 1, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) addressesOf(v, k, depth + 1, out);
  }
  return out;
}

function restoreAtPaths(incoming: unknown, stored: unknown, depth: number): unknown {
  if (incoming === MASK) return typeof stored === 'string' ? stored : incoming;
  if (depth > 32) return incoming;
  if (Array.isArray(incoming))
    return incoming.map((v, i) => restoreAtPaths(v, Array.isArray(stored) ? stored[i] : undefined, depth + 1));
  if (incoming !== null && typeof incoming === 'object') {
    const old =
      stored !== null && typeof stored === 'object' && !Array.isArray(stored)
        ? (stored as Record<string, unknown>)
        : {};
    return Object.fromEntries(Object.entries(incoming).map(([k, v]) => [k, restoreAtPaths(v, old[k], depth + 1)]));
  }
  return incoming;
}

/**
 * For configurations without their own merge: an incoming mask (at any path) stands for the stored value at the
 * same path, as long as no address-like value (url, host, endpoint...) changed.
 */
export function restoreMasked(incoming: unknown, stored: unknown): unknown {
  if (JSON.stringify(addressesOf(incoming)) !== JSON.stringify(addressesOf(stored))) return incoming;
  return restoreAtPaths(incoming, stored, 0);
}

/** The paths (a.b[0].c) of values that still hold a mask. */
export function maskedPaths(value: unknown, path = '', depth = 0, out: string[] = []): string[] {
  if (typeof value === 'string' && value.includes(MASK)) out.push(path);
  else if (depth > 32) return out;
  else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) maskedPaths(v, `${path}[${i}]`, depth + 1, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) maskedPaths(v, path === '' ? k : `${path}.${k}`, depth + 1, out);
  }
  return out;
}
