/**
 * The gateway list through the admin API: each gateway's secrets masked on read and kept when the mask comes back
 * for the same destination, never when that gateway's URL changed; the single gateway of the older shape taken over
 * as `default`; routes that name unknown gateways, duplicate names and a route without destinations refused.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { suiteNeeding, variants } from '../support/backends.js';
import type { TestServer } from '../support/server.js';
import { type SmsOtpAdmin, startSmsOtpAdmin } from './support/admin-provider.js';
import { gatewayFor } from './support/fixture.js';
import { namedGateway } from './support/https-provider.js';

const MASK = '********';

for (const { name, backend, skip } of variants()) {
  suiteNeeding(skip, `SMS OTP gateway lists in the admin API on ${name}`, () => {
    let server: TestServer;
    let call: SmsOtpAdmin['call'];
    let id: string;
    let put: SmsOtpAdmin['put'];
    let stored: SmsOtpAdmin['stored'];

    before(async () => {
      ({ server, call, id, put, stored } = await startSmsOtpAdmin(backend, {
        gateway: gatewayFor('https://one.example'),
      }));
    });
    after(() => server.stop());

    const read = async () => (await call('GET', `/identity-providers/${id}`)).body.authenticators[0].config;

    test('the single gateway taken over as "default" in a list keeps its secret; each gateway is masked on read', async () => {
      const shown = await read();
      assert.equal(shown.gateway.preset.fields.apiSecret, MASK);
      const taken = await put({
        gateways: [{ name: 'default', ...shown.gateway }, namedGateway('backup', 'https://two.example')],
      });
      assert.equal(taken.status, 200, taken.text);
      const config = await stored();
      const gateways = config.gateways as { name: string; preset: { fields: Record<string, string> } }[];
      assert.equal(gateways[0]?.preset.fields.apiSecret, 'test-secret-value', 'the mask kept the stored secret');
      assert.equal(gateways[1]?.preset.fields.apiSecret, 'secret-of-backup');
      const again = await read();
      assert.deepEqual(
        again.gateways.map((g: { preset: { fields: Record<string, string> } }) => g.preset.fields.apiSecret),
        [MASK, MASK],
      );
      assert.ok(!JSON.stringify(again).includes('secret-of-backup'));
      assert.ok(!JSON.stringify(again).includes('test-secret-value'));
    });

    test('a mask never follows a changed URL: the gateway whose destination changed must have its secret again', async () => {
      const shown = await read();
      const moved = structuredClone(shown.gateways);
      moved[1].preset.fields.baseUrl = 'https://attacker.example';
      const refused = await put({ gateways: moved });
      assert.equal(refused.status, 400, refused.text);
      const fields = (refused.body.errors as { field: string }[]).map((e) => e.field);
      assert.ok(
        fields.some((f) => f.endsWith('gateways[1].preset.fields.apiSecret')),
        JSON.stringify(fields),
      );
      assert.ok(!fields.some((f) => f.includes('gateways[0]')), 'the unchanged gateway keeps its secret');
      // the same list with the secret typed again is saved, and the other gateway's secret is still kept
      moved[1].preset.fields.apiSecret = 'new-secret';
      const saved = await put({ gateways: moved });
      assert.equal(saved.status, 200, saved.text);
      const gateways = (await stored()).gateways as { preset: { fields: Record<string, string> } }[];
      assert.deepEqual(
        gateways.map((g) => g.preset.fields.apiSecret),
        ['test-secret-value', 'new-secret'],
      );
    });

    test('a renamed gateway is a new gateway: its masked secret is not taken from the old name', async () => {
      const shown = await read();
      const renamed = structuredClone(shown.gateways);
      renamed[1].name = 'other';
      const refused = await put({ gateways: renamed });
      assert.equal(refused.status, 400, refused.text);
      assert.match(refused.text, /gateways\[1\]\.preset\.fields\.apiSecret/);
    });

    test('routes and names are checked: unknown gateway, duplicate name, a route without destinations', async () => {
      const shown = await read();
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ routes: [{ match: { countries: ['LK'] }, gateways: ['nowhere'] }] }, /routes\[0\]\.gateways\[0\]/],
        [{ routes: [{ match: {}, gateways: ['default'] }] }, /routes\[0\]\.match/],
        [{ routes: [{ match: { countries: ['XX'] }, gateways: ['default'] }] }, /routes\[0\]\.match\.countries\[0\]/],
        [{ routes: [{ match: { prefixes: ['94'] }, gateways: ['default'] }] }, /prefixes/],
        [{ gateways: [shown.gateways[0], { ...shown.gateways[1], name: 'default' }] }, /gateways\[1\]\.name/],
        [{ refuseNumberTypes: ['EXPENSIVE'] }, /refuseNumberTypes/],
        [{ androidAppHash: { 'Pickup Dispatch': 'short' } }, /androidAppHash/],
      ];
      for (const [patch, field] of cases) {
        const answer = await put({ gateways: shown.gateways, ...patch });
        assert.equal(answer.status, 400, `${JSON.stringify(patch)}: ${answer.text}`);
        assert.match(answer.text, field);
      }
      const good = await put({
        gateways: shown.gateways,
        routes: [{ match: { prefixes: ['+94'], countries: ['LK'] }, gateways: ['backup', 'default'] }],
      });
      assert.equal(good.status, 200, good.text);
    });

    test('the gateway status lists the gateways in order, closed', async () => {
      const answer = await call('GET', `/identity-providers/${id}/gateways/status`);
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(
        answer.body.gateways.map((g: { name: string; state: string }) => [g.name, g.state]),
        [
          ['default', 'closed'],
          ['backup', 'closed'],
        ],
      );
      assert.equal(answer.body.breaker.failures, 5);
    });
  });
}
