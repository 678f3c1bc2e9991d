/** The relying party in tests: openid-client doing authorization code + PKCE against a running Stepgate. */
import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';

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
  // confidential applications are registered for client_secret_basic (openid-client would default to post)
  const auth = clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None();
  const config = await oidc.discovery(new URL(issuer), clientId, clientSecret, auth, {
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

function syncChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
