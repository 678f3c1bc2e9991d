/**
 * The benchmark's server: one Stepgate node in a process of its own (so its CPU time can be read apart from the
 * load generator's), set up with a password-only application, a password + SMS OTP application through the dev
 * SMS inbox, and users. Prints one JSON line with what the load generator needs, then serves until killed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { ClaimUri } from '../src/identity/claim-uris.js';
import { createUser } from '../src/identity/users.js';
import { startServer } from '../src/main.js';
import { DEV_SMS_CREDENTIALS } from '../src/web/surfaces.js';

const port = Number(process.argv[2]);
const users = Number(process.argv[3] ?? 32);
const smsOrigin = process.argv[4];
const password = 'benchmark password 1';
const redirect = 'http://127.0.0.1:1/callback';

const dataDir = mkdtempSync(join(tmpdir(), 'stepgate-bench-'));
const config = loadConfig({
  env: {},
  overrides: {
    port,
    dataDir,
    masterKey: Buffer.alloc(32, 5).toString('base64'),
    'devSms.enabled': !smsOrigin,
    // the load comes from one address: the per-IP login throttle would measure itself, not Stepgate
    'loginRateLimit.postsPerMinute': 100_000,
  },
});
const server = await startServer(config);
const s = server.services;
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
            // the load generator's own provider imitation when it gives one (argv[4]), so that this process's CPU
            // is Stepgate's alone; the dev inbox otherwise
            fields: smsOrigin
              ? { apiKey: 'bench-key', apiSecret: 'bench-secret-value', from: 'Bench', baseUrl: smsOrigin }
              : { ...DEV_SMS_CREDENTIALS, from: 'Bench', baseUrl: `${config.publicUrl}/dev/sms/vonage` },
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
  redirectUris: [redirect],
  subjectClaimUri: ClaimUri.mobile,
  requestedClaims: [ClaimUri.mobile],
});
const sms = await s.applications.create({
  name: 'Bench SMS',
  redirectUris: [redirect],
  subjectClaimUri: ClaimUri.mobile,
  steps: [{ options: [{ authenticator: 'password' }] }, { options: [{ authenticator: 'sms-otp', idp: 'smsOTP' }] }],
});
const accounts: { username: string; mobile: string }[] = [];
for (let i = 0; i < users; i++) {
  const account = { username: `user${i}`, mobile: `+9477100${String(i).padStart(4, '0')}` };
  await createUser(s.db, s.hasher, {
    username: account.username,
    password,
    claims: { [ClaimUri.mobile]: account.mobile },
  });
  accounts.push(account);
}
console.log(
  JSON.stringify({
    url: config.publicUrl,
    pid: process.pid,
    dataDir,
    password,
    redirect,
    accounts,
    passwordApp: { clientId: pwd.application.clientId, clientSecret: pwd.clientSecret },
    smsApp: { clientId: sms.application.clientId, clientSecret: sms.clientSecret },
  }),
);

process.on('SIGINT', () => {
  server.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
