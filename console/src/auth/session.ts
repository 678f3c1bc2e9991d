/**
 * The console's login through Stepgate: authorization code + PKCE as the public client from /console/config.json.
 * Tokens live in sessionStorage (this tab only; gone when it closes). Nothing here renders.
 */
import { codeChallenge, randomToken } from './pkce.ts';

export interface ConsoleConfig {
  issuer: string;
  clientId: string;
  redirectUri: string;
  scope: string;
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
}

interface Tokens {
  accessToken: string;
  idToken?: string;
  expiresAt: number;
}

interface PendingLogin {
  state: string;
  verifier: string;
  nonce: string;
  returnTo: string;
  startedAt: number;
}

const KEYS = {
  tokens: 'stepgate.console.tokens',
  pending: 'stepgate.console.pending',
  signedOut: 'stepgate.console.signedOut',
  lastLogin: 'stepgate.console.lastLogin',
} as const;

let config: ConsoleConfig | undefined;
let discovery: Discovery | undefined;

function read<T>(key: string): T | undefined {
  const raw = sessionStorage.getItem(key);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}

export async function loadConfig(): Promise<ConsoleConfig> {
  if (config) return config;
  const res = await fetch('/console/config.json', { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`could not load /console/config.json (HTTP ${res.status})`);
  config = (await res.json()) as ConsoleConfig;
  return config;
}

async function loadDiscovery(): Promise<Discovery> {
  if (discovery) return discovery;
  const c = await loadConfig();
  const res = await fetch(`${c.issuer}/.well-known/openid-configuration`, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`could not load the OpenID configuration (HTTP ${res.status})`);
  discovery = (await res.json()) as Discovery;
  return discovery;
}

export function accessToken(): string | undefined {
  const t = read<Tokens>(KEYS.tokens);
  if (!t || t.expiresAt <= Date.now() + 5000) return undefined;
  return t.accessToken;
}

/** The path under /console/ the app is on, so that the login returns the admin to it. */
export function currentRoute(): string {
  return location.pathname.replace(/^\/console/, '') + location.search;
}

/** True when a login finished moments ago: a 401 right after it means something is wrong, not an old token. */
export function justLoggedIn(): boolean {
  const at = Number(sessionStorage.getItem(KEYS.lastLogin) ?? 0);
  return Date.now() - at < 15_000;
}

/** Sends the browser to Stepgate's authorization endpoint. */
export async function startLogin(returnTo = currentRoute()): Promise<never> {
  const c = await loadConfig();
  const d = await loadDiscovery();
  const pending: PendingLogin = {
    state: randomToken(),
    verifier: randomToken(),
    nonce: randomToken(),
    returnTo,
    startedAt: Date.now(),
  };
  sessionStorage.setItem(KEYS.pending, JSON.stringify(pending));
  sessionStorage.removeItem(KEYS.signedOut);
  const url = new URL(d.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: c.clientId,
    redirect_uri: c.redirectUri,
    scope: c.scope,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await codeChallenge(pending.verifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
  return new Promise<never>(() => {});
}

export class LoginError extends Error {
  constructor(
    message: string,
    readonly description?: string,
  ) {
    super(message);
    this.name = 'LoginError';
  }
}

/** Handles /console/callback: checks state, redeems the code with the verifier, keeps the tokens; returns where to go. */
export async function finishLogin(): Promise<string> {
  const params = new URLSearchParams(location.search);
  const pending = read<PendingLogin>(KEYS.pending);
  sessionStorage.removeItem(KEYS.pending);
  if (params.get('error')) throw new LoginError(params.get('error')!, params.get('error_description') ?? undefined);
  const code = params.get('code');
  if (!code) throw new LoginError('The sign-in answer has no authorization code.');
  if (!pending || params.get('state') !== pending.state)
    throw new LoginError(
      'This sign-in answer does not belong to a sign-in started in this tab.',
      'Start again from the console.',
    );
  const c = await loadConfig();
  const d = await loadDiscovery();
  const res = await fetch(d.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: c.redirectUri,
      client_id: c.clientId,
      code_verifier: pending.verifier,
    }),
  });
  const body = (await res.json().catch(() => ({}))) as {
    access_token?: string;
    id_token?: string;
    expires_in?: number;
    error?: string;
    error_description?: string;
  };
  if (!res.ok || !body.access_token)
    throw new LoginError(body.error ?? `The token endpoint answered HTTP ${res.status}.`, body.error_description);
  const tokens: Tokens = {
    accessToken: body.access_token,
    idToken: body.id_token,
    expiresAt: Date.now() + (body.expires_in ?? 300) * 1000,
  };
  sessionStorage.setItem(KEYS.tokens, JSON.stringify(tokens));
  sessionStorage.setItem(KEYS.lastLogin, String(Date.now()));
  return pending.returnTo.startsWith('/') ? pending.returnTo : '/';
}

/** Forgets the tokens in this tab (a 401 or a sign-out). */
export function forgetTokens(): void {
  sessionStorage.removeItem(KEYS.tokens);
}

/** Who the ID token says signed in (its sub: the console application's subject claim, the username by default). */
export function signedInAs(): string | undefined {
  const idToken = read<Tokens>(KEYS.tokens)?.idToken;
  const payload = idToken?.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: string };
    return json.sub;
  } catch {
    return undefined;
  }
}

export function wasSignedOut(): boolean {
  return sessionStorage.getItem(KEYS.signedOut) === '1';
}

/** RP-initiated logout at Stepgate's end-session endpoint; Stepgate sends the browser back to /console/. */
export async function logout(): Promise<never> {
  const c = await loadConfig();
  const d = await loadDiscovery();
  const idToken = read<Tokens>(KEYS.tokens)?.idToken;
  forgetTokens();
  sessionStorage.setItem(KEYS.signedOut, '1');
  if (!d.end_session_endpoint) {
    location.assign('/console/');
    return new Promise<never>(() => {});
  }
  const url = new URL(d.end_session_endpoint);
  url.search = new URLSearchParams({
    client_id: c.clientId,
    post_logout_redirect_uri: c.redirectUri.replace(/callback$/, ''),
    ...(idToken ? { id_token_hint: idToken } : {}),
  }).toString();
  location.assign(url.toString());
  return new Promise<never>(() => {});
}
