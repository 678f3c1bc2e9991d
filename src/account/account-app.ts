/**
 * My Account's own application: a built-in application named "Stepgate My Account" whose authentication sequence
 * the sign-in to /account/ runs (the password, then the second factor the user has). It is an application like any
 * other so that an administrator sees and may tighten its sequence in the console; its OIDC registration (a public
 * client with /account/ as redirect URI) exists only because every application is an OIDC client or a SAML service
 * provider: My Account signs users in through its own front door (web/account/front-door.ts), not over OIDC.
 */
import type { Application, ApplicationStore, AuthenticationStep, SequenceOption } from '../identity/applications.js';
import { ClaimUri } from '../identity/claim-uris.js';
import type { IdentityProvider } from '../identity/identity-providers.js';

export const ACCOUNT_CLIENT_ID = 'stepgate-account';
export const ACCOUNT_APPLICATION_NAME = 'Stepgate My Account';

export function accountHome(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/account/`;
}

/** The SMS OTP option: through `smsOTP` when it is enabled, else the first enabled SMS OTP provider. */
function smsOption(idps: IdentityProvider[]): SequenceOption | undefined {
  const usable = idps.filter((i) => i.enabled && i.authenticators.some((a) => a.type === 'sms-otp' && a.enabled));
  const idp = usable.find((i) => i.name === 'smsOTP') ?? usable[0];
  return idp ? { authenticator: 'sms-otp', idp: idp.name } : undefined;
}

/** The shipped sequence: the password, then whichever second factor the user has (the engine offers only those). */
export function shippedSequence(idps: IdentityProvider[]): AuthenticationStep[] {
  const sms = smsOption(idps);
  return [
    { options: [{ authenticator: 'password' }] },
    { options: [...(sms ? [sms] : []), { authenticator: 'totp' }, { authenticator: 'passkey' }] },
  ];
}

const WITHOUT_SMS = JSON.stringify(shippedSequence([]));

/**
 * The My Account application, created on first use. One still on the shipped sequence without SMS OTP gets the SMS
 * OTP option once a provider exists (a user whose only factor is their phone must be asked for it); any sequence an
 * administrator chose stays as it is.
 */
export async function ensureAccountApplication(
  applications: ApplicationStore,
  identityProviders: { list(): Promise<IdentityProvider[]> },
  publicUrl: string,
): Promise<Application> {
  const existing = await applications.getByClientId(ACCOUNT_CLIENT_ID);
  const idps = await identityProviders.list();
  if (!existing) {
    const created = await applications
      .create({
        name: ACCOUNT_APPLICATION_NAME,
        description:
          'My Account: users manage their own sign-in (mobile number, apps, passkeys, backup codes, sessions).',
        clientId: ACCOUNT_CLIENT_ID,
        clientType: 'public',
        redirectUris: [accountHome(publicUrl)],
        grantTypes: ['authorization_code'],
        subjectClaimUri: ClaimUri.username,
        requestedClaims: [],
        steps: shippedSequence(idps),
      })
      .catch(async (err: unknown) => {
        // two first sign-ins at once (on two nodes): the other one made it (refused by the check or by the unique key)
        const made = await applications.getByClientId(ACCOUNT_CLIENT_ID);
        if (!made) throw err;
        return { application: made };
      });
    return created.application;
  }
  const shipped = shippedSequence(idps);
  if (JSON.stringify(existing.steps) === WITHOUT_SMS && JSON.stringify(shipped) !== WITHOUT_SMS)
    return applications.update(existing.id, { steps: shipped });
  return existing;
}
