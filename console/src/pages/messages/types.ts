// The admin API's SMS message shapes, taken from the routes' own schemas (type-only: no server code in the bundle)
// and the status list from the module that defines it (plain data).
export { MESSAGE_STATUSES, type MessageStatus } from '../../../../src/sms/receipts/status.ts';
export type {
  GatewayRateJson as GatewayRate,
  SmsMessageJson as SmsMessage,
  TimelineEntryJson as TimelineEntry,
} from '../../../../src/web/admin-api/routes/sms-messages-schemas.ts';
