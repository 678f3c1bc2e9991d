/**
 * The admin API of the message log, over real HTTP with a real token: the list with each filter (and bad filters as
 * 400 problems), one message with its timeline (404 for none), delivery and conversion rates per gateway; and the
 * retention purge, on demand and on write. SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createSmsMessageLog, type SmsMessageLog } from '../../src/sms/receipts/index.js';
import { type Answer, client, clientToken, startAdminServer } from '../admin-api/support.js';
import { suiteNeeding, variants } from '../support/backends.js';
import type { TestServer } from '../support/server.js';

const DAY = 86_400_000;

for (const { name, backend, skip } of variants()) {
  suiteNeeding(skip, `the admin API of SMS messages on ${name}`, () => {
    let server: TestServer;
    let call: (method: string, path: string) => Promise<Answer>;
    let idpId: string;
    let log: SmsMessageLog;
    const ids: Record<string, string> = {};

    before(async () => {
      server = await startAdminServer(backend);
      call = client(server, await clientToken(server));
      const idp = await server.services.identityProviders.create({
        name: 'smsOTP',
        authenticators: [
          {
            type: 'sms-otp',
            enabled: true,
            config: {
              gateway: { url: 'https://sms.example.test/send', method: 'POST', payload: 'to=$ctx.num&text=$ctx.msg' },
            },
          },
        ],
      });
      idpId = idp.id;
      log = server.services.smsMessages;
      const common = { idpId, gateway: 'default', provider: 'custom', country: 'LK' };
      for (const [key, purpose, to, loginId] of [
        ['a', 'otp', '+94771110001', 'login-a'],
        ['b', 'otp', '+94771110002', 'login-b'],
        ['c', 'notice', '+94771110003', undefined],
      ] as const) {
        const m = await log.recordSent({
          ...common,
          purpose,
          providerMessageId: `pm-${key}`,
          to,
          masked: `+*******${to.slice(-4)}`,
          text: 'Verification Code: 123456',
          loginId,
        });
        ids[key] = m.id;
      }
      for (const [messageId, status] of [
        ['pm-a', 'delivered'],
        ['pm-b', 'failed'],
      ]) {
        const r = await fetch(log.receiptUrl(idpId, 'default'), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ messageId: messageId!, status: status!, errorCode: 'E1' }).toString(),
        });
        assert.equal(r.status, 204);
      }
      await log.verified('login-a');
    });
    after(async () => server?.stop());

    test('the list, newest first, masked, without the login id; each filter narrows it', async () => {
      const all = await call('GET', '/sms-messages');
      assert.equal(all.status, 200, all.text);
      assert.equal(all.body.total, 3);
      assert.deepEqual(
        all.body.items.map((m: { id: string }) => m.id),
        [ids.c, ids.b, ids.a],
      );
      assert.doesNotMatch(all.text, /login-a|\+9477111000/);
      const first = all.body.items.at(-1);
      assert.equal(first.verified, true);
      assert.equal(first.status, 'delivered');
      // a second verification of the same login keeps the first time (the conversion counts once)
      const verifiedAt = (await log.get(ids.a!))?.verifiedAt;
      assert.equal(typeof verifiedAt, 'number');
      await log.verified('login-a', verifiedAt! + 60_000);
      assert.equal((await log.get(ids.a!))?.verifiedAt, verifiedAt);
      const count = async (q: string) => (await call('GET', `/sms-messages?${q}`)).body.total;
      assert.equal(await count('status=failed'), 1);
      assert.equal(await count('status=accepted'), 1);
      assert.equal(await count('gateway=default'), 3);
      assert.equal(await count('gateway=other'), 0);
      assert.equal(await count(`idp=${idpId}`), 3);
      assert.equal(await count('destination=0002'), 1);
      assert.equal(await count('destination=2'), 1);
      assert.equal(await count(`since=${Date.now() + 60_000}`), 0);
      assert.equal(await count(`since=${new Date(Date.now() - 60_000).toISOString()}`), 3);
      for (const bad of ['status=lost', 'destination=12345', 'destination=12a', 'since=yesterday', 'limit=0']) {
        const answer = await call('GET', `/sms-messages?${bad}`);
        assert.equal(answer.status, 400, `${bad}: ${answer.text}`);
        assert.ok(answer.body.type && answer.body.title, answer.text);
      }
    });

    test('one message with its timeline; a message that does not exist is a 404 problem', async () => {
      const one = await call('GET', `/sms-messages/${ids.b}`);
      assert.equal(one.status, 200, one.text);
      assert.equal(one.body.status, 'failed');
      assert.equal(one.body.errorCode, 'E1');
      assert.deepEqual(
        one.body.timeline.map((t: { status: string; providerStatus: string }) => `${t.status}/${t.providerStatus}`),
        ['accepted/sent', 'failed/failed'],
      );
      const none = await call('GET', '/sms-messages/msg_nosuch');
      assert.equal(none.status, 404);
      assert.match(none.headers.get('content-type') ?? '', /problem\+json/);
    });

    test('rates per gateway: delivered of sent, codes entered of codes sent, and the receipt URL', async () => {
      const rates = await call('GET', '/sms-messages/rates');
      assert.equal(rates.status, 200, rates.text);
      const [g] = rates.body.gateways;
      assert.equal(rates.body.gateways.length, 1);
      assert.deepEqual(
        { ...g, receiptUrl: undefined },
        {
          idpId,
          idpName: 'smsOTP',
          gateway: 'default',
          provider: 'custom',
          sent: 3,
          delivered: 1,
          failed: 1,
          expired: 0,
          unknown: 0,
          deliveryRate: 0.3333,
          codes: 2,
          verified: 1,
          conversionRate: 0.5,
          receiptUrl: undefined,
        },
      );
      assert.equal(g.receiptUrl, log.receiptUrl(idpId, 'default'));
      // a gateway that sent nothing in the period is listed too, with its receipt URL (to set it at the provider first)
      const later = await call('GET', `/sms-messages/rates?since=${Date.now() + 60_000}`);
      assert.equal(later.body.gateways.length, 1);
      assert.equal(later.body.gateways[0].sent, 0);
      assert.equal(later.body.gateways[0].deliveryRate, null);
      assert.equal(later.body.gateways[0].conversionRate, null);
      assert.equal(later.body.gateways[0].receiptUrl, log.receiptUrl(idpId, 'default'));
      assert.equal((await client(server, undefined)('GET', '/sms-messages/rates')).status, 401);
    });

    test('retention: a purge removes what is older than the retention and nothing younger', async () => {
      let clock = Date.now();
      const short = createSmsMessageLog({
        db: server.services.db,
        keyring: server.services.keyring,
        publicUrl: server.url,
        retentionDays: 2,
        now: () => clock,
      });
      const send = (id: string) =>
        short.recordSent({
          idpId: 'idp-retention',
          gateway: 'default',
          provider: 'custom',
          purpose: 'otp',
          providerMessageId: id,
          to: '+94770000000',
          masked: '+*******0000',
          country: 'LK',
          text: 'x',
        });
      const old = await send('old');
      clock += DAY;
      // a day later, within the retention: the write purges nothing
      await send('young');
      assert.ok(await short.get(old.id));
      clock += 1.5 * DAY;
      // two and a half days after the first: the next write purges it (and its timeline), not the younger one
      await send('newest');
      assert.equal(await short.get(old.id), undefined);
      assert.equal((await short.list({ idpId: 'idp-retention', offset: 0, limit: 10 })).total, 2);
      const orphans = await server.services.db
        .selectFrom('sms_message_events')
        .select('id')
        .where('message_id', '=', old.id)
        .execute();
      assert.deepEqual(orphans, []);
      // on demand: everything older than two days before the given time
      assert.equal(await short.purge(clock + DAY), 1);
      assert.equal(await short.purge(clock + 1.9 * DAY), 0);
      assert.equal(await short.purge(clock + 2.1 * DAY), 1);
    });
  });
}
