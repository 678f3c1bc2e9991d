/**
 * A running node (with the admin API) and the real `stepgate` command on the same database, as an operator's
 * command on a server: the CLI audit suites run a command and read its events back through the admin API's audit
 * list. `useCliNode` registers the suite's before/after hooks, so call it inside the suite's body.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import { adminApiPlugin } from '../../src/web/admin-api/index.js';
import { type Answer, client, clientToken } from '../admin-api/support.js';
import type { Backend } from '../support/backends.js';
import { startStepgate, type TestServer } from '../support/server.js';
import { type CommandResult, runStepgate } from './support.js';

type AnyPlugin = FastifyPluginAsync<Record<string, unknown>>;

/** One audit event as the admin API lists it. */
export interface ListedEvent {
  event: string;
  userId: string | null;
  username: string | null;
  clientId: string | null;
  data: Record<string, unknown>;
}

export interface CliNode {
  /** The suite's own folder (the config file is in it; files the commands read go there too). */
  dir: string;
  /** The running node, once `before` has run. */
  readonly server: TestServer;
  /** `stepgate -c <the suite's config> …args` as a real process. */
  stepgate(args: string[]): Promise<CommandResult>;
  /** The events of one name as the admin API lists them, newest first. */
  audited(event: string): Promise<ListedEvent[]>;
}

export function useCliNode(backend: Backend, options: { masterKey: string; dirPrefix: string }): CliNode {
  const dir = mkdtempSync(join(tmpdir(), options.dirPrefix));
  const configFile = join(dir, 'stepgate.yaml');
  let server: TestServer | undefined;
  let drop: (() => Promise<void>) | undefined;
  let call: ((method: string, path: string) => Promise<Answer>) | undefined;

  before(async () => {
    const made = await backend.create();
    drop = made.drop;
    writeFileSync(
      configFile,
      [
        `dataDir: ${made.dataDir}`,
        `databaseUrl: ${made.url}`,
        `masterKey: ${options.masterKey}`,
        // a cheap Argon2 for the users the commands make; the node verifies with the parameters in each hash
        'argon2:',
        '  memoryKiB: 8192',
        '  iterations: 1',
        '',
      ].join('\n'),
    );
    server = await startStepgate({
      database: { url: made.url, dataDir: made.dataDir, masterKey: options.masterKey },
      plugins: (services) => [{ plugin: adminApiPlugin as unknown as AnyPlugin, options: { services } }],
    });
    call = client(server, await clientToken(server));
  });
  after(async () => {
    await server?.stop();
    await drop?.();
  });

  return {
    dir,
    get server(): TestServer {
      if (!server) throw new Error('the CLI node is not started (use it in a test, after before)');
      return server;
    },
    stepgate: (args) => runStepgate(configFile, args),
    async audited(event) {
      if (!call) throw new Error('the CLI node is not started (use it in a test, after before)');
      const answer = await call('GET', `/audit-events?event=${encodeURIComponent(event)}&limit=100`);
      assert.equal(answer.status, 200, answer.text);
      return answer.body.items as ListedEvent[];
    },
  };
}
