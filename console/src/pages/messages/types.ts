// The admin API's SMS message shapes (src/web/admin-api/routes/sms-messages.ts), as the Messages page reads them.
export const MESSAGE_STATUSES = ['accepted', 'delivered', 'failed', 'expired', 'unknown'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export interface SmsMessage {
  id: string;
  idpId: string;
  gateway: string;
  provider: string;
  providerMessageId: string | null;
  purpose: 'otp' | 'notice';
  destination: string;
  country: string | null;
  segments: number;
  status: MessageStatus;
  errorCode: string | null;
  verified: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface TimelineEntry {
  at: number;
  status: MessageStatus;
  providerStatus: string;
  errorCode: string | null;
}

export interface GatewayRate {
  idpId: string;
  idpName: string | null;
  gateway: string;
  provider: string;
  sent: number;
  delivered: number;
  failed: number;
  expired: number;
  unknown: number;
  deliveryRate: number | null;
  codes: number;
  verified: number;
  conversionRate: number | null;
  receiptUrl: string;
}
