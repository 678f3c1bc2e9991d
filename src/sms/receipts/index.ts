// Delivery receipts: the messages table, each provider's receipt format, and the callback URL a send carries.
export { CALLBACK_FIELD, RECEIPTS_PATH, receiptToken, receiptUrl, withReceiptCallback } from './callback.js';
export { RECEIPT_FORMATS, type Receipt, type ReceiptFormat, type ReceiptRequest } from './formats/index.js';
export { createSmsMessageLog, type SentSms, type SmsMessageLog, type SmsMessageLogDeps } from './log.js';
export type { GatewayRates, MessageEvent, MessageFilter, MessagePurpose, SmsMessage } from './messages.js';
export {
  type AppliedReceipt,
  type ReceiptOutcome,
  type ReceiveDeps,
  type RefusalReason,
  receiveReceipt,
} from './receive.js';
export { isFinal, MESSAGE_STATUSES, type MessageStatus, nextStatus, notDelivered } from './status.js';
