/**
 * The signature checks of the providers that sign receipts, called directly: a gateway saved without its auth token
 * refuses every receipt, even one signed with the empty key (which anyone can compute), rather than checking with it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plivoReceipts, plivoSignatureV3 } from '../../src/sms/receipts/formats/plivo.js';
import { twilioReceipts, twilioSignature } from '../../src/sms/receipts/formats/twilio.js';
import type { ReceiptRequest } from '../../src/sms/receipts/formats/types.js';

const url = 'https://id.example.test/sms/receipts/idp_1/default/token';
const rawBody = 'MessageSid=SM1&MessageStatus=delivered&MessageUUID=u1&Status=delivered';
const pairs = [...new URLSearchParams(rawBody)];
const request = (headers: Record<string, string>): ReceiptRequest => ({
  method: 'POST',
  url,
  headers,
  rawBody,
  contentType: 'application/x-www-form-urlencoded',
  now: Date.now(),
});

test('Twilio: without an auth token, a receipt signed with the empty key is refused; with one, its signature passes', () => {
  const forged = request({ 'x-twilio-signature': twilioSignature('', url, pairs) });
  assert.equal(twilioReceipts.verify(forged, {}).ok, false);
  assert.equal(twilioReceipts.verify(forged, { authToken: '' }).ok, false);
  const signed = request({ 'x-twilio-signature': twilioSignature('secret', url, pairs) });
  assert.deepEqual(twilioReceipts.verify(signed, { authToken: 'secret' }), { ok: true, signed: true });
});

test('Plivo: without an auth token, a receipt signed with the empty key is refused; with one, its signature passes', () => {
  const headers = (key: string) => ({
    'x-plivo-signature-v3': plivoSignatureV3(key, 'POST', url, pairs, 'n1'),
    'x-plivo-signature-v3-nonce': 'n1',
  });
  assert.equal(plivoReceipts.verify(request(headers('')), {}).ok, false);
  assert.equal(plivoReceipts.verify(request(headers('')), { authToken: '' }).ok, false);
  assert.deepEqual(plivoReceipts.verify(request(headers('secret')), { authToken: 'secret' }), {
    ok: true,
    signed: true,
  });
});
