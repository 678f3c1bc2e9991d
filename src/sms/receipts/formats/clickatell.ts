/**
 * Clickatell platform message status callbacks (set on the integration in the Clickatell portal, not per message):
 * a JSON POST (or GET with query parameters) with messageId (the apiMessageId the send answered with), statusCode
 * and status. Clickatell does not sign them: the secret token in the callback URL is the proof.
 */
import type { MessageStatus } from '../status.js';
import { paramsOf, type ReceiptFormat } from './types.js';

/** By Clickatell's status name; the numeric code (1–14) where no name came. */
const BY_NAME: Readonly<Record<string, MessageStatus>> = {
  RECEIVED_BY_RECIPIENT: 'delivered',
  ERROR_WITH_MESSAGE: 'failed',
  USER_CANCELLED: 'failed',
  ERROR_DELIVERING: 'failed',
  ROUTING_ERROR: 'failed',
  OUT_OF_CREDIT: 'failed',
  MAX_MT_EXCEEDED: 'failed',
  EXPIRED: 'expired',
  MESSAGE_UNKNOWN: 'unknown',
};
const BY_CODE: Readonly<Record<number, string>> = {
  1: 'MESSAGE_UNKNOWN',
  2: 'QUEUED',
  3: 'DELIVERED_TO_GATEWAY',
  4: 'RECEIVED_BY_RECIPIENT',
  5: 'ERROR_WITH_MESSAGE',
  6: 'USER_CANCELLED',
  7: 'ERROR_DELIVERING',
  9: 'ROUTING_ERROR',
  10: 'EXPIRED',
  12: 'OUT_OF_CREDIT',
  14: 'MAX_MT_EXCEEDED',
};

export const clickatellReceipts: ReceiptFormat = {
  verify: () => ({ ok: true, signed: false }),
  parse(req) {
    const p = paramsOf(req);
    const id = p.messageId ?? p.apiMessageId;
    const code = p.statusCode !== undefined ? Number.parseInt(p.statusCode, 10) : undefined;
    const name = p.status ?? (code !== undefined ? BY_CODE[code] : undefined);
    if (!id || !name) return { error: 'messageId and status (or statusCode) are required' };
    const failed = BY_NAME[name] === 'failed' || BY_NAME[name] === 'expired';
    return [
      {
        providerMessageId: id,
        providerStatus: name,
        status: BY_NAME[name] ?? 'accepted',
        ...(failed && code !== undefined ? { errorCode: String(code).padStart(3, '0') } : {}),
      },
    ];
  },
};
