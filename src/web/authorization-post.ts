/**
 * POST to the authorization endpoint (OpenID Connect Core 1.0 §3.1.2.1: the OP MUST support GET and POST).
 * oidc-provider serves POST there only with `enableHttpPostMethods`, which needs SameSite=None session cookies
 * (cross-site POSTs carry no Lax cookies), i.e. HTTPS everywhere and weaker cookies. Instead the form's parameters
 * are sent on as the same request by GET (303): a top-level GET navigation carries the Lax session cookie, so an
 * existing session is recognised and every check of the GET path applies unchanged.
 */
import type { FastifyInstance } from 'fastify';
import { OIDC_ROUTES } from '../oidc/provider.js';
import type { PageRenderer } from './pages/render.js';

const FORM_TYPE = 'application/x-www-form-urlencoded';
/** a request object or a long claims parameter fits; the GET it becomes must still fit Node's 16 KiB header limit */
const BODY_LIMIT = 12 * 1024;

export async function authorizationPost(app: FastifyInstance, deps: { renderer: PageRenderer }): Promise<void> {
  const errorPage = (detail: string) =>
    deps.renderer.render('error', {
      messageId: 'oidc.error',
      message: deps.renderer.message('oidc.error'),
      detail,
    });

  // the body is taken as text whatever its type, so that a wrong type gets this page rather than a framework error
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _req, reply) => {
    const tooLarge = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
    const status = tooLarge ? 413 : error.statusCode && error.statusCode < 500 ? error.statusCode : 400;
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(errorPage(tooLarge ? 'The authorization request is too large.' : 'The request could not be read.'));
  });

  app.post(OIDC_ROUTES.authorization, async (req, reply) => {
    const type = String(req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (type !== FORM_TYPE)
      return reply
        .code(415)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(errorPage(`Send the authorization request as ${FORM_TYPE}.`));
    const params = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
    return reply.header('cache-control', 'no-store').redirect(`${OIDC_ROUTES.authorization}?${params}`, 303);
  });
}
