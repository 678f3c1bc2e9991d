/**
 * Plivo message status URL: a form POST with MessageUUID, Status and ErrorCode, signed in X-Plivo-Signature-V3 with
 * the nonce in X-Plivo-Signature-V3-Nonce: base64 HMAC-SHA256, keyed with the auth token, of
 * `<URL without query>?<sorted query k=v&...>.<sorted POST params as name+value><.nonce>` — for a POST without a
 * query string: `<URL>?<params>.<nonce>`. The header may hold several signatures separated by commas (token
 * rotation): one matching is enough.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../../../crypto/keyring.js';
import type { MessageStatus } from '../status.js';
import { byKey, formPairs, paramsOf, type ReceiptFormat } from './types.js';

const STATUSES: Readonly<Record<string, MessageStatus>> = {
  delivered: 'delivered',
  read: 'delivered',
  failed: 'failed',
  undelivered: 'failed',
  rejected: 'failed',
};

export function plivoSignatureV3(
  authToken: string,
  method: string,
  url: string,
  pairs: [string, string][],
  nonce: string,
): string {
  const u = new URL(url);
  const base = `${u.protocol}//${u.host}${u.pathname}`;
  const query = [...u.searchParams]
    .sort(byKey)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  let data: string;
  if (method.toUpperCase() === 'GET') data = `${base}?${query}.${nonce}`;
  else {
    const body = [...pairs]
      .sort(byKey)
      .map(([k, v]) => k + v)
      .join('');
    data = `${base}?${query ? `${query}.` : ''}${body}.${nonce}`;
  }
  return createHmac('sha256', authToken).update(data, 'utf8').digest('base64');
}

export const plivoReceipts: ReceiptFormat = {
  verify(req, fields) {
    const token = fields.authToken ?? '';
    const given = req.headers['x-plivo-signature-v3'];
    const nonce = req.headers['x-plivo-signature-v3-nonce'];
    if (token === '') return { ok: false, why: 'the gateway has no auth token to check X-Plivo-Signature-V3 with' };
    if (!given || !nonce) return { ok: false, why: 'X-Plivo-Signature-V3 or its nonce is missing' };
    const expected = plivoSignatureV3(token, req.method, req.url, formPairs(req), nonce);
    const ok = given.split(',').some((s) => safeEqual(s.trim(), expected));
    return ok ? { ok: true, signed: true } : { ok: false, why: 'X-Plivo-Signature-V3 is wrong' };
  },
  parse(req) {
    const p = paramsOf(req);
    const id = p.MessageUUID;
    const status = p.Status;
    if (!id || !status) return { error: 'MessageUUID and Status are required' };
    const errorCode = p.ErrorCode && p.ErrorCode !== '000' && p.ErrorCode !== '0' ? p.ErrorCode : undefined;
    return [
      {
        providerMessageId: id,
        providerStatus: status,
        status: STATUSES[status.toLowerCase()] ?? 'accepted',
        ...(errorCode ? { errorCode } : {}),
      },
    ];
  },
};
