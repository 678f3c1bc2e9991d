/**
 * Graceful shutdown of the real `stepgate start` process: on SIGTERM readiness turns false at once (seen on the
 * management port, which stays up while the node drains), the public port refuses new connections, a request in
 * flight finishes with its answer, and the process exits 0; a request that outlasts shutdownGraceSeconds is cut.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type ClientRequest, request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sqliteBackend } from '../support/backends.js';
import { freePort } from '../support/server.js';

const root = join(import.meta.dirname, '..', '..');

interface Node {
  proc: ChildProcess;
  url: string;
  management: string;
  output: () => string;
  exited: Promise<number | null>;
}

async function startNode(dataDir: string, databaseUrl: string, graceSeconds: number): Promise<Node> {
  const [port, managementPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(process.execPath, [join(root, 'bin', 'stepgate.js'), 'start'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dataDir,
      STEPGATE_MODE: 'production',
      STEPGATE_PORT: String(port),
      STEPGATE_PUBLIC_URL: url,
      STEPGATE_DATA_DIR: dataDir,
      STEPGATE_MASTER_KEY: Buffer.alloc(32, 11).toString('base64'),
      STEPGATE_LOG_LEVEL: 'silent',
      STEPGATE_SHUTDOWN_GRACE_SECONDS: String(graceSeconds),
      STEPGATE_METRICS__PORT: String(managementPort),
      DATABASE_URL: databaseUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.on('data', (d) => {
    output += d;
  });
  proc.stderr!.on('data', (d) => {
    output += d;
  });
  const exited = once(proc, 'exit').then(([code]) => code as number | null);
  const management = `http://127.0.0.1:${managementPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`stepgate start exited ${proc.exitCode}: ${output}`);
    const ok = await fetch(`${management}/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`stepgate did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { proc, url, management, output: () => output, exited };
}

/** A form post whose body arrives in two halves: the request is in flight until `finish` sends the rest. */
function slowPost(url: string): {
  req: ClientRequest;
  answer: Promise<{ status: number; body: string }>;
  finish(): void;
} {
  const body = 'username=ada&password=not-the-password';
  const half = Math.floor(body.length / 2);
  const u = new URL(`${url}/interaction/no-such-login`);
  const req = request({
    host: u.hostname,
    port: u.port,
    path: u.pathname,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
  });
  req.write(body.slice(0, half));
  return { req, answer, finish: () => req.end(body.slice(half)) };
}

function refused(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(u.port), u.hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

describe('SIGTERM drains a real stepgate process', () => {
  let made: Awaited<ReturnType<typeof sqliteBackend.create>>;
  before(async () => {
    made = await sqliteBackend.create();
  });
  after(() => made.drop());

  test('not ready at once, new connections refused, the request in flight answered, exit 0', async () => {
    const node = await startNode(made.dataDir, made.url, 10);
    try {
      const slow = slowPost(node.url);
      await new Promise((r) => setTimeout(r, 300));
      const signalled = Date.now();
      node.proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));

      const readiness = await fetch(`${node.management}/health/ready`);
      assert.equal(readiness.status, 503);
      assert.equal(((await readiness.json()) as { status: string }).status, 'draining');
      assert.equal((await fetch(`${node.management}/health/live`)).status, 200);
      assert.ok(await refused(node.url), 'the public port still accepts connections after SIGTERM');
      assert.equal(node.proc.exitCode, null, 'the process exited with a request in flight');

      slow.finish();
      const answered = await slow.answer;
      // the login pages' answer to a form without its token: the request ran to its end during the drain
      assert.equal(answered.status, 403, answered.body.slice(0, 300));
      assert.match(answered.body, /data-message-id="login\.csrf"/);
      assert.equal(await node.exited, 0, node.output());
      assert.ok(Date.now() - signalled < 10_000, 'the drain waited for the grace period with nothing in flight');
      assert.match(node.output(), /Stopped\./);
    } finally {
      if (node.proc.exitCode === null) node.proc.kill('SIGKILL');
    }
  });

  test('a request that outlasts shutdownGraceSeconds is cut, and the process still exits 0', async () => {
    const node = await startNode(made.dataDir, made.url, 1);
    try {
      const slow = slowPost(node.url);
      const outcome = slow.answer.then(
        (r) => `answered ${r.status}`,
        (e: NodeJS.ErrnoException) => `cut: ${e.code ?? e.message}`,
      );
      await new Promise((r) => setTimeout(r, 300));
      const signalled = Date.now();
      node.proc.kill('SIGTERM');
      assert.equal(await node.exited, 0, node.output());
      const took = Date.now() - signalled;
      assert.ok(took >= 900 && took < 8000, `exit ${took} ms after SIGTERM with a grace of 1 s`);
      assert.match(await outcome, /^cut: /);
    } finally {
      if (node.proc.exitCode === null) node.proc.kill('SIGKILL');
    }
  });
});
