/**
 * A loopback SMS provider speaking the Vonage SMS API (form POST to /sms/json, JSON answer): it records every
 * message it receives, and can be told to fail with a status, hang (for timeouts) or serve HTTPS with a
 * self-signed certificate that Stepgate does not trust.
 */
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestCertificate } from '../../sms/support/tls.js';

export interface ReceivedSms {
  to: string;
  text: string;
  at: number;
}

/** `late`: takes the message (the phone gets it) but answers only after `ms`, later than Stepgate waits. */
export type MockMode =
  | { kind: 'ok' }
  | { kind: 'status'; status: number }
  | { kind: 'hang' }
  | { kind: 'late'; ms: number }
  /** Vonage's way of failing: HTTP 200 with a failed status in the body */
  | { kind: 'reject' };

export interface MockSms {
  origin: string;
  messages: ReceivedSms[];
  mode: MockMode;
  /** the code in the newest message (six digits, or the code after "Verification Code: ") */
  lastCode(): string;
  close(): Promise<void>;
}

export async function startMockSms(options: { tls?: TestCertificate } = {}): Promise<MockSms> {
  const messages: ReceivedSms[] = [];
  let sequence = 0;
  const mock: MockSms = {
    origin: '',
    messages,
    mode: { kind: 'ok' },
    lastCode() {
      const text = messages.at(-1)?.text ?? '';
      const code = /Verification Code: ([A-Z0-9]+)/.exec(text)?.[1];
      if (!code) throw new Error(`no code in the last SMS: ${JSON.stringify(text)}`);
      return code;
    },
    close: async () => undefined,
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const mode = mock.mode;
      if (mode.kind === 'hang') return;
      if (mode.kind === 'status') {
        res.writeHead(mode.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `mock failure ${mode.status}` }));
        return;
      }
      if (mode.kind === 'reject') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ 'message-count': '1', messages: [{ status: '4', 'error-text': 'Bad Credentials' }] }));
        return;
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const to = form.get('to') ?? '';
      messages.push({ to, text: form.get('text') ?? '', at: Date.now() });
      sequence += 1;
      const answer = (body: string) => {
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      };
      const send = mode.kind === 'late' ? (b: string) => setTimeout(() => answer(b), mode.ms).unref() : answer;
      send(
        JSON.stringify({
          'message-count': '1',
          messages: [
            {
              to,
              'message-id': `mock-${sequence}`,
              status: '0',
              'remaining-balance': '10.0',
              'message-price': '0.01',
              network: '41301',
            },
          ],
        }),
      );
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ key: options.tls.keyPem, cert: options.tls.certPem }, handle)
    : createHttpServer(handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  mock.origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  mock.close = async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close').catch(() => undefined);
  };
  return mock;
}
