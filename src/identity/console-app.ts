/**
 * The console's own OIDC client: a public PKCE client named "Stepgate Console", so that an administrator's login
 * to the console runs through Stepgate's own authentication sequence: the password, then SMS OTP as soon as an SMS
 * OTP identity provider exists, so that the console asks every administrator for the strongest factor Stepgate has.
 */
import type { Db } from '../store/db.js';
import type { Application, ApplicationStore, AuthenticationStep } from './applications.js';
import { ClaimUri } from './claim-uris.js';
import type { IdentityProvider } from './identity-providers.js';

export const CONSOLE_CLIENT_ID = 'stepgate-console';
export const CONSOLE_APPLICATION_NAME = 'Stepgate Console';
export const CONSOLE_ADMIN_SCOPE = 'stepgate:admin';

/** Where the console lives and where the OP sends the browser back, for a given public base URL. */
export function consoleUrls(publicUrl: string): { home: string; redirectUri: string } {
  const base = publicUrl.replace(/\/+$/, '');
  return { home: `${base}/console/`, redirectUri: `${base}/console/callback` };
}

const PASSWORD_STEP: AuthenticationStep = { options: [{ authenticator: 'password' }] };

/** The SMS OTP step of the console: through `smsOTP` when it is enabled, else the first enabled SMS OTP provider. */
export function consoleSmsStep(idps: IdentityProvider[]): AuthenticationStep | undefined {
  const usable = idps.filter((i) => i.enabled && i.authenticators.some((a) => a.type === 'sms-otp' && a.enabled));
  const idp = usable.find((i) => i.name === 'smsOTP') ?? usable[0];
  return idp ? { options: [{ authenticator: 'sms-otp', idp: idp.name }] } : undefined;
}

/** The sequence the console shipped with before it could have a second step: one step, the password alone. */
function isShippedSequence(steps: AuthenticationStep[]): boolean {
  return steps.length === 1 && steps[0]!.options.length === 1 && steps[0]!.options[0]!.authenticator === 'password';
}

/**
 * Creates the console application when it is missing: password, then SMS OTP when an SMS OTP identity provider
 * exists. When it exists, makes sure that this server's redirect and post-logout URIs and the admin scope are there,
 * and that a console still on the shipped password-only sequence gets the SMS OTP step once a provider exists (an
 * administrator's password alone must not stay a way into the console); any other sequence an admin chose stays.
 */
export async function ensureConsoleApplication(
  applications: ApplicationStore,
  publicUrl: string,
  identityProviders?: { list(): Promise<IdentityProvider[]> },
): Promise<Application> {
  const { home, redirectUri } = consoleUrls(publicUrl);
  const smsStep = identityProviders ? consoleSmsStep(await identityProviders.list()) : undefined;
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
      steps: smsStep ? [PASSWORD_STEP, smsStep] : [PASSWORD_STEP],
    });
    return application;
  }
  const missing = {
    redirectUris: !existing.redirectUris.includes(redirectUri),
    postLogoutRedirectUris: !existing.postLogoutRedirectUris.includes(home),
    extraScopes: !existing.extraScopes.includes(CONSOLE_ADMIN_SCOPE),
    smsStep: smsStep !== undefined && isShippedSequence(existing.steps),
  };
  if (!missing.redirectUris && !missing.postLogoutRedirectUris && !missing.extraScopes && !missing.smsStep)
    return existing;
  return applications.update(existing.id, {
    ...(missing.smsStep && smsStep ? { steps: [...existing.steps, smsStep] } : {}),
    redirectUris: missing.redirectUris ? [...existing.redirectUris, redirectUri] : existing.redirectUris,
    postLogoutRedirectUris: missing.postLogoutRedirectUris
      ? [...existing.postLogoutRedirectUris, home]
      : existing.postLogoutRedirectUris,
    extraScopes: missing.extraScopes ? [...existing.extraScopes, CONSOLE_ADMIN_SCOPE] : existing.extraScopes,
  });
}

/**
 * Adds the SMS OTP step to a console that is still on the shipped password-only sequence, once an SMS OTP provider
 * exists; for the writes that may make one (an identity provider saved). Returns the identity provider's name when
 * it added the step. Creates nothing: a server without the console has no console application.
 */
export async function holdConsoleToSmsOtp(
  applications: ApplicationStore,
  identityProviders: { list(): Promise<IdentityProvider[]> },
  /** the audit event of the added step, committed with it */
  alongside?: (trx: Db, identityProvider: string) => Promise<void>,
): Promise<string | undefined> {
  const existing = await applications.getByClientId(CONSOLE_CLIENT_ID);
  if (!existing || !isShippedSequence(existing.steps)) return undefined;
  const smsStep = consoleSmsStep(await identityProviders.list());
  if (!smsStep) return undefined;
  const idp = smsStep.options[0]!.idp!;
  await applications.update(
    existing.id,
    { steps: [...existing.steps, smsStep] },
    Date.now(),
    alongside && ((trx) => alongside(trx, idp)),
  );
  return idp;
}
