/**
 * A front for two nodes that share one public URL, as a load balancer is: every request goes to the node picked
 * last, or to the port an `x-node-port` header names (two requests raced at two nodes through one front).
 */
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { TestServer } from './server.js';

/** A front on `port` that forwards each request to the loopback port `targetOf` picks for it. */
export async function forwardingFront(port: number, targetOf: (req: IncomingMessage) => number): Promise<Server> {
  const server = createServer((req, res) => {
    const upstream = request(
      { host: '127.0.0.1', port: targetOf(req), method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return server;
}

export async function switchableFront(port: number): Promise<{ server: Server; pick(node: TestServer): void }> {
  let target = 0;
  const server = await forwardingFront(port, (req) => Number(req.headers['x-node-port']) || target);
  return { server, pick: (node) => (target = Number(new URL(node.app.listeningOrigin).port)) };
}
