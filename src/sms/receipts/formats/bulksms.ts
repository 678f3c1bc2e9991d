/**
 * BulkSMS webhooks (set in the account's webhook settings for "Sent messages"): a JSON POST of an array of message
 * objects, each with its id and status {type, subtype}. BulkSMS does not sign them: the secret token in the webhook
 * URL is the proof. A batch is read whole or refused whole.
 */
import type { MessageStatus } from '../status.js';
import { parseJson, type Receipt, type ReceiptFormat } from './types.js';

const MAX_BATCH = 100;

function statusOf(type: string, subtype: string | undefined): MessageStatus {
  if (type === 'DELIVERED') return 'delivered';
  if (type === 'FAILED') return subtype === 'EXPIRED' ? 'expired' : 'failed';
  if (type === 'UNKNOWN') return 'unknown';
  return 'accepted';
}

export const bulksmsReceipts: ReceiptFormat = {
  verify: () => ({ ok: true, signed: false }),
  parse(req) {
    const json = parseJson(req.rawBody);
    const list = Array.isArray(json) ? json : json !== null && typeof json === 'object' ? [json] : undefined;
    if (!list || list.length === 0) return { error: 'the body must be a JSON array of messages' };
    if (list.length > MAX_BATCH) return { error: `at most ${MAX_BATCH} messages per webhook call` };
    const out: Receipt[] = [];
    for (const m of list as Record<string, unknown>[]) {
      const status = (m?.status ?? {}) as Record<string, unknown>;
      const id = typeof m?.id === 'string' || typeof m?.id === 'number' ? String(m.id) : undefined;
      const type = typeof status.type === 'string' ? status.type : undefined;
      const subtype = typeof status.subtype === 'string' ? status.subtype : undefined;
      if (!id || !type) return { error: 'each message needs an id and a status.type' };
      const s = statusOf(type, subtype);
      out.push({
        providerMessageId: id,
        providerStatus: subtype ? `${type}.${subtype}` : type,
        status: s,
        ...((s === 'failed' || s === 'expired') && subtype ? { errorCode: subtype } : {}),
      });
    }
    return out;
  },
};
