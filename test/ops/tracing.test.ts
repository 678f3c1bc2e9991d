/**
 * OpenTelemetry traces: a real OTLP/HTTP receiver on loopback (node:http, decoding the exporter's JSON) gets the spans
 * of a full password → SMS OTP login, linked request → engine pass → authenticator → SMS send, continuing the
 * caller's traceparent and carrying the request id, with no password, code or number in any attribute. Off by
 * default: a server in a child process runs the same login with the receiver configured but tracing not enabled, and
 * loads no OpenTelemetry SDK module and sends the receiver nothing (the same child with tracing on is the near miss).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { loadConfig } from '../../src/config/load.js';
import { MOBILE, PASSWORD, type SmsOtpFixture, startSmsOtp } from '../sms-otp/support/fixture.js';
import { freePort } from '../support/server.js';
import { twoStepLogin } from './fixtures/two-step-login.js';
import { eventually } from './support.js';

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, string | number | boolean>;
  status: { code?: number; message?: string };
  service: string;
}

interface Receiver {
  url: string;
  requests: { path: string; contentType: string }[];
  spans: ReceivedSpan[];
  close(): Promise<void>;
}

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type OtlpAttribute = { key: string; value: OtlpValue };

function flatten(attributes: OtlpAttribute[] = []): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of attributes)
    out[key] = value.stringValue ?? value.boolValue ?? value.doubleValue ?? Number(value.intValue);
  return out;
}

/** An OTLP/HTTP traces receiver speaking the JSON protocol, as a collector's otlp receiver does. */
async function startReceiver(): Promise<Receiver> {
  const requests: Receiver['requests'] = [];
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', contentType: String(req.headers['content-type'] ?? '') });
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const doc = JSON.parse(body.toString('utf8')) as {
        resourceSpans: {
          resource: { attributes: OtlpAttribute[] };
          scopeSpans: {
            spans: (Omit<ReceivedSpan, 'attributes' | 'service'> & { attributes: OtlpAttribute[] })[];
          }[];
        }[];
      };
      for (const rs of doc.resourceSpans) {
        const service = String(flatten(rs.resource.attributes)['service.name']);
        for (const ss of rs.scopeSpans)
          for (const s of ss.spans)
            spans.push({ ...s, parentSpanId: s.parentSpanId ?? '', attributes: flatten(s.attributes), service });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

describe('tracing on: the spans of a two-step login reach an OTLP receiver', () => {
  let receiver: Receiver;
  let f: SmsOtpFixture;
  before(async () => {
    receiver = await startReceiver();
    f = await startSmsOtp({
      overrides: { tracing: { enabled: true, endpoint: receiver.url, serviceName: 'stepgate-test' } },
    });
    await f.addUser('traced');
    await f.addUser('unsampled');
  });
  after(async () => {
    await f.stop();
    await receiver.close();
  });

  test('request → login pass → authenticator → SMS send, in the caller’s trace, with request ids and no secret', async () => {
    const login = await twoStepLogin(f, 'traced', { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` });
    assert.deepEqual([...(login.claims.amr as string[])].sort(), ['mfa', 'pwd', 'sms']);
    await f.server.services.tracing!.flush();
    await eventually('the code post’s spans', async () =>
      receiver.spans.some((s) => s.attributes['stepgate.request_id'] === login.requestIds.code),
    );
    assert.ok(receiver.requests.every((r) => r.path === '/v1/traces' && r.contentType.includes('application/json')));
    const byRequest = (id: string) => receiver.spans.filter((s) => s.attributes['stepgate.request_id'] === id);
    const one = (spans: ReceivedSpan[], name: string, where: (s: ReceivedSpan) => boolean = () => true) => {
      const found = spans.filter((s) => s.name === name && where(s));
      assert.equal(found.length, 1, `${name}: ${JSON.stringify(spans.map((s) => s.name))}`);
      return found[0]!;
    };
    const childOf = (child: ReceivedSpan, parent: ReceivedSpan) => {
      assert.equal(child.traceId, parent.traceId, `${child.name} in the trace of ${parent.name}`);
      assert.equal(child.parentSpanId, parent.spanId, `${child.name} is a child of ${parent.name}`);
    };
    assert.ok(receiver.spans.every((s) => s.service === 'stepgate-test'));

    // the authorization request continues the caller's trace (W3C traceparent)
    const authorize = one(byRequest(login.requestIds.authorize), 'GET /oidc/auth');
    assert.equal(authorize.traceId, TRACE_ID);
    assert.equal(authorize.parentSpanId, CALLER_SPAN);
    assert.equal(authorize.kind, 2, 'a server span');
    assert.equal(authorize.attributes['http.response.status_code'], 303);

    // the password post: its pass passes the password and begins the SMS step, which sends through the gateway
    const password = byRequest(login.requestIds.password);
    const post = one(password, 'POST /interaction/:uid');
    assert.equal(post.attributes['http.route'], '/interaction/:uid');
    assert.equal(post.attributes['http.request.method'], 'POST');
    const pass = one(password, 'login.submit');
    childOf(pass, post);
    assert.equal(pass.attributes['stepgate.login.step'], 1);
    assert.equal(pass.attributes['stepgate.login.result'], 'page');
    assert.equal(pass.attributes['stepgate.login.intent'], 'prompt');
    const appId = pass.attributes['stepgate.application.id'];
    assert.match(String(appId), /\S/);
    const passwordStep = one(password, 'authenticator.continue');
    childOf(passwordStep, pass);
    assert.equal(passwordStep.attributes['stepgate.authenticator'], 'password');
    assert.equal(passwordStep.attributes['stepgate.outcome'], 'success');
    assert.equal(passwordStep.attributes['stepgate.application.id'], appId);
    const smsBegin = one(password, 'authenticator.begin');
    childOf(smsBegin, pass);
    assert.equal(smsBegin.attributes['stepgate.authenticator'], 'sms-otp');
    assert.equal(smsBegin.attributes['stepgate.identity_provider'], 'smsOTP');
    assert.equal(smsBegin.attributes['stepgate.login.step'], 2);
    assert.equal(smsBegin.attributes['stepgate.outcome'], 'prompt');
    const save = one(password, 'login.save');
    childOf(save, pass);
    assert.equal(save.attributes['stepgate.state.kind'], 'sql');
    assert.equal(save.attributes['stepgate.state.compare_and_set'], 'won');
    const send = one(password, 'sms.send');
    childOf(send, smsBegin);
    assert.equal(send.attributes['sms.provider'], 'vonage');
    assert.equal(send.attributes['sms.outcome'], 'sent');
    assert.equal(send.attributes['http.response.status_code'], 200);
    assert.match(String(send.attributes['server.address']), /^127\.0\.0\.1:\d+$/);

    // the code post: the SMS step continues and passes
    const codeSpans = byRequest(login.requestIds.code);
    const codePass = one(codeSpans, 'login.submit');
    childOf(codePass, one(codeSpans, 'POST /interaction/:uid'));
    const verify = one(codeSpans, 'authenticator.continue');
    childOf(verify, codePass);
    assert.equal(verify.attributes['stepgate.authenticator'], 'sms-otp');
    assert.equal(verify.attributes['stepgate.outcome'], 'success');
    assert.equal(codePass.attributes['stepgate.login.result'], 'finish');

    // nothing secret anywhere: not the password, the code, the number (in any spelling) or the client secret
    const everything = JSON.stringify(receiver.spans);
    for (const secret of [
      PASSWORD,
      login.code,
      MOBILE,
      MOBILE.slice(1),
      MOBILE.slice(3),
      String(f.rp.config.clientMetadata().client_secret),
    ])
      assert.ok(!everything.includes(secret), `a span holds ${secret === login.code ? 'the code' : secret}`);
  });

  test('a caller’s unsampled traceparent is followed: none of its spans are exported', async () => {
    const unsampled = 'a'.repeat(32);
    await twoStepLogin(f, 'unsampled', { traceparent: `00-${unsampled}-${CALLER_SPAN}-00` });
    await f.server.services.tracing!.flush();
    assert.ok(!receiver.spans.some((s) => s.traceId === unsampled));
  });

  test('a malformed traceparent starts a new trace instead of failing the request', async () => {
    const page = await fetch(`${f.server.url}/.well-known/openid-configuration`, {
      headers: { traceparent: '00-zz-not-a-trace-01' },
    });
    assert.equal(page.status, 200);
    const id = page.headers.get('x-request-id');
    await f.server.services.tracing!.flush();
    const span = receiver.spans.find((s) => s.attributes['stepgate.request_id'] === id);
    assert.ok(span, 'the request has a span');
    assert.equal(span.parentSpanId, '');
    assert.match(span.traceId, /^[0-9a-f]{32}$/);
  });
});

test('a receiver that is down costs only the spans: the login finishes and the node stops cleanly', async () => {
  const closedPort = await freePort();
  const f = await startSmsOtp({
    overrides: { tracing: { enabled: true, endpoint: `http://127.0.0.1:${closedPort}` } },
  });
  try {
    await f.addUser('unheard');
    const login = await twoStepLogin(f, 'unheard');
    assert.deepEqual([...(login.claims.amr as string[])].sort(), ['mfa', 'pwd', 'sms']);
    await assert.rejects(f.server.services.tracing!.flush(), 'the export failed, and flush says so');
  } finally {
    await f.stop();
  }
});

describe('tracing off by default', () => {
  test('the configuration: off, even with OTEL_EXPORTER_OTLP_ENDPOINT set; the endpoint taken from it', () => {
    const config = loadConfig({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, file: undefined });
    assert.equal(config.tracing.enabled, false);
    assert.equal(config.tracing.endpoint, 'http://collector:4318');
    assert.equal(loadConfig({ env: {}, file: undefined }).tracing.endpoint, 'http://localhost:4318');
    const on = loadConfig({ env: { STEPGATE_TRACING__ENABLED: 'true', OTEL_SERVICE_NAME: 'idp-eu' }, file: undefined });
    assert.equal(on.tracing.enabled, true);
    assert.equal(on.tracing.serviceName, 'idp-eu');
    assert.throws(
      () => loadConfig({ env: { STEPGATE_TRACING__SAMPLE_RATIO: '1.5' }, file: undefined }),
      /tracing\.sampleRatio/,
    );
  });

  /** Runs the child server's login; returns the OpenTelemetry modules (and Stepgate's tracing modules) it loaded. */
  async function childLogin(mode: 'on' | 'off', receiverUrl: string): Promise<string[]> {
    const dir = mkdtempSync(join(tmpdir(), 'stepgate-modules-'));
    const out = join(dir, 'modules.json');
    try {
      const here = new URL('.', import.meta.url).pathname;
      const child = spawn(
        process.execPath,
        [
          '--import',
          join(here, 'fixtures/record-modules.mjs'),
          '--import',
          'tsx',
          join(here, 'fixtures/tracing-child.ts'),
          mode,
          receiverUrl,
        ],
        { env: { ...process.env, RECORD_MODULES_TO: out }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const [code] = (await once(child, 'exit')) as [number];
      assert.equal(code, 0, stderr);
      const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { amr: string[]; tracing: boolean };
      assert.deepEqual([...result.amr].sort(), ['mfa', 'pwd', 'sms'], 'the child finished its login');
      assert.equal(result.tracing, mode === 'on');
      return (JSON.parse(readFileSync(out, 'utf8')) as string[]).filter(
        (url) => url.includes('/node_modules/@opentelemetry/') || /\/src\/(ops\/trac|web\/tracing)/.test(url),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Loaded by others without tracing: prom-client requires the API for its exemplars. */
  const isApiOnly = (url: string) => url.includes('/node_modules/@opentelemetry/api/');

  test('a full login with tracing off loads no OpenTelemetry SDK and sends the receiver nothing', async (t) => {
    if (!('registerHooks' in (await import('node:module'))))
      return t.skip('module.registerHooks needs Node ≥ 22.15: the loaded modules cannot be listed');
    const receiver = await startReceiver();
    try {
      const loaded = await childLogin('off', receiver.url);
      assert.deepEqual(
        loaded.filter((url) => !isApiOnly(url) && !url.endsWith('/src/web/tracing.ts')),
        [],
      );
      assert.deepEqual(receiver.requests, []);
    } finally {
      await receiver.close();
    }
  });

  test('near miss: the same child with tracing on loads the SDK and exports its spans', async (t) => {
    if (!('registerHooks' in (await import('node:module'))))
      return t.skip('module.registerHooks needs Node ≥ 22.15: the loaded modules cannot be listed');
    const receiver = await startReceiver();
    try {
      const loaded = await childLogin('on', receiver.url);
      assert.ok(loaded.some((url) => url.includes('/@opentelemetry/sdk-trace/')));
      assert.ok(loaded.some((url) => url.includes('/@opentelemetry/exporter-trace-otlp-http/')));
      assert.ok(loaded.some((url) => url.endsWith('/src/ops/tracing.ts')));
      assert.ok(receiver.spans.some((s) => s.service === 'stepgate-child' && s.name === 'sms.send'));
    } finally {
      await receiver.close();
    }
  });
});
