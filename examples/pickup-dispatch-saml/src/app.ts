// Builds the SAML 2.0 Pickup Dispatch sample: a service provider on @node-saml/node-saml (a SAML library other
// than the XML code Stepgate's IdP is built on), with SP-initiated SSO over the HTTP-Redirect and HTTP-POST
// bindings, the response checked against the certificates in the IdP's /saml2/metadata, and Single Logout.
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { type Profile, SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { allowedHosts, hostOf } from '../../pickup-dispatch/src/host-check.js';
import { STYLESHEET } from '../../pickup-dispatch/src/styles.js';
import { STYLESHEET_PATH } from '../../pickup-dispatch/src/views/layout.js';
import { userFromProfile } from './assertion.js';
import { idpMetadataSource } from './idp-metadata.js';
import { createSessionStore, type SamlUser } from './sessions.js';
import { renderHomePage, renderProblemPage, renderStartPage } from './views.js';

export interface PickupDispatchSamlOptions {
  /** Stepgate's public URL; its SAML endpoints are /saml2/metadata, /saml2/sso and /saml2/slo */
  idpUrl: string;
  /** where the sample is reachable, e.g. http://localhost:8081 */
  baseUrl: string;
  /** the SP's entity ID (WSO2's sample: saml2-web-app-pickup-dispatch.com) */
  entityId?: string;
  logger?: boolean;
}

export const SAML_SESSION_COOKIE = 'pickup_dispatch_saml_session';
export const DEFAULT_ENTITY_ID = 'saml2-web-app-pickup-dispatch.com';
export const ACS_PATH = '/saml/acs';
export const SLO_PATH = '/saml/slo';
const PASSWORD_PROTECTED = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';

export async function createPickupDispatchSaml(options: PickupDispatchSamlOptions): Promise<FastifyInstance> {
  const base = new URL(options.baseUrl);
  const origin = base.origin;
  const idp = options.idpUrl.replace(/\/$/, '');
  const metadata = idpMetadataSource(`${idp}/saml2/metadata`);
  const saml = new SAML({
    issuer: options.entityId ?? DEFAULT_ENTITY_ID,
    callbackUrl: `${origin}${ACS_PATH}`,
    logoutCallbackUrl: `${origin}${SLO_PATH}`,
    entryPoint: `${idp}/saml2/sso`,
    logoutUrl: `${idp}/saml2/slo`,
    // trusts what the IdP publishes, re-read at most once a minute (a rotated key is picked up without a restart)
    idpCert: (callback) => {
      metadata().then(
        (m) => callback(null, m.signingCertificates),
        (e: Error) => callback(e),
      );
    },
    identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    // at least a password: the IdP then states the strongest context the login reached (two factors)
    authnContext: [PASSWORD_PROTECTED],
    racComparison: 'minimum',
    validateInResponseTo: ValidateInResponseTo.always,
    acceptedClockSkewMs: 5000,
  });
  const sessions = createSessionStore();
  const app = Fastify({ logger: options.logger ?? false });
  await app.register(cookie);
  await app.register(formbody);

  const secure = base.protocol === 'https:';
  // the response arrives as a cross-site POST from the IdP; the session cookie is set on that response and read on
  // same-site navigations afterwards, so Lax is enough
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax', secure } as const;
  const page = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
  const userOf = (request: FastifyRequest): SamlUser | undefined => sessions.get(request.cookies[SAML_SESSION_COOKIE]);

  const hosts = allowedHosts(base);
  app.addHook('onRequest', async (request, reply) => {
    if (hosts.has(hostOf(request.headers.host, base.protocol) ?? '')) return;
    return page(reply, 421, renderProblemPage('Wrong address', `This sample answers at ${origin}/ only.`));
  });
  app.addHook('onSend', async (_request, reply) => {
    // the HTTP-POST binding's form goes to the IdP, and node-saml's form submits itself with an inline script
    reply.header(
      'content-security-policy',
      `default-src 'none'; style-src 'self'; script-src 'unsafe-inline'; form-action 'self' ${new URL(idp).origin}; base-uri 'none'; frame-ancestors 'none'`,
    );
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-content-type-options', 'nosniff');
  });

  app.get('/', async (request, reply) => {
    if (userOf(request)) return reply.redirect('/home', 303);
    return page(reply, 200, renderStartPage());
  });

  app.post<{ Querystring: { binding?: string } }>('/login', async (request, reply) => {
    try {
      if (request.query.binding === 'post')
        return page(reply, 200, await saml.getAuthorizeFormAsync('', undefined, {}));
      return reply.redirect(await saml.getAuthorizeUrlAsync('', undefined, {}), 303);
    } catch (e) {
      request.log.warn({ err: e }, 'pickup-dispatch-saml: could not make the AuthnRequest');
      return page(reply, 503, renderProblemPage('Stepgate is not reachable', 'Try again in a moment.'));
    }
  });

  app.post<{ Body: Record<string, string> }>(ACS_PATH, async (request, reply) => {
    const body = request.body ?? {};
    if (typeof body.SAMLResponse !== 'string')
      return page(reply, 400, renderProblemPage('No SAML response', 'This address only takes a SAML response.'));
    try {
      const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: body.SAMLResponse });
      if (!profile) throw new Error('the response carried no assertion');
      sessions.destroy(request.cookies[SAML_SESSION_COOKIE]);
      reply.setCookie(SAML_SESSION_COOKIE, sessions.create(userFromProfile(profile)), cookieOptions);
      return reply.redirect('/home', 303);
    } catch (e) {
      const message = (e as Error).message;
      request.log.warn({ err: e }, 'pickup-dispatch-saml: response refused');
      return page(
        reply,
        401,
        renderProblemPage('Login failed', `The identity provider's answer was refused: ${message}`),
      );
    }
  });

  app.get('/home', async (request, reply) => {
    const user = userOf(request);
    if (!user) return reply.redirect('/', 303);
    return page(reply, 200, renderHomePage(user));
  });

  app.post('/logout', async (request, reply) => {
    const id = request.cookies[SAML_SESSION_COOKIE];
    const user = sessions.get(id);
    if (!user) return reply.redirect('/', 303);
    // the local session ends when the IdP confirms (SLO_PATH); a failed SLO still leaves the user logged out here
    const profile: Profile = {
      issuer: user.issuer,
      nameID: user.nameId,
      nameIDFormat: user.nameIdFormat,
      ...(user.sessionIndex ? { sessionIndex: user.sessionIndex } : {}),
    };
    sessions.destroy(id);
    reply.clearCookie(SAML_SESSION_COOKIE, cookieOptions);
    try {
      return reply.redirect(await saml.getLogoutUrlAsync(profile, '', {}), 303);
    } catch (e) {
      request.log.warn({ err: e }, 'pickup-dispatch-saml: could not make the LogoutRequest');
      return reply.redirect('/', 303);
    }
  });

  /** The IdP's LogoutResponse (our logout) or LogoutRequest (another application's logout ended the session). */
  async function singleLogout(request: FastifyRequest, reply: FastifyReply, message: Record<string, string>) {
    try {
      const query = request.url.split('?')[1] ?? '';
      const { profile, loggedOut } =
        request.method === 'GET'
          ? await saml.validateRedirectAsync(message, query)
          : message.SAMLRequest
            ? await saml.validatePostRequestAsync(message)
            : await saml.validatePostResponseAsync(message);
      if (profile && message.SAMLRequest) {
        sessions.destroyByNameId(profile.nameID, profile.sessionIndex);
        return reply.redirect(await saml.getLogoutResponseUrlAsync(profile, message.RelayState ?? '', {}, true), 303);
      }
      if (loggedOut) {
        reply.clearCookie(SAML_SESSION_COOKIE, cookieOptions);
        return reply.redirect('/', 303);
      }
      throw new Error('neither a logout request nor a logout response');
    } catch (e) {
      request.log.warn({ err: e }, 'pickup-dispatch-saml: logout message refused');
      return page(reply, 400, renderProblemPage('Logout not confirmed', (e as Error).message));
    }
  }
  app.get<{ Querystring: Record<string, string> }>(SLO_PATH, async (request, reply) =>
    singleLogout(request, reply, request.query),
  );
  app.post<{ Body: Record<string, string> }>(SLO_PATH, async (request, reply) =>
    singleLogout(request, reply, request.body ?? {}),
  );

  app.get('/saml/metadata', async (_request, reply) =>
    reply.type('application/samlmetadata+xml').send(saml.generateServiceProviderMetadata(null, null)),
  );
  app.get(STYLESHEET_PATH, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(STYLESHEET),
  );
  app.setNotFoundHandler(async (_request, reply) =>
    page(reply, 404, renderProblemPage('Not found', 'There is no page at this address.')),
  );
  app.setErrorHandler(async (error, request, reply) => {
    request.log.error({ err: error }, 'pickup-dispatch-saml: unexpected error');
    const status = (error as { statusCode?: number }).statusCode;
    return page(
      reply,
      status && status >= 400 && status < 500 ? status : 500,
      renderProblemPage('Something went wrong', 'Try again.'),
    );
  });
  return app;
}
