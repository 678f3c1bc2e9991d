/**
 * A running Stepgate for TOTP tests, on the two-factor guard fixture (admin API mounted, one- and two-factor admin
 * tokens from real logins, the `smsOTP` provider on a mock SMS gateway): applications with the sequences a test asks
 * for, users with an authenticator app whose secret the test knows, and a login walked over real HTTP.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AuthenticationStep } from '../../../src/identity/applications.js';
import { ClaimUri } from '../../../src/identity/claim-uris.js';
import { createUser, type User } from '../../../src/identity/users.js';
import { type GuardFixture, startGuardFixture } from '../../admin-api/sign-in.js';
import { PASSWORD, type SmsOtpFixture, startSmsOtp } from '../../sms-otp/support/fixture.js';
import type { Backend } from '../../support/backends.js';
import { Browser, type Page } from '../../support/browser.js';
import { type RelyingParty, relyingParty } from '../../support/rp.js';
import { base32Encode } from './rfc6238.js';

export const REDIRECT = 'http://127.0.0.1:1/totp/callback';
export const PASSWORD_STEP: AuthenticationStep = { options: [{ authenticator: 'password' }] };
export const TOTP_STEP: AuthenticationStep = { options: [{ authenticator: 'totp' }] };
export const CHOICE_STEP: AuthenticationStep = {
  options: [{ authenticator: 'sms-otp', idp: 'smsOTP' }, { authenticator: 'totp' }],
};

export interface TotpLogin {
  browser: Browser;
  page: Page;
  rp: RelyingParty;
  started: { url: string; verifier: string; state: string; nonce: string };
}

export interface TotpFixture {
  /** the SMS OTP fixture underneath (server, mock SMS, audit) */
  f: SmsOtpFixture;
  /** the admin API and its tokens, when the fixture was started without overrides */
  g: GuardFixture | undefined;
  url: string;
  /** an application with these steps, and its relying party */
  app(name: string, steps: AuthenticationStep[]): Promise<RelyingParty>;
  /** a user with a mobile number (unless `mobile: ''`) and, with `totp`, an authenticator app of a fresh secret */
  user(username: string, options?: { mobile?: string; totp?: boolean }): Promise<{ user: User; secret?: string }>;
  /** opens the application's login and passes the password step */
  login(rp: RelyingParty, username: string): Promise<TotpLogin>;
  /** submits a form of the current page (by id); stops at the application's callback */
  submit(login: TotpLogin, form: string, values: Record<string, string>): Promise<Page>;
  /** exchanges the callback for tokens: the ID token's claims */
  finish(login: TotpLogin): Promise<Record<string, unknown>>;
  /** the last SMS code sent */
  lastSmsCode(): string;
  stop(): Promise<void>;
}

const toCallback = (u: string) => u.startsWith(REDIRECT);

export async function startTotp(
  backend: Backend,
  options: { overrides?: Record<string, unknown>; redis?: boolean } = {},
): Promise<TotpFixture> {
  // with server settings of its own the fixture has no admin API (the guard fixture starts its server itself)
  const plain = options.overrides !== undefined || options.redis === true;
  const g = plain ? undefined : await startGuardFixture(backend);
  const f =
    g?.f ??
    (await startSmsOtp({
      backend,
      ...(options.redis ? { redis: true } : {}),
      ...(options.overrides ? { overrides: options.overrides } : {}),
    }));
  return fixtureOn(f, g);
}

/** The helpers over a running SMS OTP fixture (a second node gets its own). */
export function fixtureOn(f: SmsOtpFixture, g?: GuardFixture): TotpFixture {
  const s = f.server.services;
  let mobiles = 0;
  return {
    f,
    g,
    url: f.server.url,
    async app(name, steps) {
      const created = await s.applications.create({
        name,
        redirectUris: [REDIRECT],
        subjectClaimUri: ClaimUri.username,
        steps,
      });
      return relyingParty(f.server.url, created.application.clientId, created.clientSecret, REDIRECT);
    },
    async user(username, options = {}) {
      const mobile = options.mobile ?? `+9477${String(5_000_000 + ++mobiles).padStart(7, '0')}`;
      const user = await createUser(s.db, s.hasher, {
        username,
        password: PASSWORD,
        claims: mobile ? { [ClaimUri.mobile]: mobile } : {},
      });
      if (!options.totp) return { user };
      // the test's own secret (any base32 string an app could hold); the server seals it like any other
      const secret = base32Encode(randomBytes(20));
      await s.totpCredentials.add(user.id, { secret, label: 'test app', digits: 6, period: 30 }, 0, Date.now());
      return { user, secret };
    },
    async login(rp, username) {
      const browser = new Browser();
      const started = rp.begin();
      const first = await browser.go(started.url);
      assert.match(first.html, /name="password"/, 'expected the password page');
      const page = await browser.submit(Browser.form(first), { username, password: PASSWORD }, toCallback);
      return { browser, page, rp, started };
    },
    async submit(login, form, values) {
      login.page = await login.browser.submit(Browser.form(login.page, form), values, toCallback);
      return login.page;
    },
    async finish(login) {
      assert.ok(
        login.page.url.startsWith(REDIRECT),
        `expected the callback, got ${login.page.status} ${login.page.url}\n${login.page.html.slice(0, 1500)}`,
      );
      const tokens = await login.rp.finish(login.page.url, login.started);
      return tokens.claims() as Record<string, unknown>;
    },
    lastSmsCode() {
      const text = f.sms.messages.filter((m) => /Verification Code: /.test(m.text)).at(-1)?.text ?? '';
      const code = /Verification Code: ([A-Z0-9]+)/.exec(text)?.[1];
      assert.ok(code, 'no SMS code was sent');
      return code;
    },
    stop: () => f.stop(),
  };
}

/** Waits until `now` is at least `margin` ms from the edges of its 30 s step, so a code's step is the one meant. */
export async function awayFromStepEdge(margin = 3000, period = 30_000): Promise<void> {
  const into = Date.now() % period;
  if (into < margin) await new Promise((r) => setTimeout(r, margin - into));
  else if (into > period - margin) await new Promise((r) => setTimeout(r, period - into + margin));
}

/** The message id of the notice or error shown on a page. */
export function messageIdOf(page: Page): string | undefined {
  return /data-message-id="([^"]+)"/.exec(page.html)?.[1];
}
