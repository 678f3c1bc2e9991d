/** Starts a real Stepgate on a loopback port for a test, on the back end asked for, and stops it afterwards. */
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../../src/authn/authenticator.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { type AuthenticatorFactoryDeps, createServices, type Services } from '../../src/services.js';
import { type AppOptions, buildApp } from '../../src/web/app.js';
import { type Backend, sqliteBackend } from './backends.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface TestServer {
  url: string;
  config: Config;
  services: Services;
  app: FastifyInstance;
  stop(): Promise<void>;
}

export interface StartOptions {
  backend?: Backend;
  /** the host of publicUrl (default 127.0.0.1; WebAuthn refuses IP addresses, so the passkey suites use localhost) */
  publicHost?: string;
  overrides?: Record<string, unknown>;
  extraAuthenticators?: (deps: AuthenticatorFactoryDeps) => Authenticator[];
  /** plugins to mount; a function receives the services (plugins such as the admin API take them as options) */
  plugins?: AppOptions['plugins'] | ((services: Services) => AppOptions['plugins']);
  /** reuse an existing database (a second node, or a restart) */
  database?: { url: string; dataDir: string; masterKey: string };
  redis?: boolean;
  /** where the services' log lines go (a test reads them); silent unless overrides set a logLevel */
  logDestination?: import('pino').DestinationStream;
  /** the HTTP server's own log (request lines, route errors): each JSON line parsed into `lines` */
  httpLog?: { level: string; lines: Record<string, unknown>[] };
}

/** A stream that parses each JSON log line written to it into `lines`. */
export function jsonLines(lines: Record<string, unknown>[]): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
}

const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

export async function startStepgate(
  options: StartOptions = {},
): Promise<TestServer & { database: { url: string; dataDir: string; masterKey: string } }> {
  // a test that asks for Redis and quietly gets the SQL state store would pass without testing what it claims
  if (options.redis && !process.env.REDIS_URL)
    throw new Error('startStepgate({ redis: true }) needs REDIS_URL: skip the test with skipRedis or forEachBackend');
  const port = await freePort();
  const made = options.database ? undefined : await (options.backend ?? sqliteBackend).create();
  const database = options.database ?? { url: made!.url, dataDir: made!.dataDir, masterKey: MASTER_KEY };
  const config = loadConfig({
    env: {},
    file: undefined,
    overrides: {
      publicUrl: `http://${options.publicHost ?? '127.0.0.1'}:${port}`,
      port,
      dataDir: database.dataDir,
      databaseUrl: database.url,
      masterKey: database.masterKey,
      logLevel: 'silent',
      ...(options.redis ? { redisUrl: process.env.REDIS_URL } : {}),
      ...options.overrides,
    },
  });
  const services = await createServices(config, {
    ...(options.extraAuthenticators ? { extraAuthenticators: options.extraAuthenticators } : {}),
    ...(options.logDestination ? { logDestination: options.logDestination } : {}),
  });
  const plugins = typeof options.plugins === 'function' ? options.plugins(services) : options.plugins;
  const logger = options.httpLog ? { level: options.httpLog.level, stream: jsonLines(options.httpLog.lines) } : false;
  const app = await buildApp(services, { logger, ...(plugins ? { plugins } : {}) });
  await app.listen({ port, host: '127.0.0.1' });
  return {
    url: config.publicUrl,
    config,
    services,
    app,
    database,
    async stop() {
      await app.close();
      await services.close();
      await made?.drop();
    },
  };
}
