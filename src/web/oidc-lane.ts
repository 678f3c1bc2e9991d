/**
 * oidc-provider's requests go from Node's HTTP server straight to `provider.callback()`, past Fastify. oidc-provider
 * runs its own koa stack and reads its own bodies, so Fastify's request and reply, its hook chain and its routing
 * were a second HTTP stack on three of a login's five requests and on every token refresh (docs/benchmarks.md).
 * What those hooks did for these paths is done here, in the same order: the host check, the request id (header and
 * context), the security headers, the X-Forwarded-Proto pin and the HTTP histogram. Whatever the lane does not take
 * goes to Fastify as before: another host (421 there), a node shutting down (503 there), the POST form of the
 * authorization endpoint (a Fastify route), and everything while tracing is on (spans are made in Fastify's hooks).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OIDC_ROUTES } from '../oidc/provider.js';
import { type HostRule, isAddressedToUs } from './host-check.js';
import { type Metrics, routeOfPath } from './metrics.js';
import { runInRequest } from './request-context.js';

/** Takes a request (true) or leaves it to Fastify (false). */
export type OidcLane = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface OidcLaneDeps {
  /** oidc-provider's request handler */
  oidc: (req: IncomingMessage, res: ServerResponse) => unknown;
  hosts: HostRule;
  securityHeaders: readonly [string, string][];
  requestId: (req: IncomingMessage) => string;
  metrics: Metrics | undefined;
  /** true once the app is closing: Fastify answers those requests (503, connection close) */
  closing: () => boolean;
}

/** The paths oidc-provider answers (the lane's and, while tracing is on, the Fastify hook's rule). */
export function isOidcPath(method: string | undefined, url: string): boolean {
  if (!(url.startsWith('/oidc/') || url.startsWith('/.well-known/'))) return false;
  // a POST to the authorization endpoint goes to a Fastify route (oidc-provider serves it by GET only here)
  return !(method === 'POST' && url.split('?')[0] === OIDC_ROUTES.authorization);
}

export function createOidcLane(deps: OidcLaneDeps): OidcLane {
  return (req, res) => {
    const url = req.url ?? '/';
    if (!isOidcPath(req.method, url) || !isAddressedToUs(req.headers, deps.hosts) || deps.closing()) return false;
    const id = deps.requestId(req);
    res.setHeader('x-request-id', id);
    for (const [name, value] of deps.securityHeaders) res.setHeader(name, value);
    // oidc-provider builds its URLs from the request; behind a trusted proxy it reads X-Forwarded-Proto, which the
    // host check does not cover: pinned to the public URL's scheme so discovery can only say the issuer's origin
    if (deps.hosts.trustProxy) req.headers['x-forwarded-proto'] = deps.hosts.scheme.replace(/:$/, '');
    const { metrics } = deps;
    if (metrics) {
      const started = performance.now();
      res.once('finish', () => {
        const route = routeOfPath(url.split('?')[0] ?? '');
        metrics.observeRaw(req.method ?? 'GET', route, res.statusCode, (performance.now() - started) / 1000);
      });
    }
    runInRequest(id, () => void deps.oidc(req, res));
    return true;
  };
}
