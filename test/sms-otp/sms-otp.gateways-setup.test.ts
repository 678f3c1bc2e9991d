/**
 * Gateway lists as configuration as code: `stepgate export` masks every gateway's secrets, applying that export
 * again keeps each stored secret, and an exported file whose gateway now points elsewhere is refused, naming that
 * gateway's secret field (a mask never follows a changed URL).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { applySetup, parseSetup, SetupError } from '../../src/setup/apply.js';
import { exportSetupYaml } from '../../src/setup/export.js';
import { startStepgate, type TestServer } from '../support/server.js';
import { namedGateway } from './support/https-provider.js';

let server: TestServer;
before(async () => {
  server = await startStepgate();
  await server.services.identityProviders.create({
    name: 'smsOTP',
    authenticators: [
      {
        type: 'sms-otp',
        enabled: true,
        config: {
          gateways: [namedGateway('main', 'https://a.example'), namedGateway('backup', 'https://b.example')],
          routes: [{ match: { countries: ['LK'] }, gateways: ['backup', 'main'] }],
        },
      },
    ],
  });
});
after(() => server.stop());

const secrets = async () => {
  const config = (await server.services.identityProviders.getByName('smsOTP'))!.authenticators[0]!.config;
  return (config.gateways as { preset: { fields: { apiSecret: string } } }[]).map((g) => g.preset.fields.apiSecret);
};

test('the export masks each gateway, and applying it again keeps every secret and the routes', async () => {
  const yaml = await exportSetupYaml(server.services);
  assert.ok(!yaml.includes('secret-of-main') && !yaml.includes('secret-of-backup'), 'a secret reached the export');
  assert.equal(yaml.match(/apiSecret: "?\*{8}"?/g)?.length, 2, yaml);
  const report = await applySetup(server.services, parseSetup(yaml, 'export.yaml', {}), 'export.yaml');
  assert.ok(
    report.updated.some((u) => u.includes('smsOTP')),
    JSON.stringify(report),
  );
  assert.deepEqual(await secrets(), ['secret-of-main', 'secret-of-backup']);
  const config = (await server.services.identityProviders.getByName('smsOTP'))!.authenticators[0]!.config;
  assert.deepEqual(config.routes, [{ match: { countries: ['LK'] }, gateways: ['backup', 'main'] }]);
});

test('an exported gateway pointed at another host is refused, naming its secret; the stored one stays', async () => {
  const yaml = (await exportSetupYaml(server.services)).replace('https://b.example', 'https://elsewhere.example');
  await assert.rejects(applySetup(server.services, parseSetup(yaml, 'moved.yaml', {}), 'moved.yaml'), (e: unknown) => {
    assert.ok(e instanceof SetupError, String(e));
    assert.match(e.message, /moved\.yaml line \d+/);
    assert.match(e.message, /gateways\[1\]\.preset\.fields\.apiSecret/);
    assert.doesNotMatch(e.message, /gateways\[0\]/);
    return true;
  });
  assert.deepEqual(await secrets(), ['secret-of-main', 'secret-of-backup']);
});
