/**
 * A front for two nodes that share one public URL, as a load balancer is: every request goes to the node picked
 * last, or to the port an `x-node-port` header names (two requests raced at two nodes through one front).
 */
import { createServer, request, type Server } from 'node:http';
import type { TestServer } from './server.js';

export async function switchableFront(port: number): Promise<{ server: Server; pick(node: TestServer): void }> {
  let target = 0;
  const server = createServer((req, res) => {
    const named = Number(req.headers['x-node-port']);
    const upstream = request(
      { host: '127.0.0.1', port: named || target, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { server, pick: (node) => (target = Number(new URL(node.app.listeningOrigin).port)) };
}
