/**
 * Identity providers over HTTP: gateway secrets masked on every read (URL credentials and secret query values too),
 * kept on a PUT of the mask only while the destination is unchanged; warnings in the save answer; test SMS, preview,
 * and production mode refusing an internal destination.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import { adminApiPlugin } from '../../src/web/admin-api/index.js';
import { sqliteBackend, suiteNeeding, variants } from '../support/backends.js';
import { startStepgate, type TestServer } from '../support/server.js';
import { client, clientToken, type MockProvider, mockSmsProvider, startAdminServer } from './support.js';

const API_SECRET = 'S3cr3tApiValue';
const TOKEN = 'BearerTokenValue123';

for (const { backend, skip } of variants()) {
  suiteNeeding(skip, `admin API identity providers on ${backend.name}`, () => {
    let server: TestServer;
    let provider: MockProvider;
    let call: ReturnType<typeof client>;

    before(async () => {
      server = await startAdminServer(backend);
      provider = await mockSmsProvider();
      call = client(server, await clientToken(server));
    });
    after(async () => {
      await server.stop();
      await provider.close();
    });

    const gateway = () => ({
      url: `${provider.url}/sms/json?api_key=key1&api_secret=${API_SECRET}&to=$ctx.num&text=$ctx.msg`,
      method: 'POST',
      headers: `Authorization: Bearer ${TOKEN}`,
      payload: '',
      expectedStatus: '200',
    });

    test('secrets are masked on create, read and list; a PUT with ******** keeps them; test SMS reaches the provider with them', async () => {
      const created = await call('POST', '/identity-providers', {
        name: 'smsOTP',
        authenticators: [{ type: 'sms-otp', enabled: true, config: { gateway: gateway() } }],
      });
      assert.equal(created.status, 201, created.text);
      const id = created.body.id as string;
      for (const res of [
        created,
        await call('GET', `/identity-providers/${id}`),
        await call('GET', '/identity-providers'),
      ]) {
        assert.ok(!res.text.includes(API_SECRET), `api secret leaked: ${res.text}`);
        assert.ok(!res.text.includes(TOKEN), 'bearer token leaked');
      }
      const shown = (await call('GET', `/identity-providers/${id}`)).body;
      const config = shown.authenticators[0].config;
      assert.match(config.gateway.url, /api_secret=\*{8}/);
      assert.equal(config.gateway.headers, 'Authorization: ********');

      // the console sends the masked form back with one field changed
      config.gateway.expectedStatus = '';
      const put = await call('PUT', `/identity-providers/${id}`, {
        authenticators: [{ type: 'sms-otp', enabled: true, config }],
      });
      assert.equal(put.status, 200, put.text);
      assert.equal(put.body.authenticators[0].config.gateway.expectedStatus, '');
      const stored = await server.services.identityProviders.get(id);
      const storedGateway = stored!.authenticators[0]!.config.gateway as { url: string; headers: string };
      assert.match(storedGateway.url, new RegExp(`api_secret=${API_SECRET}`));
      assert.equal(storedGateway.headers, `Authorization: Bearer ${TOKEN}`);

      provider.requests.length = 0;
      const sent = await call('POST', `/identity-providers/${id}/test-sms`, {
        to: '+94 77 123 4567',
        text: 'Hello from Stepgate',
      });
      assert.equal(sent.status, 200, sent.text);
      assert.equal(sent.body.ok, true);
      assert.equal(provider.requests.length, 1);
      assert.match(provider.requests[0]!.url, new RegExp(`api_secret=${API_SECRET}`));
      assert.equal(provider.requests[0]!.headers.authorization, `Bearer ${TOKEN}`);
      assert.match(provider.requests[0]!.url, /to=%2B94771234567/);
      assert.ok(!sent.text.includes(API_SECRET) && !sent.text.includes(TOKEN), 'the answer shows a secret');
      assert.ok(!sent.text.includes('94771234567'), 'the answer shows the full number');
      assert.equal(sent.body.request.method, 'POST');
      assert.equal(typeof sent.body.outcome.latencyMs, 'number');
      assert.equal(sent.body.outcome.status, 200);
      assert.match(sent.body.outcome.providerAnswer, /message-id/);

      const audit = await call('GET', '/audit-events?event=admin.identity-provider.test-sms');
      assert.equal(audit.body.total, 1);
      assert.equal(audit.body.items[0].data.to, '********4567');
    });

    test('a provider failure is still 200, with ok:false, the code and the masked answer', async () => {
      const created = await call('POST', '/identity-providers', {
        name: 'failing',
        authenticators: [{ type: 'sms-otp', config: { gateway: gateway() } }],
      });
      provider.answer = { status: 401, body: `{"error":"bad credentials for ${API_SECRET}"}` };
      try {
        const sent = await call('POST', `/identity-providers/${created.body.id}/test-sms`, { to: '+94771234567' });
        assert.equal(sent.status, 200, sent.text);
        assert.equal(sent.body.ok, false);
        assert.equal(sent.body.outcome.code, 'SMSOTP-60002');
        assert.equal(sent.body.outcome.status, 401);
        assert.ok(!sent.text.includes(API_SECRET));
      } finally {
        provider.answer = { status: 200, body: '{}' };
      }
      const badNumber = await call('POST', `/identity-providers/${created.body.id}/test-sms`, { to: '12' });
      assert.equal(badNumber.status, 400);
      assert.equal(badNumber.body.errors[0].field, 'to');
      const noSms = await call('POST', '/identity-providers', { name: 'empty' });
      assert.equal(
        (await call('POST', `/identity-providers/${noSms.body.id}/test-sms`, { to: '+94771234567' })).status,
        409,
      );
      assert.equal((await call('POST', '/identity-providers/idp_nope/test-sms', { to: '+94771234567' })).status, 404);
    });

    test('preview renders an unsaved configuration masked, counts segments, and sends nothing', async () => {
      provider.requests.length = 0;
      const res = await call('POST', '/sms/preview', {
        config: gateway(),
        to: '+94771234567',
        text: 'Verification Code: 123456',
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(provider.requests.length, 0);
      assert.ok(!res.text.includes(API_SECRET));
      assert.equal(res.body.segments.encoding, 'GSM-7');
      assert.equal(res.body.segments.segments, 1);
      const unicode = await call('POST', '/sms/preview', {
        config: gateway(),
        to: '+94771234567',
        text: 'කේතය 123456',
      });
      assert.equal(unicode.body.segments.encoding, 'UCS-2');
      const broken = await call('POST', '/sms/preview', {
        config: { ...gateway(), url: 'not a url' },
        to: '+94771234567',
        text: 'x',
      });
      assert.equal(broken.status, 200);
      assert.equal(broken.body.request, null);
      assert.ok(broken.body.problems.some((p: { field: string }) => p.field === 'url'));
      const wrongType = await call('POST', '/sms/preview', {
        config: { ...gateway(), method: 'DELETE' },
        to: '+94771234567',
        text: 'x',
      });
      assert.equal(wrongType.status, 400);
      assert.match(wrongType.body.errors[0].field, /^config\.method/);
    });

    test('a masked secret never follows a changed destination: 400 naming each field; unchanged destination keeps it', async () => {
      const created = await call('POST', '/identity-providers', {
        name: 'moving',
        authenticators: [{ type: 'sms-otp', enabled: true, config: { gateway: gateway() } }],
      });
      assert.equal(created.status, 201, created.text);
      const id = created.body.id as string;
      const shown = (await call('GET', `/identity-providers/${id}`)).body.authenticators[0].config;
      const put = (g: Record<string, unknown>) =>
        call('PUT', `/identity-providers/${id}`, {
          authenticators: [
            { type: 'sms-otp', enabled: true, config: { ...shown, gateway: { ...shown.gateway, ...g } } },
          ],
        });
      const elsewhere = shown.gateway.url.replace('127.0.0.1', 'attacker.example');
      for (const change of [
        { url: elsewhere },
        { url: shown.gateway.url.replace('/sms/json', '/other/path') },
        { headers: `${shown.gateway.headers},Host: attacker.example` },
      ]) {
        const refused = await put(change);
        assert.equal(refused.status, 400, `${JSON.stringify(change)}: ${refused.text}`);
        const fields = refused.body.errors.map((e: { field: string }) => e.field);
        assert.ok(fields.includes('authenticators[0].config.gateway.url'), fields.join());
        assert.ok(fields.includes('authenticators[0].config.gateway.headers'), fields.join());
        assert.ok(!refused.text.includes(API_SECRET) && !refused.text.includes(TOKEN));
      }
      const stored = await server.services.identityProviders.get(id);
      assert.match((stored!.authenticators[0]!.config.gateway as { url: string }).url, /127\.0\.0\.1/);

      // typed again, the new destination is accepted
      const retyped = await put({
        url: `${provider.url}/other/path?api_key=key1&api_secret=NewSecret77&to=$ctx.num`,
        headers: 'Authorization: Bearer NewToken77',
      });
      assert.equal(retyped.status, 200, retyped.text);
      // the near miss: only a non-destination field changes, and the masks keep the secrets
      const again = (await call('GET', `/identity-providers/${id}`)).body.authenticators[0].config;
      const kept = await call('PUT', `/identity-providers/${id}`, {
        authenticators: [
          {
            type: 'sms-otp',
            enabled: true,
            config: { ...again, gateway: { ...again.gateway, responseTimeoutMs: 4000 } },
          },
        ],
      });
      assert.equal(kept.status, 200, kept.text);
      const after = (await server.services.identityProviders.get(id))!.authenticators[0]!.config.gateway as {
        url: string;
        headers: string;
      };
      assert.match(after.url, /api_secret=NewSecret77/);
      assert.equal(after.headers, 'Authorization: Bearer NewToken77');
    });

    test('a preset: a changed API base URL or provider needs the secret typed again', async () => {
      const preset = (baseUrl: string) => ({
        preset: {
          provider: 'vonage',
          fields: { apiKey: 'key1', apiSecret: API_SECRET, from: 'Stepgate', baseUrl },
        },
      });
      const created = await call('POST', '/identity-providers', {
        name: 'preset-moving',
        authenticators: [{ type: 'sms-otp', enabled: true, config: { gateway: preset(provider.url) } }],
      });
      assert.equal(created.status, 201, created.text);
      const id = created.body.id as string;
      const shown = (await call('GET', `/identity-providers/${id}`)).body.authenticators[0].config;
      assert.equal(shown.gateway.preset.fields.apiSecret, '********');
      const withPreset = (p: Record<string, unknown>) =>
        call('PUT', `/identity-providers/${id}`, {
          authenticators: [
            { type: 'sms-otp', enabled: true, config: { ...shown, gateway: { ...shown.gateway, preset: p } } },
          ],
        });
      const moved = await withPreset({
        provider: 'vonage',
        fields: { ...shown.gateway.preset.fields, baseUrl: 'https://rest.attacker.example' },
      });
      assert.equal(moved.status, 400, moved.text);
      assert.deepEqual(
        moved.body.errors.map((e: { field: string }) => e.field),
        ['authenticators[0].config.gateway.preset.fields.apiSecret'],
      );
      const switched = await withPreset({
        provider: 'clickatell',
        fields: { apiKey: '********', baseUrl: provider.url },
      });
      assert.equal(switched.status, 400, switched.text);
      assert.equal(switched.body.errors[0].field, 'authenticators[0].config.gateway.preset.fields.apiKey');
      // disabled or not, a mask is never stored as if it were the secret
      const disabled = await call('PUT', `/identity-providers/${id}`, {
        authenticators: [
          {
            type: 'sms-otp',
            enabled: false,
            config: {
              ...shown,
              gateway: {
                ...shown.gateway,
                preset: {
                  ...shown.gateway.preset,
                  fields: { ...shown.gateway.preset.fields, baseUrl: 'https://x.example' },
                },
              },
            },
          },
        ],
      });
      assert.equal(disabled.status, 400, disabled.text);
      const same = await withPreset({ provider: 'vonage', fields: { ...shown.gateway.preset.fields, from: 'Other' } });
      assert.equal(same.status, 200, same.text);
      const stored = (await server.services.identityProviders.get(id))!.authenticators[0]!.config.gateway as {
        preset: { fields: Record<string, string> };
      };
      assert.equal(stored.preset.fields.apiSecret, API_SECRET);
      assert.equal(stored.preset.fields.baseUrl, provider.url);
    });

    test('credentials in the SMS URL and secret-looking query values are masked on read, preview and test SMS', async () => {
      const PASSWORD = 'UrlPassw0rd99';
      const OPAQUE = 'abcdEFGH12345678wxyz';
      const host = provider.url.replace('http://', '');
      const url = `http://urluser:${PASSWORD}@${host}/send?u=${OPAQUE}&to=$ctx.num&text=$ctx.msg`;
      const created = await call('POST', '/identity-providers', {
        name: 'url-credentials',
        authenticators: [{ type: 'sms-otp', enabled: true, config: { gateway: { url, method: 'GET' } } }],
      });
      assert.equal(created.status, 201, created.text);
      const id = created.body.id as string;
      const preview = await call('POST', '/sms/preview', {
        config: { url, method: 'GET' },
        to: '+94771234567',
        text: 'hello',
      });
      provider.answer = { status: 200, body: `{"ok":true,"echo":"${PASSWORD}"}` };
      provider.requests.length = 0;
      let sent: Awaited<ReturnType<typeof call>>;
      try {
        sent = await call('POST', `/identity-providers/${id}/test-sms`, { to: '+94771234567' });
      } finally {
        provider.answer = { status: 200, body: '{}' };
      }
      for (const res of [
        created,
        await call('GET', `/identity-providers/${id}`),
        await call('GET', '/identity-providers?search=url-credentials'),
        preview,
        sent,
      ]) {
        assert.equal(res.status < 300, true, res.text);
        for (const secret of [PASSWORD, OPAQUE, 'urluser'])
          assert.ok(!res.text.includes(secret), `${secret} leaked: ${res.text}`);
      }
      assert.equal(sent.body.ok, true, sent.text);
      // the provider got the credentials, as Basic authentication, and the opaque value
      assert.equal(provider.requests.length, 1);
      assert.equal(
        provider.requests[0]!.headers.authorization,
        `Basic ${Buffer.from(`urluser:${PASSWORD}`).toString('base64')}`,
      );
      assert.match(provider.requests[0]!.url, new RegExp(`u=${OPAQUE}`));
      // sent back masked, the URL keeps its credentials
      const shown = (await call('GET', `/identity-providers/${id}`)).body.authenticators[0].config;
      assert.match(shown.gateway.url, /^http:\/\/\*{8}:\*{8}@/);
      const put = await call('PUT', `/identity-providers/${id}`, {
        authenticators: [{ type: 'sms-otp', enabled: true, config: shown }],
      });
      assert.equal(put.status, 200, put.text);
      const stored = (await server.services.identityProviders.get(id))!.authenticators[0]!.config.gateway as {
        url: string;
      };
      assert.equal(stored.url, url);
    });

    test('a save answers the warnings the preview detects; a correct configuration has none', async () => {
      const plivoLike = (payload: string) => ({
        url: `${provider.url}/v1/Account/MA1/Message/`,
        method: 'POST',
        headers: 'Content-Type: application/json',
        payload,
      });
      const typo = await call('POST', '/identity-providers', {
        name: 'plivo-typo',
        authenticators: [
          {
            type: 'sms-otp',
            enabled: true,
            config: { gateway: plivoLike('{"src":"+1","dst":"ctx.num","text":"$ctx.msg"}') },
          },
        ],
      });
      assert.equal(typo.status, 201, typo.text);
      assert.equal(typo.body.warnings.length, 1, typo.text);
      assert.equal(typo.body.warnings[0].field, 'authenticators[0].config.gateway.payload');
      assert.match(typo.body.warnings[0].message, /\$ctx\.num/);
      const fixed = await call('PUT', `/identity-providers/${typo.body.id}`, {
        authenticators: [
          {
            type: 'sms-otp',
            enabled: true,
            config: { gateway: plivoLike('{"src":"+1","dst":"$ctx.num","text":"$ctx.msg"}') },
          },
        ],
      });
      assert.equal(fixed.status, 200, fixed.text);
      assert.deepEqual(fixed.body.warnings, []);
    });

    test('hostile gateway shapes are 400 problems naming the field, never 500', async () => {
      const created = await call('POST', '/identity-providers', {
        name: 'hostile',
        authenticators: [{ type: 'sms-otp', enabled: true, config: { gateway: gateway() } }],
      });
      assert.equal(created.status, 201, created.text);
      // shapes no conversion can fix are refused enabled or not; the rest are checked when enabled
      const misshapen = [
        { preset: { provider: 'evil', fields: {} } },
        { preset: 'vonage' },
        { preset: { provider: 'vonage', fields: 'x' } },
        { url: ['https://x.test'] },
        { headers: { Authorization: 'x' } },
        { maskValues: '********' },
        { numberFormat: 'octal' },
      ];
      const invalid = [{ successPattern: '(a' }, { url: 'not a url' }, { successPointer: 'no-slash' }];
      for (const [g, enabled] of [
        ...misshapen.flatMap((g) => [
          [g, true],
          [g, false],
        ]),
        ...invalid.map((g) => [g, true]),
      ] as [Record<string, unknown>, boolean][]) {
        const res = await call('PUT', `/identity-providers/${created.body.id}`, {
          authenticators: [{ type: 'sms-otp', enabled, config: { gateway: { ...gateway(), ...g } } }],
        });
        assert.equal(res.status, 400, `${JSON.stringify(g)} enabled=${enabled}: ${res.status} ${res.text}`);
        assert.match(res.body.errors[0].field, /^authenticators\[0\]\.config\.gateway/, res.text);
      }

      const preview = await call('POST', '/sms/preview', {
        config: { preset: { provider: 'evil' } },
        to: '+94771234567',
        text: 'x',
      });
      assert.equal(preview.status, 400, preview.text);
    });

    test('an identity provider used by an application cannot be deleted', async () => {
      const idp = await call('POST', '/identity-providers', {
        name: 'used',
        authenticators: [{ type: 'sms-otp', config: { gateway: gateway() } }],
      });
      const app = await call('POST', '/applications', {
        name: 'Two steps',
        redirectUris: ['http://localhost:1/cb'],
        steps: [{ options: [{ authenticator: 'password' }] }, { options: [{ authenticator: 'sms-otp', idp: 'used' }] }],
      });
      assert.equal(app.status, 201, app.text);
      const refused = await call('DELETE', `/identity-providers/${idp.body.id}`);
      assert.equal(refused.status, 409);
      assert.match(refused.body.detail, /Two steps/);
      await call('DELETE', `/applications/${app.body.application.id}`);
      assert.equal((await call('DELETE', `/identity-providers/${idp.body.id}`)).status, 204);
    });
  });
}

describe('production mode refuses internal SMS destinations', () => {
  let server: TestServer;
  let provider: MockProvider;
  let call: ReturnType<typeof client>;
  before(async () => {
    provider = await mockSmsProvider();
    server = await startStepgate({
      backend: sqliteBackend,
      overrides: { mode: 'production' },
      plugins: (services) => [
        {
          plugin: adminApiPlugin as unknown as FastifyPluginAsync<Record<string, unknown>>,
          options: { services, checkResponses: true, rateLimit: { max: 10_000, timeWindow: 60_000 } },
        },
      ],
    });
    call = client(server, await clientToken(server));
  });
  after(async () => {
    await server.stop();
    await provider.close();
  });

  test('a loopback SMS URL (as literal and as localhost) gets destination-refused and the provider receives nothing', async () => {
    const port = new URL(provider.url).port;
    for (const [name, host] of [
      ['literal', '127.0.0.1'],
      ['by-name', 'localhost'],
    ]) {
      const created = await call('POST', '/identity-providers', {
        name: `internal-${name}`,
        authenticators: [
          { type: 'sms-otp', enabled: true, config: { gateway: { url: `http://${host}:${port}/send?to=$ctx.num` } } },
        ],
      });
      assert.equal(created.status, 201, created.text);
      const sent = await call('POST', `/identity-providers/${created.body.id}/test-sms`, { to: '+94771234567' });
      assert.equal(sent.status, 200, sent.text);
      assert.equal(sent.body.ok, false);
      assert.equal(sent.body.outcome.code, 'destination-refused', sent.text);
      assert.match(sent.body.outcome.reason, /allowPrivateDestinations/);
    }
    assert.equal(provider.requests.length, 0);
  });
});
