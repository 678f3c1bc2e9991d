/**
 * Near misses of each provider's proof, through the real endpoint: a Twilio body changed after signing or signed for
 * another URL, a Plivo nonce swapped (and a rotated signature list that does hold the right one), Vonage tokens that
 * are old, from the future, for another body, unsigned (`alg: none`), signed with another secret or missing — and a
 * Vonage gateway without a signature secret, where the URL token alone is the proof. Fifty receipts at once move a
 * message exactly once (on PostgreSQL with real concurrency).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { applyReceipt } from '../../src/sms/receipts/messages.js';
import { suiteNeeding, variants } from '../support/backends.js';
import { hs256, post, type ReceiptPost, VONAGE_SIGNATURE_SECRET } from './support/providers.js';
import { type ReceiptsSetup, startReceipts } from './support/setup.js';

const statusOf = async (receipt: ReceiptPost) => (await post(receipt)).status;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const now = () => Math.floor(Date.now() / 1000);

for (const { name, backend, skip } of variants()) {
  suiteNeeding(skip, `receipt proofs and races on ${name}`, () => {
    let r: ReceiptsSetup;
    before(async () => {
      r = await startReceipts(backend);
    });
    after(async () => r?.stop());

    test('Twilio: a body changed after signing, or a signature for another URL, is refused', async () => {
      await r.useGateways('twilio');
      await r.login();
      const sent = r.imitations.twilio.sent.at(-1)!;
      const good = r.imitations.twilio.receipt(sent, 'delivered');
      assert.equal(
        await statusOf({ ...good, body: good.body.replace('MessageStatus=delivered', 'MessageStatus=failed') }),
        403,
      );
      assert.equal(await statusOf({ ...good, body: `${good.body}&Extra=1` }), 403);
      const forOtherUrl = r.imitations.twilio.receipt(
        { ...sent, callback: good.url.replace('http://', 'https://') },
        'delivered',
      );
      assert.equal(await statusOf({ ...forOtherUrl, url: good.url }), 403);
      assert.equal((await r.recorded(sent.id)).status, 'accepted');
      assert.equal(await statusOf(good), 204);
    });

    test('Plivo: a swapped nonce is refused; one right signature in a rotated list is enough', async () => {
      await r.useGateways('plivo');
      await r.login();
      const sent = r.imitations.plivo.sent.at(-1)!;
      const good = r.imitations.plivo.receipt(sent, 'delivered');
      const swapped = { ...good, headers: { ...good.headers, 'x-plivo-signature-v3-nonce': '12345678901234567890' } };
      assert.equal(await statusOf(swapped), 403);
      const noNonce = { ...good, headers: { ...good.headers } };
      delete noNonce.headers['x-plivo-signature-v3-nonce'];
      assert.equal(await statusOf(noNonce), 403);
      const rotated = {
        ...good,
        headers: {
          ...good.headers,
          'x-plivo-signature-v3': `bm90LXRoaXMtb25l, ${good.headers['x-plivo-signature-v3']}`,
        },
      };
      assert.equal(await statusOf(rotated), 204);
      assert.equal((await r.recorded(sent.id)).status, 'delivered');
    });

    test('Vonage signed webhooks: old, future, other-body, alg none, other-secret and missing tokens are refused', async () => {
      await r.useGateways('vonage');
      await r.login();
      const sent = r.imitations.vonage.sent.at(-1)!;
      const good = r.imitations.vonage.receipt(sent, 'delivered');
      const withToken = (claims: Record<string, unknown>, secret = VONAGE_SIGNATURE_SECRET) => ({
        ...good,
        headers: { ...good.headers, authorization: `Bearer ${hs256(secret, claims)}` },
      });
      const hash = sha256(good.body);
      assert.equal(await statusOf(withToken({ iat: now() - 600, payload_hash: hash })), 403, 'ten minutes old');
      assert.equal(await statusOf(withToken({ iat: now() + 600, payload_hash: hash })), 403, 'from the future');
      assert.equal(await statusOf(withToken({ payload_hash: hash })), 403, 'no iat');
      assert.equal(await statusOf(withToken({ iat: now(), payload_hash: sha256(`${good.body} `) })), 403, 'other body');
      assert.equal(
        await statusOf(withToken({ iat: now(), payload_hash: hash }, 'another-secret')),
        403,
        'other secret',
      );
      const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const none = `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ iat: now(), payload_hash: hash })}.`;
      assert.equal(
        await statusOf({ ...good, headers: { ...good.headers, authorization: `Bearer ${none}` } }),
        403,
        'alg none',
      );
      assert.equal(await statusOf(r.imitations.vonage.receipt(sent, 'delivered', { sign: false })), 403, 'no token');
      assert.equal((await r.recorded(sent.id)).status, 'accepted');
      // a token without payload_hash is Vonage's older form: the signature and its time still hold
      assert.equal(await statusOf(withToken({ iat: now() })), 204);
    });

    test('a Vonage gateway without a signature secret: the URL token is the proof', async () => {
      await r.f.configure({
        gateways: [
          {
            name: 'vonage-plain',
            preset: { provider: 'vonage', fields: { ...r.imitations.vonage.fields(), signatureSecret: '' } },
          },
        ],
        routes: [],
      });
      await r.login();
      const sent = r.imitations.vonage.sent.at(-1)!;
      const good = r.imitations.vonage.receipt(sent, 'failed', { sign: false });
      assert.match(good.url, /\/vonage-plain\//);
      const wrongToken = { ...good, url: good.url.replace(/[0-9a-f]{8}$/, '00000000') };
      assert.equal(await statusOf(wrongToken), 404);
      const otherIdp = { ...good, url: good.url.replace(`/${r.idpId}/`, '/idp_other/') };
      assert.equal(await statusOf(otherIdp), 404);
      assert.equal(await statusOf(good), 204);
      assert.equal((await r.recorded(sent.id)).status, 'failed');
    });

    test('fifty receipts at once: the message moves once, every receipt is in the timeline', async () => {
      await r.useGateways('bulksms');
      await r.login();
      const sent = r.imitations.bulksms.sent.at(-1)!;
      const statuses = ['delivered', 'failed', 'intermediate', 'expired'] as const;
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => statusOf(r.imitations.bulksms.receipt(sent, statuses[i % 4]!))),
      );
      assert.deepEqual([...new Set(answers)], [204]);
      const message = await r.recorded(sent.id);
      const detail = await r.f.server.services.smsMessages.get(message.id);
      assert.equal(detail?.timeline.length, 51);
      assert.notEqual(detail?.status, 'accepted');
      const moves = (await r.f.audit('sms.receipt')).filter((e) => e.messageId === message.id && e.before !== e.after);
      assert.equal(moves.length, 1, JSON.stringify(moves));
      assert.equal(moves[0]!.after, detail?.status);
    });

    test('fifty receipts applied at once to the table: exactly one moves the status (compare-and-set)', async () => {
      const message = await r.f.server.services.smsMessages.recordSent({
        idpId: r.idpId,
        gateway: 'race',
        provider: 'custom',
        purpose: 'otp',
        providerMessageId: 'race-1',
        to: '+94770000001',
        masked: '+*******0001',
        country: 'LK',
        text: 'x',
      });
      const statuses = ['delivered', 'failed', 'expired', 'unknown'] as const;
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          applyReceipt(
            r.f.server.services.db,
            message.id,
            { status: statuses[i % 4]!, providerStatus: 'x' },
            Date.now(),
          ),
        ),
      );
      const moved = results.filter((m) => m && m.before === 'accepted' && m.after !== 'accepted');
      assert.equal(moved.length, 1, JSON.stringify(results.slice(0, 5)));
    });
  });
}
