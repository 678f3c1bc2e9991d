/**
 * A delivery receipt's status change and its `sms.receipt` audit event commit together: with the event's insert
 * refused (a trigger, test/support/refuse-audit.ts) the receipt is answered with a problem and the message keeps its
 * status and timeline; the same receipt once the trigger is gone moves it with exactly one event. SQLite and
 * PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { suiteNeeding, variants } from '../support/backends.js';
import { withAuditRefused } from '../support/refuse-audit.js';
import { post } from './support/providers.js';
import { type ReceiptsSetup, startReceipts } from './support/setup.js';

for (const { name, backend, skip } of variants()) {
  suiteNeeding(skip, `SMS delivery receipts and their audit events on ${name}`, () => {
    let r: ReceiptsSetup;
    before(async () => {
      r = await startReceipts(backend);
    });
    after(async () => r?.stop());

    test('a refused sms.receipt event rolls the status change back; the receipt again commits with one event', async () => {
      await r.useGateways('twilio');
      await r.login();
      const im = r.imitations.twilio;
      const sent = im.sent.at(-1)!;
      const message = await r.recorded(sent.id);
      const events = async () => (await r.f.audit('sms.receipt')).filter((e) => e.messageId === message.id).length;

      const refused = await withAuditRefused(
        r.f.server.services.db,
        backend.name,
        () => post(im.receipt(sent, 'delivered')),
        'sms.receipt',
      );
      assert.ok(refused.status >= 500, `refused audit: ${refused.status}`);
      assert.match(refused.headers.get('content-type') ?? '', /problem\+json/);
      assert.doesNotMatch(await refused.text(), /refused the event/, 'the database’s words reach the provider');
      const unchanged = await r.f.server.services.smsMessages.get(message.id);
      assert.equal(unchanged?.status, 'accepted', 'the status moved without its audit event');
      assert.equal(unchanged?.timeline.length, 1, 'a timeline row without its audit event');
      assert.equal(await events(), 0);

      // the near miss: the provider retries, the audit works
      const accepted = await post(im.receipt(sent, 'delivered'));
      await r.assertDelivered(accepted, message.id);
      assert.equal(await events(), 1);
    });

    test('a refusal is audited on its own and changes nothing', async () => {
      await r.useGateways('twilio');
      await r.login();
      const im = r.imitations.twilio;
      const sent = im.sent.at(-1)!;
      const before = (await r.f.audit('sms.receipt-refused')).length;
      const answer = await post(im.receipt(sent, 'delivered', { sign: false }));
      assert.equal(answer.status, 403);
      assert.equal((await r.f.audit('sms.receipt-refused')).length, before + 1);
      assert.equal((await r.recorded(sent.id)).status, 'accepted');
    });
  });
}
