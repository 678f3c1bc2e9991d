/**
 * A message's delivery status, in Stepgate's words, and how a receipt moves it: `accepted` when the provider took it,
 * then one of the final ones. A provider's intermediate status (queued, sent to the carrier, buffered) stays
 * `accepted` in the timeline; a final status is never taken back by a late intermediate receipt (receipts may arrive
 * out of order), and `unknown` gives way to any final one the provider reports later.
 */
export const MESSAGE_STATUSES = ['accepted', 'delivered', 'failed', 'expired', 'unknown'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Whether a status ends the message's story (`unknown` may still be followed by a final report). */
export function isFinal(status: MessageStatus): boolean {
  return status === 'delivered' || status === 'failed' || status === 'expired';
}

/** The message's status after a receipt saying `reported`. */
export function nextStatus(current: MessageStatus, reported: MessageStatus): MessageStatus {
  if (isFinal(current)) return current;
  if (reported === 'accepted') return current;
  return reported;
}

/** Failed or expired: the code of this message will not arrive, the code page says so. */
export function notDelivered(status: MessageStatus): boolean {
  return status === 'failed' || status === 'expired';
}
