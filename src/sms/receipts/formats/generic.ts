/**
 * Receipts for a plain (non-preset) gateway: the operator points the provider's callback at the gateway's receipt URL
 * and maps nothing — it must send `messageId` and `status` (delivered, failed, expired, unknown; anything else is an
 * intermediate status) and optionally `errorCode`, as query parameters, a form or a JSON object. Unsigned: the
 * secret token in the URL is the proof.
 */
import { MESSAGE_STATUSES, type MessageStatus } from '../status.js';
import { paramsOf, type ReceiptFormat } from './types.js';

export const genericReceipts: ReceiptFormat = {
  verify: () => ({ ok: true, signed: false }),
  parse(req) {
    const p = paramsOf(req);
    const id = p.messageId;
    const status = p.status;
    if (!id || !status) return { error: 'messageId and status are required' };
    const known = (MESSAGE_STATUSES as readonly string[]).includes(status.toLowerCase());
    return [
      {
        providerMessageId: id,
        providerStatus: status,
        status: known ? (status.toLowerCase() as MessageStatus) : 'accepted',
        ...(p.errorCode ? { errorCode: p.errorCode } : {}),
      },
    ];
  },
};
