// The plain (template) gateway over real HTTPS: hand-written templates, status rules, network failures, masking.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createSmsGateway, gatewayConfig } from '../../src/sms/index.js';
import { json, type MockServer, makeSelfSignedCertificate, startHttpsServer, TRICKY_TEXT } from './support/tls.js';

const NUMBER = '+94771234567';
const cert = makeSelfSignedCertificate();
const gateway = createSmsGateway({ trustedCertificates: async () => [cert.certPem] });
let server: MockServer;

before(async () => {
  server = await startHttpsServer(cert, (req, res) => {
    const status = Number(req.url.searchParams.get('status') ?? '200');
    if (req.url.pathname === '/hang') return; // never answers
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
