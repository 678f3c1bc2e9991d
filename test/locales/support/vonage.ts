/** A loopback Vonage SMS API that keeps every form it receives (text and `type`, which says UCS-2 when `unicode`). */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface VonageImitation {
  origin: string;
  forms: URLSearchParams[];
  close(): Promise<void>;
}

export async function startVonage(): Promise<VonageImitation> {
  const forms: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      forms.push(form);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          'message-count': '1',
          messages: [{ to: form.get('to'), 'message-id': `l-${forms.length}`, status: '0' }],
        }),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    forms,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
}
