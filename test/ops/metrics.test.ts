/**
 * GET /metrics through real logins (password, then SMS OTP through the loopback Vonage imitation): the token guards
 * it, the business counters move with what happened, the HTTP histogram is labelled by route pattern (never a raw
 * URL with a login id in it), and the runtime metrics (event loop lag, argon2 queue, back end pings) are there. Then
 * the management port as the real server starts it, and metrics off by default.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hash } from '@node-rs/argon2';
import { loadConfig } from '../../src/config/load.js';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { type RunningServer, startServer } from '../../src/main.js';
import { PASSWORD, type SmsOtpFixture, startSmsOtp } from '../sms-otp/support/fixture.js';
import { sqliteBackend } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import { freePort, startStepgate } from '../support/server.js';
import { parseMetrics } from './support.js';

const TOKEN = 'metrics-token-0123456789abcdef';

describe('GET /metrics on the main port behind a token', () => {
  let f: SmsOtpFixture;
  before(async () => {
    f = await startSmsOtp({ overrides: { metrics: { token: TOKEN }, passwordLockout: { maxAttempts: 2 } } });
  });
  after(() => f.stop());

  const scrape = async (headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
    fetch(`${f.server.url}/metrics`, { headers });
  const metrics = async () => {
    const res = await scrape();
    assert.equal(res.status, 200);
    return { text: await res.clone().text(), ...parseMetrics(await res.text()) };
  };

  test('401 without a token, with a wrong token of any length, with another scheme; 200 with the token', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${TOKEN.slice(0, -1)}x` },
      { authorization: 'Bearer short' },
      { authorization: `Basic ${TOKEN}` },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const res = await scrape(headers);
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      const body = (await res.json()) as { code: string };
      assert.equal(body.code, 'unauthorized');
    }
    const ok = await scrape();
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    // probes and scrapers address a node by its IP: /metrics answers any Host, still behind its token
    const other = await fetch(`${f.server.url}/metrics`, { headers: { host: '10.0.0.9:9443' } });
    assert.equal(other.status, 401);
  });

  test('a real login moves the counters; a wrong password, a wrong code and a lockout are counted by reason', async () => {
    const clientId = (await f.server.services.applications.getByName('Pickup Dispatch'))!.clientId;
    const before = await metrics();
    await f.addUser('alice', { [ClaimUri.mobile]: '+94771234567' });
    await f.addUser('mallory', { [ClaimUri.mobile]: '+94771234568' });

    // mallory: two wrong passwords lock the account (maxAttempts 2)
    for (let i = 0; i < 2; i++) {
      const browser = new Browser();
      const first = await browser.go(f.rp.begin().url);
      const page = await browser.submit(Browser.form(first), { username: 'mallory', password: 'wrong password!' });
      assert.ok(page.status === 401 || page.status === 403, `wrong password answered ${page.status}`);
    }

    // alice: password, one wrong code, the right code, tokens
    const login = await f.startLogin('alice');
    assert.match(login.page.html, /name="code"/);
    const uid = /\/interaction\/([^/?#"]+)/.exec(login.page.url)?.[1];
    assert.ok(uid, `no login id in ${login.page.url}`);
    const wrong = await f.submitCode(login, '000000');
    assert.equal(wrong.status, 401);
    const claims = await f.finish(login, await f.submitCode(login, f.sms.lastCode()));
    assert.equal(claims.sub, 'alice');

    const now = await metrics();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      now.value(name, labels) - before.value(name, labels);
    assert.equal(delta('stepgate_logins_started_total', { application: clientId, protocol: 'oidc' }), 3);
    assert.equal(
      delta('stepgate_logins_finished_total', { application: clientId, protocol: 'oidc', acr: 'urn:stepgate:acr:2fa' }),
      1,
    );
    assert.equal(
      delta('stepgate_logins_failed_total', { application: clientId, step: 'password', reason: 'wrong-password' }),
      2,
    );
    assert.equal(
      delta('stepgate_logins_failed_total', { application: clientId, step: 'sms-otp', reason: 'invalid-code' }),
      1,
    );
    assert.equal(delta('stepgate_lockouts_total', { reason: 'MAX_PASSWORD_ATTEMPTS_EXCEEDED' }), 1);
    assert.equal(delta('stepgate_sms_sent_total', { gateway: 'vonage', country: 'LK' }), 1);
    assert.equal(delta('stepgate_sms_failed_total'), 0);
    assert.equal(delta('stepgate_otp_verifications_total', { method: 'sms', result: 'verified' }), 1);
    assert.equal(delta('stepgate_otp_verifications_total', { method: 'sms', result: 'invalid-code' }), 1);

    // the HTTP histogram by route pattern: the login pages, oidc-provider's endpoints, never a login id
    const http = (route: string, method = 'POST') =>
      now.value('stepgate_http_request_duration_seconds_count', { route, method });
    assert.ok(http('/interaction/:uid') >= 4, `POST /interaction/:uid counted ${http('/interaction/:uid')}`);
    assert.ok(http('/interaction/:uid', 'GET') >= 1);
    assert.ok(http('/oidc/auth', 'GET') >= 3);
    assert.ok(http('/oidc/token') >= 1);
    assert.ok(http('/oidc/auth/*', 'GET') >= 1, 'the resume after the login is /oidc/auth/*');
    assert.ok(!now.text.includes(uid!), 'a login id appears in the metrics');
    const routes = new Set(now.samples.map((s) => s.labels.route).filter(Boolean));
    // a path segment that carries a generated id (letters with digits, 16 or more) would be a raw URL
    for (const route of routes)
      assert.doesNotMatch(route!, /(^|\/)(?=[^/]*\d)[A-Za-z0-9_-]{16,}/, `raw URL as a route: ${route}`);
  });

  test('runtime metrics: event loop lag, the argon2 queue, back end pings after a readiness check', async () => {
    const ready = await fetch(`${f.server.url}/health/ready`);
    assert.equal(ready.status, 200);
    const now = await metrics();
    assert.ok(now.has('nodejs_eventloop_lag_seconds'), 'event loop lag');
    assert.ok(now.has('nodejs_eventloop_lag_p99_seconds'), 'event loop lag percentiles');
    assert.ok(now.has('stepgate_argon2_in_flight'), 'argon2 queue gauge');
    assert.equal(now.value('stepgate_argon2_in_flight'), 0);
    assert.ok(now.value('stepgate_backend_ping_duration_seconds_count', { backend: 'database', store: 'sql' }) >= 1);
    assert.ok(now.value('stepgate_backend_ping_duration_seconds_count', { backend: 'state-store', store: 'sql' }) >= 1);
    assert.equal(now.value('stepgate_backend_up', { backend: 'database' }), 1);
  });

  test('the argon2 gauge counts hashes in flight', async () => {
    // verifications of a hash made with costly parameters (a verify uses the parameters in the hash) stay in flight
    // for a good fraction of a second each, so the scrape in between sees them whatever the machine's load
    // (argon2id is the library default)
    const costly = await hash(PASSWORD, {
      memoryCost: 65536,
      timeCost: 8,
      parallelism: 1,
    });
    const hashing = Promise.all([1, 2, 3].map(() => f.server.services.hasher.verify(costly, PASSWORD)));
    const during = parseMetrics(await (await scrape()).text());
    await hashing;
    const afterwards = parseMetrics(await (await scrape()).text());
    assert.ok(during.value('stepgate_argon2_in_flight') >= 1, 'no hash counted while three ran');
    assert.equal(afterwards.value('stepgate_argon2_in_flight'), 0);
  });
});

describe('metrics off by default, and on a management port', () => {
  test('with neither a token nor a port, /metrics is 404 and no histogram is kept', async () => {
    const server = await startStepgate();
    try {
      const res = await fetch(`${server.url}/metrics`);
      assert.equal(res.status, 404);
      assert.equal(server.app.operations.metrics, undefined);
    } finally {
      await server.stop();
    }
  });

  test('metrics.port: /metrics and the health paths on the management port, not on the main port', async () => {
    const made = await sqliteBackend.create();
    const [port, managementPort] = [await freePort(), await freePort()];
    let server: RunningServer | undefined;
    try {
      const config = loadConfig({
        env: {},
        file: undefined,
        overrides: {
          port,
          publicUrl: `http://127.0.0.1:${port}`,
          dataDir: made.dataDir,
          databaseUrl: made.url,
          masterKey: Buffer.alloc(32, 3).toString('base64'),
          logLevel: 'silent',
          metrics: { port: managementPort },
        },
      });
      server = await startServer(config);
      const management = `http://127.0.0.1:${managementPort}`;
      const scraped = await fetch(`${management}/metrics`);
      assert.equal(scraped.status, 200, 'no token configured: the management port answers without one');
      const text = await scraped.text();
      assert.match(text, /# TYPE stepgate_http_request_duration_seconds histogram/);
      assert.equal((await fetch(`${server.url}/metrics`)).status, 404, '/metrics stays off the main port');
      assert.equal((await fetch(`${management}/health/ready`)).status, 200);
      assert.equal((await fetch(`${management}/health/live`)).status, 200);
      // a request on the main port shows up on the management port's scrape
      await fetch(`${server.url}/.well-known/openid-configuration`);
      const again = parseMetrics(await (await fetch(`${management}/metrics`)).text());
      assert.ok(
        again.value('stepgate_http_request_duration_seconds_count', {
          route: '/.well-known/openid-configuration',
          status: '200',
        }) >= 1,
      );
    } finally {
      await server?.stop();
      await made.drop();
    }
  });
});
