// The plain (template) gateway over real HTTPS: hand-written templates, status and success rules, number formats,
// network failures, masking.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  createSmsGateway,
  gatewayConfig,
  isProblem,
  presetToPlain,
  validateGatewayConfig,
} from '../../src/sms/index.js';
import { json, type MockServer, makeSelfSignedCertificate, startHttpsServer, TRICKY_TEXT } from './support/tls.js';

const NUMBER = '+94771234567';
const cert = makeSelfSignedCertificate();
const gateway = createSmsGateway({ trustedCertificates: async () => [cert.certPem] });
let server: MockServer;

before(async () => {
  server = await startHttpsServer(cert, (req, res) => {
    const status = Number(req.url.searchParams.get('status') ?? '200');
    if (req.url.pathname === '/hang') return; // never answers
    if (req.url.pathname === '/raw') {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(req.url.searchParams.get('body') ?? '');
      return;
    }
    json(res, status, { echoed: req.body, to: req.url.searchParams.get('to') });
  });
});
after(async () => {
  await server.close();
  await gateway.close();
});

const last = () => server.received.at(-1)!;

describe('hand-written templates deliver a hostile message intact', () => {
  const message = { to: NUMBER, text: TRICKY_TEXT, otp: '123456' };

  it('JSON body, with the seed-style spaces inside the quotes', async () => {
    const config = gatewayConfig({
      url: `${server.origin}/json`,
      headers: 'Content-Type: application/json; charset=utf-8',
      payload: '{"text":" $ctx.msg ","to":[" $ctx.num "],"otp":$ctx.otp}',
    });
    const result = await gateway.send(config, message);
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(JSON.parse(last().body), { text: TRICKY_TEXT, to: [NUMBER], otp: '123456' });
  });

  it('form body', async () => {
    const config = gatewayConfig({
      url: `${server.origin}/form`,
      headers: 'Content-Type: application/x-www-form-urlencoded',
      payload: 'Body=$ctx.msg&To=$ctx.num&Code=$ctx.otp',
    });
    assert.ok((await gateway.send(config, message)).ok);
    const p = new URLSearchParams(last().body);
    assert.equal(p.get('Body'), TRICKY_TEXT);
    assert.equal(p.get('To'), NUMBER);
    assert.equal(p.get('Code'), '123456');
  });

  it('XML body', async () => {
    const config = gatewayConfig({
      url: `${server.origin}/xml`,
      headers: 'Content-Type: text/xml;charset=UTF-8',
      payload: '<sms to="$ctx.num"><text>$ctx.msg</text></sms>',
    });
    assert.ok((await gateway.send(config, message)).ok);
    const body = last().body;
    const xmlUnescape = (s: string) =>
      s.replace(
        /&(lt|gt|quot|apos|amp|#13);/g,
        (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&', '#13': '\r' })[e] ?? '',
      );
    assert.equal(xmlUnescape(/<text>([\s\S]*)<\/text>/.exec(body)?.[1] ?? ''), TRICKY_TEXT);
    assert.equal(xmlUnescape(/to="([^"]*)"/.exec(body)?.[1] ?? ''), NUMBER);
  });

  it('GET with placeholders in the URL', async () => {
    const config = gatewayConfig({
      method: 'GET',
      url: `${server.origin}/get?to=$ctx.num&text=$ctx.msg`,
      payload: 'x',
    });
    assert.ok((await gateway.send(config, message)).ok);
    assert.equal(last().method, 'GET');
    assert.equal(last().url.searchParams.get('text'), TRICKY_TEXT);
    assert.equal(last().url.searchParams.get('to'), NUMBER);
    assert.equal(last().body, '', 'GET sends no body');
  });

  it('a payload without Content-Type is sent as a form, like WSO2 (the seed Twilio template)', async () => {
    const config = gatewayConfig({
      url: `${server.origin}/twilio`,
      headers: 'Authorization: Basic QUMxMjM6dG9rZW4=',
      payload: 'Body=$ctx.msg&To=$ctx.num&From=%2B15005550006',
    });
    assert.ok((await gateway.send(config, message)).ok);
    assert.equal(last().headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(new URLSearchParams(last().body).get('Body'), TRICKY_TEXT);
    assert.equal(new URLSearchParams(last().body).get('From'), '+15005550006');
  });
});

describe('failures are values', () => {
  const send = (query: string, extra: Parameters<typeof gatewayConfig>[0] = {}) =>
    gateway.send(gatewayConfig({ url: `${server.origin}/s?${query}&to=$ctx.num`, ...extra }), {
      to: NUMBER,
      text: 'hi',
    });

  for (const [status, code] of [
    [400, 'SMSOTP-60001'],
    [401, 'SMSOTP-60002'],
    [406, 'SMSOTP-60007'],
    [500, 'SMSOTP-65001'],
    [503, 'SMSOTP-65004'],
    [504, 'SMSOTP-65005'],
    [429, 'SMSOTP-10002'],
  ] as const) {
    it(`HTTP ${status} gives ${code} with the masked answer`, async () => {
      const result = await send(`status=${status}`);
      assert.ok(!result.ok);
      assert.equal(result.code, code);
      assert.equal(result.status, status);
      assert.ok(result.providerAnswer?.includes('********4567'), result.providerAnswer);
      assert.ok(!result.providerAnswer?.includes('771234567'));
    });
  }

  it('a 2xx that is not the configured response code is unexpected-status', async () => {
    const result = await send('status=200', { expectedStatus: ' 202 ' });
    assert.ok(!result.ok);
    assert.equal(result.code, 'unexpected-status');
    assert.ok((await send('status=202', { expectedStatus: ' 202 ' })).ok);
  });

  it('blank response code accepts 200, 201 and 202 only', async () => {
    assert.ok((await send('status=201')).ok);
    const r = await send('status=204');
    assert.ok(!r.ok && r.code === 'unexpected-status');
  });

  it('a server that never answers gives timeout', async () => {
    const started = Date.now();
    const result = await gateway.send(gatewayConfig({ url: `${server.origin}/hang`, responseTimeoutMs: 300 }), {
      to: NUMBER,
      text: 'hi',
    });
    assert.ok(!result.ok);
    assert.equal(result.code, 'timeout');
    assert.ok(Date.now() - started < 5000);
  });

  it('a closed port gives connection-refused', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as { port: number };
    probe.close();
    await once(probe, 'close');
    const result = await gateway.send(gatewayConfig({ url: `https://127.0.0.1:${port}/x` }), {
      to: NUMBER,
      text: 'hi',
    });
    assert.ok(!result.ok);
    assert.equal(result.code, 'connection-refused');
  });

  it('a header that would carry CR/LF is invalid-header and nothing is sent', async () => {
    const before = server.received.length;
    const result = await gateway.send(gatewayConfig({ url: `${server.origin}/h`, headers: 'X-Text: $ctx.msg' }), {
      to: NUMBER,
      text: 'line1\r\nInjected: yes',
    });
    assert.ok(!result.ok);
    assert.equal(result.code, 'invalid-header');
    assert.match(result.reason, /X-Text/);
    assert.equal(server.received.length, before);
  });

  it('a malformed URL gives SMSOTP-10001, a bad header field invalid-config', async () => {
    const a = await gateway.send(gatewayConfig({ url: 'not a url/$ctx.num' }), { to: NUMBER, text: 'hi' });
    assert.ok(!a.ok && a.code === 'SMSOTP-10001');
    const b = await gateway.send(gatewayConfig({ url: `${server.origin}/x`, headers: 'NoColonHere' }), {
      to: NUMBER,
      text: 'hi',
    });
    assert.ok(!b.ok && b.code === 'invalid-config');
  });
});

describe('masking', () => {
  it('masks Authorization, secret query values, maskValues and the number, in request and answer', async () => {
    const config = gatewayConfig({
      url: `${server.origin}/m?api_key=KEY-abc&api_secret=SEC%2Bxyz&to=$ctx.num&status=400`,
      headers: 'Authorization: Bearer tok-123456, X-Note: custom-private-word',
      payload: '{"text":"$ctx.msg","note":"custom-private-word","password":"pw-998877"}',
      maskValues: ['custom-private-word'],
    });
    const result = await gateway.send(config, { to: NUMBER, text: 'hi' });
    assert.ok(!result.ok);
    const everything = JSON.stringify(result);
    for (const secret of [
      'KEY-abc',
      'SEC%2Bxyz',
      'SEC+xyz',
      'tok-123456',
      'custom-private-word',
      'pw-998877',
      '771234567',
    ]) {
      assert.ok(!everything.includes(secret), `${secret} leaked: ${everything}`);
    }
    assert.ok(result.request?.headers.some(([n, v]) => n === 'Authorization' && v === 'Bearer ********'));
    assert.ok(result.request?.url.includes('api_key=********'));
  });
});

describe('success rules on the answer body (plain configurations)', () => {
  const raw = (body: string, status = 200) => `${server.origin}/raw?status=${status}&body=${encodeURIComponent(body)}`;
  const send = (url: string, extra: Parameters<typeof gatewayConfig>[0] = {}) =>
    gateway.send(gatewayConfig({ url, method: 'GET', ...extra }), { to: NUMBER, text: 'hi' });
  const vonageAnswer = (status: string) =>
    JSON.stringify({ 'message-count': '1', messages: [{ status, 'error-text': 'Bad Credentials' }] });

  it('without a rule any 2xx counts (the old behaviour), with a JSON Pointer rule Vonage status 4 is rejected', async () => {
    assert.ok((await send(raw(vonageAnswer('4')))).ok, 'no rule: the status decides');
    const rule = { successPointer: '/messages/0/status', successValue: '0' };
    const rejected = await send(raw(vonageAnswer('4')), rule);
    assert.equal(rejected.ok, false, JSON.stringify(rejected));
    assert.equal(rejected.code, 'provider-rejected');
    assert.match(rejected.reason, /\/messages\/0\/status is "4", not "0"/);
    assert.ok((await send(raw(vonageAnswer('0')), rule)).ok, 'the value that means success passes');
    const near = await send(raw(vonageAnswer('00')), rule);
    assert.ok(!near.ok, '"00" is not "0"');
  });

  it('a pointer without a value needs a present, non-empty value', async () => {
    const rule = { successPointer: '/id' };
    assert.ok((await send(raw('{"id":"m-1"}'), rule)).ok);
    for (const body of ['{"id":""}', '{"id":null}', '{"other":1}']) {
      assert.ok(!(await send(raw(body), rule)).ok, body);
    }
  });

  it('Bulksms EAPI: a pattern rule tells 0|IN_PROGRESS|… from 23|invalid credentials|', async () => {
    const rule = { successPattern: '^0\\|' };
    assert.ok((await send(raw('0|IN_PROGRESS|1234567890'), rule)).ok);
    const rejected = await send(raw('23|invalid credentials|'), rule);
    assert.equal(rejected.ok, false);
    assert.equal(!rejected.ok && rejected.code, 'provider-rejected');
    assert.match(rejected.reason, /does not match the success pattern/);
    assert.ok(!(await send(raw('10|0|x'), rule)).ok, 'a 0 later in the answer is not success');
  });

  it('a non-JSON answer against a JSON rule says the status and a short excerpt', async () => {
    const result = await send(raw(`<html>${'x'.repeat(1000)}</html>`), {
      successPointer: '/status',
      successValue: '0',
    });
    assert.equal(result.ok, false, JSON.stringify(result));
    assert.match(result.reason, /HTTP 200 .*not JSON: "<html>x+…"/);
    assert.ok(result.reason.length < 400, result.reason);
    const failed = await send(raw('Service Unavailable', 503));
    assert.equal(failed.ok, false, JSON.stringify(failed));
    assert.equal(failed.reason, 'the provider answered HTTP 503: "Service Unavailable"');
  });

  it('a backtracking pattern cannot be saved, a broken pointer neither; a rule on a preset is a warning', () => {
    const bad = validateGatewayConfig(gatewayConfig({ url: 'https://x.test/', successPattern: '^(a|a)+\\1$' }));
    assert.deepEqual(
      bad.map((p) => [p.field, p.severity]),
      [['successPattern', 'error']],
    );
    const pointer = validateGatewayConfig(gatewayConfig({ url: 'https://x.test/', successPointer: 'messages/0' }));
    assert.deepEqual(
      pointer.map((p) => [p.field, p.severity]),
      [['successPointer', 'error']],
    );
    const onPreset = validateGatewayConfig(
      gatewayConfig({
        successPointer: '/x',
        preset: { provider: 'vonage', fields: { apiKey: 'k', apiSecret: 's', from: 'X' } },
      }),
    );
    assert.ok(
      onPreset.some((p) => p.field === 'successPointer' && p.severity === 'warning'),
      JSON.stringify(onPreset),
    );
  });

  it('a preset written as plain fields keeps its success rule and number format', () => {
    const plain = presetToPlain({ provider: 'vonage', fields: { apiKey: 'k', apiSecret: 's', from: 'X' } });
    assert.equal(plain.successPointer, '/messages/0/status');
    assert.equal(plain.successValue, '0');
    assert.equal(plain.numberFormat, 'digits');
    assert.equal(
      presetToPlain({ provider: 'twilio', fields: { accountSid: 'AC1', authToken: 't' } }).numberFormat,
      'e164',
    );
  });
});

describe('number format', () => {
  const received = async (numberFormat?: 'default' | 'e164' | 'digits') => {
    const config = gatewayConfig({
      url: `${server.origin}/n?to=$ctx.num`,
      method: 'GET',
      ...(numberFormat ? { numberFormat } : {}),
    });
    assert.ok((await gateway.send(config, { to: NUMBER, text: 'hi' })).ok, 'sent');
    return last().url.searchParams.get('to');
  };
  it('plain configurations send +E.164 by default and digits only when asked', async () => {
    assert.equal(await received(), NUMBER);
    assert.equal(await received('e164'), NUMBER);
    assert.equal(await received('digits'), NUMBER.slice(1));
  });
  it("a preset's format can be overridden", () => {
    const vonage = { provider: 'vonage' as const, fields: { apiKey: 'k', apiSecret: 's', from: 'X' } };
    const render = (numberFormat: 'default' | 'e164') =>
      gateway.render(gatewayConfig({ preset: vonage, numberFormat }), { to: NUMBER, text: 'hi' });
    const digits = render('default');
    const e164 = render('e164');
    assert.ok(!isProblem(digits) && !isProblem(e164), 'both render');
    assert.match(digits.body ?? '', /&to=94771234567&/);
    assert.match(e164.body ?? '', /&to=%2B94771234567&/);
  });
});
