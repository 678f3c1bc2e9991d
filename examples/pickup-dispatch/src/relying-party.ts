// The sample's view of the identity server: its settings, and the discovered openid-client Configuration,
// fetched on first use and fetched again after a failure, so the sample can start before the identity server.
import * as client from 'openid-client';

export interface RelyingPartySettings {
  issuer: URL;
  clientId: string;
  /** Absent for a public client, which authenticates with PKCE alone. */
  clientSecret: string | undefined;
  redirectUri: string;
  postLogoutRedirectUri: string;
  scopes: string;
}

export interface RelyingParty {
  readonly settings: RelyingPartySettings;
  /** Discovers the identity server once; a failed discovery is retried on the next call. */
  configuration(): Promise<client.Configuration>;
}

/** Seconds to wait for the identity server before calling it unreachable. */
const REQUEST_TIMEOUT_SECONDS = 10;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Plain http is only acceptable for an identity server on this machine (development); openid-client refuses it otherwise. */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

export function createRelyingParty(settings: RelyingPartySettings): RelyingParty {
  let discovered: Promise<client.Configuration> | undefined;
  const discover = async (): Promise<client.Configuration> => {
    const metadata: Partial<client.ClientMetadata> = {
      redirect_uris: [settings.redirectUri],
      post_logout_redirect_uris: [settings.postLogoutRedirectUri],
      response_types: ['code'],
    };
    const authentication =
      settings.clientSecret === undefined ? client.None() : client.ClientSecretBasic(settings.clientSecret);
    return client.discovery(settings.issuer, settings.clientId, metadata, authentication, {
      timeout: REQUEST_TIMEOUT_SECONDS,
      ...(isLoopbackHttp(settings.issuer) ? { execute: [client.allowInsecureRequests] } : {}),
    });
  };
  return {
    settings,
    configuration() {
      if (discovered === undefined) {
        discovered = discover();
        discovered.catch(() => {
          discovered = undefined;
        });
      }
      return discovered;
    },
  };
}
