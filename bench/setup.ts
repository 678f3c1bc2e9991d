/**
 * What every bench run of Stepgate is set up with: a password-only application, a password + SMS OTP application
 * (Vonage's preset, sent to the load generator's provider imitation or to the dev inbox) and users.
 */
import { ClaimUri } from '../src/identity/claim-uris.js';
import { createUser } from '../src/identity/users.js';
import type { Services } from '../src/services.js';
import { DEV_SMS_CREDENTIALS } from '../src/web/surfaces.js';

export const BENCH_PASSWORD = 'benchmark password 1';
export const BENCH_REDIRECT = 'http://127.0.0.1:1/callback';

export interface BenchSetup {
  accounts: { username: string; mobile: string }[];
  passwordApp: { clientId: string; clientSecret: string | undefined };
  smsApp: { clientId: string; clientSecret: string | undefined };
}

/** `smsOrigin`: the provider imitation's origin; without it, the dev inbox under `publicUrl`. */
export async function setUpBench(
  s: Services,
  options: { users: number; smsOrigin?: string | undefined; publicUrl: string },
): Promise<BenchSetup> {
  await s.identityProviders.create({
    name: 'smsOTP',
    authenticators: [
      {
        type: 'sms-otp',
        enabled: true,
        config: {
          gateway: {
            preset: {
              provider: 'vonage',
              // the load generator's own provider imitation when it gives one, so that the server's CPU is
              // Stepgate's alone; the dev inbox otherwise
              fields: options.smsOrigin
                ? { apiKey: 'bench-key', apiSecret: 'bench-secret-value', from: 'Bench', baseUrl: options.smsOrigin }
                : { ...DEV_SMS_CREDENTIALS, from: 'Bench', baseUrl: `${options.publicUrl}/dev/sms/vonage` },
            },
          },
          limits: { perNumber: { max: 0 }, perAccount: { max: 0 }, perIp: { max: 0 }, globalPerHour: 0 },
          lockout: { enabled: false },
        },
      },
    ],
  });
  const pwd = await s.applications.create({
    name: 'Bench',
    redirectUris: [BENCH_REDIRECT],
    subjectClaimUri: ClaimUri.mobile,
    requestedClaims: [ClaimUri.mobile],
  });
  const sms = await s.applications.create({
    name: 'Bench SMS',
    redirectUris: [BENCH_REDIRECT],
    subjectClaimUri: ClaimUri.mobile,
    steps: [{ options: [{ authenticator: 'password' }] }, { options: [{ authenticator: 'sms-otp', idp: 'smsOTP' }] }],
  });
  const accounts: { username: string; mobile: string }[] = [];
  for (let i = 0; i < options.users; i++) {
    const account = { username: `user${i}`, mobile: `+9477100${String(i).padStart(4, '0')}` };
    await createUser(s.db, s.hasher, {
      username: account.username,
      password: BENCH_PASSWORD,
      claims: { [ClaimUri.mobile]: account.mobile },
    });
    accounts.push(account);
  }
  return {
    accounts,
    passwordApp: { clientId: pwd.application.clientId, clientSecret: pwd.clientSecret },
    smsApp: { clientId: sms.application.clientId, clientSecret: sms.clientSecret },
  };
}
