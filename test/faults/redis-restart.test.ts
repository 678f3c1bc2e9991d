/**
 * Redis restarted under load: one `stepgate start` process on PostgreSQL and a private redis-server (stopped with
 * SIGTERM and started again, as an orderly Redis restart does) while workers run password → SMS OTP logins back to
 * back, each submitting a wrong code before the right one. Every login either finishes or ends on a clear 503 (an
 * HTML page with Retry-After, or the token endpoint's 503); no wrong code passes and no step is skipped; once Redis is
 * back, logins finish again on the same Stepgate process, never restarted.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { createUser } from '../../src/identity/users.js';
import { createServices } from '../../src/services.js';
import { type PrivateRedis, REDIS_SERVER, startPrivateRedis } from '../ops/support.js';
import { gatewayFor } from '../sms-otp/support/fixture.js';
import { type MockSms, startMockSms } from '../sms-otp/support/mock-sms.js';
import { postgresBackend, skipPostgres, suiteNeeding } from '../support/backends.js';
import { Browser, type Page } from '../support/browser.js';
import { type RelyingParty, relyingParty } from '../support/rp.js';
import { freePort } from '../support/server.js';
import { FAULT_MASTER_KEY, type NodeProcess, startNode } from './support.js';

const REDIRECT = 'http://127.0.0.1:1/callback';
const PASSWORD = 'fault password 2';
const WORKERS = 4;

const skip = skipPostgres || (existsSync(REDIS_SERVER) ? false : `redis-server is not installed at ${REDIS_SERVER}`);

type Outcome = { kind: 'finished'; startedAt: number } | { kind: 'unavailable'; at: string; startedAt: number };

suiteNeeding(skip, 'Redis restarted during a steady load of logins', () => {
  let made: Awaited<ReturnType<typeof postgresBackend.create>>;
  let redis: PrivateRedis;
  let sms: MockSms;
  let node: NodeProcess | undefined;
  let rp: RelyingParty;
  let url: string;
  const accounts: { username: string; mobile: string }[] = [];

  before(async () => {
    made = await postgresBackend.create();
    redis = await startPrivateRedis();
    sms = await startMockSms();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const services = await createServices(
      loadConfig({
        env: {},
        file: undefined,
        overrides: {
          publicUrl: url,
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
        {
          type: 'sms-otp',
          enabled: true,
          config: {
            gateway: gatewayFor(sms.origin),
            resendCooldownSeconds: 0,
            // the load logs the same accounts in again and again: no sending limit or lockout is what is tested
            limits: { perNumber: { max: 0 }, perAccount: { max: 0 }, perIp: { max: 0 }, globalPerHour: 0 },
            lockout: { enabled: false },
          },
        },
      ],
    });
    const app = await services.applications.create({
      name: 'Under load',
      redirectUris: [REDIRECT],
      subjectClaimUri: ClaimUri.mobile,
      steps: [{ options: [{ authenticator: 'password' }] }, { options: [{ authenticator: 'sms-otp', idp: 'smsOTP' }] }],
    });
    for (let w = 0; w < WORKERS; w++) {
      const account = { username: `load${w}`, mobile: `+9477124${String(w).padStart(4, '0')}` };
      await createUser(services.db, services.hasher, {
        username: account.username,
        password: PASSWORD,
        claims: { [ClaimUri.mobile]: account.mobile },
      });
      accounts.push(account);
    }
    await services.close();
    node = await startNode({
      port,
      publicUrl: url,
      dataDir: made.dataDir,
      databaseUrl: made.url,
      redisUrl: redis.url,
      // all the load comes from one address
      env: { STEPGATE_LOGIN_RATE_LIMIT__POSTS_PER_MINUTE: '100000' },
    });
    rp = await relyingParty(url, app.application.clientId, app.clientSecret!, REDIRECT);
  });
  after(async () => {
    await node?.kill9();
    await redis?.close();
    await sms?.close();
    await made?.drop();
  });

  /** a 503 that says so: an HTML page with Retry-After, not a blank error or a half-rendered step */
  const unavailable = (page: Page, at: string, startedAt: number): Outcome => {
    assert.equal(page.status, 503, `${at}: ${page.status} ${page.url} ${page.html.slice(0, 300)}`);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/, `${at}: the 503 is not a page`);
    assert.ok(page.headers.get('retry-after'), `${at}: the 503 page has no Retry-After`);
    assert.ok(!page.url.startsWith(REDIRECT), `${at}: a 503 ended on the callback`);
    return { kind: 'unavailable', at, startedAt };
  };

  async function oneLogin(account: { username: string; mobile: string }): Promise<Outcome> {
    const startedAt = Date.now();
    const browser = new Browser();
    const started = rp.begin();
    const first = await browser.go(started.url);
    if (first.status === 503) return unavailable(first, 'authorization', startedAt);
    assert.equal(first.status, 200, `login page: ${first.status}`);
    const sent = sms.messages.length;
    const otp = await browser.submit(Browser.form(first), { username: account.username, password: PASSWORD }, (u) =>
      u.startsWith(REDIRECT),
    );
    assert.ok(!otp.url.startsWith(REDIRECT), 'the password step alone finished a two-step login');
    if (otp.status === 503) return unavailable(otp, 'password', startedAt);
    assert.match(otp.html, /one-time-code/, `after the password: ${otp.status} ${otp.html.slice(0, 300)}`);
    const digits = account.mobile.replace(/\D/g, '');
    const message = sms.messages.slice(sent).findLast((m) => m.to.replace(/\D/g, '') === digits);
    assert.ok(message, `a code page for ${account.username} without an SMS sent`);
    const code = /Verification Code: (\d+)/.exec(message.text)?.[1];
    assert.ok(code);
    // the near miss: a wrong code must be refused (or not evaluated at all), never passed
    const wrong = code === '000000' ? '111111' : '000000';
    const refused = await browser.submit(Browser.form(otp, 'sms-otp-verify'), { code: wrong }, (u) =>
      u.startsWith(REDIRECT),
    );
    assert.ok(!refused.url.startsWith(REDIRECT), 'a wrong code finished the login');
    if (refused.status === 503) return unavailable(refused, 'wrong code', startedAt);
    assert.equal(refused.status, 401, `a wrong code: ${refused.status}`);
    const done = await browser.submit(Browser.form(refused, 'sms-otp-verify'), { code }, (u) => u.startsWith(REDIRECT));
    if (done.status === 503) return unavailable(done, 'right code', startedAt);
    assert.ok(done.url.startsWith(REDIRECT), `the right code: ${done.status} ${done.html.slice(0, 300)}`);
    try {
      const tokens = await rp.finish(done.url, started);
      assert.equal(tokens.claims()!.sub, account.mobile);
    } catch (e) {
      // the token endpoint's own 503 problem while Redis is down is a clear answer too
      if ((e as { status?: number }).status === 503) return { kind: 'unavailable', at: 'token', startedAt };
      throw e;
    }
    return { kind: 'finished', startedAt };
  }

  const ready = async () => (await fetch(`${url}/health/ready`)).status;

  test('every login finishes or gets a clear 503, none passes a step it should not, and logins resume without a restart', async () => {
    const outcomes: Outcome[] = [];
    let stop = false;
    let failure: unknown;
    const load = Promise.all(
      accounts.map(async (account) => {
        while (!stop) outcomes.push(await oneLogin(account));
      }),
    ).catch((e) => {
      failure = e;
      stop = true;
    });
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const pid = node!.proc.pid;

    await wait(3000);
    const beforeOutage = outcomes.length;
    await redis.stop();
    const downAt = Date.now();
    await wait(3000);
    await redis.start();
    const deadline = Date.now() + 20_000;
    while ((await ready()) !== 200 && Date.now() < deadline) await wait(100);
    const readyAt = Date.now();
    await wait(4000);
    stop = true;
    await load;
    if (failure !== undefined) throw failure;

    assert.equal(node!.proc.exitCode, null, `Stepgate exited: ${node!.output().slice(-2000)}`);
    assert.equal(node!.proc.pid, pid);
    assert.ok(readyAt < deadline, 'readiness did not return after Redis did');
    const finishedBefore = outcomes.slice(0, beforeOutage).filter((o) => o.kind === 'finished').length;
    assert.ok(finishedBefore >= WORKERS, `only ${finishedBefore} logins finished before the outage`);
    const refusedDuring = outcomes.filter((o) => o.kind === 'unavailable');
    assert.ok(refusedDuring.length >= 1, 'no login met the outage: the test proves nothing');
    assert.ok(
      outcomes.slice(0, beforeOutage).every((o) => o.kind === 'finished'),
      'a login was refused before Redis went down',
    );
    assert.ok(
      refusedDuring.every((o) => o.startedAt >= downAt - 10_000),
      'a login started long before the outage was refused',
    );
    const finishedAfter = outcomes.filter((o) => o.kind === 'finished' && o.startedAt >= readyAt).length;
    assert.ok(finishedAfter >= WORKERS, `only ${finishedAfter} logins finished after Redis returned`);
    console.log(
      `logins: ${outcomes.length}, finished ${outcomes.filter((o) => o.kind === 'finished').length}, 503 at ${refusedDuring.map((o) => o.at).join(', ')}`,
    );
  });
});
