/** The relying party in tests: openid-client doing authorization code + PKCE against a running Stepgate. */
import * as oidc from 'openid-client';
import type { Browser } from './browser.js';

export interface RelyingParty {
  config: oidc.Configuration;
  redirectUri: string;
  /** Starts a login: returns the authorization URL and what the callback must check. */
  begin(extra?: Record<string, string>): { url: string; verifier: string; state: string; nonce: string };
  /** Exchanges the callback URL for tokens, checking state, nonce and PKCE. */
  finish(
    callbackUrl: string,
    started: { verifier: string; state: string; nonce: string },
  ): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers>;
}

export async function relyingParty(
  issuer: string,
  clientId: string,
  clientSecret: string | undefined,
  redirectUri: string,
): Promise<RelyingParty> {
  const config = await oidc.discovery(new URL(issuer), clientId, clientSecret, clientSecret ? undefined : oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
  return {
    config,
    redirectUri,
    begin(extra = {}) {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      // challenge is computed synchronously by hashing here so begin() stays sync for readability
      const challenge = syncChallenge(verifier);
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid profile phone email',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state,
        nonce,
        ...extra,
      });
      return { url: url.toString(), verifier, state, nonce };
    },
    async finish(callbackUrl, started) {
      return oidc.authorizationCodeGrant(config, new URL(callbackUrl), {
        pkceCodeVerifier: started.verifier,
        expectedState: started.state,
        expectedNonce: started.nonce,
      });
    },
  };
}

import { createHash } from 'node:crypto';

function syncChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** Walks a login in the browser until the redirect back to the application, which is returned unvisited. */
export async function loginUntilCallback(
  browser: Browser,
  startUrl: string,
  redirectUri: string,
  answer: (page: import('./browser.js').Page) => Promise<import('./browser.js').Page | string>,
): Promise<string> {
  let page = await browser.go(startUrl, {}, (u) => u.startsWith(redirectUri));
  for (let i = 0; i < 10; i++) {
    if (page.url.startsWith(redirectUri)) return page.url;
    const next = await answer(page);
    if (typeof next === 'string') return next;
    page = next;
  }
  throw new Error('login did not reach the callback');
}
