/** The receipt format of each provider, and of a plain gateway. */
import type { ProviderId } from '../../config.js';
import { bulksmsReceipts } from './bulksms.js';
import { clickatellReceipts } from './clickatell.js';
import { genericReceipts } from './generic.js';
import { plivoReceipts } from './plivo.js';
import { twilioReceipts } from './twilio.js';
import type { ReceiptFormat } from './types.js';
import { vonageReceipts } from './vonage.js';

export type { Receipt, ReceiptFormat, ReceiptRequest, Verdict } from './types.js';

export const RECEIPT_FORMATS: Readonly<Record<ProviderId | 'custom', ReceiptFormat>> = {
  vonage: vonageReceipts,
  twilio: twilioReceipts,
  plivo: plivoReceipts,
  clickatell: clickatellReceipts,
  bulksms: bulksmsReceipts,
  custom: genericReceipts,
};
