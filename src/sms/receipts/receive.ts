/**
 * One receipt request, in this order: the URL's token (constant time, before anything is looked up) → the gateway
 * exists → the provider's signature where it signs → the receipts can be read → each names a message we sent
 * through this gateway → apply each, all in one transaction with the caller's
 * `alongside` work per receipt (its audit event). Every refusal is a value with a reason; the web layer picks the
 * status and audits it.
 */

import type { Keyring } from '../../crypto/keyring.js';
import { safeEqual } from '../../crypto/keyring.js';
import type { Db } from '../../store/db.js';
import { inTransaction } from '../../store/transaction.js';
import type { GatewayConfig } from '../config.js';
import { receiptToken } from './callback.js';
import { RECEIPT_FORMATS, type Receipt, type ReceiptRequest } from './formats/index.js';
import { applyReceipt, findByProviderId } from './messages.js';
import type { MessageStatus } from './status.js';

export type RefusalReason = 'bad-token' | 'unknown-gateway' | 'bad-signature' | 'unreadable' | 'unknown-message';

export interface AppliedReceipt {
  messageId: string;
  providerMessageId: string;
  providerStatus: string;
  reported: MessageStatus;
  before: MessageStatus;
  after: MessageStatus;
  errorCode?: string;
}

export type ReceiptOutcome =
  | { ok: true; provider: string; signed: boolean; applied: AppliedReceipt[] }
  | { ok: false; reason: RefusalReason; why: string; provider?: string; providerMessageId?: string };

export interface ReceiveDeps {
  db: Db;
  keyring: Keyring;
  /** the named gateway of an identity provider's SMS OTP configuration, as stored (secrets in clear) */
  findGateway(idpId: string, gateway: string): Promise<GatewayConfig | undefined>;
}

/**
 * Work that commits with each applied receipt's status change (the web layer's `sms.receipt` audit event): it runs
 * in the transaction of the batch, so a refused event rolls the status and its timeline row back with it.
 */
export type ReceiptAlongside = (
  trx: Db,
  applied: AppliedReceipt,
  outcome: { provider: string; signed: boolean },
) => Promise<void>;

export async function receiveReceipt(
  deps: ReceiveDeps,
  target: { idpId: string; gateway: string; token: string },
  req: ReceiptRequest,
  alongside?: ReceiptAlongside,
): Promise<ReceiptOutcome> {
  if (!safeEqual(target.token, receiptToken(deps.keyring, target.idpId, target.gateway)))
    return { ok: false, reason: 'bad-token', why: 'the token in the URL is not this gateway’s' };
  const config = await deps.findGateway(target.idpId, target.gateway);
  if (!config) return { ok: false, reason: 'unknown-gateway', why: 'no such gateway in this identity provider' };
  const provider = config.preset?.provider ?? 'custom';
  const format = RECEIPT_FORMATS[provider];
  const verdict = format.verify(req, config.preset?.fields ?? {});
  if (!verdict.ok) return { ok: false, reason: 'bad-signature', why: verdict.why, provider };
  const parsed = format.parse(req);
  if ('error' in parsed) return { ok: false, reason: 'unreadable', why: parsed.error, provider };
  // every receipt of a batch must name a message of ours before any is applied: a batch is taken whole or not at all
  const found: { receipt: Receipt; id: string }[] = [];
  for (const receipt of parsed) {
    const message = await findByProviderId(deps.db, target.idpId, target.gateway, receipt.providerMessageId);
    if (!message)
      return {
        ok: false,
        reason: 'unknown-message',
        why: 'no message with this id was sent through this gateway (or it is past retention)',
        provider,
        providerMessageId: receipt.providerMessageId.slice(0, 64),
      };
    found.push({ receipt, id: message.id });
  }
  // the batch's status changes and their audit events commit together (reads above stay on `db`: see transaction.ts)
  const applied = await inTransaction(deps.db, async (trx) => {
    const done: AppliedReceipt[] = [];
    for (const { receipt, id } of found) {
      const moved = await applyReceipt(trx, id, receipt, req.now);
      if (!moved) continue;
      const one: AppliedReceipt = {
        messageId: id,
        providerMessageId: receipt.providerMessageId,
        providerStatus: receipt.providerStatus,
        reported: receipt.status,
        ...moved,
        ...(receipt.errorCode ? { errorCode: receipt.errorCode } : {}),
      };
      await alongside?.(trx, one, { provider, signed: verdict.signed });
      done.push(one);
    }
    return done;
  });
  return { ok: true, provider, signed: verdict.signed, applied };
}
