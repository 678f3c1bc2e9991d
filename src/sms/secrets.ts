// Secrets in a gateway configuration: listing them for masking, hiding them for display, and keeping them on save.
//
// An admin API shows a configuration with every secret as ******** and accepts it back; an incoming ********
// keeps the stored value, so secrets never leave the server and an unchanged form never erases them.
import type { GatewayConfig } from './config.js';
import { type HeaderPair, parseHeaders, serializeHeaders } from './headers.js';
import { SENSITIVE_NAME } from './mask.js';
import { PRESETS, resolveFields } from './presets/index.js';

export const DISPLAY_MASK = '********';

const isSecretHeader = (name: string) => /^(proxy-)?authorization$/i.test(name) || SENSITIVE_NAME.test(name);

// `name=value` in a URL query or form body, and `"name": "value"` in a JSON body.
const PAIR = /(^|[?&])([^=&?#]*)=([^&#]*)/g;
const JSON_PAIR = /("((?:[^"\\]|\\.)*)"\s*:\s*")((?:[^"\\]|\\.)*)(")/g;

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

function maskPairs(text: string): string {
  return text
    .replace(PAIR, (whole, sep: string, name: string, value: string) =>
      SENSITIVE_NAME.test(decodeName(name)) && value !== '' ? `${sep}${name}=${DISPLAY_MASK}` : whole,
    )
    .replace(JSON_PAIR, (whole, head: string, name: string, value: string, tail: string) =>
      SENSITIVE_NAME.test(name) && value !== '' ? `${head}${DISPLAY_MASK}${tail}` : whole,
    );
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
      value === DISPLAY_MASK && old.has(`p:${name}`) ? `${sep}${name}=${old.get(`p:${name}`)}` : whole,
    )
    .replace(JSON_PAIR, (whole, head: string, name: string, value: string, tail: string) =>
      value === DISPLAY_MASK && old.has(`j:${name}`) ? `${head}${old.get(`j:${name}`)}${tail}` : whole,
    );
}

function mapHeaders(text: string, map: (pair: HeaderPair) => HeaderPair): string {
  const parsed = parseHeaders(text);
  if (!parsed.ok) return text;
  const mapped = parsed.headers.map(map);
  return mapped.some((p, i) => p[1] !== parsed.headers[i]?.[1]) ? serializeHeaders(mapped) : text;
}

/** The configuration with every secret replaced by ********, for showing in the console or an API answer. */
export function maskGatewayConfigForDisplay(config: GatewayConfig): GatewayConfig {
  const shown: GatewayConfig = {
    ...config,
    url: maskPairs(config.url),
    payload: maskPairs(config.payload),
    headers: mapHeaders(config.headers, ([n, v]) => [n, isSecretHeader(n) && v !== '' ? DISPLAY_MASK : v]),
    maskValues: config.maskValues.map(() => DISPLAY_MASK),
  };
  if (config.preset !== undefined) {
    const secretNames = new Set(PRESETS[config.preset.provider].fields.filter((f) => f.secret).map((f) => f.name));
    shown.preset = {
      provider: config.preset.provider,
      fields: Object.fromEntries(
        Object.entries(config.preset.fields).map(([k, v]) => [k, secretNames.has(k) && v !== '' ? DISPLAY_MASK : v]),
      ),
    };
  }
  return shown;
}

/** The incoming configuration with each ******** replaced by the stored secret it stands for. */
export function mergeSecrets(incoming: GatewayConfig, stored: GatewayConfig | undefined): GatewayConfig {
  if (stored === undefined) return incoming;
  const storedHeaders = parseHeaders(stored.headers);
  const oldHeader = (name: string) =>
    storedHeaders.ok ? storedHeaders.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1] : undefined;
  const merged: GatewayConfig = {
    ...incoming,
    url: restorePairs(incoming.url, stored.url),
    payload: restorePairs(incoming.payload, stored.payload),
    headers: mapHeaders(incoming.headers, ([n, v]) => [n, v === DISPLAY_MASK ? (oldHeader(n) ?? v) : v]),
    maskValues: incoming.maskValues.map((v, i) => (v === DISPLAY_MASK ? (stored.maskValues[i] ?? v) : v)),
  };
  if (incoming.preset !== undefined) {
    const sameProvider = stored.preset?.provider === incoming.preset.provider;
    const storedFields = sameProvider ? (stored.preset?.fields ?? {}) : {};
    merged.preset = {
      provider: incoming.preset.provider,
      fields: Object.fromEntries(
        Object.entries(incoming.preset.fields).map(([k, v]) => [k, v === DISPLAY_MASK ? (storedFields[k] ?? '') : v]),
      ),
    };
  }
  return merged;
}

/** Every secret value the configuration holds: preset secret fields and the configured mask values. */
export function secretValuesOf(config: GatewayConfig): string[] {
  const values = config.maskValues.filter((v) => v !== '');
  if (config.preset !== undefined) {
    const fields = resolveFields(config.preset);
    for (const field of PRESETS[config.preset.provider].fields) {
      const value = fields[field.name];
      if (field.secret && value) values.push(value);
    }
  }
  return values;
}
