/**
 * A Vonage-speaking SMS provider imitation over HTTPS, for failover tests: it records each message it accepts and
 * can be told to answer an HTTP error, reset the connection, hang, answer late (after taking the message) or reject
 * the message in a 200 answer. Its certificate is trusted by importing `cert` into the server's truststore.
 */
import type { ServerResponse } from 'node:http';
import { json, makeSelfSignedCertificate, startHttpsServer, type TestCertificate } from '../../sms/support/tls.js';

export type ProviderMode =
  | { kind: 'ok' }
  | { kind: 'status'; status: number }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'late'; ms: number }
  | { kind: 'reject' };

export interface HttpsProvider {
  origin: string;
  cert: TestCertificate;
  mode: ProviderMode;
  /** messages accepted (status 0), newest last */
  messages: { to: string; text: string }[];
  /** every request that reached it, accepted or not */
  hits: number;
  close(): Promise<void>;
}

export async function startHttpsProvider(cert: TestCertificate = makeSelfSignedCertificate()): Promise<HttpsProvider> {
  let sequence = 0;
  const provider: HttpsProvider = {
    origin: '',
    cert,
    mode: { kind: 'ok' },
    messages: [],
    hits: 0,
    close: async () => undefined,
  };
  const accept = (form: URLSearchParams, res: ServerResponse, answer: (b: unknown) => void) => {
    const to = form.get('to') ?? '';
    provider.messages.push({ to, text: form.get('text') ?? '' });
    sequence += 1;
    answer({ 'message-count': '1', messages: [{ to, 'message-id': `https-${sequence}`, status: '0' }] });
    return res;
  };
  const server = await startHttpsServer(cert, (req, res) => {
    provider.hits += 1;
    const mode = provider.mode;
    const form = new URLSearchParams(req.body);
    switch (mode.kind) {
      case 'hang':
        return;
      case 'reset':
        res.socket?.destroy();
        return;
      case 'status':
        return json(res, mode.status, { error: `imitation failure ${mode.status}` });
      case 'reject':
        return json(res, 200, { 'message-count': '1', messages: [{ status: '4', 'error-text': 'Bad Credentials' }] });
      case 'late':
        accept(form, res, (b) => setTimeout(() => !res.destroyed && json(res, 200, b), mode.ms).unref());
        return;
      case 'ok':
        accept(form, res, (b) => json(res, 200, b));
    }
  });
  provider.origin = server.origin;
  provider.close = server.close;
  return provider;
}

/** The Vonage preset pointed at an imitation, named for a gateway list. */
export function namedGateway(
  name: string,
  origin: string,
  extra: { connectTimeoutMs?: number; responseTimeoutMs?: number; failoverOnTimeout?: boolean } = {},
) {
  return {
    name,
    connectTimeoutMs: 2000,
    responseTimeoutMs: 2000,
    ...extra,
    preset: {
      provider: 'vonage',
      fields: { apiKey: `key-${name}`, apiSecret: `secret-of-${name}`, from: 'Stepgate', baseUrl: origin },
    },
  };
}

/** The code of a message ("Verification Code: 123456 ..."). */
export function codeIn(text: string | undefined): string {
  const code = /Verification Code: ([A-Z0-9]+)/.exec(text ?? '')?.[1];
  if (!code) throw new Error(`no code in ${JSON.stringify(text)}`);
  return code;
}

/** The `tried` list of a send event, which must exist. */
export function triedOf(
  event: Record<string, unknown> | undefined,
): { gateway: string; code?: string; reason?: string; lastResort?: boolean }[] {
  if (!event) throw new Error('no send event was recorded');
  return event.tried as { gateway: string; code?: string; reason?: string; lastResort?: boolean }[];
}
