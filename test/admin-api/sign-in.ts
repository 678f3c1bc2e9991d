/**
 * Admin tokens from real logins for the two-factor guard suites: the console application held to password → SMS OTP
 * (a two-factor token), and an admin application with the password alone, as the console shipped before (a one-factor
 * token), over the SMS OTP fixture's mock provider. Both surfaces that change users (admin API, SCIM) are mounted.
 */
import assert from 'node:assert/strict';
import type { FastifyPluginAsync } from 'fastify';
import { CONSOLE_CLIENT_ID, ensureConsoleApplication } from '../../src/identity/console-app.js';
import { ADMIN_SCOPE } from '../../src/oidc/provider.js';
import { adminApiPlugin } from '../../src/web/admin-api/index.js';
import { scimPlugin } from '../../src/web/scim/index.js';
import { PASSWORD, type SmsOtpFixture, startSmsOtp } from '../sms-otp/support/fixture.js';
import type { Backend } from '../support/backends.js';
import { Browser } from '../support/browser.js';
import { relyingParty } from '../support/rp.js';

type AnyPlugin = FastifyPluginAsync<Record<string, unknown>>;
const ONE_FACTOR_REDIRECT = 'http://127.0.0.1:1/password-only-admin/callback';

export interface GuardFixture {
  f: SmsOtpFixture;
  /** an access token with the admin scope after the password alone (acr 1fa) */
  oneFactorToken(username: string): Promise<string>;
  /** an access token with the admin scope from the console after password and SMS code (acr 2fa) */
  twoFactorToken(username: string): Promise<string>;
  /** the SMS messages to a number (digits compared, whatever format the provider gets) */
  smsTo(number: string): { to: string; text: string }[];
}

const digits = (n: string) => n.replace(/\D/g, '');

export async function startGuardFixture(backend: Backend): Promise<GuardFixture> {
  const f = await startSmsOtp({
    backend,
    plugins: (services) => [
      {
        plugin: adminApiPlugin as unknown as AnyPlugin,
        options: { services, checkResponses: true, rateLimit: { max: 10_000, timeWindow: 60_000 } },
      },
      { plugin: scimPlugin as unknown as AnyPlugin, options: { services } },
    ],
  });
  const s = f.server.services;
  // a fresh install with an SMS OTP provider: the console asks for the code after the password
  const consoleApp = await ensureConsoleApplication(s.applications, f.server.url, s.identityProviders);
  assert.equal(consoleApp.steps.length, 2, 'the console should ask for SMS OTP once a provider exists');
  const legacy = await s.applications.create({
    name: 'Admin tool (password only)',
    redirectUris: [ONE_FACTOR_REDIRECT],
    extraScopes: [ADMIN_SCOPE],
  });

  async function login(
    clientId: string,
    secret: string | undefined,
    redirect: string,
    username: string,
    withCode: boolean,
  ): Promise<string> {
    const rp = await relyingParty(f.server.url, clientId, secret, redirect);
    const started = rp.begin({ scope: `openid ${ADMIN_SCOPE}` });
    const browser = new Browser();
    const first = await browser.go(started.url);
    const toCallback = (u: string) => u.startsWith(redirect);
    let page = await browser.submit(Browser.form(first), { username, password: PASSWORD }, toCallback);
    if (withCode) {
      assert.match(page.html, /one-time-code/, `expected the code page for ${username}`);
      const code = /Verification Code: ([A-Z0-9]+)/.exec(
        f.sms.messages.filter((m) => /Verification Code: /.test(m.text)).at(-1)?.text ?? '',
      )?.[1];
      assert.ok(code, 'no code was sent');
      page = await browser.submit(Browser.form(page, 'sms-otp-verify'), { code }, toCallback);
    }
    assert.ok(page.url.startsWith(redirect), `login of ${username} did not finish: ${page.status} ${page.url}`);
    return (await rp.finish(page.url, started)).access_token;
  }

  return {
    f,
    oneFactorToken: (username) =>
      login(legacy.application.clientId, legacy.clientSecret, ONE_FACTOR_REDIRECT, username, false),
    twoFactorToken: (username) => login(CONSOLE_CLIENT_ID, undefined, consoleApp.redirectUris[0]!, username, true),
    smsTo: (number) => f.sms.messages.filter((m) => digits(m.to) === digits(number)),
  };
}
