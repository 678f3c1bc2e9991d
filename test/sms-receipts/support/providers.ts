/**
 * HTTPS imitations of the five providers for delivery receipts: each checks a send as its API does (path, method,
 * authentication, content type, parameters, the number format), answers with a message id of its own, keeps the
 * callback URL the send carried (Vonage `callback`, Twilio `StatusCallback`, Plivo `url` with `method`), and builds the
 * receipt it would post — in its own format, signed its own way (computed here, independently of the server's code):
 * Twilio X-Twilio-Signature, Plivo X-Plivo-Signature-V3 with a nonce, Vonage's signed-webhook JWT when the gateway
 * has a signature secret. Clickatell and BulksSMS take the receipt URL from an account setting (`accountCallback`).
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { ProviderId } from '../../../src/sms/index.js';
import {
  basicCredentials,
  json,
  type MockServer,
  type ReceivedRequest,
  startHttpsServer,
  type TestCertificate,
} from '../../sms/support/tls.js';

export const SECRET = 'receipt-test-secret';
export const VONAGE_SIGNATURE_SECRET = 'vonage-signature-secret-0123456789';

export interface SentByImitation {
  id: string;
  to: string;
  text: string;
  /** the callback URL the send carried, where the provider takes one per message */
  callback?: string;
}

/** The receipt as the provider would post it. */
export interface ReceiptPost {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  body: string;
}

export type ReceiptStatus = 'delivered' | 'failed' | 'expired' | 'intermediate';

export interface Imitation {
  provider: ProviderId;
  origin: string;
  sent: SentByImitation[];
  /** requests the imitation refused, with why (a send the real API would refuse) */
  refused: string[];
  /** the receipt URL of an account setting (Clickatell, BulksSMS): where receipts go when a send carries none */
  accountCallback?: string;
  /** the preset fields that point a gateway at this imitation */
  fields(): Record<string, string>;
  /** the receipt for a sent message, posted where the provider would post it */
  receipt(message: SentByImitation, status: ReceiptStatus, options?: { sign?: boolean }): ReceiptPost;
  close(): Promise<void>;
}

const form = (req: ReceivedRequest) => new URLSearchParams(req.body);
const isForm = (req: ReceivedRequest) => req.headers['content-type'] === 'application/x-www-form-urlencoded';
const isJson = (req: ReceivedRequest) => /^application\/json/.test(req.headers['content-type'] ?? '');
const parse = (body: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};
const isUrl = (value: unknown) => typeof value === 'string' && /^https?:\/\/[^\s]+$/.test(value);

function sortedPairs(params: Record<string, string>): [string, string][] {
  return Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Twilio's signature, as its documentation describes it: the URL, then each POST parameter sorted by name. */
function twilioSign(token: string, url: string, params: Record<string, string>): string {
  let data = url;
  for (const [k, v] of sortedPairs(params)) data += k + v;
  return createHmac('sha1', token).update(data).digest('base64');
}

/** Plivo's V3 signature of a POST to a URL without a query: `<url>?<sorted name+value>.<nonce>`. */
function plivoSign(token: string, url: string, params: Record<string, string>, nonce: string): string {
  const body = sortedPairs(params)
    .map(([k, v]) => k + v)
    .join('');
  return createHmac('sha256', token).update(`${url}?${body}.${nonce}`).digest('base64');
}

/** A JWT signed with HS256, as Vonage signs its webhooks (exported for the near misses of signatures.test.ts). */
export function hs256(secret: string, claims: Record<string, unknown>): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const unsigned = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

const formBody = (p: Record<string, string>) => new URLSearchParams(p).toString();

interface Spec {
  fields: Record<string, string>;
  handle(
    req: ReceivedRequest,
    res: ServerResponse,
    accept: (m: Omit<SentByImitation, 'id'>) => string,
  ): string | undefined;
  receipt(m: SentByImitation, status: ReceiptStatus, url: string, sign: boolean): ReceiptPost;
}

const SPECS: Record<ProviderId, (fields: Record<string, string>) => Spec> = {
  vonage: (fields) => ({
    fields,
    handle(req, res, accept) {
      if (req.method !== 'POST' || req.url.pathname !== '/sms/json' || !isForm(req))
        return 'not a form POST to /sms/json';
      const p = form(req);
      if (p.get('api_key') !== fields.apiKey || p.get('api_secret') !== fields.apiSecret) {
        json(res, 200, { 'message-count': '1', messages: [{ status: '4', 'error-text': 'Bad Credentials' }] });
        return 'bad credentials';
      }
      const to = p.get('to') ?? '';
      const callback = p.get('callback') ?? undefined;
      if (!/^\d+$/.test(to) || !p.get('text') || (callback !== undefined && !isUrl(callback))) {
        json(res, 200, { 'message-count': '1', messages: [{ status: '3', 'error-text': 'Invalid Message' }] });
        return 'invalid parameters';
      }
      const id = accept({ to, text: p.get('text') ?? '', ...(callback ? { callback } : {}) });
      json(res, 200, { 'message-count': '1', messages: [{ to, 'message-id': id, status: '0' }] });
    },
    receipt(m, status, url, sign) {
      const body = JSON.stringify({
        msisdn: m.to,
        to: 'Stepgate',
        'network-code': '41301',
        messageId: m.id,
        price: '0.03330000',
        status: status === 'intermediate' ? 'accepted' : status,
        scts: '2612011200',
        'err-code': status === 'failed' ? '6' : '0',
        'api-key': fields.apiKey,
        'message-timestamp': '2026-12-01 12:00:00',
      });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (sign && fields.signatureSecret) {
        const claims = {
          iat: Math.floor(Date.now() / 1000),
          jti: randomUUID(),
          iss: 'Vonage',
          payload_hash: createHash('sha256').update(body).digest('hex'),
          api_key: fields.apiKey,
        };
        headers.authorization = `Bearer ${hs256(fields.signatureSecret, claims)}`;
      }
      return { method: 'POST', url, headers, body };
    },
  }),
  twilio: (fields) => ({
    fields,
    handle(req, res, accept) {
      const path = `/2010-04-01/Accounts/${fields.accountSid}/Messages.json`;
      if (req.method !== 'POST' || req.url.pathname !== path || !isForm(req)) return 'not a form POST to Messages.json';
      const creds = basicCredentials(req.headers.authorization);
      if (creds?.[0] !== fields.accountSid || creds?.[1] !== fields.authToken) {
        json(res, 401, { code: 20003, message: 'Authenticate', status: 401 });
        return 'bad credentials';
      }
      const p = form(req);
      const to = p.get('To') ?? '';
      const callback = p.get('StatusCallback') ?? undefined;
      if (!/^\+\d+$/.test(to) || !p.get('From') || !p.get('Body') || (callback !== undefined && !isUrl(callback))) {
        json(res, 400, { code: 21604, message: 'A parameter is missing or invalid', status: 400 });
        return 'invalid parameters';
      }
      const id = accept({ to, text: p.get('Body') ?? '', ...(callback ? { callback } : {}) });
      json(res, 201, { sid: id, status: 'queued', to, from: p.get('From'), account_sid: fields.accountSid });
    },
    receipt(m, status, url, sign) {
      const word = { delivered: 'delivered', failed: 'undelivered', expired: 'failed', intermediate: 'sent' }[status];
      const params: Record<string, string> = {
        AccountSid: fields.accountSid ?? '',
        ApiVersion: '2010-04-01',
        From: fields.from ?? '',
        MessageSid: m.id,
        MessageStatus: word,
        SmsSid: m.id,
        SmsStatus: word,
        To: m.to,
        ...(status === 'failed' ? { ErrorCode: '30003' } : {}),
      };
      const signature = twilioSign(sign ? (fields.authToken ?? '') : 'not-the-auth-token', url, params);
      return {
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body: formBody(params),
      };
    },
  }),
  plivo: (fields) => ({
    fields,
    handle(req, res, accept) {
      if (req.method !== 'POST' || req.url.pathname !== `/v1/Account/${fields.authId}/Message/` || !isJson(req))
        return 'not a JSON POST to Message/';
      const creds = basicCredentials(req.headers.authorization);
      if (creds?.[0] !== fields.authId || creds?.[1] !== fields.authToken) {
        json(res, 401, { api_id: randomUUID(), error: 'Authentication failed' });
        return 'bad credentials';
      }
      const b = parse(req.body);
      const callback = b?.url;
      if (
        typeof b?.dst !== 'string' ||
        !b.src ||
        !b.text ||
        (callback !== undefined && (!isUrl(callback) || b.method !== 'POST'))
      ) {
        json(res, 400, { api_id: randomUUID(), error: 'invalid parameters' });
        return 'invalid parameters';
      }
      const id = accept({ to: b.dst, text: String(b.text), ...(typeof callback === 'string' ? { callback } : {}) });
      json(res, 202, { api_id: randomUUID(), message: 'message(s) queued', message_uuid: [id] });
    },
    receipt(m, status, url, sign) {
      const word = { delivered: 'delivered', failed: 'undelivered', expired: 'failed', intermediate: 'sent' }[status];
      const params: Record<string, string> = {
        From: fields.src ?? '',
        MessageUUID: m.id,
        Status: word,
        To: m.to.replace(/^\+/, ''),
        TotalAmount: '0.00350',
        TotalRate: '0.00350',
        Units: '1',
        ErrorCode: status === 'failed' ? '200' : '',
      };
      const nonce = randomBytes(10).toString('hex');
      const signature = plivoSign(sign ? (fields.authToken ?? '') : 'not-the-auth-token', url, params, nonce);
      return {
        method: 'POST',
        url,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-plivo-signature-v3': signature,
          'x-plivo-signature-v3-nonce': nonce,
        },
        body: formBody(params),
      };
    },
  }),
  clickatell: (fields) => ({
    fields,
    handle(req, res, accept) {
      if (req.method !== 'POST' || req.url.pathname !== '/messages' || !isJson(req))
        return 'not a JSON POST to /messages';
      if (req.headers.authorization !== fields.apiKey) {
        json(res, 401, { messages: [], error: { code: 1, description: 'Invalid or missing Integration API Key' } });
        return 'bad credentials';
      }
      const b = parse(req.body);
      const to = Array.isArray(b?.to) ? b.to[0] : undefined;
      if (typeof to !== 'string' || !/^\d+$/.test(to) || !b?.content) {
        json(res, 400, { messages: [], error: { code: 101, description: 'Invalid or missing parameters' } });
        return 'invalid parameters';
      }
      const id = accept({ to, text: String(b.content) });
      json(res, 202, { messages: [{ apiMessageId: id, accepted: true, to, error: null }], error: null });
    },
    receipt(m, status, url) {
      const [statusCode, word] = {
        delivered: [4, 'RECEIVED_BY_RECIPIENT'],
        failed: [7, 'ERROR_DELIVERING'],
        expired: [10, 'EXPIRED'],
        intermediate: [3, 'DELIVERED_TO_GATEWAY'],
      }[status] as [number, string];
      const body = JSON.stringify({
        integrationName: 'Stepgate',
        messageId: m.id,
        requestId: randomUUID(),
        clientMessageId: '',
        to: m.to,
        from: '',
        statusCode,
        status: word,
        statusDescription: word.toLowerCase().replace(/_/g, ' '),
        timestamp: Date.now(),
      });
      return { method: 'POST', url, headers: { 'content-type': 'application/json' }, body };
    },
  }),
  bulksms: (fields) => ({
    fields,
    handle(req, res, accept) {
      if (req.method !== 'POST' || req.url.pathname !== '/v1/messages' || !isJson(req))
        return 'not a JSON POST to /v1/messages';
      const creds = basicCredentials(req.headers.authorization);
      if (creds?.[0] !== fields.username || creds?.[1] !== fields.password) {
        json(res, 401, {
          type: 'https://developer.bulksms.com/json/v1/errors#authentication-failed',
          title: 'Authentication Failed',
          status: 401,
        });
        return 'bad credentials';
      }
      const b = parse(req.body);
      if (typeof b?.to !== 'string' || !/^\+\d+$/.test(b.to) || !b.body) {
        json(res, 400, { title: 'Bad Request', status: 400, detail: 'to and body are required' });
        return 'invalid parameters';
      }
      const id = accept({ to: b.to, text: String(b.body) });
      json(res, 201, [
        { id, type: 'SENT', to: b.to, body: b.body, status: { id: 'ACCEPTED.null', type: 'ACCEPTED', subtype: null } },
      ]);
    },
    receipt(m, status, url) {
      const [type, subtype] = {
        delivered: ['DELIVERED', null],
        failed: ['FAILED', 'BLOCKED'],
        expired: ['FAILED', 'EXPIRED'],
        intermediate: ['SENT', null],
      }[status] as [string, string | null];
      const body = JSON.stringify([
        {
          id: m.id,
          type: 'SENT',
          from: '',
          to: m.to,
          body: m.text,
          encoding: 'TEXT',
          protocolId: 0,
          messageClass: 2,
          numberOfParts: 1,
          creditCost: 1,
          submission: { id: `2-${m.id}`, date: new Date().toISOString() },
          status: { id: `${type}.${subtype}`, type, subtype },
          relatedSentMessageId: null,
          userSuppliedId: null,
        },
      ]);
      return { method: 'POST', url, headers: { 'content-type': 'application/json' }, body };
    },
  }),
};

const FIELDS: Record<ProviderId, Record<string, string>> = {
  vonage: { apiKey: 'vonage-key', apiSecret: SECRET, from: 'Stepgate' },
  twilio: { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: SECRET, from: '+15005550006' },
  plivo: { authId: 'MAXXXXXXXXXXXXXXXXXX', authToken: SECRET, src: '+14155550100' },
  clickatell: { apiKey: SECRET },
  bulksms: { username: 'bulk-user', password: SECRET },
};

let serial = 0;
const idFor: Record<ProviderId, () => string> = {
  vonage: () => `0C0000002${(++serial).toString(16).padStart(7, '0')}`.toUpperCase(),
  twilio: () => `SM${randomBytes(16).toString('hex')}`,
  plivo: () => randomUUID(),
  clickatell: () => randomBytes(16).toString('hex'),
  bulksms: () => String(1_000_000_000 + ++serial),
};

export async function startImitation(
  provider: ProviderId,
  cert: TestCertificate,
  extra: Record<string, string> = {},
): Promise<Imitation> {
  const spec = SPECS[provider]({ ...FIELDS[provider], ...extra });
  const sent: SentByImitation[] = [];
  const refused: string[] = [];
  const server: MockServer = await startHttpsServer(cert, (req, res) => {
    const accept = (m: Omit<SentByImitation, 'id'>) => {
      const id = idFor[provider]();
      sent.push({ id, ...m });
      return id;
    };
    const why = spec.handle(req, res, accept);
    if (typeof why === 'string') {
      refused.push(why);
      if (!res.headersSent) json(res, 404, { error: why });
    }
  });
  const imitation: Imitation = {
    provider,
    origin: server.origin,
    sent,
    refused,
    fields: () => ({ ...spec.fields, baseUrl: server.origin }),
    receipt(message, status, options = {}) {
      const url = message.callback ?? imitation.accountCallback;
      if (!url) throw new Error(`${provider}: the send carried no callback and no account callback is set`);
      return spec.receipt(message, status, url, options.sign ?? true);
    },
    close: server.close,
  };
  return imitation;
}

/** Posts a receipt the way the provider does. */
export async function post(receipt: ReceiptPost): Promise<Response> {
  return fetch(receipt.url, { method: receipt.method, headers: receipt.headers, body: receipt.body });
}
