/**
 * The console logs in through Stepgate like any application, so an administrator can be held to SMS OTP: once the
 * console application's sequence has the smsOTP step, its token is issued only after the code, and the admin API
 * accepts it; a user without the admin role gets a token but every API call is refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import * as oidc from 'openid-client';
import { CONSOLE_CLIENT_ID, ensureConsoleApplication } from '../../src/identity/console-app.js';
import { adminApiPlugin } from '../../src/web/admin-api/index.js';
import { PASSWORD, type SmsOtpFixture, startSmsOtp } from '../sms-otp/support/fixture.js';
import { Browser } from '../support/browser.js';

describe('the console login held to SMS OTP', () => {
  let f: SmsOtpFixture;
  let redirect: string;

  before(async () => {
    f = await startSmsOtp();
    const s = f.server.services;
    await ensureConsoleApplication(s.applications, f.server.url);
    const app = (await s.applications.getByClientId(CONSOLE_CLIENT_ID))!;
    redirect = app.redirectUris[0]!;
    await s.applications.update(app.id, {
      steps: [{ options: [{ authenticator: 'password' }] }, { options: [{ authenticator: 'sms-otp', idp: 'smsOTP' }] }],
    });
  });
  after(() => f.stop());

  async function consoleLogin(username: string): Promise<{ accessToken: string; amr: string[]; smsCount: number }> {
    const config = await oidc.discovery(new URL(f.server.url), CONSOLE_CLIENT_ID, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirect,
      scope: 'openid stepgate:admin',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const b = new Browser();
    const before = f.sms.messages.length;
    const first = await b.go(url.toString());
    const second = await b.submit(Browser.form(first), { username, password: PASSWORD }, (u) => u.startsWith(redirect));
    assert.notEqual(second.status, 0, 'the console got a code after the password alone');
    assert.match(second.html, /one-time-code/);
    const done = await b.submit(Browser.form(second, 'sms-otp-verify'), { code: f.sms.lastCode() }, (u) =>
      u.startsWith(redirect),
    );
    assert.ok(done.url.startsWith(redirect), `no callback: ${done.status}`);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(done.url), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    return {
      accessToken: tokens.access_token,
      amr: (tokens.claims()?.amr as string[]) ?? [],
      smsCount: f.sms.messages.length - before,
    };
  }

  test('an admin passes password and SMS OTP, and the token works on the admin API', async () => {
    const s = f.server.services;
    const admin = await f.addUser('root');
    const { setRoles } = await import('../../src/identity/users.js');
    await setRoles(s.db, admin.id, ['admin']);
    // a second app over the same services, with the admin API mounted as in a running node
    const { buildApp } = await import('../../src/web/app.js');
    const app = await buildApp(s, {
      logger: false,
      plugins: [
        { plugin: adminApiPlugin as unknown as FastifyPluginAsync<Record<string, unknown>>, options: { services: s } },
      ],
    });
    const login = await consoleLogin('root');
    assert.equal(login.smsCount, 1);
    assert.ok(login.amr.includes('sms'));
    const me = await app.inject({
      method: 'GET',
      url: '/api/admin/v1/me',
      headers: { authorization: `Bearer ${login.accessToken}`, host: new URL(f.server.url).host },
    });
    assert.equal(me.statusCode, 200, me.body);
    const user = await f.addUser('plain');
    const plain = await consoleLogin(user.username);
    const refused = await app.inject({
      method: 'GET',
      url: '/api/admin/v1/users',
      headers: { authorization: `Bearer ${plain.accessToken}`, host: new URL(f.server.url).host },
    });
    assert.equal(refused.statusCode, 403);
    assert.match(refused.headers['content-type'] as string, /application\/problem\+json/);
    await app.close();
  });
});
