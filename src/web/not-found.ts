/**
 * What an unknown path answers outside the surfaces that have their own (admin API, SCIM, console): a page for a
 * browser that asks for HTML, an RFC 9457 problem for everything else.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PageRenderer } from './pages/render.js';
import { problemDocument } from './problem.js';

/** True when the client lists text/html among what it accepts (a browser navigating), not only JSON. */
export function wantsHtml(req: FastifyRequest): boolean {
  return /\btext\/html\b/.test(String(req.headers.accept ?? ''));
}

export function notFoundHandler(renderer: PageRenderer) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    reply.code(404).header('cache-control', 'no-store');
    if (wantsHtml(req))
      return reply.type('text/html; charset=utf-8').send(
        renderer.render('error', {
          title: 'Page not found',
          messageId: 'web.not-found',
          message: renderer.message('web.not-found'),
        }),
      );
    return reply
      .type('application/problem+json')
      .send(problemDocument('not-found', `No route ${req.method} ${req.url.split('?')[0]}.`));
  };
}
