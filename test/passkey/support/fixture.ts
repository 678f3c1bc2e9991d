/**
 * A running Stepgate for passkey tests on http://localhost (WebAuthn refuses IP addresses), with the admin API, and
 * Chromium pages that each carry a CDP virtual authenticator (ctap2, internal, resident keys, user verification).
 * A page's passkeys can be copied into a fresh browser context, so each login starts without the previous one's cookies.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import type { StoredPasskey } from '../../../src/authenticators/passkey/credentials.js';
import type { AuthenticationStep } from '../../../src/identity/applications.js';
import { ClaimUri } from '../../../src/identity/claim-uris.js';
import { createUser, type User } from '../../../src/identity/users.js';
import { adminApiPlugin } from '../../../src/web/admin-api/plugin.js';
import { type RelyingParty, relyingParty } from '../../support/rp.js';
import { startStepgate, type TestServer } from '../../support/server.js';

export const PASSWORD = 'correct horse battery';
export const REDIRECT = 'http://127.0.0.1:1/passkey/callback';
export const PASSWORD_STEP: AuthenticationStep = { options: [{ authenticator: 'password' }] };
export const PASSKEY_STEP: AuthenticationStep = { options: [{ authenticator: 'passkey' }] };

// biome-ignore lint/suspicious/noExplicitAny: the plugin's options type is the admin API's own
type AnyPlugin = any;

export async function startPasskeyServer(): Promise<TestServer> {
  return startStepgate({
    publicHost: 'localhost',
    overrides: { argon2: { memoryKiB: 8192, iterations: 1, parallelism: 1 } },
    plugins: (services) => [
      {
        plugin: adminApiPlugin as AnyPlugin,
        options: { services, checkResponses: true, rateLimit: { max: 10_000, timeWindow: 60_000 } },
      },
    ],
  });
}

export async function appWith(server: TestServer, name: string, steps: AuthenticationStep[]): Promise<RelyingParty> {
  const created = await server.services.applications.create({
    name,
    redirectUris: [REDIRECT],
    subjectClaimUri: ClaimUri.username,
    steps,
  });
  return relyingParty(server.url, created.application.clientId, created.clientSecret, REDIRECT);
}

export function userNamed(server: TestServer, username: string): Promise<User> {
  return createUser(server.services.db, server.services.hasher, { username, password: PASSWORD, claims: {} });
}

/**
 * A passkey stored straight into the user's credentials (a random id and a key no assertion will match), for suites
 * that need a user who has one but not its WebAuthn registration (that is test/passkey/passkey.browser.test.ts and
 * test/account/account.browser.test.ts). `fields` changes what a suite looks at (label, counter, transports…).
 */
export function storePasskey(
  services: Pick<TestServer['services'], 'passkeyCredentials'>,
  userId: string,
  fields: Partial<Parameters<TestServer['services']['passkeyCredentials']['add']>[1]> = {},
): Promise<StoredPasskey> {
  return services.passkeyCredentials.add(
    userId,
    {
      id: randomBytes(16).toString('base64url'),
      publicKey: randomBytes(77),
      signCount: 0,
      transports: ['internal'],
      deviceType: 'singleDevice',
      backedUp: false,
      label: 'Passkey',
      ...fields,
    },
    Date.now(),
  );
}

export type VirtualCredential = Record<string, unknown>;

export interface AuthenticatorPage {
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
  credentials(): Promise<VirtualCredential[]>;
  close(): Promise<void>;
}

/** A fresh context and page with a virtual authenticator holding `credentials` (copied from another page). */
export async function authenticatorPage(
  browser: Browser,
  options: { credentials?: VirtualCredential[]; userVerified?: boolean } = {},
): Promise<AuthenticatorPage> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  // biome-ignore lint/suspicious/noExplicitAny: the WebAuthn domain's commands, typed loosely here
  const send = (method: string, params?: Record<string, unknown>) => (cdp.send as any)(method, params);
  await send('WebAuthn.enable');
  const { authenticatorId } = (await send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      // an authenticator that cannot verify its user (no PIN, no biometrics) still signs with UV=0
      hasUserVerification: options.userVerified ?? true,
      isUserVerified: options.userVerified ?? true,
      automaticPresenceSimulation: true,
    },
  })) as { authenticatorId: string };
  for (const credential of options.credentials ?? [])
    await send('WebAuthn.addCredential', { authenticatorId, credential });
  return {
    context,
    page,
    cdp,
    authenticatorId,
    credentials: async () =>
      ((await send('WebAuthn.getCredentials', { authenticatorId })) as { credentials: VirtualCredential[] })
        .credentials,
    close: () => context.close(),
  };
}

export interface Attempt {
  started: ReturnType<RelyingParty['begin']>;
  /** the credential JSON the page posted (for replays) */
  posted?: string;
}

/** Opens the application's login, passes the password step when a username is given, and waits for the passkey page. */
export async function toPasskeyPage(page: Page, rp: RelyingParty, username?: string): Promise<Attempt> {
  const started = rp.begin();
  await page.goto(started.url);
  if (username) {
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
  }
  await page.waitForSelector('#passkey-start:not([hidden])');
  return { started };
}

/**
 * Clicks the passkey button: the ceremony runs and the form posts. `done` is the application's callback (with the
 * posted credential), or the page shown again with its notice.
 */
export async function submitPasskey(
  page: Page,
): Promise<{ location?: string; notice?: string; error?: string; posted: string; status: number }> {
  const post = page.waitForRequest((r) => r.method() === 'POST' && r.url().includes('/interaction/'));
  const answer = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/interaction/'), {
    timeout: 15_000,
  });
  const toApp = page.waitForResponse((r) => (r.headers().location ?? '').startsWith(REDIRECT), { timeout: 15_000 });
  toApp.catch(() => undefined);
  await page.click('#passkey-start');
  const form = new URLSearchParams((await post).postData() ?? '');
  const posted = form.get('credential') ?? '';
  const error = form.get('error') || undefined;
  const response = await answer;
  const status = response.status();
  // a passed step redirects (to the next step or back to the front door, which sends the browser to the application)
  if (status >= 300 && status < 400)
    return { location: (await toApp).headers().location!, posted, status, ...(error ? { error } : {}) };
  await page.waitForLoadState('domcontentloaded');
  const notice =
    (await page
      .locator('#notice')
      .textContent({ timeout: 2_000 })
      .catch(() => null)) ?? undefined;
  return { ...(notice ? { notice } : {}), ...(error ? { error } : {}), posted, status };
}
