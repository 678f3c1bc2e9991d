/**
 * Which host names this node answers for: only the host (and port) of the configured public URL, so that a forged
 * Host header cannot make discovery advertise another origin, and a DNS name rebound to a loopback address cannot
 * reach the demo, the dev inbox or the console. In development mode, when the public URL itself is a loopback name,
 * the other loopback names with the same port are aliases (no remote site can send those).
 */
import type { IncomingHttpHeaders } from 'node:http';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

export interface HostRule {
  /** the public URL's host, as clients must send it (lower case; the default port left out) */
  canonical: string;
  /** every host accepted, the canonical one included */
  allowed: ReadonlySet<string>;
  /** trust X-Forwarded-Host (a proxy in front rewrites Host) */
  trustProxy: boolean;
  scheme: string;
}

export function hostRule(publicUrl: string, options: { development: boolean; trustProxy: boolean }): HostRule {
  const url = new URL(publicUrl);
  const allowed = new Set([url.host.toLowerCase()]);
  if (options.development && LOOPBACK_NAMES.includes(url.hostname.toLowerCase())) {
    for (const name of LOOPBACK_NAMES) allowed.add(url.port ? `${name}:${url.port}` : name);
  }
  return { canonical: url.host.toLowerCase(), allowed, trustProxy: options.trustProxy, scheme: url.protocol };
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/**
 * A Host value in the form URL.host has (lower case, default port dropped), or undefined when it is no host. Only
 * case and an explicit default port are forgiven: spellings that URL would rewrite (`127.0.0.1.`, `0x7f.1`) are not
 * the configured name, so they do not match it.
 */
function normalise(value: string | undefined, scheme: string): string | undefined {
  const written = value?.trim().toLowerCase();
  if (!written || /[/?#@\\\s]/.test(written)) return undefined;
  try {
    const url = new URL(`${scheme}//${written}`);
    const withDefaultPort = url.port === '' ? `${url.hostname}:${DEFAULT_PORTS[scheme]}` : undefined;
    return written === url.host || written === withDefaultPort ? url.host : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The hosts a request is addressed to, as every layer below will read it: behind a trusted proxy the first and the
 * last X-Forwarded-Host entry (oidc-provider's Koa reads the first, Fastify the last), otherwise the Host header.
 */
function addressedTo(headers: IncomingHttpHeaders, rule: HostRule): (string | undefined)[] {
  const forwarded = headers['x-forwarded-host'];
  if (rule.trustProxy && forwarded !== undefined) {
    const entries = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded).split(',');
    return [normalise(entries[0], rule.scheme), normalise(entries[entries.length - 1], rule.scheme)];
  }
  return [normalise(headers.host, rule.scheme)];
}

/** True when the request is addressed to this node's public host (or, in development, a loopback alias of it). */
export function isAddressedToUs(headers: IncomingHttpHeaders, rule: HostRule): boolean {
  return addressedTo(headers, rule).every((host) => host !== undefined && rule.allowed.has(host));
}
