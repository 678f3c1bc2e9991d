/**
 * The demo's first-run setup, exactly as the seed guide describes it, written as a setup file and applied with
 * the same code as `stepgate apply`: the admin user with a mobile number, the smsOTP identity provider (Vonage
 * preset pointing at the built-in mock provider), Disable SMSOTP supported by default, the backupotp claim mapped
 * to postalcode, and the Pickup Dispatch application with subject = mobile and steps password → smsOTP. The console
 * gets the same sequence as Pickup Dispatch, so the admin's password alone opens neither.
 */
import { randomBytes } from 'node:crypto';
import { ClaimUri } from '../identity/claim-uris.js';
import { ensureConsoleApplication } from '../identity/console-app.js';
import type { Services } from '../services.js';
import { applySetup } from '../setup/apply.js';
import type { Setup } from '../setup/schema.js';
import { DEV_SMS_CREDENTIALS } from '../web/surfaces.js';

export const PICKUP_DISPATCH = { name: 'Pickup Dispatch', clientId: 'pickup-dispatch' } as const;
/** WSO2's saml2-web-app-pickup-dispatch sample, with the issuer that sample uses */
export const PICKUP_DISPATCH_SAML = {
  name: 'Pickup Dispatch (SAML)',
  issuer: 'saml2-web-app-pickup-dispatch.com',
} as const;
export const DEMO_ADMIN = { username: 'admin', mobile: '+94771234567' } as const;

export function demoSetup(publicUrl: string, pickupUrl: string, adminPassword: string, clientSecret: string): Setup {
  return {
    claims: [
      { uri: ClaimUri.smsOtpDisabled, supportedByDefault: true },
      {
        uri: ClaimUri.backupCodes,
        displayName: 'backupotp',
        description: 'Backup codes for SMS OTP',
        mappedAttribute: 'postalcode',
        supportedByDefault: true,
      },
    ],
    identityProviders: [
      {
        name: 'smsOTP',
        displayName: 'SMS OTP',
        description: 'Sends one-time passwords through the built-in development SMS inbox (Vonage API shape).',
        enabled: true,
        authenticators: [
          {
            type: 'sms-otp',
            enabled: true,
            config: {
              gateway: {
                preset: {
                  provider: 'vonage',
                  fields: {
                    apiKey: DEV_SMS_CREDENTIALS.apiKey,
                    apiSecret: DEV_SMS_CREDENTIALS.apiSecret,
                    from: 'Stepgate',
                    baseUrl: `${publicUrl}/dev/sms/vonage`,
                  },
                },
              },
            },
          },
        ],
      },
    ],
    applications: [
      {
        name: PICKUP_DISPATCH.name,
        description: 'The sample application of the seed guide.',
        clientId: PICKUP_DISPATCH.clientId,
        clientSecret,
        clientType: 'confidential',
        redirectUris: [`${pickupUrl}/oauth2client`],
        postLogoutRedirectUris: [`${pickupUrl}/`],
        grantTypes: ['authorization_code', 'refresh_token'],
        subjectClaimUri: ClaimUri.mobile,
        requestedClaims: [ClaimUri.mobile, ClaimUri.email, ClaimUri.givenName, ClaimUri.lastName, ClaimUri.username],
        steps: [['password'], ['smsOTP:sms-otp']],
      },
    ],
    users: [
      {
        username: DEMO_ADMIN.username,
        password: adminPassword,
        roles: ['admin'],
        claims: {
          [ClaimUri.mobile]: DEMO_ADMIN.mobile,
          [ClaimUri.givenName]: 'Admin',
          [ClaimUri.lastName]: 'Administrator',
          [ClaimUri.email]: 'admin@example.com',
        },
      },
    ],
  };
}

/** Applies the demo setup once; later runs keep whatever the data folder holds. Returns the password when generated. */
export async function seedDemo(
  s: Services,
  publicUrl: string,
  pickupUrl: string,
  adminPassword: string | undefined,
): Promise<{ seeded: boolean; generatedPassword?: string }> {
  if (await s.applications.getByName(PICKUP_DISPATCH.name)) return { seeded: false };
  const password = adminPassword ?? randomBytes(9).toString('base64url');
  const setup = demoSetup(publicUrl, pickupUrl, password, randomBytes(32).toString('base64url'));
  await applySetup(s, { setup, lineOf: () => undefined }, 'demo setup');
  // the console was made password-only before smsOTP existed: now it asks for the code too
  await ensureConsoleApplication(s.applications, publicUrl, s.identityProviders);
  return adminPassword ? { seeded: true } : { seeded: true, generatedPassword: password };
}

/**
 * The SAML Pickup Dispatch, registered the way the guide registers the sample in WSO2 (Inbound Authentication
 * Configuration › SAML2 Web SSO Configuration), with the same steps as the OIDC one: password → smsOTP. Added to
 * data folders seeded before the SAML sample existed as well; an operator's later changes to it are kept.
 */
export async function ensurePickupDispatchSaml(s: Services, samlUrl: string): Promise<void> {
  if (await s.applications.getByName(PICKUP_DISPATCH_SAML.name)) return;
  await s.applications.create({
    name: PICKUP_DISPATCH_SAML.name,
    description: 'The SAML 2.0 sample application of the seed guide.',
    grantTypes: [],
    redirectUris: [],
    postLogoutRedirectUris: [],
    subjectClaimUri: ClaimUri.mobile,
    requestedClaims: [ClaimUri.mobile, ClaimUri.email, ClaimUri.givenName, ClaimUri.lastName, ClaimUri.username],
    steps: [{ options: [{ authenticator: 'password' }] }, { options: [{ authenticator: 'sms-otp', idp: 'smsOTP' }] }],
    saml: {
      issuer: PICKUP_DISPATCH_SAML.issuer,
      assertionConsumerUrls: [`${samlUrl}/saml/acs`],
      defaultAssertionConsumerUrl: `${samlUrl}/saml/acs`,
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      signResponses: true,
      validateRequestSignatures: false,
      encryptAssertions: false,
      singleLogout: { enabled: true, url: `${samlUrl}/saml/slo`, binding: 'redirect' },
      attributeProfile: true,
      idpInitiated: true,
    },
  });
}
