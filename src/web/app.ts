/**
 * buildApp: the Fastify application without listening (tests use it as is). Each surface is its own plugin:
 * oidc-provider under /oidc and /.well-known, the login pages, static assets, and the optional surfaces.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import helmet from '@fastify/helmet';
import middie from '@fastify/middie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Services } from '../services.js';
import { loginPages } from './pages/plugin.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface AppOptions {
  logger?: boolean | object;
  /** further plugins mounted after the core (dev SMS inbox, admin API, SCIM, console) */
  plugins?: { plugin: FastifyPluginAsync<Record<string, unknown>>; options?: Record<string, unknown> }[];
}

export async function buildApp(services: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? { level: services.config.logLevel },
    trustProxy: services.config.trustProxy,
    bodyLimit: 1024 * 1024,
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        // Chrome applies form-action to the redirect after a POST; our forms redirect back to the application.
        'form-action': null,
        'upgrade-insecure-requests': services.config.publicUrl.startsWith('https:') ? [] : null,
      },
    },
    strictTransportSecurity: services.config.publicUrl.startsWith('https:'),
    crossOriginOpenerPolicy: false,
  });

  await app.register(middie);
  const oidc = services.provider.callback();
  app.use((req, res, next) => {
    const url = req.url ?? '';
    if (url.startsWith('/oidc/') || url.startsWith('/.well-known/')) return oidc(req, res);
    next();
  });

  await app.register(fastifyStatic, { root: join(here, 'assets'), prefix: '/assets/', maxAge: '1h' });

  app.get('/healthz', async () => {
    await services.db.selectFrom('users').select('id').limit(1).execute();
    return { status: 'ok' };
  });
  app.get('/', async (_req, reply) => reply.redirect('/.well-known/openid-configuration'));

  await app.register(loginPages, {
    provider: services.provider,
    engine: services.engine,
    applications: services.applications,
    audit: services.audit,
    keyring: services.keyring,
    renderer: services.renderer,
    issuer: services.config.publicUrl,
    rateLimit: { postsPerMinute: services.config.loginRateLimit.postsPerMinute, redisUrl: services.config.redisUrl },
  });

  for (const p of options.plugins ?? []) await app.register(p.plugin, p.options ?? {});
  return app;
}
