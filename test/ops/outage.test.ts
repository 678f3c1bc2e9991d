/**
 * Health and failing closed with real outages the test controls: readiness and draining; a private redis-server
 * stopped in the middle of an SMS OTP login (the code page answers 503, no guess is evaluated or passes, readiness
 * names the state store) and started again (the same login finishes, no restart); PostgreSQL cut behind a loopback
 * TCP proxy (login pages and admin API answer 503, nothing is half-written) and restored.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { getUserByUsername } from '../../src/identity/users.js';
import { adminApiPlugin } from '../../src/web/admin-api/index.js';
import { API, clientToken } from '../admin-api/support.js';
import { type Login, messageIdOf, REDIRECT, type SmsOtpFixture, startSmsOtp } from '../sms-otp/support/fixture.js';
import { postgresBackend, skipPostgres, suiteNeeding } from '../support/backends.js';
import { Browser, type Page } from '../support/browser.js';
import { startStepgate, type TestServer } from '../support/server.js';
import {
  eventually,
  getWithHost,
  type PrivateRedis,
  parseMetrics,
  REDIS_SERVER,
  startPrivateRedis,
  startTcpProxy,
  type TcpProxy,
} from './support.js';

const TOKEN = 'metrics-token-0123456789abcdef';

interface ReadyBody {
  status: string;
  checks: Record<string, { ok: boolean; error?: string }>;
  failed?: string[];
}

async function ready(url: string): Promise<{ status: number; body: ReadyBody }> {
  const res = await fetch(`${url}/health/ready`);
  return { status: res.status, body: (await res.json()) as ReadyBody };
}

describe('health: live, ready, draining', () => {
  let server: TestServer;
  before(async () => {
    server = await startStepgate();
  });
  after(() => server.stop());

  test('live and ready answer 200 with each check, for any Host (probes address the node by its IP)', async () => {
    const live = await getWithHost(`${server.url}/health/live`, '10.1.2.3:9443');
    assert.equal(live.status, 200);
    assert.deepEqual(JSON.parse(live.body), { status: 'ok' });
    const elsewhere = await getWithHost(`${server.url}/health/ready`, '10.1.2.3:9443');
    assert.equal(elsewhere.status, 200);
    const r = await fetch(`${server.url}/health/ready`);
    assert.equal(r.status, 200);
    const body = (await r.json()) as ReadyBody;
    assert.equal(body.status, 'ready');
    assert.deepEqual(Object.keys(body.checks).sort(), ['database', 'signingKeys', 'stateStore']);
    assert.ok(Object.values(body.checks).every((c) => c.ok));
    assert.equal(r.headers.get('cache-control'), 'no-store');
    // near misses: other paths from another Host are still refused by the host check
    for (const path of ['/health/readyz', '/health/ready/', '/health/ready?x=1', '/metrics'])
      assert.equal((await getWithHost(`${server.url}${path}`, '10.1.2.3:9443')).status, 421, path);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });

  test('without an active signing key the node is not ready, and says so', async () => {
    const db = server.services.db;
    await db.updateTable('signing_keys').set({ status: 'retired' }).where('use', '=', 'sig').execute();
    try {
      const r = await ready(server.url);
      assert.equal(r.status, 503);
      assert.deepEqual(r.body.failed, ['signingKeys']);
    } finally {
      await db.updateTable('signing_keys').set({ status: 'active' }).where('use', '=', 'sig').execute();
    }
    assert.equal((await ready(server.url)).status, 200);
  });

  test('draining: ready and /healthz answer 503 at once, live stays 200', async () => {
    server.app.operations.health.drain();
    const r = await ready(server.url);
    assert.equal(r.status, 503);
    assert.equal(r.body.status, 'draining');
    assert.equal((await fetch(`${server.url}/healthz`)).status, 503);
    assert.equal((await fetch(`${server.url}/health/live`)).status, 200);
  });
});

const noRedisServer = existsSync(REDIS_SERVER) ? false : `redis-server is not installed at ${REDIS_SERVER}`;

suiteNeeding(noRedisServer, 'Redis outage in cluster mode (a private redis-server stopped and started)', () => {
  let redis: PrivateRedis;
  let f: SmsOtpFixture;
  before(async () => {
    redis = await startPrivateRedis();
    f = await startSmsOtp({ overrides: { redisUrl: redis.url, metrics: { token: TOKEN } } });
  });
  after(async () => {
    await f?.stop();
    await redis?.close();
  });

  /** submits the code form of the code page the login showed, whatever page came after it */
  const submit = async (login: Login, codePage: Page, code: string) => {
    const page = await login.browser.submit(Browser.form(codePage, 'sms-otp-verify'), { code }, (u) =>
      u.startsWith(REDIRECT),
    );
    login.page = page;
    return page;
  };
  const up = async () =>
    parseMetrics(
      await (await fetch(`${f.server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text(),
    ).value('stepgate_backend_up', { backend: 'state-store', store: 'redis' });

  test('a code submitted while Redis is down is not evaluated (503 page); after Redis returns the login finishes', async () => {
    assert.equal(f.server.services.state.kind, 'redis');
    await f.addUser('rita', { [ClaimUri.mobile]: '+94771239001' });
    const login = await f.startLogin('rita');
    assert.match(login.page.html, /name="code"/);
    const code = f.sms.lastCode();
    const codePage = login.page;
    assert.equal((await ready(f.server.url)).status, 200);

    await redis.stop();
    const down = await ready(f.server.url);
    assert.equal(down.status, 503);
    assert.equal(down.body.status, 'not-ready');
    assert.deepEqual(down.body.failed, ['stateStore']);
    assert.equal(down.body.checks.database!.ok, true);
    assert.equal(await up(), 0);

    // wrong guesses, more than the code allows (3), then the right code: none is evaluated, none passes
    for (const guess of ['111111', '222222', '333333', '444444', code]) {
      const page = await submit(login, codePage, guess);
      assert.equal(page.status, 503, `guess ${guess}: ${page.status} ${page.html.slice(0, 300)}`);
      assert.equal(messageIdOf(page), 'login.unavailable');
      assert.equal(page.headers.get('retry-after'), '5');
      assert.ok(!page.url.startsWith('http://127.0.0.1:1/callback'), 'a login passed without Redis');
    }
    assert.deepEqual(await f.audit('sms-otp.failed'), [], 'a guess was evaluated without its counter');
    assert.deepEqual(await f.audit('sms-otp.verified'), []);

    await redis.start();
    await eventually('readiness after Redis returned', async () => (await ready(f.server.url)).status === 200);
    assert.equal(await up(), 1);
    // the same login, on the same node, without a restart: the code page is as it was, and the code works
    const callback = await submit(login, codePage, code);
    const claims = await f.finish(login, callback);
    assert.equal(claims.sub, 'rita');
    assert.equal((await f.audit('sms-otp.verified')).length, 1);
  });

  test('a login started while Redis is down gets a 503 page from oidc-provider, then starts once Redis is back', async () => {
    await redis.stop();
    try {
      await eventually('the outage noticed', async () => (await ready(f.server.url)).status === 503);
      await f.addUser('rory', { [ClaimUri.mobile]: '+94771239002' });
      const page = await new Browser().go(f.rp.begin().url);
      assert.equal(page.status, 503, page.html.slice(0, 300));
      assert.equal(page.headers.get('retry-after'), '5');
      assert.doesNotMatch(page.html, /name="password"/);
    } finally {
      await redis.start();
    }
    await eventually('readiness after Redis returned', async () => (await ready(f.server.url)).status === 200);
    const login = await f.startLogin('rory');
    const claims = await f.finish(login, await submit(login, login.page, f.sms.lastCode()));
    assert.equal(claims.sub, 'rory');
  });
});

type AnyPlugin = FastifyPluginAsync<Record<string, unknown>>;

suiteNeeding(skipPostgres, 'PostgreSQL outage (a loopback TCP proxy cut and restored)', () => {
  let proxy: TcpProxy;
  let made: Awaited<ReturnType<typeof postgresBackend.create>>;
  let f: SmsOtpFixture;
  let token: string;
  before(async () => {
    made = await postgresBackend.create();
    const target = new URL(made.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const proxied = new URL(made.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    f = await startSmsOtp({
      overrides: { databaseUrl: proxied.toString() },
      plugins: (services) => [
        {
          plugin: adminApiPlugin as unknown as AnyPlugin,
          options: { services, rateLimit: { max: 10_000, timeWindow: 60_000 } },
        },
      ],
    });
    token = await clientToken(f.server);
  });
  after(async () => {
    await f?.stop();
    await proxy?.close();
    await made?.drop();
  });

  const createUser = (username: string) =>
    fetch(`${f.server.url}${API}/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'a long enough password' }),
    });

  test('while the database is cut: 503 pages and problems, nothing written; restored: the login finishes', async () => {
    assert.equal(f.server.services.dbKind, 'postgres');
    await f.addUser('paula', { [ClaimUri.mobile]: '+94771239003' });
    const login = await f.startLogin('paula');
    const code = f.sms.lastCode();
    const codePage = login.page;
    assert.equal((await createUser('before-cut')).status, 201);
    const { application, clientSecret } = await f.server.services.applications.create({
      name: 'during-outage',
      grantTypes: ['client_credentials'],
    });
    const automation = { clientId: application.clientId, secret: clientSecret };

    await proxy.cut();
    const down = await ready(f.server.url);
    assert.equal(down.status, 503);
    assert.deepEqual(down.body.failed, ['database', 'stateStore', 'signingKeys']);
    assert.equal((await fetch(`${f.server.url}/healthz`)).status, 503);

    const write = await createUser('during-cut');
    assert.equal(write.status, 503, await write.clone().text());
    assert.match(write.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const problem = (await write.json()) as { code: string; detail: string };
    assert.equal(problem.code, 'unavailable');
    assert.doesNotMatch(problem.detail, /ECONNREFUSED|5432|postgres/i, 'internals in the detail');
    assert.equal(write.headers.get('retry-after'), '5');

    // oidc-provider's JSON endpoints: the token endpoint says temporarily_unavailable
    const tokenAnswer = await fetch(`${f.server.url}/oidc/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${automation.clientId}:${automation.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    assert.equal(tokenAnswer.status, 503);
    assert.equal(((await tokenAnswer.json()) as { error: string }).error, 'temporarily_unavailable');

    const page = await login.browser.submit(Browser.form(codePage, 'sms-otp-verify'), { code });
    assert.equal(page.status, 503, page.html.slice(0, 300));
    assert.equal(messageIdOf(page), 'login.unavailable');

    await proxy.restore();
    await eventually('readiness after the database returned', async () => (await ready(f.server.url)).status === 200);
    assert.equal(await getUserByUsername(f.server.services.db, 'during-cut'), undefined, 'a refused write landed');
    assert.ok(await getUserByUsername(f.server.services.db, 'before-cut'));
    assert.equal((await createUser('after-cut')).status, 201);
    login.page = codePage;
    const claims = await f.finish(login, await f.submitCode(login, code));
    assert.equal(claims.sub, 'paula');
  });
});
