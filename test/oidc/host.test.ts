/**
 * A node answers only for its public host: a forged Host (or, behind a trusted proxy, X-Forwarded-Host) gets 421 on
 * every surface, so discovery never advertises another origin and a rebound DNS name cannot read the demo, the dev
 * inbox or the console. Real HTTP with chosen Host headers against a started Stepgate, and the demo as `npm start`
 * runs it (Stepgate and the Pickup Dispatch sample).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import { loadConfig } from '../../src/config/load.js';
import { type DemoHandle, runDemo } from '../../src/demo/run.js';
import { mountSurfaces } from '../../src/web/surfaces.js';
import { freePort, startStepgate, type TestServer } from '../support/server.js';
import { rawRequest } from './support.js';

type AnyPlugin = FastifyPluginAsync<Record<string, unknown>>;

/** Every surface a running node mounts (admin API, SCIM, console, dev inbox), as main.ts mounts them. */
const allSurfaces = (services: TestServer['services']) => [
  {
    plugin: (async (app) => {
      for (const s of await mountSurfaces(services)) await app.register(s.plugin, s.options ?? {});
    }) as AnyPlugin,
  },
];

const SURFACES: { method: string; path: string }[] = [
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/.well-known/openid-configuration' },
  { method: 'GET', path: '/oidc/jwks' },
  { method: 'GET', path: '/oidc/auth?client_id=x' },
  { method: 'POST', path: '/oidc/auth' },
  { method: 'POST', path: '/oidc/token' },
  { method: 'GET', path: '/interaction/some-uid' },
  { method: 'GET', path: '/assets/login.css' },
  { method: 'GET', path: '/console/' },
  { method: 'GET', path: '/console/config.json' },
  { method: 'GET', path: '/api/admin/v1/me' },
  { method: 'GET', path: '/scim2/Users' },
  { method: 'GET', path: '/dev/sms/' },
  { method: 'GET', path: '/dev/sms/api/messages' },
  { method: 'POST', path: '/dev/sms/clear' },
  { method: 'GET', path: '/no-such-page' },
];

describe('host check on every surface', () => {
  let server: TestServer;
  let port: string;
  let canonical: string;

  before(async () => {
    server = await startStepgate({ overrides: { devSms: { enabled: true } }, plugins: allSurfaces });
    port = new URL(server.url).port;
    canonical = new URL(server.url).host;
  });
  after(() => server.stop());

  const get = (path: string, host: string, headers: Record<string, string> = {}) =>
    rawRequest(`${server.url}${path}`, { headers: { host, ...headers } });

  test('discovery advertises only the public URL, whatever Host says', async () => {
    const ok = await get('/.well-known/openid-configuration', canonical);
    assert.equal(ok.status, 200);
    const doc = JSON.parse(ok.body) as Record<string, unknown>;
    assert.equal(doc.issuer, server.url);
    for (const [name, value] of Object.entries(doc))
      if (typeof value === 'string' && value.startsWith('http'))
        assert.ok(value === server.url || value.startsWith(`${server.url}/`), `${name} is ${value}`);

    const forged = await get('/.well-known/openid-configuration', 'evil.example');
    assert.equal(forged.status, 421);
    assert.match(String(forged.headers['content-type']), /^application\/problem\+json/);
    const problem = JSON.parse(forged.body) as Record<string, unknown>;
    assert.equal(problem.type, 'https://stepgate.dev/problems/misdirected-request');
    assert.equal(problem.status, 421);
    assert.equal(typeof problem.title, 'string');
    assert.equal(typeof problem.detail, 'string');
    assert.ok(!forged.body.includes('evil.example'));
  });

  test('every surface answers 421 to another host, and near misses of the right one (other port, other loopback)', async () => {
    const wrongPort = String(Number(port) === 65535 ? 1 : Number(port) + 1);
    const hosts = [
      'evil.example',
      `evil.example:${port}`,
      `127.0.0.1:${wrongPort}`,
      `127.0.0.2:${port}`,
      '127.0.0.1',
      `127.0.0.1:${port}.evil.example`,
      `127.0.0.1:${port}@evil.example`,
      `127.0.0.1.:${port}`,
      `0x7f.1:${port}`,
    ];
    for (const { method, path } of SURFACES) {
      for (const host of hosts) {
        const res = await rawRequest(`${server.url}${path}`, { method, headers: { host } });
        assert.equal(res.status, 421, `${method} ${path} with Host "${host}" answered ${res.status}`);
      }
      const right = await rawRequest(`${server.url}${path}`, { method, headers: { host: canonical } });
      assert.notEqual(right.status, 421, `${method} ${path} refused its own host`);
    }
  });

  test('a browser gets an HTML page that says where to go', async () => {
    const res = await get('/console/', 'evil.example', { accept: 'text/html,application/xhtml+xml' });
    assert.equal(res.status, 421);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(res.body, /does not answer at this address/);
    assert.ok(res.body.includes(server.url), 'the page does not name the right address');
  });

  test('in development, localhost and [::1] with the same port are aliases of 127.0.0.1 (and the issuer stays put)', async () => {
    for (const alias of [`localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      const res = await get('/.well-known/openid-configuration', alias);
      assert.equal(res.status, 200, alias);
      assert.equal((JSON.parse(res.body) as { issuer: string }).issuer, server.url);
    }
    assert.equal((await get('/.well-known/openid-configuration', `localhost:${Number(port) + 1}`)).status, 421);
  });

  test('/healthz answers any host (probes address a node by its IP)', async () => {
    const res = await get('/healthz', '10.1.2.3:9443');
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { status: 'ok' });
  });

  test('without trustProxy, X-Forwarded-Host is ignored: discovery keeps the public URL', async () => {
    const res = await get('/.well-known/openid-configuration', canonical, { 'x-forwarded-host': 'evil.example' });
    assert.equal(res.status, 200);
    assert.ok(!res.body.includes('evil.example'));
  });
});

describe('host check behind a trusted proxy', () => {
  let server: TestServer;
  let canonical: string;

  before(async () => {
    server = await startStepgate({ overrides: { trustProxy: true } });
    canonical = new URL(server.url).host;
  });
  after(() => server.stop());

  const discovery = (headers: Record<string, string>) =>
    rawRequest(`${server.url}/.well-known/openid-configuration`, { headers });

  test('X-Forwarded-Host decides: the public host passes whatever Host the proxy used, another one gets 421', async () => {
    const proxied = await discovery({ host: 'stepgate-internal:9443', 'x-forwarded-host': canonical });
    assert.equal(proxied.status, 200);
    assert.equal((JSON.parse(proxied.body) as { token_endpoint: string }).token_endpoint, `${server.url}/oidc/token`);
    assert.equal((await discovery({ host: canonical, 'x-forwarded-host': 'evil.example' })).status, 421);
    // a list: the first entry (what oidc-provider reads) and the last (what Fastify reads) must both be ours
    assert.equal((await discovery({ host: canonical, 'x-forwarded-host': `evil.example, ${canonical}` })).status, 421);
    assert.equal((await discovery({ host: canonical, 'x-forwarded-host': `${canonical}, evil.example` })).status, 421);
    assert.equal((await discovery({ host: canonical, 'x-forwarded-host': `${canonical}, ${canonical}` })).status, 200);
  });

  test('X-Forwarded-Proto cannot change the scheme discovery advertises', async () => {
    const res = await discovery({ host: canonical, 'x-forwarded-host': canonical, 'x-forwarded-proto': 'https' });
    assert.equal(res.status, 200);
    const doc = JSON.parse(res.body) as Record<string, string>;
    assert.equal(doc.issuer, server.url);
    assert.equal(doc.authorization_endpoint, `${server.url}/oidc/auth`);
    assert.ok(!res.body.includes('https://127.0.0.1'), 'an endpoint took the forwarded scheme');
  });
});

describe('host check in production mode', () => {
  let server: TestServer;

  before(async () => {
    server = await startStepgate({ overrides: { mode: 'production' } });
  });
  after(() => server.stop());

  test('loopback names are no aliases: only the exact public host is answered', async () => {
    const { port, host } = new URL(server.url);
    const at = (h: string) => rawRequest(`${server.url}/.well-known/openid-configuration`, { headers: { host: h } });
    assert.equal((await at(host)).status, 200);
    assert.equal((await at(`localhost:${port}`)).status, 421);
  });
});

describe('host check in the demo (Stepgate, dev inbox and Pickup Dispatch)', () => {
  let demo: DemoHandle;
  let dataDir: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'stepgate-host-demo-'));
    const port = await freePort();
    const pickupPort = await freePort();
    const pickupSamlPort = await freePort();
    const config = loadConfig({
      env: {},
      overrides: {
        port,
        publicUrl: `http://localhost:${port}`,
        dataDir,
        logLevel: 'silent',
        devSms: { enabled: true },
        demo: { pickupPort, pickupSamlPort, adminPassword: 'demo password 123' },
        argon2: { memoryKiB: 8192, iterations: 1, parallelism: 1 },
      },
    });
    demo = await runDemo(config, () => {});
  });
  after(async () => {
    await demo?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // the demo listens on loopback; a rebound DNS name reaches it with its own name in Host
  const at = (base: string, path: string, host: string) =>
    rawRequest(`${base.replace('localhost', '127.0.0.1')}${path}`, {
      headers: { host, accept: 'text/html' },
    });

  test('a rebound name gets 421 from the inbox, the console and Pickup Dispatch; the real names are answered', async () => {
    const stepgate = new URL(demo.stepgateUrl);
    const pickup = new URL(demo.pickupUrl);
    for (const path of ['/dev/sms/', '/dev/sms/api/messages', '/console/', '/.well-known/openid-configuration'])
      assert.equal((await at(demo.stepgateUrl, path, `rebind.example:${stepgate.port}`)).status, 421, path);
    for (const path of ['/', '/home', '/login'])
      assert.equal((await at(demo.pickupUrl, path, `rebind.example:${pickup.port}`)).status, 421, path);
    const refused = await at(demo.pickupUrl, '/', `rebind.example:${pickup.port}`);
    assert.match(refused.body, /does not answer at this address/);
    // a near miss: the right name with Stepgate's port is not Pickup Dispatch
    assert.equal((await at(demo.pickupUrl, '/', `localhost:${stepgate.port}`)).status, 421);

    assert.equal((await at(demo.stepgateUrl, '/dev/sms/', stepgate.host)).status, 200);
    assert.equal((await at(demo.stepgateUrl, '/dev/sms/', `127.0.0.1:${stepgate.port}`)).status, 200);
    assert.equal((await at(demo.pickupUrl, '/', pickup.host)).status, 200);
    assert.equal((await at(demo.pickupUrl, '/', `127.0.0.1:${pickup.port}`)).status, 200);
  });
});
