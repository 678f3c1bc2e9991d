/**
 * Cluster mode: two Stepgate nodes on one PostgreSQL and one Redis, behind a round-robin load balancer that sends
 * every request to the other node. A login (password, then SMS OTP) started on one node finishes on the other, and
 * the per-code guess limit holds across nodes.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, test } from 'node:test';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { createUser } from '../../src/identity/users.js';
import { gatewayFor } from '../sms-otp/support/fixture.js';
import { type MockSms, startMockSms } from '../sms-otp/support/mock-sms.js';
import { postgresBackend, skipPostgres, skipRedis, suiteNeeding } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import { forwardingFront } from '../support/front.js';
import { relyingParty } from '../support/rp.js';
import { freePort, startStepgate, type TestServer } from '../support/server.js';

const REDIRECT = 'http://127.0.0.1:1/callback';
const PASSWORD = 'cluster password 1';

/** A load balancer that alternates nodes on every request, and counts where each request went. */
async function roundRobin(port: number, targets: number[]): Promise<{ server: Server; hits: number[] }> {
  const hits = targets.map(() => 0);
  let next = 0;
  const server = await forwardingFront(port, () => {
    const i = next++ % targets.length;
    hits[i]! += 1;
    return targets[i]!;
  });
  return { server, hits };
}

const skip = skipPostgres || skipRedis;

suiteNeeding(skip, 'two nodes behind a load balancer', () => {
  let a: TestServer;
  let b: TestServer;
  let lb: { server: Server; hits: number[] };
  let sms: MockSms;
  let drop: () => Promise<void>;
  let clientId: string;
  let clientSecret: string;
  let publicUrl: string;

  before(async () => {
    const db = await postgresBackend.create();
    drop = db.drop;
    sms = await startMockSms();
    const lbPort = await freePort();
    publicUrl = `http://127.0.0.1:${lbPort}`;
    const database = { url: db.url, dataDir: db.dataDir, masterKey: Buffer.alloc(32, 9).toString('base64') };
    const overrides = { publicUrl, argon2: { memoryKiB: 8192, iterations: 1, parallelism: 1 } };
    a = await startStepgate({ database, redis: true, overrides });
    b = await startStepgate({ database, redis: true, overrides });
    lb = await roundRobin(lbPort, [
      Number(new URL(a.app.listeningOrigin).port),
      Number(new URL(b.app.listeningOrigin).port),
    ]);
    const s = a.services;
    await s.identityProviders.create({
      name: 'smsOTP',
      authenticators: [
        {
          type: 'sms-otp',
          enabled: true,
          config: {
            gateway: gatewayFor(sms.origin),
            resendCooldownSeconds: 0,
            maxWrongCodesPerOtp: 3,
            lockout: { enabled: true, maxAttempts: 50, lockMinutes: 15 },
          },
        },
      ],
    });
    const app = await s.applications.create({
      name: 'Clustered',
      redirectUris: [REDIRECT],
      subjectClaimUri: ClaimUri.mobile,
      steps: [{ options: [{ authenticator: 'password' }] }, { options: [{ authenticator: 'sms-otp', idp: 'smsOTP' }] }],
    });
    clientId = app.application.clientId;
    clientSecret = app.clientSecret!;
    for (const name of ['ann', 'ben'])
      await createUser(s.db, s.hasher, {
        username: name,
        password: PASSWORD,
        claims: { [ClaimUri.mobile]: name === 'ann' ? '+94771230001' : '+94771230002' },
      });
  });
  after(async () => {
    await new Promise((r) => lb?.server.close(r));
    await b?.stop();
    await a?.stop();
    await sms?.close();
    await drop?.();
  });

  test('a login started on one node finishes on the other, with the ID token signed by the shared keys', async () => {
    const rp = await relyingParty(publicUrl, clientId, clientSecret, REDIRECT);
    const started = rp.begin();
    const browser = new Browser();
    const page = await browser.go(started.url);
    const otp = await browser.submit(Browser.form(page), { username: 'ann', password: PASSWORD });
    assert.match(otp.html, /one-time-code/);
    const done = await browser.submit(Browser.form(otp, 'sms-otp-verify'), { code: sms.lastCode() }, (u) =>
      u.startsWith(REDIRECT),
    );
    assert.ok(done.url.startsWith(REDIRECT), `no callback (${done.status})`);
    const tokens = await rp.finish(done.url, started);
    assert.equal(tokens.claims()!.sub, '+94771230001');
    assert.ok(lb.hits[0]! > 2 && lb.hits[1]! > 2, `requests did not reach both nodes: ${lb.hits}`);
  });

  test('20 concurrent wrong codes spread over both nodes: at most 3 are evaluated', async () => {
    const rp = await relyingParty(publicUrl, clientId, clientSecret, REDIRECT);
    const browser = new Browser();
    const page = await browser.go(rp.begin().url);
    const otp = await browser.submit(Browser.form(page), { username: 'ben', password: PASSWORD });
    const form = Browser.form(otp, 'sms-otp-verify');
    const right = sms.lastCode();
    const wrong = right === '000000' ? '111111' : '000000';
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        browser.request(form.action, { method: 'POST', body: new URLSearchParams({ ...form.fields, code: wrong }) }),
      ),
    );
    // each answer is the code page again (401) or a redirect to it after losing the race (303): never a pass
    assert.ok(
      results.every(
        (r) => r.status === 401 || (r.status === 303 && /\/interaction\//.test(r.headers.get('location') ?? '')),
      ),
      results.map((r) => `${r.status} ${r.headers.get('location') ?? ''}`).join(),
    );
    const ben = await a.services.db
      .selectFrom('users')
      .select('failed_otp_count')
      .where('username', '=', 'ben')
      .executeTakeFirstOrThrow();
    assert.equal(ben.failed_otp_count, 3, 'the account counted a different number of evaluated wrong codes');
    // the code is dead now, even the right one
    const late = await browser.submit(form, { code: right }, (u) => u.startsWith(REDIRECT));
    assert.notEqual(late.status, 0, 'a code past its guess limit still logged in');
  });
});
