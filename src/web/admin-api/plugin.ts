/**
 * The admin REST API under /api/admin/v1: an encapsulated plugin with its own JSON-only body parsing, TypeBox
 * validation, bearer authentication, rate limit and problem-document error handler.
 *
 * Each request: rate limit → authenticate (before the body is read) → parse JSON → validate → handler → audit
 */
import rateLimit from '@fastify/rate-limit';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { SmsGateway } from '../../sms/index.js';
import { recordAudit } from '../json-api/audit.js';
import { createBearerAuth } from '../json-api/auth.js';
import type { JsonApiServices } from '../json-api/services.js';
import { acceptJsonOnly, typeboxValidatorCompiler } from '../json-api/validation.js';
import { HttpProblem, type MappedError, problemFromError } from '../problem.js';
import { openApiDocument } from './openapi.js';
import type { ApiRoute } from './route.js';
import { acceptSamlMetadata, applicationRoutes } from './routes/applications.js';
import { auditRoutes } from './routes/audit.js';
import { authenticatorRoutes } from './routes/authenticators.js';
import { claimRoutes } from './routes/claims.js';
import { factorRoutes } from './routes/factors.js';
import { identityProviderRoutes } from './routes/identity-providers.js';
import { passkeyRoutes } from './routes/passkeys.js';
import { smsGatewayRoutes } from './routes/sms-gateways.js';
import { smsMessageRoutes } from './routes/sms-messages.js';
import { totpRoutes } from './routes/totp.js';
import { truststoreRoutes } from './routes/truststore.js';
import { userRoutes } from './routes/users.js';

export const ADMIN_API_PREFIX = '/api/admin/v1';

export interface AdminApiOptions {
  services: JsonApiServices;
  /** requests per client IP and window; default 300 a minute */
  rateLimit?: { max: number; timeWindow: number };
  /** check every answer against its response schema (tests turn this on; a mismatch is a 500 and a log line) */
  checkResponses?: boolean;
}

export function sendProblem(reply: FastifyReply, mapped: MappedError) {
  for (const [k, v] of Object.entries(mapped.headers)) reply.header(k, v);
  return reply
    .status(mapped.problem.status)
    .type('application/problem+json; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(JSON.stringify(mapped.problem));
}

/** JSON.stringify, optionally checking the answer against the route's response schema first. */
function serializerFor(check: boolean) {
  return ({ schema }: { schema: unknown }) => {
    const compiled = check ? TypeCompiler.Compile(schema as TSchema) : undefined;
    return (data: unknown) => {
      if (compiled && !compiled.Check(data)) {
        const first = [...compiled.Errors(data)][0];
        throw new Error(`response does not match its schema at ${first?.path ?? ''}: ${first?.message ?? ''}`);
      }
      return JSON.stringify(data);
    };
  };
}

export function allRoutes(services: JsonApiServices, gateway: SmsGateway): ApiRoute[] {
  return [
    ...applicationRoutes(services),
    ...identityProviderRoutes(services, gateway),
    ...authenticatorRoutes(services),
    ...smsGatewayRoutes(services),
    ...claimRoutes(services),
    ...userRoutes(services),
    ...totpRoutes(services),
    ...passkeyRoutes(services),
    ...factorRoutes(services),
    ...truststoreRoutes(services),
    ...auditRoutes(services),
    ...smsMessageRoutes(services),
  ];
}

async function adminApi(app: FastifyInstance, options: AdminApiOptions): Promise<void> {
  const { services } = options;
  // the services' gateway: the same destination rules, failure log and connection pool as the login's SMS step
  const routes = allRoutes(services, services.smsGateway);
  const authenticate = createBearerAuth(services);

  acceptJsonOnly(app, ['application/json']);
  acceptSamlMetadata(app);
  app.setValidatorCompiler(typeboxValidatorCompiler);
  app.setSerializerCompiler(serializerFor(options.checkResponses ?? false));

  app.setErrorHandler((error, req, reply) => {
    const mapped = problemFromError(error);
    if (mapped.internal) req.log.error({ err: error }, 'admin API request failed');
    return sendProblem(reply, mapped);
  });
  app.setNotFoundHandler((req, reply) =>
    sendProblem(
      reply,
      problemFromError(new HttpProblem('not-found', `No route ${req.method} ${req.url.split('?')[0]}.`)),
    ),
  );

  await app.register(rateLimit, {
    max: options.rateLimit?.max ?? 300,
    timeWindow: options.rateLimit?.timeWindow ?? 60_000,
    errorResponseBuilder: (_req, ctx) => new HttpProblem('rate-limited', `Too many requests; retry in ${ctx.after}.`),
  });

  // built at the first request for it, not at start: the document is about 0.6 MiB of heap nobody may ask for
  let document: ReturnType<typeof openApiDocument> | undefined;
  app.get('/openapi.json', async (_req, reply) => {
    document ??= openApiDocument(routes, {
      publicUrl: services.config.publicUrl,
      prefix: ADMIN_API_PREFIX,
      version: '1',
    });
    return reply.header('cache-control', 'no-cache').send(document);
  });

  for (const r of routes) {
    app.route({
      method: r.method,
      url: r.url,
      ...(r.bodyLimit ? { bodyLimit: r.bodyLimit } : {}),
      ...(r.rateLimit ? { config: { rateLimit: r.rateLimit } } : {}),
      schema: {
        ...(r.schema.params ? { params: r.schema.params } : {}),
        ...(r.schema.querystring ? { querystring: r.schema.querystring } : {}),
        ...(r.schema.body ? { body: r.schema.body } : {}),
        ...(r.schema.response ? { response: { [r.status ?? 200]: r.schema.response } } : {}),
      },
      // authenticated before the body is read, so nobody without a token makes the server parse a megabyte
      preParsing: async (req: FastifyRequest) => {
        req.actor = await authenticate(req.headers.authorization);
      },
      handler: async (req, reply) => {
        const actor = req.actor!;
        const result = await r.handler({
          params: req.params as never,
          query: req.query as never,
          body: req.body as never,
          actor,
          req,
          reply,
          audit: (event, data = {}, within) => recordAudit(services.audit, actor, req, event, data, within),
        });
        reply.header('cache-control', 'no-store');
        if ((r.status ?? 200) === 204) return reply.status(204).send();
        return reply.status(r.status ?? 200).send(result);
      },
    });
  }
}

/** Mount with `app.register(adminApiPlugin, { services })`; it registers its own prefix. */
export const adminApiPlugin: FastifyPluginAsync<AdminApiOptions> = async (app, options) => {
  await app.register(adminApi, { ...options, prefix: ADMIN_API_PREFIX });
};
