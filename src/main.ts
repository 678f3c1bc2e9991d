/** Starts a Stepgate node: services, the HTTP app with every surface, housekeeping, and a clean shutdown. */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/schema.js';
import { ensureConsoleApplication } from './identity/console-app.js';
import { sweepExpired } from './oidc/adapter.js';
import { createServices, type Services } from './services.js';
import { buildApp } from './web/app.js';
import { listenManagement } from './web/metrics.js';
import { mountSurfaces } from './web/surfaces.js';

export interface RunningServer {
  services: Services;
  app: FastifyInstance;
  url: string;
  stop(): Promise<void>;
}

export async function startServer(
  config: Config,
  options: { onServices?: (s: Services) => Promise<void> } = {},
): Promise<RunningServer> {
  const services = await createServices(config);
  await ensureConsoleApplication(services.applications, config.publicUrl, services.identityProviders);
  await options.onServices?.(services);
  const app = await buildApp(services, { plugins: await mountSurfaces(services) });
  await app.listen({ port: config.port, host: config.host });
  const management =
    config.metrics.port === undefined
      ? undefined
      : await listenManagement(app.operations, { ...config.metrics, port: config.metrics.port });
  const sweep = setInterval(() => {
    sweepExpired(services.db).catch((err) => app.log.warn({ err }, 'sweeping expired OIDC records failed'));
  }, 10 * 60_000);
  sweep.unref();
  return {
    services,
    app,
    url: config.publicUrl,
    /** SIGTERM: not ready at once, no new connections, requests in flight finish (shutdownGraceSeconds), pools close. */
    async stop() {
      clearInterval(sweep);
      app.operations.health.drain();
      await closeGracefully(app, config.shutdownGraceSeconds * 1000);
      await management?.close();
      await services.close();
    },
  };
}

/** Closes a server, giving open requests `graceMs` before their connections are cut (a browser may hold them open). */
export async function closeGracefully(app: FastifyInstance, graceMs = 5000): Promise<void> {
  const timer = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
}
