// The mock SMS provider for development: a Vonage-compatible send endpoint, a JSON API over what it received,
// and a web inbox. Self-contained on purpose: it imports nothing else from src/ and is mounted only in the demo.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { INBOX_CSS, INBOX_JS, renderInboxPage, renderRefusedPage } from './inbox-page.js';
import { createDevSmsStore, type DevSmsStore } from './store.js';
import {
  basicCredentials,
  checkSendRequest,
  errorResponse,
  MESSAGE_PRICE,
  MOCK_NETWORK,
  successResponse,
  type VonageSendRequest,
} from './vonage.js';

export interface DevSmsPluginOptions {
  /** The `api_key` that senders must present. */
  apiKey: string;
  /** The `api_secret` that senders must present. */
  apiSecret: string;
  /** How many messages to keep (oldest dropped first); ignored when `store` is given. Default 200. */
  capacity?: number;
  /** A store to use instead of a new one, so that the composition root and tests can read what arrived. */
  store?: DevSmsStore;
  /**
   * The origin whose callback URLs get a delivery receipt, as Vonage posts one to the `callback` of a send: the
   * node's own public URL, so Console › Messages shows the demo's codes delivered. A callback elsewhere gets none (the
   * inbox must not fetch any URL a sender names). Unset: no receipts.
   */
  receiptOrigin?: string;
  /** How long after the send the receipt is posted. Default 300 ms. */
  receiptDelayMs?: number;
}

const FORM_TYPE = 'application/x-www-form-urlencoded';
const SEND_FIELDS = ['api_key', 'api_secret', 'from', 'to', 'text', 'callback'] as const;
const STARTING_BALANCE_MICROS = 10_000_000_000; // 10000.00000000 in units of 1e-6, so arithmetic stays exact.
const PRICE_MICROS = Math.round(Number(MESSAGE_PRICE) * 1e6);

/** Picks the Vonage fields from query string, then body (body wins), then Basic authorization for credentials. */
function readSendRequest(request: FastifyRequest): VonageSendRequest {
  const out: VonageSendRequest = {};
  for (const source of [request.query, request.body]) {
    if (source === null || typeof source !== 'object') continue;
    const fields = source as Record<string, unknown>;
    for (const name of SEND_FIELDS) {
      const value = fields[name];
      if (typeof value === 'string') out[name] = value;
      else if (typeof value === 'number') out[name] = String(value);
    }
  }
  const basic = basicCredentials(request.headers.authorization);
  if (basic !== undefined) {
    out.api_key ??= basic.api_key;
    out.api_secret ??= basic.api_secret;
  }
  return out;
}

/** The mount path with a trailing slash, so the inbox's relative links work with and without one. */
function basePath(prefix: string): string {
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** Compares a submitted form token with ours in constant time; anything but one string of the right length fails. */
function sameToken(submitted: unknown, expected: string): boolean {
  if (typeof submitted !== 'string') return false;
  const a = Buffer.from(submitted);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const devSmsPlugin: FastifyPluginAsync<DevSmsPluginOptions> = async (app, options) => {
  const store = options.store ?? createDevSmsStore(options.capacity);
  const credentials = { apiKey: options.apiKey, apiSecret: options.apiSecret };
  let balanceMicros = STARTING_BALANCE_MICROS;
  // The Clear form is a simple cross-site POST any page could send: it carries a token only the inbox page shows
  // (another origin cannot read the page). Random per process: a restart empties the inbox anyway.
  const clearToken = randomBytes(32).toString('base64url');

  // Vonage accepts form posts; parse them here unless the parent app already does.
  if (!app.hasContentTypeParser(FORM_TYPE)) {
    app.addContentTypeParser(FORM_TYPE, { parseAs: 'string' }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
  }

  const send = async (request: FastifyRequest) => {
    const check = checkSendRequest(readSendRequest(request), credentials);
    if (check.kind === 'rejected') {
      request.log.info({ status: check.status, reason: check.errorText }, 'dev SMS: rejected a send request');
      return errorResponse(check.status, check.errorText);
    }
    const message = store.add(check);
    balanceMicros = Math.max(0, balanceMicros - PRICE_MICROS);
    request.log.info({ to: message.to, id: message.id }, 'dev SMS: message received');
    const callback = readSendRequest(request).callback;
    if (callback !== undefined) postReceipt(callback, message, request);
    return successResponse(message, (balanceMicros / 1e6).toFixed(8));
  };
  /** Vonage's delivery receipt for a message, posted as a form to the send's callback when it is ours. */
  const postReceipt = (
    callback: string,
    message: { id: string; to: string; from: string },
    request: FastifyRequest,
  ) => {
    let url: URL;
    try {
      url = new URL(callback);
    } catch {
      return;
    }
    if (options.receiptOrigin === undefined || url.origin !== new URL(options.receiptOrigin).origin) {
      request.log.info({ id: message.id }, 'dev SMS: no receipt for a callback outside this node');
      return;
    }
    const now = new Date();
    const body = new URLSearchParams({
      msisdn: message.to,
      to: message.from,
      'network-code': MOCK_NETWORK,
      messageId: message.id,
      price: MESSAGE_PRICE,
      status: 'delivered',
      scts: now.toISOString().replace(/\D/g, '').slice(2, 12),
      'err-code': '0',
      'message-timestamp': now.toISOString().replace('T', ' ').slice(0, 19),
    });
    setTimeout(() => {
      fetch(url, { method: 'POST', headers: { 'content-type': FORM_TYPE }, body }).then(
        (res) => request.log.info({ id: message.id, status: res.status }, 'dev SMS: delivery receipt posted'),
        (err: unknown) => request.log.warn({ id: message.id, err }, 'dev SMS: delivery receipt not posted'),
      );
    }, options.receiptDelayMs ?? 300).unref();
  };

  // Vonage answers HTTP 200 in every case above; the outcome is in `messages[].status`.
  app.post('/vonage/sms/json', send);
  app.get('/vonage/sms/json', send);

  app.get<{ Querystring: { to?: string } }>('/api/messages', async (request, reply) => {
    const to = typeof request.query.to === 'string' && request.query.to !== '' ? request.query.to : undefined;
    reply.header('cache-control', 'no-store');
    return { messages: store.list(to === undefined ? undefined : { to }) };
  });

  app.delete('/api/messages', async (_request, reply) => {
    store.clear();
    return reply.code(204).send();
  });

  app.post('/clear', async (request, reply) => {
    const body = request.body as Record<string, unknown> | null | undefined;
    if (!sameToken(body?.csrf, clearToken)) {
      request.log.info('dev SMS: refused a Clear without its form token');
      return reply
        .code(403)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(renderRefusedPage(basePath(app.prefix)));
    }
    store.clear();
    return reply.redirect(basePath(app.prefix), 303);
  });

  app.get('/', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return reply.type('text/html; charset=utf-8').send(renderInboxPage(store.list(), basePath(app.prefix), clearToken));
  });

  app.get('/inbox.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(INBOX_CSS));
  app.get('/inbox.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(INBOX_JS));
};

export { createDevSmsStore, type DevSmsMessage, type DevSmsStore } from './store.js';
