/**
 * Request ids: every answer carries `x-request-id`; a proxy's id is taken only behind a trusted proxy (and only when
 * it is a plain token); the id is on the request's log lines and in the audit events written while it ran — a login
 * form post, whose body is read from socket events outside the request's async context, included.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import type { AuditLog } from '../../src/identity/audit.js';
import { adminApiPlugin } from '../../src/web/admin-api/index.js';
import { API, clientToken } from '../admin-api/support.js';
import { type SmsOtpFixture, startSmsOtp } from '../sms-otp/support/fixture.js';
import { Browser } from '../support/browser.js';
import { startStepgate } from '../support/server.js';

type AnyPlugin = FastifyPluginAsync<Record<string, unknown>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Posts a wrong password for `username` with extra headers; returns the answer's request id. */
async function wrongPassword(f: SmsOtpFixture, username: string, headers: Record<string, string> = {}) {
  const browser = new Browser();
  const first = await browser.go(f.rp.begin().url);
  const form = Browser.form(first);
  const page = await browser.request(form.action, {
    method: 'POST',
    body: new URLSearchParams({ ...form.fields, username, password: 'not the password' }),
    headers,
  });
  assert.equal(page.status, 401, page.html.slice(0, 300));
  return page.headers.get('x-request-id');
}

async function eventOf(f: SmsOtpFixture, username: string) {
  // a failed first step has no user yet: the name tried is in the event's data
  const { events: all } = await f.server.services.audit.query({ event: 'login.password.failed', limit: 500 });
  const events = all.map((e) => e.data).filter((d) => d.username === username);
  assert.equal(events.length, 1, JSON.stringify(events));
  return events[0]!;
}

for (const trustProxy of [false, true]) {
  describe(`request ids ${trustProxy ? 'behind a trusted proxy' : 'without a trusted proxy'}`, () => {
    let f: SmsOtpFixture;
    before(async () => {
      f = await startSmsOtp({ overrides: { trustProxy } });
      await f.addUser('ada');
      await f.addUser('bob');
      await f.addUser('cy');
    });
    after(() => f.stop());

    test('each answer has its own id; the audit event of a login post carries the id of that post', async () => {
      const a = await fetch(`${f.server.url}/.well-known/openid-configuration`);
      const b = await fetch(`${f.server.url}/health/live`);
      assert.match(a.headers.get('x-request-id') ?? '', UUID);
      assert.notEqual(a.headers.get('x-request-id'), b.headers.get('x-request-id'));
      const id = await wrongPassword(f, 'ada');
      assert.match(id ?? '', UUID);
      assert.equal((await eventOf(f, 'ada')).requestId, id);
    });

    test(`an incoming x-request-id is ${trustProxy ? 'taken' : 'ignored'}; an odd one is always replaced`, async () => {
      const id = await wrongPassword(f, 'bob', { 'x-request-id': 'proxy-7f3a.42' });
      if (trustProxy) assert.equal(id, 'proxy-7f3a.42');
      else assert.match(id ?? '', UUID);
      assert.equal((await eventOf(f, 'bob')).requestId, id);
      // a near miss: a value with a space and a quote (log injection) is never taken, trusted or not
      const odd = await wrongPassword(f, 'cy', { 'x-request-id': 'a b"c' });
      assert.match(odd ?? '', UUID);
      assert.equal((await eventOf(f, 'cy')).requestId, odd);
    });
  });
}

describe('request ids on log lines', () => {
  const lines: Record<string, unknown>[] = [];
  let url: string;
  let token: string;
  let audit: AuditLog;
  let stop: () => Promise<void>;
  before(async () => {
    const server = await startStepgate({
      overrides: { logLevel: 'debug' },
      httpLog: { level: 'debug', lines },
      plugins: (services) => [{ plugin: adminApiPlugin as unknown as AnyPlugin, options: { services } }],
    });
    url = server.url;
    token = await clientToken(server);
    audit = server.services.audit;
    stop = server.stop;
  });
  after(() => stop());

  test("the request's log line carries the id the answer names", async () => {
    const res = await fetch(`${url}/health/ready`);
    const id = res.headers.get('x-request-id');
    assert.match(id ?? '', UUID);
    await new Promise((r) => setTimeout(r, 50));
    const mine = lines.filter((l) => l.reqId === id);
    assert.ok(mine.length >= 1, `no log line with reqId ${id}: ${JSON.stringify(lines.slice(-3))}`);
    assert.ok(mine.some((l) => l.msg === 'request' && l.path === '/health/ready'));
  });

  test("oidc-provider's requests take the lane past Fastify (web/oidc-lane.ts), with the id and headers its hooks set", async () => {
    const res = await fetch(`${url}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const id = res.headers.get('x-request-id');
    assert.match(id ?? '', UUID);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    await new Promise((r) => setTimeout(r, 50));
    // Fastify's onResponse hook logs every request it serves at debug: none for this one means the lane answered
    assert.deepEqual(
      lines.filter((l) => l.reqId === id),
      [],
    );
  });

  test('one log line per operator event: a configuration change at info with its request id, a lockout at warn', async () => {
    const res = await fetch(`${url}${API}/claims`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        uri: 'http://wso2.org/claims/department',
        displayName: 'Department',
        mappedAttribute: 'department',
      }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const id = res.headers.get('x-request-id');
    await audit.record({ event: 'account.locked', userId: 'u_1', data: { reason: 'MAX_PASSWORD_ATTEMPTS_EXCEEDED' } });
    await audit.record({ event: 'login.password.failed', data: { username: 'x', reason: 'wrong-password' } });
    await new Promise((r) => setTimeout(r, 50));
    const change = lines.filter((l) => l.event === 'admin.claim.create');
    assert.equal(change.length, 1, JSON.stringify(lines.slice(-5)));
    assert.equal(change[0]!.level, 30);
    assert.equal(change[0]!.reqId, id);
    const locked = lines.filter((l) => l.event === 'account.locked');
    assert.equal(locked.length, 1);
    assert.equal(locked[0]!.level, 40);
    assert.equal(lines.filter((l) => l.event === 'login.password.failed').length, 0, 'every failed password logged');
  });
});
