/**
 * A running Stepgate for the sequence suites: the `smsOTP` identity provider on a loopback mock provider, a second
 * local factor registered by the test (a fixed word), the admin API, and one application per sequence shape.
 */
import assert from 'node:assert/strict';
import type { FastifyPluginAsync } from 'fastify';
import type { Authenticator } from '../../src/authn/authenticator.js';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import type { AuthenticationStep } from '../../src/identity/types.js';
import { createUser, type User } from '../../src/identity/users.js';
import { adminApiPlugin } from '../../src/web/admin-api/index.js';
import { client, clientToken } from '../admin-api/support.js';
import { gatewayFor } from '../sms-otp/support/fixture.js';
import { type MockSms, startMockSms } from '../sms-otp/support/mock-sms.js';
import type { Backend } from '../support/backends.js';
import { Browser, type Page } from '../support/browser.js';
import { type RelyingParty, relyingParty } from '../support/rp.js';
import { startStepgate, type TestServer } from '../support/server.js';

export const REDIRECT = 'http://127.0.0.1:1/callback';
export const PASSWORD = 'correct horse battery';
export const WORD = 'open sesame';

/** A second local factor: asks for a fixed word on the password template, as a stand-in for any other method. */
export const wordStep: Authenticator = {
  descriptor: {
    id: 'test-word',
    displayName: 'Test word',
    kind: 'local',
    amr: ['otp'],
    requiresUser: true,
    messages: {},
  },
  readConfig: () => ({}),
  async begin() {
    return { kind: 'prompt', page: 'password', data: { username: 'test-word-step' } };
  },
  async continue(ctx, input) {
    if (input.password === WORD && ctx.user) return { kind: 'success', user: ctx.user };
    return { kind: 'reprompt', reason: 'invalid-code', message: 'password.invalid' };
  },
};

const SMS = { authenticator: 'sms-otp', idp: 'smsOTP' };
const PASSWORD_STEP: AuthenticationStep = { options: [{ authenticator: 'password' }] };

/** The sequences the suites log in to, by application name. */
export const SEQUENCES = {
  'Password only': [PASSWORD_STEP],
  'Two steps': [PASSWORD_STEP, { options: [SMS] }],
  Choice: [PASSWORD_STEP, { options: [SMS, { authenticator: 'test-word' }] }],
  'Password twice': [PASSWORD_STEP, PASSWORD_STEP],
} satisfies Record<string, AuthenticationStep[]>;
export type AppName = keyof typeof SEQUENCES;

export interface SequenceFixture {
  server: TestServer;
  sms: MockSms;
  idpId: string;
  /** the admin API with an admin token */
  api: ReturnType<typeof client>;
  rp(app: AppName): Promise<RelyingParty>;
  addUser(username: string, mobile?: string): Promise<User>;
  /** turns the smsOTP identity provider, or only its sms-otp entry, on or off */
  setSmsOtp(state: { idp?: boolean; entry?: boolean }): Promise<void>;
  audit(event: string): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

export async function startSequences(backend: Backend): Promise<SequenceFixture> {
  const sms = await startMockSms();
  const server = await startStepgate({
    backend,
    extraAuthenticators: () => [wordStep],
    overrides: { argon2: { memoryKiB: 8192, iterations: 1, parallelism: 1 } },
    plugins: (services) => [
      {
        plugin: adminApiPlugin as unknown as FastifyPluginAsync<Record<string, unknown>>,
        options: { services, checkResponses: true, rateLimit: { max: 10_000, timeWindow: 60_000 } },
      },
    ],
  });
  const s = server.services;
  const config = {
    resendCooldownSeconds: 0,
    gateway: gatewayFor(sms.origin),
    limits: {
      perNumber: { max: 1000, windowMinutes: 60 },
      perAccount: { max: 1000, windowMinutes: 60 },
      perIp: { max: 1000, windowMinutes: 60 },
      globalPerHour: 100000,
      allowedCountries: [],
    },
  };
  const idp = await s.identityProviders.create({
    name: 'smsOTP',
    authenticators: [{ type: 'sms-otp', enabled: true, config }],
  });
  const clients = new Map<AppName, { clientId: string; secret: string }>();
  for (const [name, steps] of Object.entries(SEQUENCES) as [AppName, AuthenticationStep[]][]) {
    const created = await s.applications.create({
      name,
      redirectUris: [REDIRECT],
      subjectClaimUri: ClaimUri.username,
      steps,
    });
    clients.set(name, { clientId: created.application.clientId, secret: created.clientSecret! });
  }
  const api = client(server, await clientToken(server));
  return {
    server,
    sms,
    idpId: idp.id,
    api,
    async rp(app) {
      const c = clients.get(app)!;
      return relyingParty(server.url, c.clientId, c.secret, REDIRECT);
    },
    addUser: (username, mobile = '+94771234567') =>
      createUser(s.db, s.hasher, { username, password: PASSWORD, claims: { [ClaimUri.mobile]: mobile } }),
    async setSmsOtp(state) {
      const current = (await s.identityProviders.getByName('smsOTP'))!;
      await s.identityProviders.update(idp.id, {
        enabled: state.idp ?? current.enabled,
        authenticators: [{ type: 'sms-otp', enabled: state.entry ?? true, config: {} }],
      });
    },
    async audit(event) {
      const { events } = await s.audit.query({ event, limit: 500 });
      // a step before the user is known records the typed username in its data
      return events.map((e) => ({ ...e.data, username: e.username ?? e.data.username }));
    },
    async stop() {
      await server.stop();
      await sms.close();
    },
  };
}

export const toCallback = (u: string) => u.startsWith(REDIRECT);

/** Opens the application's login page in `browser` and submits the password form. */
export async function passwordStep(
  rp: RelyingParty,
  browser: Browser,
  username: string,
  password = PASSWORD,
): Promise<{ page: Page; started: ReturnType<RelyingParty['begin']> }> {
  const started = rp.begin();
  const first = await browser.go(started.url, {}, toCallback);
  assert.match(first.html, /name="password"/, `expected the password page, got ${first.status} ${first.url}`);
  const page = await browser.submit(Browser.form(first), { username, password }, toCallback);
  return { page, started };
}

/** The message id of the notice or error shown on a page. */
export function messageIdOf(page: Page): string | undefined {
  return /data-message-id="([^"]+)"/.exec(page.html)?.[1];
}
