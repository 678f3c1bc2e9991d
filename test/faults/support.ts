/**
 * What the fault tests run: Stepgate nodes as operators run them (`bin/stepgate.js start`, compiled dist/, config
 * from the environment alone) in processes of their own, and a switchable front proxy: the one public URL the
 * browser sees, sending every request to the node it currently points at (as a load balancer does once its health
 * check takes a dead node out).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { getWithHost } from '../ops/support.js';
import { freePort } from '../support/server.js';

const root = join(import.meta.dirname, '..', '..');
export const FAULT_MASTER_KEY = Buffer.alloc(32, 9).toString('base64');

export interface NodeProcess {
  port: number;
  proc: ChildProcess;
  output(): string;
  kill9(): Promise<void>;
}

/** Starts a node; resolves once it answers discovery on its own port. */
export async function startNode(opts: {
  port?: number;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string;
  redisUrl?: string;
  /** more configuration, as environment variables */
  env?: Record<string, string>;
}): Promise<NodeProcess> {
  const port = opts.port ?? (await freePort());
  const proc = spawn(process.execPath, [join(root, 'bin', 'stepgate.js'), 'start'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: opts.dataDir,
      STEPGATE_MODE: 'production',
      STEPGATE_HOST: '127.0.0.1',
      STEPGATE_PORT: String(port),
      STEPGATE_PUBLIC_URL: opts.publicUrl,
      STEPGATE_DATA_DIR: opts.dataDir,
      STEPGATE_MASTER_KEY: FAULT_MASTER_KEY,
      STEPGATE_LOG_LEVEL: 'warn',
      DATABASE_URL: opts.databaseUrl,
      ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : {}),
      // the tests' SMS provider imitation listens on loopback, which a production node refuses unless told
      STEPGATE_SMS__ALLOW_PRIVATE_DESTINATIONS: 'true',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.on('data', (d) => {
    output = (output + d).slice(-20_000);
  });
  proc.stderr!.on('data', (d) => {
    output = (output + d).slice(-20_000);
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`stepgate start exited ${proc.exitCode}: ${output}`);
    try {
      // a production node answers only for its public host: asked the way the front proxy asks
      const r = await getWithHost(
        `http://127.0.0.1:${port}/.well-known/openid-configuration`,
        new URL(opts.publicUrl).host,
      );
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`stepgate did not start: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port,
    proc,
    output: () => output,
    async kill9() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, 'exit');
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

export interface FrontProxy {
  url: string;
  /** the node port requests go to from now on */
  point(port: number): void;
  /** requests sent to each port so far */
  hits: Map<number, number>;
  close(): Promise<void>;
}

export async function startFrontProxy(first: number, port?: number): Promise<FrontProxy> {
  const listenPort = port ?? (await freePort());
  let target = first;
  const hits = new Map<number, number>();
  const server: Server = createServer((req, res) => {
    const to = target;
    hits.set(to, (hits.get(to) ?? 0) + 1);
    const upstream = request(
      { host: '127.0.0.1', port: to, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway');
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(listenPort, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${listenPort}`,
    point: (p) => {
      target = p;
    },
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
