/**
 * Fixtures for the protocol suites: a Stepgate with a user and three applications (two confidential, one public),
 * openid-client relying parties for them, a login through the real password page, and raw HTTP with any Host header
 * (fetch cannot set Host).
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import * as oidc from 'openid-client';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { createUser } from '../../src/identity/users.js';
import type { Backend } from '../support/backends.js';
import { Browser, type Page } from '../support/browser.js';
import { startStepgate, type TestServer } from '../support/server.js';

export const REDIRECT = 'http://127.0.0.1:1/callback';
export const OTHER_REDIRECT = 'http://127.0.0.1:1/other';
export const PASSWORD = 'correct horse battery';

export const ALICE = {
  username: 'alice',
  mobile: '+94771234567',
  email: 'alice@example.com',
  givenName: 'Alice',
  lastName: 'Perera',
};

export interface Client {
  clientId: string;
  clientSecret?: string;
}

export interface OidcFixture {
  server: TestServer;
  /** confidential, password only, authorization code and refresh tokens */
  a: Client;
  /** a second confidential application: must not see or touch A's tokens */
  b: Client;
  /** a public client (PKCE only) */
  pub: Client;
  /** confidential, registered for client_secret_post */
  post: Client;
  stop(): Promise<void>;
}

export async function startOidcFixture(backend?: Backend, overrides: Record<string, unknown> = {}) {
  const server = await startStepgate({ ...(backend ? { backend } : {}), overrides });
  const s = server.services;
  await createUser(s.db, s.hasher, {
    username: ALICE.username,
    password: PASSWORD,
    claims: {
      [ClaimUri.mobile]: ALICE.mobile,
      [ClaimUri.email]: ALICE.email,
      [ClaimUri.givenName]: ALICE.givenName,
      [ClaimUri.lastName]: ALICE.lastName,
    },
  });
  const app = async (
    name: string,
    clientType: 'confidential' | 'public' = 'confidential',
    tokenEndpointAuthMethod?: 'client_secret_post',
  ): Promise<Client> => {
    const created = await s.applications.create({
      name,
      clientType,
      ...(tokenEndpointAuthMethod ? { tokenEndpointAuthMethod } : {}),
      redirectUris: [REDIRECT, OTHER_REDIRECT],
      postLogoutRedirectUris: ['http://127.0.0.1:1/'],
      grantTypes: ['authorization_code', 'refresh_token'],
      subjectClaimUri: ClaimUri.mobile,
      requestedClaims: [ClaimUri.username, ClaimUri.mobile, ClaimUri.email, ClaimUri.givenName, ClaimUri.lastName],
      steps: [{ options: [{ authenticator: 'password' }] }],
    });
    return {
      clientId: created.application.clientId,
      ...(created.clientSecret ? { clientSecret: created.clientSecret } : {}),
    };
  };
  const fixture: OidcFixture = {
    server,
    a: await app('Application A'),
    b: await app('Application B'),
    pub: await app('Public app', 'public'),
    post: await app('Posting app', 'confidential', 'client_secret_post'),
    stop: () => server.stop(),
  };
  return fixture;
}

/** openid-client configured for one application, authenticating as it is registered (client_secret_basic or none). */
export async function configFor(server: TestServer, client: Client): Promise<oidc.Configuration> {
  const auth = client.clientSecret ? oidc.ClientSecretBasic(client.clientSecret) : oidc.None();
  return oidc.discovery(new URL(server.url), client.clientId, client.clientSecret, auth, {
    execute: [oidc.allowInsecureRequests],
  });
}

export interface Started {
  url: string;
  verifier: string;
  state: string;
  nonce?: string;
}

/** An authorization request (code + PKCE S256, state and nonce unless `nonce: null`) with extra parameters. */
export async function authorizationUrl(
  config: oidc.Configuration,
  extra: Record<string, string> = {},
  options: { nonce?: null } = {},
): Promise<Started> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = options.nonce === null ? undefined : oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...(nonce ? { nonce } : {}),
    ...extra,
  });
  return { url: url.toString(), verifier, state, ...(nonce ? { nonce } : {}) };
}

const atRedirect = (u: string) => u.startsWith(REDIRECT) || u.startsWith(OTHER_REDIRECT);

/**
 * Follows an authorization request; when the password page comes, logs in as alice (or `username`).
 * Returns the callback URL and whether a login page was shown.
 */
export async function authorize(
  browser: Browser,
  url: string,
  options: { username?: string; password?: string; init?: Parameters<Browser['go']>[1] } = {},
): Promise<{ callback: string; loginShown: boolean; page?: Page }> {
  const first = await browser.go(url, options.init ?? {}, atRedirect);
  if (first.status === 0) return { callback: first.url, loginShown: false };
  if (!/name="username"/.test(first.html)) return { callback: '', loginShown: false, page: first };
  const done = await browser.submit(
    Browser.form(first),
    { username: options.username ?? ALICE.username, password: options.password ?? PASSWORD },
    atRedirect,
  );
  if (done.status !== 0) return { callback: '', loginShown: true, page: done };
  return { callback: done.url, loginShown: true };
}

/** Redeems a callback URL with openid-client (state, nonce when one was sent, PKCE). */
export function redeem(config: oidc.Configuration, callback: string, started: Started) {
  return oidc.authorizationCodeGrant(config, new URL(callback), {
    pkceCodeVerifier: started.verifier,
    expectedState: started.state,
    ...(started.nonce ? { expectedNonce: started.nonce } : {}),
    idTokenExpected: true,
  });
}

/** A full login: authorization request, password page, code redemption. */
export async function loginTokens(
  config: oidc.Configuration,
  browser = new Browser(),
  extra: Record<string, string> = {},
) {
  const started = await authorizationUrl(config, extra);
  const { callback } = await authorize(browser, started.url);
  if (!callback) throw new Error('no callback after the login');
  return { tokens: await redeem(config, callback, started), browser, started };
}

/** The parameters of a callback URL (query), e.g. error and state. */
export function callbackParams(callback: string): URLSearchParams {
  return new URL(callback).searchParams;
}

/** HTTP through node:http so the Host header (and any other) can be chosen. */
export function rawRequest(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method ?? 'GET', headers: init.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    if (init.body) req.write(init.body);
    req.end();
  });
}

/** Verifies a JWS (RS256) against a JWKS the way a relying party that checks signatures does. */
export function verifiesWith(jwt: string, keys: { kid?: string; kty: string }[]): boolean {
  const [header, payload, signature] = jwt.split('.');
  const { kid, alg } = JSON.parse(Buffer.from(header!, 'base64url').toString()) as { kid?: string; alg: string };
  if (alg !== 'RS256') return false;
  const jwk = keys.find((k) => k.kid === kid);
  if (!jwk) return false;
  const key = createPublicKey({ key: jwk as never, format: 'jwk' });
  return verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature!, 'base64url'));
}

export function jwtParts(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>,
  };
}

/** An unsigned request object (alg none), as the conformance suite sends it. */
export function unsignedRequestObject(claims: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'none' })}.${enc(claims)}.`;
}

/** Basic authorization header value for a client. */
export function basic(client: Client): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret ?? '')}`).toString('base64')}`;
}

/** A form POST to one of the OP's endpoints, with the client authenticating in the header (default) or the body. */
export async function postForm(
  url: string,
  fields: Record<string, string>,
  auth?: { client: Client; method: 'basic' | 'post' },
): Promise<{ status: number; json: Record<string, unknown> }> {
  const body = new URLSearchParams(fields);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth?.method === 'basic') headers.authorization = basic(auth.client);
  if (auth?.method === 'post') {
    body.set('client_id', auth.client.clientId);
    if (auth.client.clientSecret) body.set('client_secret', auth.client.clientSecret);
  }
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');
