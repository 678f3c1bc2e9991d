/**
 * Vonage (Nexmo) SMS API delivery receipts: messageId, status and err-code, as query parameters (GET), a form or a
 * JSON body (POST), whichever the account's webhook method says. With a signature secret on the gateway, a receipt
 * must carry a signed webhook token: `Authorization: Bearer <JWT>`, HS256 with that secret, issued (`iat`) within
 * five minutes, and its `payload_hash` (when present) the SHA-256 of the body as sent.
 */
import { createHash, createHmac } from 'node:crypto';
import { safeEqual } from '../../../crypto/keyring.js';
import type { MessageStatus } from '../status.js';
import { paramsOf, parseJson, type ReceiptFormat, type Verdict } from './types.js';

const STATUSES: Readonly<Record<string, MessageStatus>> = {
  delivered: 'delivered',
  expired: 'expired',
  failed: 'failed',
  rejected: 'failed',
  unknown: 'unknown',
};

const MAX_AGE_SECONDS = 300;

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** A signed webhook token as Vonage makes one (tests sign with it; the verifier below checks the same way). */
export function vonageJwt(secret: string, claims: Record<string, unknown>): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function verifyJwt(token: string, secret: string, body: string, now: number): Verdict {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, why: 'the bearer token is not a JWT' };
  const [head, claims, sig] = parts as [string, string, string];
  const header = parseJson(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: unknown } | undefined;
  // the algorithm is ours to choose, never the token's: only HS256 with the signature secret
  if (header?.alg !== 'HS256') return { ok: false, why: 'the JWT is not HS256' };
  const expected = createHmac('sha256', secret).update(`${head}.${claims}`).digest('base64url');
  if (!safeEqual(sig, expected)) return { ok: false, why: 'the JWT signature is wrong' };
  const payload = parseJson(Buffer.from(claims, 'base64url').toString('utf8')) as Record<string, unknown> | undefined;
  const iat = typeof payload?.iat === 'number' ? payload.iat : undefined;
  if (iat === undefined || iat > now + 60 || now - iat > MAX_AGE_SECONDS)
    return { ok: false, why: 'the JWT is too old, from the future or has no iat' };
  const hash = payload?.payload_hash;
  if (hash !== undefined && (typeof hash !== 'string' || !safeEqual(hash, sha256Hex(body))))
    return { ok: false, why: 'the JWT payload_hash does not match the body' };
  return { ok: true, signed: true };
}

export const vonageReceipts: ReceiptFormat = {
  verify(req, fields) {
    const secret = (fields.signatureSecret ?? '').trim();
    if (secret === '') return { ok: true, signed: false };
    const auth = req.headers.authorization ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
    if (!token) return { ok: false, why: 'the signed webhook token (Authorization: Bearer) is missing' };
    return verifyJwt(token, secret, req.rawBody, Math.floor(req.now / 1000));
  },
  parse(req) {
    const p = paramsOf(req);
    const id = p.messageId;
    const status = p.status;
    if (!id || !status) return { error: 'messageId and status are required' };
    const err = p['err-code'];
    const errorCode = err && err !== '0' ? err : undefined;
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
