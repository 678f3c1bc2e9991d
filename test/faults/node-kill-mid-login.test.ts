/**
 * A node killed in the middle of a login: two `stepgate start` processes on one PostgreSQL database and one Redis,
 * behind one public URL. A password → SMS OTP login starts on node A; once the code was sent, node A is killed with
 * SIGKILL and the front proxy sends the same browser (same cookies) to node B, which must carry the login on: a wrong
 * code is refused there (the step is not passed for free), and the code node A sent finishes the login.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { createUser } from '../../src/identity/users.js';
import { createServices } from '../../src/services.js';
import { gatewayFor } from '../sms-otp/support/fixture.js';
import { type MockSms, startMockSms } from '../sms-otp/support/mock-sms.js';
import { postgresBackend, skipPostgres, skipRedis, suiteNeeding } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import { relyingParty } from '../support/rp.js';
import { FAULT_MASTER_KEY, type FrontProxy, type NodeProcess, startFrontProxy, startNode } from './support.js';

const REDIRECT = 'http://127.0.0.1:1/callback';
const PASSWORD = 'fault password 1';
const MOBILE = '+94771239001';

suiteNeeding(skipPostgres || skipRedis, 'a node killed with SIGKILL in the middle of a login', () => {
  let made: Awaited<ReturnType<typeof postgresBackend.create>>;
  let front: FrontProxy;
  let a: NodeProcess | undefined;
  let b: NodeProcess | undefined;
  let sms: MockSms;
  let clientId: string;
  let clientSecret: string;

  before(async () => {
    made = await postgresBackend.create();
    sms = await startMockSms();
    front = await startFrontProxy(0);
    // the application, the SMS step and the user are made through the services on the shared database first
    const services = await createServices(
      loadConfig({
        env: {},
        file: undefined,
        overrides: {
          publicUrl: front.url,
          dataDir: made.dataDir,
          databaseUrl: made.url,
          masterKey: FAULT_MASTER_KEY,
          logLevel: 'silent',
        },
      }),
    );
    await services.identityProviders.create({
      name: 'smsOTP',
      authenticators: [
        { type: 'sms-otp', enabled: true, config: { gateway: gatewayFor(sms.origin), resendCooldownSeconds: 0 } },
      ],
    });
    const app = await services.applications.create({
      name: 'Failover',
      redirectUris: [REDIRECT],
      subjectClaimUri: ClaimUri.mobile,
      steps: [{ options: [{ authenticator: 'password' }] }, { options: [{ authenticator: 'sms-otp', idp: 'smsOTP' }] }],
    });
    clientId = app.application.clientId;
    clientSecret = app.clientSecret!;
    await createUser(services.db, services.hasher, {
      username: 'ann',
      password: PASSWORD,
      claims: { [ClaimUri.mobile]: MOBILE },
    });
    await services.close();
    const node = {
      publicUrl: front.url,
      dataDir: made.dataDir,
      databaseUrl: made.url,
      redisUrl: process.env.REDIS_URL!,
    };
    a = await startNode(node);
    b = await startNode(node);
    front.point(a.port);
  });
  after(async () => {
    await a?.kill9();
    await b?.kill9();
    await front?.close();
    await sms?.close();
    await made?.drop();
  });

  test('the login started on node A continues on node B after A is killed, and finishes with the code A sent', async () => {
    const rp = await relyingParty(front.url, clientId, clientSecret, REDIRECT);
    const started = rp.begin();
    const browser = new Browser();
    const page = await browser.go(started.url);
    const otp = await browser.submit(Browser.form(page), { username: 'ann', password: PASSWORD });
    assert.match(otp.html, /one-time-code/, `no code page (${otp.status})`);
    const code = sms.lastCode();
    assert.equal(sms.messages.length, 1, 'node A did not send exactly one SMS');
    const onA = front.hits.get(a!.port) ?? 0;
    assert.ok(onA >= 3 && !front.hits.has(b!.port), 'the login so far did not run on node A alone');

    await a!.kill9();
    assert.equal(a!.proc.signalCode, 'SIGKILL');
    front.point(b!.port);

    // near miss: node B evaluates the step for real, a wrong code does not pass
    const form = Browser.form(otp, 'sms-otp-verify');
    const wrong = code === '000000' ? '111111' : '000000';
    const refused = await browser.submit(form, { code: wrong }, (u) => u.startsWith(REDIRECT));
    assert.equal(refused.status, 401, `a wrong code on node B: ${refused.status} ${refused.url}`);
    assert.match(refused.html, /one-time-code/);

    const done = await browser.submit(Browser.form(refused, 'sms-otp-verify'), { code }, (u) => u.startsWith(REDIRECT));
    assert.ok(done.url.startsWith(REDIRECT), `no callback from node B (${done.status}): ${done.html.slice(0, 300)}`);
    const tokens = await rp.finish(done.url, started);
    assert.equal(tokens.claims()!.sub, MOBILE);
    assert.ok((front.hits.get(b!.port) ?? 0) >= 3, 'node B did not carry the rest of the login');
    assert.equal(sms.messages.length, 1, 'node B sent a second SMS instead of carrying the first code on');
  });
});
