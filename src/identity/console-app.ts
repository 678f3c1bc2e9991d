/**
 * The console's own OIDC client: a public PKCE client named "Stepgate Console", so that an administrator's login
 * to the console runs through Stepgate's own authentication sequence (admins may add smsOTP to it later).
 */
import type { Application, ApplicationStore } from './applications.js';
import { ClaimUri } from './claim-uris.js';

export const CONSOLE_CLIENT_ID = 'stepgate-console';
export const CONSOLE_APPLICATION_NAME = 'Stepgate Console';
export const CONSOLE_ADMIN_SCOPE = 'stepgate:admin';

/** Where the console lives and where the OP sends the browser back, for a given public base URL. */
export function consoleUrls(publicUrl: string): { home: string; redirectUri: string } {
  const base = publicUrl.replace(/\/+$/, '');
  return { home: `${base}/console/`, redirectUri: `${base}/console/callback` };
}

/**
 * Creates the console application when it is missing. When it exists, only makes sure that this server's redirect
 * and post-logout URIs and the admin scope are there; steps and everything else the admin changed stay as they are.
 */
export async function ensureConsoleApplication(
  applications: ApplicationStore,
  publicUrl: string,
): Promise<Application> {
  const { home, redirectUri } = consoleUrls(publicUrl);
  const existing = await applications.getByClientId(CONSOLE_CLIENT_ID);
  if (!existing) {
    const { application } = await applications.create({
      name: CONSOLE_APPLICATION_NAME,
      description: 'The management console. Its login runs through Stepgate; only users with the admin role get in.',
      clientId: CONSOLE_CLIENT_ID,
      clientType: 'public',
      redirectUris: [redirectUri],
      postLogoutRedirectUris: [home],
      grantTypes: ['authorization_code'],
      extraScopes: [CONSOLE_ADMIN_SCOPE],
      subjectClaimUri: ClaimUri.username,
      requestedClaims: [],
      steps: [{ options: [{ authenticator: 'password' }] }],
    });
    return application;
  }
  const missing = {
    redirectUris: !existing.redirectUris.includes(redirectUri),
    postLogoutRedirectUris: !existing.postLogoutRedirectUris.includes(home),
    extraScopes: !existing.extraScopes.includes(CONSOLE_ADMIN_SCOPE),
  };
  if (!missing.redirectUris && !missing.postLogoutRedirectUris && !missing.extraScopes) return existing;
  return applications.update(existing.id, {
    redirectUris: missing.redirectUris ? [...existing.redirectUris, redirectUri] : existing.redirectUris,
    postLogoutRedirectUris: missing.postLogoutRedirectUris
      ? [...existing.postLogoutRedirectUris, home]
      : existing.postLogoutRedirectUris,
    extraScopes: missing.extraScopes ? [...existing.extraScopes, CONSOLE_ADMIN_SCOPE] : existing.extraScopes,
  });
}
