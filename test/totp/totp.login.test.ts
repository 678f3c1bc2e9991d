/**
 * The TOTP step over real HTTP with openid-client as the relying party, codes computed by the test's own RFC 6238
 * implementation: password → authenticator app gives amr pwd + otp (acr 2fa); a code one step early or late passes,
 * two steps off and one digit off do not; a code passes once (also a second login in the same window, and the code
 * that confirmed the app); wrong codes end the login after the per-login limit and lock the account on the counter
 * SMS OTP uses; a sequence cannot offer the app before a step that identifies the user.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getUserById } from '../../src/identity/users.js';
import { PASSWORD } from '../sms-otp/support/fixture.js';
import { forEachBackend } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import type { RelyingParty } from '../support/rp.js';
import {
  awayFromStepEdge,
  messageIdOf,
  PASSWORD_STEP,
  REDIRECT,
  startTotp,
  TOTP_STEP,
  type TotpFixture,
} from './support/fixture.js';
import { hotp, oneDigitOff, totp } from './support/rfc6238.js';

test('the test implementation reproduces the RFC 6238 SHA-1 test vectors', () => {
  const key = Buffer.from('12345678901234567890');
  // RFC 6238 Appendix B, SHA-1, 8 digits: T = 59 s, 1111111109 s, 20000000000 s
  assert.equal(hotp(key, Math.floor(59 / 30), 8), '94287082');
  assert.equal(hotp(key, Math.floor(1111111109 / 30), 8), '07081804');
  assert.equal(hotp(key, Math.floor(20000000000 / 30), 8), '65353130');
});

forEachBackend('TOTP login', (backend) => {
  let t: TotpFixture;
  let rp: RelyingParty;
  let users = 0;
  const fresh = () => t.user(`totp${++users}`, { totp: true }) as Promise<{ user: { id: string }; secret: string }>;
  const username = () => `totp${users}`;

  before(async () => {
    t = await startTotp(backend);
    rp = await t.app('TOTP app', [PASSWORD_STEP, TOTP_STEP]);
  });
  after(() => t.stop());

  test('password then the app: the ID token says pwd and otp, two factors', async () => {
    const { secret } = await fresh();
    const login = await t.login(rp, username());
    assert.equal(login.page.status, 200);
    assert.match(login.page.html, /id="totp-verify"/, 'expected the code page');
    assert.match(login.page.html, /autocomplete="one-time-code"/);
    assert.doesNotMatch(login.page.html, /try-another-way/, 'one option: nothing to switch to');
    await t.submit(login, 'totp-verify', { code: totp(secret) });
    const claims = await t.finish(login);
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims.acr, 'urn:stepgate:acr:2fa');
    const events = await t.f.audit('totp.verified');
    assert.equal(events.at(0)?.username, username());
  });

  test('acr_values=2fa is met by the app; prompt=login in the same browser asks for the password and a code again', async () => {
    const { secret } = await fresh();
    await awayFromStepEdge();
    const started = rp.begin({ acr_values: 'urn:stepgate:acr:2fa' });
    const browser = new Browser();
    const toCallback = (u: string) => u.startsWith(REDIRECT);
    let page = await browser.go(started.url);
    page = await browser.submit(Browser.form(page), { username: username(), password: PASSWORD }, toCallback);
    page = await browser.submit(Browser.form(page, 'totp-verify'), { code: totp(secret) }, toCallback);
    const first = (await rp.finish(page.url, started)).claims()!;
    assert.equal(first.acr, 'urn:stepgate:acr:2fa');
    const again = rp.begin({ prompt: 'login' });
    page = await browser.go(again.url);
    assert.match(page.html, /name="password"/, 'prompt=login: the password again, not the session');
    page = await browser.submit(Browser.form(page), { username: username(), password: PASSWORD }, toCallback);
    assert.match(page.html, /id="totp-verify"/, 'and the code again');
    page = await browser.submit(Browser.form(page, 'totp-verify'), { code: totp(secret, { steps: 1 }) }, toCallback);
    assert.deepEqual((await rp.finish(page.url, again)).claims()?.amr, ['pwd', 'otp', 'mfa']);
  });

  test('drift: a code one step early or late passes; two steps off and one digit off are refused', async () => {
    for (const steps of [-1, 1]) {
      const { secret } = await fresh();
      await awayFromStepEdge();
      const login = await t.login(rp, username());
      await t.submit(login, 'totp-verify', { code: totp(secret, { steps }) });
      assert.ok((await t.finish(login)).amr, `a code ${steps} step(s) off should pass`);
    }
    const { secret } = await fresh();
    const login = await t.login(rp, username());
    for (const steps of [-2, 2]) {
      await awayFromStepEdge();
      const page = await t.submit(login, 'totp-verify', { code: totp(secret, { steps }) });
      assert.equal(page.status, 401, `a code ${steps} steps off`);
      assert.equal(messageIdOf(page), 'totp.invalid-code');
    }
    await awayFromStepEdge();
    const near = await t.submit(login, 'totp-verify', { code: oneDigitOff(totp(secret)) });
    assert.equal(near.status, 401, 'one digit off');
    // the right code still passes in this login (3 wrong of 5 allowed)
    await t.submit(login, 'totp-verify', { code: totp(secret) });
    assert.deepEqual((await t.finish(login)).amr, ['pwd', 'otp', 'mfa']);
  });

  test('a code passes once: the same code in a second login is refused, the next one passes', async () => {
    const { secret } = await fresh();
    await awayFromStepEdge();
    const code = totp(secret);
    const first = await t.login(rp, username());
    await t.submit(first, 'totp-verify', { code });
    await t.finish(first);
    const second = await t.login(rp, username());
    const again = await t.submit(second, 'totp-verify', { code });
    assert.equal(again.status, 401);
    assert.equal(messageIdOf(again), 'totp.code-used');
    // an earlier code (within drift) is older than the one used: refused too
    const older = await t.submit(second, 'totp-verify', { code: totp(secret, { steps: -1 }) });
    assert.equal(messageIdOf(older), 'totp.code-used');
    await t.submit(second, 'totp-verify', { code: totp(secret, { steps: 1 }) });
    assert.ok((await t.finish(second)).amr);
    const failed = await t.f.audit('totp.failed');
    assert.ok(failed.some((e) => e.reason === 'replayed'));
  });

  test('malformed codes: empty is a re-prompt (400, not counted), letters and long input are wrong codes', async () => {
    const { user, secret } = await fresh();
    const login = await t.login(rp, username());
    const empty = await t.submit(login, 'totp-verify', { code: '  ' });
    assert.equal(empty.status, 400);
    assert.equal(messageIdOf(empty), 'totp.code-missing');
    for (const code of ['abcdef', '1'.repeat(16), '12345']) {
      const page = await t.submit(login, 'totp-verify', { code });
      assert.equal(page.status, 401, code);
    }
    const long = await t.submit(login, 'totp-verify', { code: '9'.repeat(5000) });
    assert.ok(long.status < 500, `long input: ${long.status}`);
    assert.equal((await getUserById(t.f.server.services.db, user.id))?.failedOtpCount, 4);
    await awayFromStepEdge();
    await t.submit(login, 'totp-verify', { code: totp(secret) });
    assert.ok((await t.finish(login)).amr);
    assert.equal((await getUserById(t.f.server.services.db, user.id))?.failedOtpCount, 0, 'a pass resets the count');
  });
});

forEachBackend('TOTP guess limits', (backend) => {
  let t: TotpFixture;
  let rp: RelyingParty;

  before(async () => {
    // three wrong codes per login, the account locked at the fifth wrong code of any login
    t = await startTotp(backend, {
      overrides: { argon2: { memoryKiB: 8192, iterations: 1, parallelism: 1 }, totp: { maxWrongCodesPerLogin: 3 } },
    });
    rp = await t.app('TOTP app', [PASSWORD_STEP, TOTP_STEP]);
  });
  after(() => t.stop());

  test('three wrong codes end a login; wrong codes of two logins lock the account (counted with SMS codes)', async () => {
    const { user, secret } = (await t.user('limits', { totp: true })) as { user: { id: string }; secret: string };
    const db = t.f.server.services.db;
    const wrong = oneDigitOff(totp(secret, { steps: 5 }));
    const login = await t.login(rp, 'limits');
    for (let i = 1; i <= 2; i++) assert.equal((await t.submit(login, 'totp-verify', { code: wrong })).status, 401);
    const third = await t.submit(login, 'totp-verify', { code: wrong });
    assert.equal(third.status, 403, 'the third wrong code ends the login');
    assert.equal(messageIdOf(third), 'totp.too-many-attempts');
    assert.doesNotMatch(third.html, /id="totp-verify"/, 'no code box on the page that ends the login');
    assert.equal((await getUserById(db, user.id))?.failedOtpCount, 3);
    const second = await t.login(rp, 'limits');
    assert.equal((await t.submit(second, 'totp-verify', { code: wrong })).status, 401);
    const fifth = await t.submit(second, 'totp-verify', { code: wrong });
    assert.equal(fifth.status, 403);
    assert.equal(messageIdOf(fifth), 'totp.locked', 'the fifth counted wrong code locks the account');
    const locked = await getUserById(db, user.id);
    assert.ok(locked?.lockedUntil && locked.lockedUntil > Date.now());
    assert.equal(locked?.lockedReason, 'MAX_TOTP_ATTEMPTS_EXCEEDED');
    const lockEvents = await t.f.audit('account.locked');
    assert.equal(lockEvents.length, 1);
    assert.equal(lockEvents[0]?.reason, 'MAX_TOTP_ATTEMPTS_EXCEEDED', 'the lock event names the app, not SMS');
  });
});
