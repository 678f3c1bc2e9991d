/** Configuration as code: `stepgate apply` is idempotent, errors name the line, and `export` round-trips without secrets. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { getLocalClaim } from '../../src/identity/claims.js';
import { getUserByUsername, getUserClaims } from '../../src/identity/users.js';
import { applySetup, parseSetup, SetupError } from '../../src/setup/apply.js';
import { exportSetup, exportSetupYaml } from '../../src/setup/export.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { startStepgate, type TestServer } from '../support/server.js';

const SETUP = `# the seed guide, as a file
claims:
  - uri: http://wso2.org/claims/identity/smsotp_disabled
    supportedByDefault: true
  - uri: http://wso2.org/claims/otpbackupcodes
    displayName: backupotp
    description: Backup codes for SMS OTP
    mappedAttribute: postalcode
    supportedByDefault: true
applications:
  - name: Pickup Dispatch
    clientId: pickup-dispatch
    clientSecret: \${PICKUP_SECRET}
    redirectUris: [http://localhost:8080/oauth2client]
    postLogoutRedirectUris: [http://localhost:8080/]
    subjectClaimUri: http://wso2.org/claims/mobile
    requestedClaims: [http://wso2.org/claims/mobile]
    steps:
      - [password]
users:
  - username: admin
    password: \${ADMIN_PASSWORD}
    roles: [admin]
    claims:
      http://wso2.org/claims/mobile: "+94771234567"
      http://wso2.org/claims/otpbackupcodes: "10300,21390"
`;
const ENV = { PICKUP_SECRET: 'a-secret-of-sufficient-length', ADMIN_PASSWORD: 'admin password 123' };

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `stepgate apply / export on ${backend.name}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startStepgate({ backend });
    });
    after(() => server.stop());

    test('applies the seed setup, and applying it again changes nothing but updates', async () => {
      const s = server.services;
      const first = await applySetup(s, parseSetup(SETUP, 'setup.yaml', ENV), 'setup.yaml');
      assert.deepEqual(first.created.sort(), [
        'application Pickup Dispatch',
        `claim ${ClaimUri.backupCodes}`,
        'user admin',
      ]);
      assert.equal((await getLocalClaim(s.db, ClaimUri.smsOtpDisabled))?.supportedByDefault, true);
      const app = (await s.applications.getByClientId('pickup-dispatch'))!;
      assert.equal(app.subjectClaimUri, ClaimUri.mobile);
      assert.equal(await s.applications.clientSecret(app.id), ENV.PICKUP_SECRET);
      const admin = (await getUserByUsername(s.db, 'admin'))!;
      assert.deepEqual(admin.roles, ['admin']);
      assert.equal(await s.backupCodes.remaining(admin.id), 2);
      const second = await applySetup(s, parseSetup(SETUP, 'setup.yaml', ENV), 'setup.yaml');
      assert.deepEqual(second.created, []);
      assert.equal((await s.applications.list()).length, 1);
      assert.equal((await getUserClaims(s.db, admin))[ClaimUri.mobile], '+94771234567');
    });

    test('errors name the line of the file', async () => {
      const s = server.services;
      const bad = SETUP.replace('- [password]', '- [password]\n      - [nosuch]');
      const line = bad.split('\n').findIndex((l) => l.includes('- name: Pickup Dispatch')) + 1;
      await assert.rejects(applySetup(s, parseSetup(bad, 'setup.yaml', ENV), 'setup.yaml'), (e: unknown) => {
        assert.ok(e instanceof SetupError);
        assert.match(e.message, new RegExp(`setup.yaml line ${line} .*unknown authenticator "nosuch"`));
        return true;
      });
      const typo = SETUP.replace('supportedByDefault: true\n  - uri', 'supportedByDefault: yes please\n  - uri');
      assert.throws(
        () => parseSetup(typo, 'setup.yaml', ENV),
        /setup.yaml line 4 \(claims.0.supportedByDefault\): Expected boolean/,
      );
      assert.throws(
        () => parseSetup(SETUP, 'setup.yaml', {}),
        /environment variables not set: PICKUP_SECRET, ADMIN_PASSWORD/,
      );
      assert.throws(() => parseSetup('claims: [\n', 'broken.yaml', ENV), /broken.yaml line \d/);
      assert.throws(() => parseSetup('colour: blue\n', 'x.yaml', ENV), /x.yaml line 1 .*colour|Unexpected property/);
    });

    test('the SMS OTP configuration, presets included, goes through apply and comes back from export without secrets', async () => {
      const s = server.services;
      const file = `identityProviders:\n  - name: smsOTP\n    authenticators:\n      - type: sms-otp\n        config:\n          otpLength: 8\n          gateway:\n            preset:\n              provider: twilio\n              fields: { accountSid: AC0123456789abcdef0123456789abcdef, authToken: "\${TWILIO_TOKEN}", from: "+15005550006" }\n`;
      await applySetup(s, parseSetup(file, 'sms.yaml', { TWILIO_TOKEN: 'twilio-auth-token-secret' }), 'sms.yaml');
      const yaml = await exportSetupYaml(s);
      assert.match(yaml, /provider: twilio/);
      assert.match(yaml, /otpLength: 8/);
      assert.doesNotMatch(yaml, /twilio-auth-token-secret/);
      // applying the export again keeps the stored secret (the mask stands for it)
      await applySetup(s, parseSetup(yaml, 'export.yaml', {}), 'export.yaml');
      const idp = (await s.identityProviders.getByName('smsOTP'))!;
      const config = idp.authenticators[0]!.config as { gateway: { preset: { fields: Record<string, string> } } };
      assert.equal(config.gateway.preset.fields.authToken, 'twilio-auth-token-secret');
    });

    test('export writes the same format without secrets, and applying it to a fresh server reproduces the setup', async () => {
      const yaml = await exportSetupYaml(server.services);
      assert.doesNotMatch(yaml, new RegExp(ENV.PICKUP_SECRET));
      assert.doesNotMatch(yaml, /10300|21390|argon2/);
      const fresh = await startStepgate({ backend });
      try {
        // a fresh install has no stored secrets for the masks to stand for: the operator supplies them
        const withSecret = parse(
          yaml.replaceAll('"********"', 'fresh-provider-secret').replaceAll('********', 'fresh-provider-secret'),
        ) as { applications: Record<string, unknown>[] };
        withSecret.applications[0]!.clientSecret = 'another-secret-long-enough';
        const { stringify } = await import('yaml');
        await applySetup(fresh.services, parseSetup(stringify(withSecret), 'export.yaml', {}), 'export.yaml');
        const a = await exportSetup(server.services);
        const b = await exportSetup(fresh.services);
        assert.deepEqual(b.applications, a.applications);
        assert.deepEqual(b.claims, a.claims);
        assert.deepEqual(b.users, a.users);
      } finally {
        await fresh.stop();
      }
    });
  });
}
