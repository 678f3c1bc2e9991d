/**
 * The console asks for the strongest factor Stepgate has: created password → SMS OTP when an SMS OTP provider
 * exists, a console on the shipped password-only sequence gets the SMS OTP step at start and when a provider is
 * saved through the admin API, a sequence an admin chose stays, and the demo's console is password → smsOTP.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { seedDemo } from '../../src/demo/seed.js';
import { CONSOLE_CLIENT_ID, ensureConsoleApplication } from '../../src/identity/console-app.js';
import { client, clientToken, startAdminServer } from '../admin-api/support.js';
import { gatewayFor } from '../sms-otp/support/fixture.js';
import { forEachBackend } from '../support/backends.js';
import { startStepgate, type TestServer } from '../support/server.js';

const PASSWORD_ONLY = [{ options: [{ authenticator: 'password' }] }];
const smsOtp = (idp: string) => ({ options: [{ authenticator: 'sms-otp', idp }] });
const smsOtpEntry = { type: 'sms-otp', enabled: true, config: { gateway: gatewayFor('http://127.0.0.1:1') } };

forEachBackend('the console sequence', (backend) => {
  let server: TestServer;
  let call: ReturnType<typeof client>;
  const steps = async () => (await server.services.applications.getByClientId(CONSOLE_CLIENT_ID))!.steps;

  before(async () => {
    server = await startAdminServer(backend);
    call = client(server, await clientToken(server));
  });
  after(() => server.stop());

  test('a fresh install without an SMS OTP provider: the password; the first provider saved adds SMS OTP at once', async () => {
    const s = server.services;
    await ensureConsoleApplication(s.applications, server.url, s.identityProviders);
    assert.deepEqual(await steps(), PASSWORD_ONLY);
    // a provider without an enabled SMS OTP entry is no second factor yet
    const bare = await call('POST', '/identity-providers', { name: 'smsOTP' });
    assert.equal(bare.status, 201, bare.text);
    assert.deepEqual(await steps(), PASSWORD_ONLY);
    const configured = await call('PUT', `/identity-providers/${bare.body.id}`, { authenticators: [smsOtpEntry] });
    assert.equal(configured.status, 200, configured.text);
    assert.deepEqual(await steps(), [...PASSWORD_ONLY, smsOtp('smsOTP')]);
    const { events } = await s.audit.query({ event: 'admin.console.sms-otp-step-added', limit: 5 });
    assert.equal(events.length, 1);
    assert.equal(events[0]!.data.identityProvider, 'smsOTP');
  });

  test('a sequence an admin chose stays as it is, at start and when a provider is saved', async () => {
    const s = server.services;
    const other = await call('POST', '/identity-providers', { name: 'backupSms', authenticators: [smsOtpEntry] });
    assert.equal(other.status, 201, other.text);
    const chosen = [...PASSWORD_ONLY, smsOtp('backupSms')];
    const app = (await s.applications.getByClientId(CONSOLE_CLIENT_ID))!;
    await s.applications.update(app.id, { steps: chosen });
    await ensureConsoleApplication(s.applications, server.url, s.identityProviders);
    assert.deepEqual(await steps(), chosen);
    await call('PUT', `/identity-providers/${other.body.id}`, { description: 'changed' });
    assert.deepEqual(await steps(), chosen);
  });

  test('the shipped password-only console is upgraded at start; a created one has both steps', async () => {
    const s = server.services;
    const app = (await s.applications.getByClientId(CONSOLE_CLIENT_ID))!;
    await s.applications.update(app.id, { steps: PASSWORD_ONLY });
    await ensureConsoleApplication(s.applications, server.url, s.identityProviders);
    assert.deepEqual(await steps(), [...PASSWORD_ONLY, smsOtp('smsOTP')], 'smsOTP is preferred by name');
    await s.applications.delete(app.id);
    await ensureConsoleApplication(s.applications, server.url, s.identityProviders);
    assert.deepEqual(await steps(), [...PASSWORD_ONLY, smsOtp('smsOTP')]);
  });
});

test('the demo: the console has the same sequence as Pickup Dispatch, password → smsOTP', async () => {
  const server = await startStepgate();
  try {
    const s = server.services;
    // as main.ts does before the demo seeds: no provider yet, so the password alone
    await ensureConsoleApplication(s.applications, server.url, s.identityProviders);
    assert.deepEqual((await s.applications.getByClientId(CONSOLE_CLIENT_ID))!.steps, PASSWORD_ONLY);
    const seeded = await seedDemo(s, server.url, 'http://127.0.0.1:1', 'a demo password that is long');
    assert.equal(seeded.seeded, true);
    const pickup = (await s.applications.getByName('Pickup Dispatch'))!;
    assert.deepEqual((await s.applications.getByClientId(CONSOLE_CLIENT_ID))!.steps, pickup.steps);
    assert.deepEqual(pickup.steps, [...PASSWORD_ONLY, smsOtp('smsOTP')]);
  } finally {
    await server.stop();
  }
});
