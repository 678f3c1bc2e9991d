/**
 * The management console surface: the built single-page app from `console/dist` under /console/ (any client route
 * falls back to index.html) and /console/config.json, which tells the app how to log in through Stepgate.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { CONSOLE_ADMIN_SCOPE, CONSOLE_CLIENT_ID, consoleUrls } from '../../identity/console-app.js';
import type { Services } from '../../services.js';
import { problemDocument } from '../problem.js';

const here = dirname(fileURLToPath(import.meta.url));
/** console/dist at the repository root, from src/web/console (tsx) or from dist/src/web/console (npm run build). */
export const CONSOLE_DIST =
  [resolve(here, '../../../console/dist'), resolve(here, '../../../../console/dist')].find((d) => existsSync(d)) ??
  resolve(here, '../../../console/dist');

export interface ConsolePluginOptions {
  services: Services;
  /** where the built app lives; defaults to console/dist */
  distDir?: string;
}

/** What the app reads at start: the OP and its own client registration (public, PKCE). */
export interface ConsoleConfig {
  issuer: string;
  clientId: string;
  redirectUri: string;
  scope: string;
}

export function consoleConfig(publicUrl: string): ConsoleConfig {
  return {
    issuer: publicUrl.replace(/\/+$/, ''),
    clientId: CONSOLE_CLIENT_ID,
    redirectUri: consoleUrls(publicUrl).redirectUri,
    scope: `openid ${CONSOLE_ADMIN_SCOPE}`,
  };
}

const NOT_BUILT = 'The console is not built. Run: npx vite build --config console/vite.config.ts';

export const consolePlugin: FastifyPluginAsync<ConsolePluginOptions> = async (app, options) => {
  const dist = options.distDir ?? CONSOLE_DIST;
  const config = consoleConfig(options.services.config.publicUrl);

  app.get('/console/config.json', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return config;
  });

  await app.register(
    async (scope) => {
      // index.html is read per request (it is small) so that a rebuild is served without a restart
      const sendIndex = async (reply: FastifyReply) => {
        const file = join(dist, 'index.html');
        if (!existsSync(file)) return reply.code(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
        return reply
          .header('cache-control', 'no-cache')
          .type('text/html; charset=utf-8')
          .send(await readFile(file));
      };
      // both /console and /console/ (Fastify registers the prefix with and without the slash)
      scope.get('/', async (_req, reply) => sendIndex(reply));
      if (existsSync(dist)) {
        await scope.register(fastifyStatic, {
          root: dist,
          prefix: '/',
          decorateReply: false,
          index: false,
          wildcard: true,
          cacheControl: false,
          setHeaders(reply, path) {
            // file names under assets/ carry a content hash: they never change
            reply.header(
              'cache-control',
              path.includes(join('dist', 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache',
            );
          },
        });
      }
      // client routes (/console/applications/...) are the app's; a missing asset is a real 404
      scope.setNotFoundHandler(async (req, reply) => {
        if (req.method !== 'GET' && req.method !== 'HEAD')
          return reply
            .code(404)
            .type('application/problem+json')
            .send(problemDocument('not-found', `No route ${req.method} ${req.url.split('?')[0]}.`));
        if (/^\/console\/assets\//.test(req.url) || /\.[a-z0-9]{1,5}(\?|$)/i.test(req.url))
          return reply.code(404).type('text/plain; charset=utf-8').send('Not Found');
        return sendIndex(reply);
      });
    },
    { prefix: '/console' },
  );
};
