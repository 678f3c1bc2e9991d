/** Identity providers over HTTP: gateway secrets masked on every read, kept on a PUT of the mask; test SMS and preview. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { suiteNeeding, variants } from '../support/backends.js';
import type { TestServer } from '../support/server.js';
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
