/**
 * The circuit breaker shared by all nodes: a gateway that failed N times in the window is skipped for the cool-down
 * (on any node: the state lives in the shared state store), then one trial send half-opens it; a good trial closes
 * it, a failed one opens it again. The admin API shows each gateway's state.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyPluginAsync } from 'fastify';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { createUser } from '../../src/identity/users.js';
import { parseCertificates } from '../../src/sms/index.js';
import { adminApiPlugin } from '../../src/web/admin-api/index.js';
import { API, clientToken } from '../admin-api/support.js';
import { makeSelfSignedCertificate } from '../sms/support/tls.js';
import { postgresBackend, skipPostgres, skipRedis, suiteNeeding, variants } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import type { RelyingParty } from '../support/rp.js';
import type { TestServer } from '../support/server.js';
import { startTwoNodes, type TwoNodes } from '../support/two-nodes.js';
import { addPickupDispatch, PASSWORD, REDIRECT, type SmsOtpFixture, startSmsOtp } from './support/fixture.js';
import { codeIn, type HttpsProvider, namedGateway, startHttpsProvider, triedOf } from './support/https-provider.js';

type AnyPlugin = FastifyPluginAsync<Record<string, unknown>>;
const adminApi = (services: TestServer['services']) => [
  { plugin: adminApiPlugin as unknown as AnyPlugin, options: { services, checkResponses: true } },
];

interface Status {
  breaker: { failures: number };
  gateways: { name: string; state: string; failures: number; openUntil: number | null }[];
}

async function statusOf(server: TestServer, token: string): Promise<Status> {
  const idp = (await server.services.identityProviders.getByName('smsOTP'))!;
  const res = await fetch(`${server.url}${API}/identity-providers/${idp.id}/gateways/status`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as Status;
}
const stateOf = (status: Status, name: string) => status.gateways.find((g) => g.name === name)?.state;

const BREAKER = { failures: 2, windowSeconds: 60, coolDownSeconds: 1 };

for (const { name, backend, skip, redis } of variants({ redis: true })) {
  suiteNeeding(skip, `SMS gateway circuit breaker on ${name}`, () => {
    let f: SmsOtpFixture;
    let primary: HttpsProvider;
    let secondary: HttpsProvider;
    let token: string;
    let serial = 0;
    const cert = makeSelfSignedCertificate();

    before(async () => {
      primary = await startHttpsProvider(cert);
      secondary = await startHttpsProvider(cert);
      f = await startSmsOtp({
        backend,
        redis,
        plugins: adminApi,
        config: {
          gateways: [namedGateway('primary', primary.origin), namedGateway('secondary', secondary.origin)],
          breaker: BREAKER,
        },
      });
      await f.server.services.truststore.import('imitations', parseCertificates(Buffer.from(cert.certPem)));
      token = await clientToken(f.server);
    });
    after(async () => {
      await f.stop();
      await Promise.all([primary.close(), secondary.close()]);
    });

    const login = async () => {
      serial += 1;
      const username = `breaker-${serial}`;
      await f.addUser(username, { [ClaimUri.mobile]: `+9477125${String(serial).padStart(4, '0')}` });
      const started = await f.startLogin(username);
      assert.equal(started.page.status, 200, started.page.html.slice(0, 300));
      const sent = (await f.audit('sms-otp.sent')).find((e) => e.username === username);
      return { started, sent, tried: triedOf(sent).map((t) => t.gateway) };
    };

    test('opens after N failures, skips the gateway, half-opens after the cool-down and closes on a good trial', async () => {
      assert.equal(stateOf(await statusOf(f.server, token), 'primary'), 'closed');
      primary.mode = { kind: 'status', status: 502 };
      assert.deepEqual((await login()).tried, ['primary', 'secondary']);
      assert.equal((await statusOf(f.server, token)).gateways[0]?.failures, 1);
      assert.deepEqual((await login()).tried, ['primary', 'secondary']);
      const open = await statusOf(f.server, token);
      assert.equal(stateOf(open, 'primary'), 'open');
      assert.ok((open.gateways[0]?.openUntil ?? 0) > Date.now());
      assert.equal(stateOf(open, 'secondary'), 'closed');

      const hits = primary.hits;
      const skipped = await login();
      assert.equal(primary.hits, hits, 'an open breaker sends nothing to the gateway');
      assert.equal(skipped.sent?.gateway, 'secondary');
      assert.deepEqual(triedOf(skipped.sent)[0], {
        gateway: 'primary',
        code: 'circuit-open',
        reason: 'the breaker is open',
      });

      await sleep(BREAKER.coolDownSeconds * 1000 + 200);
      assert.equal(stateOf(await statusOf(f.server, token), 'primary'), 'half-open');
      // the trial fails: open again, without waiting for N more failures
      const trial = await login();
      assert.deepEqual(trial.tried, ['primary', 'secondary']);
      assert.equal(primary.hits, hits + 1);
      assert.equal(stateOf(await statusOf(f.server, token), 'primary'), 'open');

      await sleep(BREAKER.coolDownSeconds * 1000 + 200);
      primary.mode = { kind: 'ok' };
      const good = await login();
      assert.deepEqual(good.tried, ['primary']);
      assert.equal(stateOf(await statusOf(f.server, token), 'primary'), 'closed');
      const claims = await f.finish(
        good.started,
        await f.submitCode(good.started, codeIn(primary.messages.at(-1)?.text)),
      );
      assert.ok(claims.sub);
    });

    test('when every gateway of the route is open they are still tried in order, as a last resort', async () => {
      primary.mode = { kind: 'status', status: 503 };
      secondary.mode = { kind: 'status', status: 503 };
      for (let i = 0; i < 2; i++) {
        serial += 1;
        await f.addUser(`down-${serial}`, { [ClaimUri.mobile]: '+94771250999' });
        assert.equal((await f.startLogin(`down-${serial}`)).page.status, 503);
      }
      const open = await statusOf(f.server, token);
      assert.deepEqual(
        open.gateways.map((g) => g.state),
        ['open', 'open'],
      );
      secondary.mode = { kind: 'ok' };
      const rescued = await login();
      assert.deepEqual(
        triedOf(rescued.sent).map((t) => [t.gateway, t.code ?? 'sent', t.lastResort ?? false]),
        [
          ['primary', 'circuit-open', false],
          ['secondary', 'circuit-open', false],
          ['primary', 'SMSOTP-65004', true],
          ['secondary', 'sent', true],
        ],
      );
      const after = await statusOf(f.server, token);
      assert.equal(stateOf(after, 'secondary'), 'closed', 'a last-resort success closes the breaker');
      assert.equal(stateOf(after, 'primary'), 'open');
      primary.mode = { kind: 'ok' };
    });

    test('the status of an identity provider without SMS OTP is a 404 problem, and it needs a token', async () => {
      const other = await f.server.services.identityProviders.create({ name: 'noSms', authenticators: [] });
      const res = await fetch(`${f.server.url}${API}/identity-providers/${other.id}/gateways/status`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 404);
      assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
      const anonymous = await fetch(`${f.server.url}${API}/identity-providers/${other.id}/gateways/status`);
      assert.equal(anonymous.status, 401);
    });
  });
}

suiteNeeding(skipPostgres || skipRedis, 'the breaker is shared by two nodes on PostgreSQL and Redis', () => {
  let nodes: TwoNodes;
  let a: TestServer;
  let b: TestServer;
  let primary: HttpsProvider;
  let secondary: HttpsProvider;
  let rp: RelyingParty;
  const cert = makeSelfSignedCertificate();

  before(async () => {
    primary = await startHttpsProvider(cert);
    secondary = await startHttpsProvider(cert);
    nodes = await startTwoNodes({ backend: postgresBackend, redis: true, plugins: adminApi });
    ({ a, b } = nodes);
    await a.services.truststore.import('imitations', parseCertificates(Buffer.from(cert.certPem)));
    await a.services.identityProviders.create({
      name: 'smsOTP',
      authenticators: [
        {
          type: 'sms-otp',
          enabled: true,
          config: {
            resendCooldownSeconds: 0,
            gateways: [namedGateway('primary', primary.origin), namedGateway('secondary', secondary.origin)],
            breaker: { failures: 2, windowSeconds: 60, coolDownSeconds: 60 },
          },
        },
      ],
    });
    rp = await addPickupDispatch(a, nodes.publicUrl);
  });
  after(async () => {
    await nodes?.stop();
    await Promise.all([primary.close(), secondary.close()]);
  });

  /** A login through the front on the node given, up to the page after the password. */
  async function loginOn(node: TestServer, username: string, mobile: string) {
    await createUser(a.services.db, a.services.hasher, {
      username,
      password: PASSWORD,
      claims: { [ClaimUri.mobile]: mobile },
    });
    nodes.pick(node);
    const browser = new Browser();
    const first = await browser.go(rp.begin().url);
    return browser.submit(Browser.form(first), { username, password: PASSWORD }, (u) => u.startsWith(REDIRECT));
  }
  const triedBy = async (node: TestServer, username: string) => {
    const { events } = await node.services.audit.query({ event: 'sms-otp.sent', limit: 100 });
    const sent = events.find((e) => e.username === username);
    return triedOf(sent?.data).map((t) => [t.gateway, t.code ?? 'sent']);
  };

  test('two failures on node A open the breaker; a login on node B skips the primary', async () => {
    primary.mode = { kind: 'status', status: 500 };
    for (const username of ['node-a-1', 'node-a-2']) {
      const page = await loginOn(a, username, '+94771260001');
      assert.equal(page.status, 200, page.html.slice(0, 300));
      assert.deepEqual(await triedBy(a, username), [
        ['primary', 'SMSOTP-65001'],
        ['secondary', 'sent'],
      ]);
    }
    assert.equal(primary.hits, 2);
    nodes.pick(b);
    assert.equal(stateOf(await statusOf(b, await clientToken(b)), 'primary'), 'open', 'node B sees the open breaker');

    const page = await loginOn(b, 'node-b', '+94771260002');
    assert.equal(page.status, 200, page.html.slice(0, 300));
    assert.match(page.html, /name="code"/);
    assert.equal(primary.hits, 2, 'node B sent nothing to the open gateway');
    assert.equal(secondary.messages.at(-1)?.to, '94771260002');
    assert.deepEqual(await triedBy(b, 'node-b'), [
      ['primary', 'circuit-open'],
      ['secondary', 'sent'],
    ]);
  });
});
