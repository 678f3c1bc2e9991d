/**
 * Delivery receipts per preset, through real logins: a code is sent over HTTPS to the provider's imitation (which
 * checks the request as the provider's API does), recorded with the provider's message id, and the provider's
 * receipt — in its own format, signed its own way — moves the message's status. A bad signature or a wrong URL token
 * is refused with a problem and audited, and changes nothing; so is a receipt for a message we never sent. Replays
 * and late intermediate receipts never move a final status back. SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { suiteNeeding, variants } from '../support/backends.js';
import { post } from './support/providers.js';
import { PROVIDERS, type ReceiptsSetup, startReceipts } from './support/setup.js';

/** Where the provider takes a callback per message (the send carries it); the others have it as an account setting. */
const PER_MESSAGE = new Set(['vonage', 'twilio', 'plivo']);
/** Where the provider signs its receipts (Vonage: because the gateway has a signature secret). */
const SIGNED = new Set(['vonage', 'twilio', 'plivo']);

for (const { name, backend, skip } of variants()) {
  suiteNeeding(skip, `SMS delivery receipts on ${name}`, () => {
    let r: ReceiptsSetup;
    before(async () => {
      r = await startReceipts(backend);
    });
    after(async () => r?.stop());

    const refusals = async (reason: string) =>
      (await r.f.audit('sms.receipt-refused')).filter((e) => e.reason === reason).length;

    for (const provider of PROVIDERS) {
      test(`${provider}: the code's message is recorded; a bad receipt is refused and audited, a good one delivers it`, async () => {
        await r.useGateways(provider);
        const im = r.imitations[provider];
        const before = im.sent.length;
        await r.login();
        assert.equal(im.sent.length, before + 1, `the imitation refused the send: ${im.refused.join('; ')}`);
        const sent = im.sent.at(-1)!;
        const receiptUrl = r.f.server.services.smsMessages.receiptUrl(r.idpId, provider);
        if (PER_MESSAGE.has(provider)) assert.equal(sent.callback, receiptUrl, 'the send carries the receipt URL');
        else assert.equal(sent.callback, undefined);

        const message = await r.recorded(sent.id);
        assert.equal(message.status, 'accepted');
        assert.equal(message.gateway, provider);
        assert.equal(message.provider, provider);
        assert.equal(message.purpose, 'otp');
        assert.equal(message.segments, 1);
        assert.match(message.destination, /^\+\*+\d{4}$/, 'the number is kept masked');
        assert.doesNotMatch(JSON.stringify(message), /\+9477\d{7}/);

        // a forgery: signed with the wrong key (or not at all) where the provider signs; a wrong token elsewhere
        const good = im.receipt(sent, 'delivered');
        const forged = SIGNED.has(provider)
          ? im.receipt(sent, 'delivered', { sign: false })
          : { ...good, url: good.url.replace(/[0-9a-f]$/, (c) => (c === '0' ? '1' : '0')) };
        const badBefore = await refusals(SIGNED.has(provider) ? 'bad-signature' : 'bad-token');
        const refused = await post(forged);
        assert.equal(refused.status, SIGNED.has(provider) ? 403 : 404);
        assert.match(refused.headers.get('content-type') ?? '', /^application\/problem\+json/);
        const problem = (await refused.json()) as Record<string, unknown>;
        assert.ok(problem.type && problem.title && problem.detail, JSON.stringify(problem));
        assert.equal(await refusals(SIGNED.has(provider) ? 'bad-signature' : 'bad-token'), badBefore + 1);
        assert.equal((await r.recorded(sent.id)).status, 'accepted', 'a forged receipt changed the status');

        const accepted = await post(good);
        await r.assertDelivered(accepted, message.id);
        const audited = (await r.f.audit('sms.receipt')).filter((e) => e.messageId === message.id);
        assert.equal(audited.length, 1);
        assert.equal(audited[0]!.after, 'delivered');
        assert.equal(audited[0]!.signed, SIGNED.has(provider));

        // a replay and a late intermediate receipt are history, never a step back
        assert.equal((await post(im.receipt(sent, 'delivered'))).status, 204);
        assert.equal((await post(im.receipt(sent, 'intermediate'))).status, 204);
        const later = await r.f.server.services.smsMessages.get(message.id);
        assert.equal(later?.status, 'delivered');
        assert.equal(later?.timeline.length, 4);
      });

      test(`${provider}: a receipt for a message never sent through this gateway is refused (404) and audited`, async () => {
        await r.useGateways(provider);
        const im = r.imitations[provider];
        await r.login();
        const sent = im.sent.at(-1)!;
        const before = await refusals('unknown-message');
        const answer = await post(im.receipt({ ...sent, id: `${sent.id}0` }, 'failed'));
        assert.equal(answer.status, 404);
        assert.match(String(((await answer.json()) as { detail?: string }).detail), /no message with this id/);
        assert.equal(await refusals('unknown-message'), before + 1);
        assert.equal((await r.recorded(sent.id)).status, 'accepted');
      });
    }

    test('a receipt through another gateway’s URL (its token) does not reach this gateway’s messages', async () => {
      await r.useGateways('clickatell', 'bulksms');
      await r.login();
      const sent = r.imitations.clickatell.sent.at(-1)!;
      const receipt = r.imitations.clickatell.receipt(sent, 'delivered');
      // the bulksms gateway's URL, with its own valid token: the message is not one of that gateway's
      const other = r.f.server.services.smsMessages.receiptUrl(r.idpId, 'bulksms');
      const answer = await post({ ...receipt, url: other });
      assert.equal(answer.status, 400, 'a Clickatell body is not a BulkSMS webhook');
      // the token of one gateway on another's path
      const swapped = receipt.url
        .replace('/clickatell/', '/bulksms/')
        .replace(/[^/]+$/, receipt.url.split('/').at(-1)!);
      const wrongPath = other.replace(/[^/]+$/, receipt.url.split('/').at(-1)!);
      assert.equal((await post({ ...receipt, url: wrongPath })).status, 404);
      assert.equal((await post({ ...receipt, url: swapped })).status, 404);
      assert.equal((await r.recorded(sent.id)).status, 'accepted');
    });

    test('a plain gateway: the message id from its JSON Pointer, receipts in the generic format behind the token', async () => {
      const vonage = r.imitations.vonage.fields();
      await r.f.configure({
        gateways: [
          {
            name: 'plain',
            url: `${vonage.baseUrl}/sms/json`,
            method: 'POST',
            headers: 'Content-Type: application/x-www-form-urlencoded',
            payload: `api_key=${vonage.apiKey}&api_secret=${vonage.apiSecret}&from=Stepgate&to=$ctx.num&text=$ctx.msg`,
            numberFormat: 'digits',
            successPointer: '/messages/0/status',
            successValue: '0',
            messageIdPointer: '/messages/0/message-id',
          },
        ],
        routes: [],
      });
      await r.login();
      const sent = r.imitations.vonage.sent.at(-1)!;
      assert.equal(sent.callback, undefined, 'a plain gateway adds nothing to its request');
      const message = await r.recorded(sent.id);
      assert.equal(message.provider, 'custom');
      const url = r.f.server.services.smsMessages.receiptUrl(r.idpId, 'plain');
      const receipt = (status: string, id = sent.id) =>
        fetch(`${url}?${new URLSearchParams({ messageId: id, status, errorCode: 'X9' })}`);
      assert.equal((await receipt('failed', 'someone-else')).status, 404);
      assert.equal((await fetch(`${url}?status=failed`)).status, 400, 'no messageId');
      assert.equal((await receipt('queued')).status, 204);
      assert.equal((await r.recorded(sent.id)).status, 'accepted', 'an intermediate status');
      assert.equal((await receipt('expired')).status, 204);
      const expired = await r.recorded(sent.id);
      assert.equal(expired.status, 'expired');
      assert.equal(expired.errorCode, 'X9');
    });

    test('junk and huge bodies are 4xx problems, never 500', async () => {
      await r.useGateways('twilio', 'bulksms');
      const url = r.f.server.services.smsMessages.receiptUrl(r.idpId, 'bulksms');
      const junk = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
      assert.equal(junk.status, 400);
      const many = JSON.stringify(
        Array.from({ length: 101 }, (_, i) => ({ id: String(i), status: { type: 'DELIVERED' } })),
      );
      assert.equal(
        (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: many })).status,
        400,
      );
      const huge = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `[${'"x",'.repeat(20_000)}"x"]`,
      });
      assert.equal(huge.status, 413);
      assert.match(huge.headers.get('content-type') ?? '', /problem\+json/);
      const unsigned = await fetch(r.f.server.services.smsMessages.receiptUrl(r.idpId, 'twilio'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'MessageSid=SM1&MessageStatus=delivered',
      });
      assert.equal(unsigned.status, 403);
      const noGateway = r.f.server.services.smsMessages.receiptUrl(r.idpId, 'nosuch');
      assert.equal((await fetch(noGateway, { method: 'POST', body: 'x' })).status, 404);
    });
  });
}
