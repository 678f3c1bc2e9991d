/**
 * Notices are messages too: an administrator's change of a user's mobile number sends the user a notice through the
 * first gateway, with that gateway's receipt callback; it is recorded as a notice (no login, no conversion), and its
 * provider's receipt moves it like a code's.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import { ClaimUri } from '../../src/identity/claim-uris.js';
import { adminApiPlugin } from '../../src/web/admin-api/index.js';
import { client, clientToken } from '../admin-api/support.js';
import { sqliteBackend } from '../support/backends.js';
import { post } from './support/providers.js';
import { type ReceiptsSetup, startReceipts } from './support/setup.js';

let r: ReceiptsSetup;
before(async () => {
  r = await startReceipts(sqliteBackend, {
    plugins: (services) => [
      {
        plugin: adminApiPlugin as unknown as FastifyPluginAsync<Record<string, unknown>>,
        options: { services, checkResponses: true },
      },
    ],
  });
});
after(async () => r?.stop());

test('a notice goes out with the receipt callback, is recorded as a notice, and its receipt delivers it', async () => {
  await r.useGateways('twilio', 'plivo');
  const user = await r.f.addUser('noticed', { [ClaimUri.mobile]: '+94771234500' });
  const call = client(r.f.server, await clientToken(r.f.server));
  const before = r.imitations.twilio.sent.length;
  const changed = await call('PUT', `/users/${user.id}`, { claims: { [ClaimUri.mobile]: '+94771234511' } });
  assert.equal(changed.status, 200, changed.text);
  assert.equal(r.imitations.twilio.sent.length, before + 1, `no notice: ${r.imitations.twilio.refused.join('; ')}`);
  const sent = r.imitations.twilio.sent.at(-1)!;
  assert.equal(sent.callback, r.f.server.services.smsMessages.receiptUrl(r.idpId, 'twilio'));
  const message = await r.recorded(sent.id);
  assert.equal(message.purpose, 'notice');
  assert.equal(message.loginId, null);
  assert.equal(message.gateway, 'twilio');
  assert.equal((await post(r.imitations.twilio.receipt(sent, 'delivered'))).status, 204);
  assert.equal((await r.recorded(sent.id)).status, 'delivered');
  const [rates] = await r.f.server.services.smsMessages.rates(0);
  assert.equal(rates?.codes, 0, 'a notice is no code');
});
