/**
 * The shapes of the SMS message routes (sms-messages.ts), apart so that the console takes its types from them:
 * TypeBox and the status list only, nothing of the server.
 */
import { type Static, Type } from '@sinclair/typebox';
import { MESSAGE_STATUSES } from '../../../sms/receipts/status.js';

export const Status = Type.Union(
  MESSAGE_STATUSES.map((s) => Type.Literal(s)),
  { description: 'accepted (the provider took it), then delivered, failed, expired or unknown from its receipts.' },
);

export const Message = Type.Object({
  id: Type.String(),
  idpId: Type.String({ description: 'The identity provider whose gateway sent it.' }),
  gateway: Type.String({ description: 'The gateway name within it (`default` for a single gateway).' }),
  provider: Type.String({ description: 'vonage, twilio, plivo, clickatell, bulksms or custom.' }),
  providerMessageId: Type.Union([Type.String(), Type.Null()]),
  purpose: Type.Union([Type.Literal('otp'), Type.Literal('notice')]),
  destination: Type.String({ description: 'The masked number.' }),
  country: Type.Union([Type.String(), Type.Null()]),
  segments: Type.Integer(),
  status: Status,
  errorCode: Type.Union([Type.String(), Type.Null()]),
  verified: Type.Boolean({ description: 'A code whose login entered it.' }),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
});

export const TimelineEntry = Type.Object({
  at: Type.Integer(),
  status: Status,
  providerStatus: Type.String({ description: "The provider's own word (`sent` for the send itself)." }),
  errorCode: Type.Union([Type.String(), Type.Null()]),
});

export const GatewayRate = Type.Object({
  idpId: Type.String(),
  idpName: Type.Union([Type.String(), Type.Null()]),
  gateway: Type.String(),
  provider: Type.String(),
  sent: Type.Integer(),
  delivered: Type.Integer(),
  failed: Type.Integer(),
  expired: Type.Integer(),
  unknown: Type.Integer(),
  deliveryRate: Type.Union([Type.Number(), Type.Null()], { description: 'delivered / sent; null when none sent.' }),
  codes: Type.Integer({ description: 'Codes sent (notices excluded).' }),
  verified: Type.Integer({ description: 'Codes entered by their login.' }),
  conversionRate: Type.Union([Type.Number(), Type.Null()], { description: 'verified / codes; null when none.' }),
  receiptUrl: Type.String({ description: "Where this gateway's provider sends receipts (secret: it holds a token)." }),
});

export type SmsMessageJson = Static<typeof Message>;
export type TimelineEntryJson = Static<typeof TimelineEntry>;
export type GatewayRateJson = Static<typeof GatewayRate>;
