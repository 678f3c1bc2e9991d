/**
 * "Send test SMS" through the admin API with a list of gateways, against two HTTPS provider imitations: the route's
 * first gateway by default, a named one when asked, an unknown name refused with a problem and nothing sent. A test
 * leaves the circuit breaker and the daily spend as they are; the gateway status shows today's spend against each
 * cap after real logins.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import { adminApiPlugin } from '../../src/web/admin-api/index.js';
import { API, clientToken } from '../admin-api/support.js';
import { FRAUD_OFF, type FraudFixture, startFraudFixture } from '../sms-fraud/support.js';
import { suiteNeeding, variants } from '../support/backends.js';
import type { TestServer } from '../support/server.js';

type AnyPlugin = FastifyPluginAsync<Record<string, unknown>>;
const adminApi = (services: TestServer['services']) => [
  { plugin: adminApiPlugin as unknown as AnyPlugin, options: { services, checkResponses: true } },
];

interface GatewayStatus {
  name: string;
  state: string;
  failures: number;
  spend: { spent: number; cap: number; day: string } | null;
}

const ROUTES = [{ match: { prefixes: ['+44'] }, gateways: ['secondary', 'primary'] }];

for (const { name, backend, skip, redis } of variants({ redis: true })) {
  suiteNeeding(skip, `Send test SMS through a list of gateways on ${name}`, () => {
    let x: FraudFixture;
    let token: string;
    let idpId: string;
    let serial = 0;
    const number = () => {
      serial += 1;
      return `+9477140${String(serial).padStart(4, '0')}`;
    };
    before(async () => {
      x = await startFraudFixture({ backend, redis, plugins: adminApi });
      token = await clientToken(x.f.server);
      idpId = (await x.f.server.services.identityProviders.getByName('smsOTP'))!.id;
    });
    after(() => x.stop());
    beforeEach(() => {
      x.primary.mode = { kind: 'ok' };
      x.secondary.mode = { kind: 'ok' };
    });

    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${x.f.server.url}${API}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, type: res.headers.get('content-type') ?? '', body: JSON.parse(text), text };
    };
    const testSms = (body: Record<string, unknown>) => call('POST', `/identity-providers/${idpId}/test-sms`, body);
    const statuses = async (): Promise<GatewayStatus[]> => {
      const answer = await call('GET', `/identity-providers/${idpId}/gateways/status`);
      assert.equal(answer.status, 200, answer.text);
      return answer.body.gateways;
    };
    const of = (list: GatewayStatus[], gateway: string) => list.find((g) => g.name === gateway)!;
    const counts = () => [x.primary.messages.length, x.secondary.messages.length];

    test('by default the first gateway of the route the number takes; a named gateway when asked', async () => {
      await x.configure(FRAUD_OFF, { routes: ROUTES });
      const start = counts();
      const plain = await testSms({ to: '+94771400001' });
      assert.equal(plain.status, 200, plain.text);
      assert.equal(plain.body.ok, true, plain.text);
      assert.equal(plain.body.gateway, 'primary');
      assert.equal(plain.body.route, null, 'no route matches a Sri Lankan number');
      const routed = await testSms({ to: '+447400140001' });
      assert.equal(routed.body.gateway, 'secondary');
      assert.equal(routed.body.route, 0);
      assert.deepEqual(counts(), [start[0]! + 1, start[1]! + 1]);
      assert.equal(x.secondary.messages.at(-1)?.to, '447400140001');

      const named = await testSms({ to: '+447400140002', gateway: 'primary', text: 'through the primary' });
      assert.equal(named.status, 200, named.text);
      assert.equal(named.body.gateway, 'primary');
      assert.equal(x.primary.messages.at(-1)?.text, 'through the primary');
      assert.deepEqual(counts(), [start[0]! + 2, start[1]! + 1]);

      const events = await x.f.audit('admin.identity-provider.test-sms');
      assert.deepEqual(
        events.slice(0, 3).map((e) => e.gateway),
        ['primary', 'secondary', 'primary'].reverse(),
        'the audit event names the gateway (newest first)',
      );
    });

    // the route allows 10 test SMS a minute (each may cost money): the suite stays under that
    test('an unknown gateway name, a near miss in case, an empty name: 400 problems, nothing sent', async () => {
      const start = counts();
      for (const gateway of ['tertiary', 'Primary', '']) {
        const answer = await testSms({ to: '+94771400002', gateway });
        assert.equal(answer.status, 400, `${JSON.stringify(gateway)}: ${answer.text}`);
        assert.match(answer.type, /application\/problem\+json/);
        assert.ok(answer.body.type && answer.body.title, answer.text);
        if (gateway !== '') assert.match(answer.text, /no gateway is named .*primary, secondary/);
      }
      assert.deepEqual(counts(), start);
    });

    test("after real logins the status shows today's spend against each cap; a test SMS does not add to it", async () => {
      await x.configure({ ...FRAUD_OFF, spend: { defaultPrice: 0.04, prices: {}, dailyCaps: { primary: 1.5 } } });
      const before = of(await statuses(), 'primary');
      assert.equal(before.spend?.cap, 1.5);
      assert.equal(before.spend?.day, new Date().toISOString().slice(0, 10));
      assert.equal(of(await statuses(), 'secondary').spend, null, 'no cap: no spend shown');
      for (let i = 0; i < 2; i++) assert.equal((await x.login(number())).sent, 1);
      const afterLogins = of(await statuses(), 'primary');
      assert.equal(afterLogins.spend?.spent, (before.spend?.spent ?? 0) + 0.08);
      const sent = await testSms({ to: number(), gateway: 'primary' });
      assert.equal(sent.body.ok, true, sent.text);
      assert.equal(of(await statuses(), 'primary').spend?.spent, afterLogins.spend?.spent);
    });

    test('a test SMS neither counts toward the breaker nor is held back by an open one', async () => {
      await x.configure(FRAUD_OFF, { breaker: { failures: 1, windowSeconds: 60, coolDownSeconds: 60 } });
      x.primary.mode = { kind: 'status', status: 503 };
      const failed = await testSms({ to: number(), gateway: 'primary' });
      assert.equal(failed.status, 200, failed.text);
      assert.equal(failed.body.ok, false);
      assert.equal(failed.body.gateway, 'primary');
      assert.match(failed.body.outcome.code, /SMSOTP-65004/);
      assert.deepEqual(
        [of(await statuses(), 'primary').state, of(await statuses(), 'primary').failures],
        ['closed', 0],
        'the failed test did not count',
      );
      // a login's failure does count: the primary opens and the secondary delivers
      assert.equal((await x.login(number())).sent, 1);
      assert.equal(of(await statuses(), 'primary').state, 'open');
      // the operator checks the primary while its breaker is open: the test reaches it and leaves it open
      x.primary.mode = { kind: 'ok' };
      const hits = x.primary.hits;
      const checked = await testSms({ to: number(), gateway: 'primary' });
      assert.equal(checked.body.ok, true, checked.text);
      assert.equal(x.primary.hits, hits + 1);
      assert.equal(of(await statuses(), 'primary').state, 'open', 'a good test is not the trial a login makes');
    });
  });
}
