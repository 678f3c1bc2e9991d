// Each preset against a loopback HTTPS imitation of its provider: TLS trust, authentication, parameters, answers.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createSmsGateway, type GatewayConfig, gatewayConfig, type ProviderId } from '../../src/sms/index.js';
import {
  basicCredentials,
  json,
  type MockServer,
  makeSelfSignedCertificate,
  type ReceivedRequest,
  startHttpsServer,
  TRICKY_TEXT,
} from './support/tls.js';

const NUMBER = '+94771234567';
const REJECTED_NUMBER = '+94770000000'; // the mocks report a failure inside a 2xx for this one
const SECRET = 's3cr3t-Value_42';

interface ProviderCase {
  id: ProviderId;
  fields: Record<string, string>;
  handle(req: ReceivedRequest, res: ServerResponse): void;
  /** What the mock understood: recipient and text, decoded the way the provider decodes them. */
  decode(req: ReceivedRequest): { to: string; text: string };
  messageId: string;
  authStatus: number;
}

const form = (req: ReceivedRequest) => new URLSearchParams(req.body);
const isForm = (req: ReceivedRequest) => req.headers['content-type'] === 'application/x-www-form-urlencoded';
const isJson = (req: ReceivedRequest) => /^application\/json/.test(req.headers['content-type'] ?? '');

const cases: ProviderCase[] = [
  {
    id: 'vonage',
    fields: { apiKey: 'key123', apiSecret: SECRET, from: 'Stepgate' },
    messageId: '0C000000217B7F02',
    authStatus: 200,
    decode: (req) => ({ to: form(req).get('to') ?? '', text: form(req).get('text') ?? '' }),
    handle(req, res) {
      if (req.method !== 'POST' || req.url.pathname !== '/sms/json' || !isForm(req)) return json(res, 404, {});
      const p = form(req);
      if (p.get('api_key') !== 'key123' || p.get('api_secret') !== SECRET) {
        return json(res, 200, { 'message-count': '1', messages: [{ status: '4', 'error-text': 'Bad Credentials' }] });
      }
      const to = p.get('to') ?? '';
      if (!/^\d+$/.test(to) || !p.get('from') || !p.get('text')) {
        return json(res, 200, { 'message-count': '1', messages: [{ status: '3', 'error-text': 'Invalid to' }] });
      }
      if (/[^\x20-\xff\n]/.test(p.get('text') ?? '') && p.get('type') !== 'unicode') {
        return json(res, 200, {
          'message-count': '1',
          messages: [{ status: '3', 'error-text': 'type must be unicode' }],
        });
      }
      if (to === REJECTED_NUMBER.slice(1)) {
        return json(res, 200, {
          'message-count': '1',
          messages: [{ to, status: '7', 'error-text': 'Number barred.' }],
        });
      }
      json(res, 200, { 'message-count': '1', messages: [{ to, 'message-id': '0C000000217B7F02', status: '0' }] });
    },
  },
  {
    id: 'clickatell',
    fields: { apiKey: SECRET },
    messageId: '02ca87d5a95446e68b0ac36a0c2057f1',
    authStatus: 401,
    decode: (req) => {
      const body = JSON.parse(req.body);
      return { to: body.to[0], text: body.content };
    },
    handle(req, res) {
      if (req.method !== 'POST' || req.url.pathname !== '/messages' || !isJson(req)) return json(res, 404, {});
      if (req.headers.authorization !== SECRET) {
        return json(res, 401, {
          messages: [],
          error: { code: 1, description: 'Invalid or missing Integration API Key' },
        });
      }
      const body = JSON.parse(req.body);
      const to = body.to?.[0];
      if (typeof body.content !== 'string' || typeof to !== 'string') {
        return json(res, 400, { messages: [], error: { code: 21, description: 'Payload data is malformed' } });
      }
      if (!/^\d+$/.test(to) || to === REJECTED_NUMBER.slice(1)) {
        return json(res, 202, {
          messages: [
            { apiMessageId: null, accepted: false, to, error: { code: 25, description: 'Invalid recipient address' } },
          ],
          error: null,
        });
      }
      json(res, 202, {
        messages: [{ apiMessageId: '02ca87d5a95446e68b0ac36a0c2057f1', accepted: true, to }],
        error: null,
      });
    },
  },
  {
    id: 'plivo',
    fields: { authId: 'MAXXXXXXXXXXXXXXXXXX', authToken: SECRET, src: '+14155550100' },
    messageId: 'db3ce55a-7f1d-11e1-8ea7-1231380bc196',
    authStatus: 401,
    decode: (req) => {
      const body = JSON.parse(req.body);
      return { to: body.dst, text: body.text };
    },
    handle(req, res) {
      if (req.method !== 'POST' || req.url.pathname !== '/v1/Account/MAXXXXXXXXXXXXXXXXXX/Message/') {
        return json(res, 404, { error: 'not found' });
      }
      const creds = basicCredentials(req.headers.authorization);
      if (creds?.[0] !== 'MAXXXXXXXXXXXXXXXXXX' || creds[1] !== SECRET) {
        return json(res, 401, { api_id: 'a1', error: 'authentication failed' });
      }
      if (!isJson(req)) return json(res, 400, { api_id: 'a1', error: 'content type must be application/json' });
      const body = JSON.parse(req.body);
      if (body.src !== '+14155550100' || !/^\+?\d+$/.test(body.dst) || typeof body.text !== 'string') {
        return json(res, 400, { api_id: 'a1', error: 'invalid parameters' });
      }
      if (body.dst === REJECTED_NUMBER) {
        return json(res, 202, {
          api_id: 'a1',
          message: 'message(s) queued',
          message_uuid: [],
          invalid_number: [body.dst],
        });
      }
      json(res, 202, {
        api_id: 'a1',
        message: 'message(s) queued',
        message_uuid: ['db3ce55a-7f1d-11e1-8ea7-1231380bc196'],
      });
    },
  },
  {
    id: 'bulksms',
    fields: { username: 'token-id', password: SECRET },
    messageId: '1118465436',
    authStatus: 401,
    decode: (req) => {
      const body = JSON.parse(req.body);
      return { to: body.to, text: body.body };
    },
    handle(req, res) {
      if (req.method !== 'POST' || req.url.pathname !== '/v1/messages') return json(res, 404, {});
      const creds = basicCredentials(req.headers.authorization);
      if (creds?.[0] !== 'token-id' || creds[1] !== SECRET) {
        return json(res, 401, { title: 'Authentication Failed', status: 401, detail: 'You need to authenticate' });
      }
      if (!isJson(req) || req.url.searchParams.get('auto-unicode') !== 'true') return json(res, 400, { title: 'Bad' });
      const body = JSON.parse(req.body);
      const failed = body.to === REJECTED_NUMBER;
      json(res, 201, [
        {
          id: '1118465436',
          type: 'SENT',
          to: body.to,
          body: body.body,
          status: failed ? { id: 'FAILED.UNROUTABLE', type: 'FAILED', subtype: 'UNROUTABLE' } : { type: 'ACCEPTED' },
        },
      ]);
    },
  },
  {
    id: 'twilio',
    fields: { accountSid: 'AC0123456789abcdef', authToken: SECRET, from: '+15005550006' },
    messageId: 'SM1234567890abcdef',
    authStatus: 401,
    decode: (req) => ({ to: form(req).get('To') ?? '', text: form(req).get('Body') ?? '' }),
    handle(req, res) {
      if (req.method !== 'POST' || req.url.pathname !== '/2010-04-01/Accounts/AC0123456789abcdef/Messages.json') {
        return json(res, 404, { code: 20404, message: 'not found', status: 404 });
      }
      const creds = basicCredentials(req.headers.authorization);
      if (creds?.[0] !== 'AC0123456789abcdef' || creds[1] !== SECRET) {
        return json(res, 401, { code: 20003, message: 'Authenticate', status: 401 });
      }
      const p = form(req);
      if (!isForm(req) || p.get('From') !== '+15005550006' || !/^\+\d+$/.test(p.get('To') ?? '')) {
        return json(res, 400, { code: 21211, message: "Invalid 'To' Phone Number", status: 400 });
      }
      const failed = p.get('To') === REJECTED_NUMBER;
      json(res, 201, {
        sid: 'SM1234567890abcdef',
        status: failed ? 'failed' : 'queued',
        error_code: failed ? 30003 : null,
        error_message: failed ? 'Unreachable destination handset' : null,
        to: p.get('To'),
        body: p.get('Body'),
      });
    },
  },
];

const cert = makeSelfSignedCertificate();
const trusting = createSmsGateway({ trustedCertificates: async () => [cert.certPem] });
const untrusting = createSmsGateway({ trustedCertificates: async () => [] });
after(async () => {
  await trusting.close();
  await untrusting.close();
});

for (const c of cases) {
  describe(`preset ${c.id}`, () => {
    let server: MockServer;
    let config: GatewayConfig;
    before(async () => {
      server = await startHttpsServer(cert, c.handle);
      config = gatewayConfig({ preset: { provider: c.id, fields: { ...c.fields, baseUrl: server.origin } } });
    });
    after(() => server.close());

    it('fails with tls-untrusted, naming the host and the import command, before the certificate is trusted', async () => {
      const result = await untrusting.send(config, { to: NUMBER, text: 'hello' });
      assert.equal(result.ok, false);
      assert.ok(!result.ok);
      assert.equal(result.code, 'tls-untrusted');
      assert.match(result.reason, /127\.0\.0\.1:\d+/);
      assert.match(result.reason, /stepgate truststore import --file <cert\.pem> --alias <name>/);
    });

    it('delivers a hostile message intact once trusted, with the message id', async () => {
      const result = await trusting.send(config, { to: NUMBER, text: TRICKY_TEXT, otp: '123456' });
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.messageId, c.messageId);
      const got = c.decode(server.received.at(-1) as ReceivedRequest);
      assert.equal(got.text, TRICKY_TEXT);
      assert.equal(got.to.replace(/^\+/, ''), NUMBER.slice(1));
      const shown = JSON.stringify(result.request);
      assert.ok(!shown.includes(SECRET), 'the secret is masked in the request');
      assert.ok(!shown.includes('771234567'), 'the number is masked in the request');
      assert.ok(shown.includes('4567'));
    });

    it('reports a failure inside a 2xx as provider-rejected', async () => {
      const result = await trusting.send(config, { to: REJECTED_NUMBER, text: 'hello' });
      assert.ok(!result.ok);
      assert.equal(result.code, 'provider-rejected');
      assert.ok((result.status ?? 0) >= 200 && (result.status ?? 0) < 300);
      assert.ok(!(result.providerAnswer ?? '').includes('770000000'), 'the number is masked in the answer');
    });

    it('reports wrong credentials with the mapped code and never leaks the secret', async () => {
      const wrong = gatewayConfig({
        preset: {
          provider: c.id,
          fields: { ...c.fields, ...secretField(c.id, 'wrong-secret'), baseUrl: server.origin },
        },
        maskValues: ['wrong-secret'],
      });
      const result = await trusting.send(wrong, { to: NUMBER, text: 'hello' });
      assert.ok(!result.ok);
      assert.equal(result.code, c.authStatus === 401 ? 'SMSOTP-60002' : 'provider-rejected');
      assert.equal(result.status, c.authStatus);
      assert.ok(!JSON.stringify(result).includes('wrong-secret'));
    });
  });
}

function secretField(id: ProviderId, value: string): Record<string, string> {
  const name = {
    vonage: 'apiSecret',
    clickatell: 'apiKey',
    plivo: 'authToken',
    bulksms: 'password',
    twilio: 'authToken',
  }[id];
  return { [name]: value };
}

describe('every preset reads a non-JSON 200 (a maintenance page) as not sent, with the status and an excerpt', () => {
  let server: MockServer;
  before(async () => {
    server = await startHttpsServer(cert, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<html><body>Down for maintenance ${'.'.repeat(600)}</body></html>`);
    });
  });
  after(() => server.close());

  for (const c of cases) {
    it(c.id, async () => {
      const config = gatewayConfig({ preset: { provider: c.id, fields: { ...c.fields, baseUrl: server.origin } } });
      const result = await trusting.send(config, { to: NUMBER, text: 'hello' });
      assert.ok(!result.ok, '!result.ok');
      assert.equal(result.code, 'provider-rejected');
      assert.match(
        result.reason,
        /^the provider answered HTTP 200 but did not send the message: the answer is not JSON: "<html><body>Down for maintenance \.+…"$/,
      );
      assert.doesNotMatch(result.reason, /messages\[0\]|has no/);
      assert.ok((result.providerAnswer ?? '').length <= 201, "(result.providerAnswer ?? '').length <= 201");
    });
  }
});
