/**
 * Two Stepgate nodes on one fresh database (and one Redis, or the SQL state store), behind one front on one public
 * URL, as a load balancer serves a cluster: `pick` sends the following requests to the node named. `stop` closes
 * the front, both nodes and the database.
 */
import { randomBytes } from 'node:crypto';
import type { Backend } from './backends.js';
import { switchableFront } from './front.js';
import { freePort, type StartOptions, startStepgate, type TestServer } from './server.js';

export interface TwoNodes {
  a: TestServer;
  b: TestServer;
  /** the front's URL, the public URL both nodes are configured with */
  publicUrl: string;
  pick(node: TestServer): void;
  stop(): Promise<void>;
}

export async function startTwoNodes(options: {
  backend: Backend;
  redis: boolean;
  /** configuration for both nodes, over a cheap argon2 (publicUrl is the front's) */
  overrides?: Record<string, unknown>;
  plugins?: StartOptions['plugins'];
}): Promise<TwoNodes> {
  const made = await options.backend.create();
  // one master key for both nodes: each must unseal what the other sealed
  const database = { url: made.url, dataDir: made.dataDir, masterKey: randomBytes(32).toString('base64') };
  const publicUrl = `http://127.0.0.1:${await freePort()}`;
  const overrides = {
    argon2: { memoryKiB: 8192, iterations: 1, parallelism: 1 },
    ...options.overrides,
    publicUrl,
  };
  const start = () => startStepgate({ database, redis: options.redis, overrides, plugins: options.plugins });
  const a = await start();
  const b = await start();
  const front = await switchableFront(Number(new URL(publicUrl).port));
  front.pick(a);
  return {
    a,
    b,
    publicUrl,
    pick: front.pick,
    async stop() {
      await new Promise((r) => front.server.close(r));
      await b.stop();
      await a.stop();
      await made.drop();
    },
  };
}
