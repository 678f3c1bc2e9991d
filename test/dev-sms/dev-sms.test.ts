import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { createDevSmsStore, type DevSmsStore, devSmsPlugin } from '../../src/web/dev-sms/plugin.js';
import { freePort } from '../support/server.js';

const API_KEY = 'dev-key';
const API_SECRET = 'dev-secret';

async function buildApp(store: DevSmsStore): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(devSmsPlugin, { prefix: '/dev/sms', apiKey: API_KEY, apiSecret: API_SECRET, store });
  await app.ready();
  return app;
}

function form(fields: Record<string, string>): { headers: Record<string, string>; payload: string } {
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  };
}

const good = {
  api_key: API_KEY,
  api_secret: API_SECRET,
  from: 'Stepgate',
  to: '94771234567',
  text: 'Verification Code: 482913',
};

describe('dev SMS: Vonage send endpoint', () => {
  let store: DevSmsStore;
  let app: FastifyInstance;
  before(async () => {
    store = createDevSmsStore(10);
    app = await buildApp(store);
  });
  after(() => app.close());

  test('a well-formed form post is stored and answered with status "0" like Vonage', async () => {
    store.clear();
    const res = await app.inject({ method: 'POST', url: '/dev/sms/vonage/sms/json', ...form(good) });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body['message-count'], '1');
    assert.equal(body.messages.length, 1);
    const [message] = body.messages;
    assert.equal(message.status, '0');
    assert.equal(message.to, '94771234567');
    assert.match(message['message-id'], /^[0-9A-F]{16}$/);
    assert.match(message['remaining-balance'], /^\d+\.\d{8}$/);
    assert.equal(message['message-price'], '0.03330000');
    assert.equal(typeof message.network, 'string');
    const stored = store.list();
    assert.equal(stored.length, 1);
    assert.equal(stored[0]?.id, message['message-id']);
    assert.equal(stored[0]?.text, good.text);
    assert.equal(stored[0]?.from, 'Stepgate');
  });

  test('a JSON body and a query string are accepted too, and a leading + on `to` is dropped', async () => {
    store.clear();
    const json = await app.inject({
      method: 'POST',
      url: '/dev/sms/vonage/sms/json',
      payload: { ...good, to: '+94770000001', text: 'json 111111' },
    });
    assert.equal(json.json().messages[0].status, '0');
    assert.equal(json.json().messages[0].to, '94770000001');
    // The WSO2 Vonage preset puts everything in the query string, with `$ctx.num` unencoded: its `+` arrives as a space.
    const query = await app.inject({
      method: 'POST',
      url: `/dev/sms/vonage/sms/json?api_key=${API_KEY}&api_secret=${API_SECRET}&from=NEXMO&to=+94770000002&text=query%20222222`,
    });
    assert.equal(query.json().messages[0].status, '0');
    assert.deepEqual(
      store.list().map((m) => m.to),
      ['94770000002', '94770000001'],
    );
  });

  test('Basic authorization is accepted in place of api_key/api_secret', async () => {
    const { api_key: _k, api_secret: _s, ...rest } = good;
    const res = await app.inject({
      method: 'POST',
      url: '/dev/sms/vonage/sms/json',
      ...form(rest),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64')}`,
      },
    });
    assert.equal(res.json().messages[0].status, '0');
  });

  test('a wrong api_secret is answered with status "4" Bad Credentials, HTTP 200, and nothing is stored', async () => {
    store.clear();
    const res = await app.inject({
      method: 'POST',
      url: '/dev/sms/vonage/sms/json',
      ...form({ ...good, api_secret: 'wrong' }),
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      'message-count': '1',
      messages: [{ status: '4', 'error-text': 'Bad Credentials' }],
    });
    assert.equal(store.list().length, 0);
  });

  test('a wrong api_key is rejected the same way', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/dev/sms/vonage/sms/json',
      ...form({ ...good, api_key: 'x' }),
    });
    assert.equal(res.json().messages[0].status, '4');
  });

  test('missing parameters are answered with status "2" and an error-text naming the parameter', async () => {
    store.clear();
    const cases: Array<[keyof typeof good, string]> = [
      ['api_key', 'Missing api_key'],
      ['api_secret', 'Missing api_secret'],
      ['from', 'Missing from param'],
      ['to', 'Missing to param'],
      ['text', 'Missing text param'],
    ];
    for (const [field, errorText] of cases) {
      const fields: Record<string, string> = { ...good };
      delete fields[field];
      const res = await app.inject({ method: 'POST', url: '/dev/sms/vonage/sms/json', ...form(fields) });
      assert.equal(res.statusCode, 200, field);
      assert.deepEqual(res.json().messages, [{ status: '2', 'error-text': errorText }], field);
    }
    assert.equal(store.list().length, 0);
  });

  test('a `to` that is not a phone number is answered with status "3"', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/dev/sms/vonage/sms/json',
      ...form({ ...good, to: 'alice' }),
    });
    assert.equal(res.json().messages[0].status, '3');
  });
});

describe('dev SMS: JSON API and inbox', () => {
  let store: DevSmsStore;
  let app: FastifyInstance;
  before(async () => {
    store = createDevSmsStore(3);
    app = await buildApp(store);
  });
  after(() => app.close());
  /** The token the inbox page puts into its Clear form. */
  const clearToken = async () => {
    const page = await app.inject({ method: 'GET', url: '/dev/sms/' });
    const token = /<input type="hidden" name="csrf" value="([^"]+)">/.exec(page.body)?.[1];
    assert.ok(token, 'the inbox page has no Clear token');
    return token;
  };

  async function sendTo(to: string, text: string): Promise<void> {
    const res = await app.inject({ method: 'POST', url: '/dev/sms/vonage/sms/json', ...form({ ...good, to, text }) });
    assert.equal(res.json().messages[0].status, '0');
  }

  test('messages are listed newest first with id, to, from, text and an ISO receivedAt', async () => {
    store.clear();
    await sendTo('94770000001', 'first 111111');
    await sendTo('94770000002', 'second 222222');
    const res = await app.inject({ method: 'GET', url: '/dev/sms/api/messages' });
    assert.equal(res.statusCode, 200);
    const { messages } = res.json();
    assert.deepEqual(
      messages.map((m: { text: string }) => m.text),
      ['second 222222', 'first 111111'],
    );
    for (const m of messages) {
      assert.deepEqual(Object.keys(m).sort(), ['from', 'id', 'receivedAt', 'text', 'to']);
      assert.equal(new Date(m.receivedAt).toISOString(), m.receivedAt);
    }
  });

  test('?to= filters by number, with or without the leading +', async () => {
    store.clear();
    await sendTo('94770000001', 'for one 111111');
    await sendTo('94770000002', 'for two 222222');
    for (const to of ['94770000001', '+94770000001', '%2B94770000001']) {
      const res = await app.inject({ method: 'GET', url: `/dev/sms/api/messages?to=${to}` });
      assert.deepEqual(
        res.json().messages.map((m: { text: string }) => m.text),
        ['for one 111111'],
        to,
      );
    }
  });

  test('the store keeps only `capacity` messages, dropping the oldest', async () => {
    store.clear();
    for (const n of [1, 2, 3, 4]) await sendTo('94770000001', `message ${n}`);
    assert.deepEqual(
      store.list().map((m) => m.text),
      ['message 4', 'message 3', 'message 2'],
    );
  });

  test('DELETE /api/messages clears the store', async () => {
    await sendTo('94770000001', 'to be cleared');
    const res = await app.inject({ method: 'DELETE', url: '/dev/sms/api/messages' });
    assert.equal(res.statusCode, 204);
    assert.deepEqual((await app.inject({ method: 'GET', url: '/dev/sms/api/messages' })).json(), { messages: [] });
  });

  test('the Clear button form clears and redirects back to the inbox', async () => {
    await sendTo('94770000001', 'to be cleared');
    const csrf = await clearToken();
    const res = await app.inject({ method: 'POST', url: '/dev/sms/clear', ...form({ csrf }) });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/dev/sms/');
    assert.equal(store.list().length, 0);
  });

  test('a Clear without the page token, or with a token one character off, is refused and clears nothing', async () => {
    store.clear();
    await sendTo('94770000001', 'must stay');
    const csrf = await clearToken();
    const last = csrf.at(-1) === 'A' ? 'B' : 'A';
    const attempts: Record<string, string>[] = [
      {},
      { csrf: '' },
      { csrf: `${csrf.slice(0, -1)}${last}` },
      { csrf: `${csrf}x` },
    ];
    for (const fields of attempts) {
      const res = await app.inject({ method: 'POST', url: '/dev/sms/clear', ...form(fields) });
      assert.equal(res.statusCode, 403, JSON.stringify(fields));
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.match(res.body, /without its security token/);
    }
    assert.deepEqual(
      store.list().map((m) => m.text),
      ['must stay'],
    );
  });

  test('the inbox lists the message with its code, and escapes markup in the text', async () => {
    store.clear();
    await sendTo('94771234567', 'Your code is 482913 <script>alert("x")</script> & <b>bold</b>');
    const res = await app.inject({ method: 'GET', url: '/dev/sms/' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    const html = res.body;
    assert.match(html, /To \+94771234567/);
    assert.match(html, /<p class="code" aria-label="One-time code">482913<\/p>/);
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;'));
    assert.ok(!html.includes('<script>alert'), 'message markup must not reach the page unescaped');
    assert.ok(!html.includes('<b>bold'), 'message markup must not reach the page unescaped');
    // Refreshes itself: a polling script, and a meta refresh when scripts are off.
    assert.match(html, /<script src="\/dev\/sms\/inbox\.js" defer><\/script>/);
    assert.match(html, /<noscript><meta http-equiv="refresh" content="2"><\/noscript>/);
    assert.match(html, /<button type="submit" id="clear">Clear<\/button>/);
    const js = await app.inject({ method: 'GET', url: '/dev/sms/inbox.js' });
    assert.match(String(js.headers['content-type']), /javascript/);
    assert.ok(!js.body.includes('innerHTML'), 'the polling script must build nodes with textContent');
  });

  test('an empty inbox says so', async () => {
    store.clear();
    const res = await app.inject({ method: 'GET', url: '/dev/sms' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /No messages yet/);
  });
});

describe('dev SMS: inside an app that already parses forms', () => {
  test('registers next to @fastify/formbody and still reads form posts', async () => {
    const { default: formbody } = await import('@fastify/formbody');
    const app = Fastify();
    await app.register(formbody);
    const store = createDevSmsStore(5);
    await app.register(devSmsPlugin, { prefix: '/dev/sms', apiKey: API_KEY, apiSecret: API_SECRET, store });
    try {
      const res = await app.inject({ method: 'POST', url: '/dev/sms/vonage/sms/json', ...form(good) });
      assert.equal(res.json().messages[0].status, '0');
      assert.equal(store.list()[0]?.text, good.text);
    } finally {
      await app.close();
    }
  });
});

describe('dev SMS: over a real socket', () => {
  let app: FastifyInstance;
  let store: DevSmsStore;
  let base: string;
  before(async () => {
    store = createDevSmsStore(5);
    app = await buildApp(store);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    assert.ok(address !== null && typeof address === 'object');
    base = `http://127.0.0.1:${address.port}`;
  });
  after(() => app.close());

  test('the WSO2 Vonage preset request (everything in the query string, empty POST) delivers to the inbox', async () => {
    const to = encodeURIComponent('+94771234567');
    const text = encodeURIComponent('Verification Code: 654321');
    const res = await fetch(
      `${base}/dev/sms/vonage/sms/json?api_key=${API_KEY}&api_secret=${API_SECRET}&from=NEXMO&to=${to}&text=${text}`,
      { method: 'POST' },
    );
    assert.equal(res.status, 200);
    const body = (await res.json()) as { messages: Array<{ status: string; to: string }> };
    assert.equal(body.messages[0]?.status, '0');
    assert.equal(body.messages[0]?.to, '94771234567');
    const inbox = (await (await fetch(`${base}/dev/sms/api/messages?to=%2B94771234567`)).json()) as {
      messages: Array<{ text: string }>;
    };
    assert.equal(inbox.messages[0]?.text, 'Verification Code: 654321');
  });

  test('a form post with wrong credentials gets Vonage status "4" over HTTP 200', async () => {
    const res = await fetch(`${base}/dev/sms/vonage/sms/json`, {
      method: 'POST',
      body: new URLSearchParams({ ...good, api_key: 'nope' }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { messages: Array<{ status: string }> };
    assert.equal(body.messages[0]?.status, '4');
  });
});

describe('dev SMS: delivery receipts to the node it serves', () => {
  let app: FastifyInstance;
  let base: string;
  const received: { path: string; fields: Record<string, string> }[] = [];
  before(async () => {
    base = `http://127.0.0.1:${await freePort()}`;
    app = Fastify();
    // the node the inbox serves: its receipt endpoint is a route of the same app, as in the demo
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    app.post('/sms/receipts/*', async (req) => {
      received.push({ path: req.url, fields: req.body as Record<string, string> });
      return { ok: true };
    });
    await app.register(devSmsPlugin, {
      prefix: '/dev/sms',
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      receiptOrigin: base,
      receiptDelayMs: 10,
    });
    await app.listen({ port: Number(new URL(base).port), host: '127.0.0.1' });
  });
  after(() => app.close());

  const send = async (callback: string) => {
    const res = await fetch(`${base}/dev/sms/vonage/sms/json`, {
      method: 'POST',
      body: new URLSearchParams({ ...good, callback }),
    });
    return ((await res.json()) as { messages: Array<{ 'message-id': string }> }).messages[0]!['message-id'];
  };
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  };

  test('a send with a callback on the node gets a Vonage receipt there: delivered, its message id', async () => {
    received.length = 0;
    const id = await send(`${base}/sms/receipts/smsOTP/default/token-1`);
    await until(() => received.length > 0);
    assert.equal(received.length, 1);
    assert.equal(received[0]?.path, '/sms/receipts/smsOTP/default/token-1');
    assert.equal(received[0]?.fields.messageId, id);
    assert.equal(received[0]?.fields.status, 'delivered');
    assert.equal(received[0]?.fields['err-code'], '0');
    assert.equal(received[0]?.fields.msisdn, good.to);
  });

  test('a callback on another origin, or no URL at all, gets nothing (the inbox fetches no URL a sender names)', async () => {
    received.length = 0;
    await send(`http://localhost:${new URL(base).port}/sms/receipts/smsOTP/default/token-2`);
    await send('not a url');
    // a near miss after them: a receipt to the node still arrives, and is the only one
    const id = await send(`${base}/sms/receipts/smsOTP/default/token-3`);
    await until(() => received.length > 0);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      received.map((r) => r.fields.messageId),
      [id],
    );
  });
});
