/**
 * A running Stepgate with the seed's setup for SMS OTP tests: the `smsOTP` identity provider pointing at a loopback
 * mock provider (Vonage preset), an application whose sequence is password then SMS OTP, and helpers to walk a login.
 */
import assert from 'node:assert/strict';
import { ClaimUri } from '../../../src/identity/claim-uris.js';
import { createUser, getUserById, type User } from '../../../src/identity/users.js';
import type { Backend } from '../../support/backends.js';
import { Browser, type Page } from '../../support/browser.js';
import { type RelyingParty, relyingParty } from '../../support/rp.js';
import { type StartOptions, startStepgate, type TestServer } from '../../support/server.js';
import { type MockSms, startMockSms } from './mock-sms.js';

export const REDIRECT = 'http://127.0.0.1:1/callback';
export const PASSWORD = 'correct horse battery';
export const MOBILE = '+94771234567';

/** Generous limits and no cooldown, so that tests which are not about limits never meet one. */
export const TEST_DEFAULTS = {
  resendCooldownSeconds: 0,
  limits: {
    perNumber: { max: 1000, windowMinutes: 60 },
    perAccount: { max: 1000, windowMinutes: 60 },
    perIp: { max: 1000, windowMinutes: 60 },
    globalPerHour: 100000,
    allowedCountries: [],
  },
};

export function gatewayFor(origin: string, timeouts = { connectTimeoutMs: 2000, responseTimeoutMs: 2000 }) {
  return {
    url: '',
    method: 'POST',
    headers: '',
    payload: '',
    expectedStatus: '',
    showDetailedErrors: false,
    maskValues: [],
    ...timeouts,
    preset: {
      provider: 'vonage',
      fields: { apiKey: 'test-key', apiSecret: 'test-secret-value', from: 'Stepgate', baseUrl: origin },
    },
  };
}

export interface Login {
  browser: Browser;
  page: Page;
  started: { url: string; verifier: string; state: string; nonce: string };
}

export interface SmsOtpFixture {
  server: TestServer;
  sms: MockSms;
  rp: RelyingParty;
  /** changes options of the sms-otp authenticator (a partial patch; nested objects merge) */
  configure(patch: Record<string, unknown>): Promise<void>;
  addUser(username: string, claims?: Record<string, string>): Promise<User>;
  user(id: string): Promise<User>;
  /** opens the application's login and passes the password step; returns the page that follows */
  startLogin(username: string): Promise<Login>;
  /** submits the code form; stops at the application's callback */
  submitCode(login: Login, code: string): Promise<Page>;
  resend(login: Login): Promise<Page>;
  /** exchanges the callback for tokens and returns the ID token claims */
  finish(login: Login, callback: Page): Promise<Record<string, unknown>>;
  audit(event: string): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

/**
 * The guide's sample application, Pickup Dispatch (password, then the smsOTP provider's code); its relying party at
 * `publicUrl` (a cluster's front; the server's own URL by default).
 */
export async function addPickupDispatch(server: TestServer, publicUrl = server.url): Promise<RelyingParty> {
  const created = await server.services.applications.create({
    name: 'Pickup Dispatch',
    redirectUris: [REDIRECT],
    postLogoutRedirectUris: ['http://127.0.0.1:1/'],
    subjectClaimUri: ClaimUri.username,
    requestedClaims: [ClaimUri.mobile],
    steps: [{ options: [{ authenticator: 'password' }] }, { options: [{ authenticator: 'sms-otp', idp: 'smsOTP' }] }],
  });
  return relyingParty(publicUrl, created.application.clientId, created.clientSecret, REDIRECT);
}

export async function startSmsOtp(
  options: {
    backend?: Backend;
    redis?: boolean;
    config?: Record<string, unknown>;
    /** surfaces to mount besides the login pages (the admin API and SCIM for the two-factor guard) */
    plugins?: StartOptions['plugins'];
    /** receives the server's log lines at warn level and above (failed sends) */
    logDestination?: StartOptions['logDestination'];
    /** server configuration on top of the suite's (e.g. mode: 'production') */
    overrides?: Record<string, unknown>;
  } = {},
): Promise<SmsOtpFixture> {
  const sms = await startMockSms();
  const server = await startStepgate({
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.redis ? { redis: true } : {}),
    ...(options.plugins ? { plugins: options.plugins } : {}),
    ...(options.logDestination ? { logDestination: options.logDestination } : {}),
    // the cheapest argon2 the schema allows: these suites are about the second step, not password hashing
    overrides: {
      argon2: { memoryKiB: 8192, iterations: 1, parallelism: 1 },
      ...(options.logDestination ? { logLevel: 'warn' } : {}),
      ...options.overrides,
    },
  });
  const s = server.services;
  const idp = await s.identityProviders.create({
    name: 'smsOTP',
    authenticators: [
      {
        type: 'sms-otp',
        enabled: true,
        config: { ...TEST_DEFAULTS, gateway: gatewayFor(sms.origin), ...(options.config ?? {}) },
      },
    ],
  });
  const rp = await addPickupDispatch(server);
  const toCallback = (u: string) => u.startsWith(REDIRECT);

  const fixture: SmsOtpFixture = {
    server,
    sms,
    rp,
    async configure(patch) {
      await s.identityProviders.update(idp.id, { authenticators: [{ type: 'sms-otp', enabled: true, config: patch }] });
    },
    addUser: (username, claims = { [ClaimUri.mobile]: MOBILE }) =>
      createUser(s.db, s.hasher, { username, password: PASSWORD, claims }),
    user: async (id) => (await getUserById(s.db, id))!,
    async startLogin(username) {
      const browser = new Browser();
      const started = rp.begin();
      const first = await browser.go(started.url);
      assert.match(first.html, /name="password"/, 'expected the password page');
      const page = await browser.submit(Browser.form(first), { username, password: PASSWORD }, toCallback);
      return { browser, page, started };
    },
    async submitCode(login, code) {
      login.page = await login.browser.submit(Browser.form(login.page, 'sms-otp-verify'), { code }, toCallback);
      return login.page;
    },
    async resend(login) {
      login.page = await login.browser.submit(Browser.form(login.page, 'sms-otp-resend'), {}, toCallback);
      return login.page;
    },
    async finish(login, callback) {
      assert.ok(
        callback.url.startsWith(REDIRECT),
        `expected the callback, got ${callback.status} ${callback.url}\n${callback.html.slice(0, 800)}`,
      );
      const tokens = await rp.finish(callback.url, login.started);
      return tokens.claims() as Record<string, unknown>;
    },
    async audit(event) {
      const { events } = await s.audit.query({ event, limit: 500 });
      return events.map((e) => ({ ...e.data, username: e.username }));
    },
    async stop() {
      await server.stop();
      await sms.close();
    },
  };
  return fixture;
}

/** The message id of the notice or error shown on a page. */
export function messageIdOf(page: Page): string | undefined {
  return /data-message-id="([^"]+)"/.exec(page.html)?.[1];
}
