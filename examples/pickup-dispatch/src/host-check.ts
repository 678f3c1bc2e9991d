// Which host names the sample answers for: only the host and port of its base URL (and, when that is a loopback
// name, the other loopback names with the same port). A DNS name rebound to 127.0.0.1 by another site gets 421,
// so that site's scripts cannot read the sample's pages, which show the signed-in user's claims.
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

export function allowedHosts(baseUrl: URL): ReadonlySet<string> {
  const allowed = new Set([baseUrl.host.toLowerCase()]);
  if (LOOPBACK_NAMES.includes(baseUrl.hostname.toLowerCase()))
    for (const name of LOOPBACK_NAMES) allowed.add(baseUrl.port ? `${name}:${baseUrl.port}` : name);
  return allowed;
}

/** The Host header as URL.host spells it (lower case, default port dropped); undefined for anything URL would rewrite. */
export function hostOf(header: string | undefined, protocol: string): string | undefined {
  const written = header?.trim().toLowerCase();
  if (!written || /[/?#@\\\s]/.test(written)) return undefined;
  try {
    const url = new URL(`${protocol}//${written}`);
    const defaultPort = protocol === 'https:' ? '443' : '80';
    return written === url.host || (url.port === '' && written === `${url.hostname}:${defaultPort}`)
      ? url.host
      : undefined;
  } catch {
    return undefined;
  }
}
