/**
 * A span per HTTP request (tracing on only): named by method and route pattern, continuing the caller's W3C trace
 * context (`traceparent`), ended when the response is written, with its status. Every span a login step starts while
 * the request runs (engine pass, authenticator, SMS send) is its child.
 */
import type { FastifyInstance } from 'fastify';
import type { Tracer } from '../tracing.js';
import { routeOf } from './metrics.js';

/**
 * Installs the span hook. It must be the app's first onRequest hook: the hooks after it (the request context's
 * included) run inside the span, and the request context re-enters it once the body is parsed.
 */
export function traceRequests(app: FastifyInstance, tracer: Tracer): void {
  if (!tracer.enabled) return;
  app.addHook('onRequest', (req, reply, done) => {
    const route = routeOf(req);
    const span = tracer.open(
      `${req.method} ${route}`,
      { 'http.request.method': req.method, 'http.route': route, 'stepgate.request_id': req.id },
      req.headers,
    );
    // on the raw response: oidc-provider's answers (a hijacked reply) never reach Fastify's onResponse
    const end = () => {
      const status = reply.raw.statusCode;
      span.set({ 'http.response.status_code': status });
      span.end(status >= 500 || !reply.raw.writableFinished);
    };
    reply.raw.once('finish', end);
    reply.raw.once('close', end);
    span.run(done);
  });
}
