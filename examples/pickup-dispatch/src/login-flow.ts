// The two halves of an authorization code + PKCE login, and RP-initiated logout, as functions returning values.
import type { FastifyBaseLogger } from 'fastify';
import * as client from 'openid-client';
import { discoveryProblem, type LoginProblem, tokenProblem } from './problems.js';
import type { RelyingParty } from './relying-party.js';
import type { LoggedInUser, PendingLogin } from './sessions.js';

export type StartOutcome =
  | { kind: 'redirect'; url: URL; pending: PendingLogin }
  | { kind: 'problem'; problem: LoginProblem };

export type FinishOutcome = { kind: 'logged-in'; user: LoggedInUser } | { kind: 'problem'; problem: LoginProblem };

/** Discovers the identity server if needed and builds the authorization request with fresh state, nonce and PKCE. */
export async function startLogin(rp: RelyingParty, log: FastifyBaseLogger): Promise<StartOutcome> {
  let config: client.Configuration;
  try {
    config = await rp.configuration();
  } catch (error) {
    log.warn({ err: error, issuer: rp.settings.issuer.href }, 'pickup-dispatch: discovery failed');
    return { kind: 'problem', problem: discoveryProblem(error, issuerLabel(rp)) };
  }
  const pending: PendingLogin = {
    state: client.randomState(),
    nonce: client.randomNonce(),
    codeVerifier: client.randomPKCECodeVerifier(),
    startedAt: Date.now(),
  };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: rp.settings.redirectUri,
    scope: rp.settings.scopes,
    response_type: 'code',
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
    code_challenge_method: 'S256',
  });
  return { kind: 'redirect', url, pending };
}

/**
 * Handles the callback: checks that it answers the login this browser started (state), surfaces a provider
 * error, exchanges the code (PKCE, nonce and ID token checked by openid-client) and fetches userinfo.
 */
export async function finishLogin(
  rp: RelyingParty,
  pending: PendingLogin | undefined,
  callbackUrl: URL,
  log: FastifyBaseLogger,
): Promise<FinishOutcome> {
  if (pending === undefined) return { kind: 'problem', problem: { kind: 'no-login-in-progress' } };
  // The state is checked before anything else, error responses included: an unsolicited response is not shown.
  if (callbackUrl.searchParams.get('state') !== pending.state) {
    return { kind: 'problem', problem: { kind: 'state-mismatch' } };
  }
  const error = callbackUrl.searchParams.get('error');
  if (error !== null) {
    const description = callbackUrl.searchParams.get('error_description') ?? undefined;
    return { kind: 'problem', problem: { kind: 'provider-error', error, description } };
  }

  let config: client.Configuration;
  try {
    config = await rp.configuration();
  } catch (err) {
    log.warn({ err, issuer: rp.settings.issuer.href }, 'pickup-dispatch: discovery failed');
    return { kind: 'problem', problem: discoveryProblem(err, issuerLabel(rp)) };
  }

  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
  } catch (err) {
    log.warn({ err }, 'pickup-dispatch: authorization code grant failed');
    return { kind: 'problem', problem: tokenProblem(err, issuerLabel(rp)) };
  }

  const claims = tokens.claims();
  if (claims === undefined || tokens.id_token === undefined) {
    return { kind: 'problem', problem: { kind: 'token-rejected' } };
  }
  let userinfo: Record<string, unknown> | undefined;
  try {
    userinfo = { ...(await client.fetchUserInfo(config, tokens.access_token, claims.sub)) };
  } catch (err) {
    // The ID token alone is enough to log in; the profile then shows fewer details.
    log.warn({ err }, 'pickup-dispatch: userinfo request failed; showing ID token claims only');
  }
  return {
    kind: 'logged-in',
    user: {
      sub: claims.sub,
      idToken: tokens.id_token,
      idTokenHeader: decodeJwtPart(tokens.id_token, 0),
      idTokenClaims: { ...claims },
      userinfo,
    },
  };
}

/**
 * Where to send the browser to log out: the identity server's end_session_endpoint with the ID token as hint,
 * or the start page when the identity server offers no RP-initiated logout or cannot be discovered.
 */
export async function logoutUrl(rp: RelyingParty, user: LoggedInUser, log: FastifyBaseLogger): Promise<string> {
  try {
    const config = await rp.configuration();
    if (config.serverMetadata().end_session_endpoint === undefined) return rp.settings.postLogoutRedirectUri;
    return client.buildEndSessionUrl(config, {
      id_token_hint: user.idToken,
      post_logout_redirect_uri: rp.settings.postLogoutRedirectUri,
    }).href;
  } catch (err) {
    log.warn({ err }, 'pickup-dispatch: cannot build the end-session URL; logging out locally only');
    return rp.settings.postLogoutRedirectUri;
  }
}

/** The issuer as the user configured it, without the trailing slash URL parsing adds. */
function issuerLabel(rp: RelyingParty): string {
  return rp.settings.issuer.href.replace(/\/$/, '');
}

function decodeJwtPart(jwt: string, index: 0 | 1): Record<string, unknown> {
  const part = jwt.split('.')[index];
  if (part === undefined) return {};
  const decoded: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  return decoded !== null && typeof decoded === 'object' ? (decoded as Record<string, unknown>) : {};
}
