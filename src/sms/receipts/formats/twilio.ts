/**
 * Twilio `StatusCallback`: a form POST with MessageSid, MessageStatus and ErrorCode, signed in X-Twilio-Signature:
 * base64 HMAC-SHA1, keyed with the account's auth token, of the URL Twilio called followed by every POST parameter,
 * sorted by name, as name then value.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../../../crypto/keyring.js';
import type { MessageStatus } from '../status.js';
import { byKey, formPairs, paramsOf, type ReceiptFormat, type ReceiptRequest } from './types.js';

const STATUSES: Readonly<Record<string, MessageStatus>> = {
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'failed',
  failed: 'failed',
  canceled: 'failed',
};

export function twilioSignature(authToken: string, url: string, pairs: [string, string][]): string {
  const data =
    url +
    [...pairs]
      .sort(byKey)
      .map(([k, v]) => k + v)
      .join('');
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export const twilioReceipts: ReceiptFormat = {
  verify(req: ReceiptRequest, fields) {
    const token = fields.authToken ?? '';
    const given = req.headers['x-twilio-signature'];
    if (token === '') return { ok: false, why: 'the gateway has no auth token to check X-Twilio-Signature with' };
    if (!given) return { ok: false, why: 'X-Twilio-Signature is missing' };
    const expected = twilioSignature(token, req.url, formPairs(req));
    return safeEqual(given, expected) ? { ok: true, signed: true } : { ok: false, why: 'X-Twilio-Signature is wrong' };
  },
  parse(req) {
    const p = paramsOf(req);
    const id = p.MessageSid ?? p.SmsSid;
    const status = p.MessageStatus ?? p.SmsStatus;
    if (!id || !status) return { error: 'MessageSid and MessageStatus are required' };
    const errorCode = p.ErrorCode && p.ErrorCode !== '0' ? p.ErrorCode : undefined;
    return [
      {
        providerMessageId: id,
        providerStatus: status,
        status: STATUSES[status] ?? 'accepted',
        ...(errorCode ? { errorCode } : {}),
      },
    ];
  },
};
