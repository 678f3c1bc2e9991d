// Vonage SMS API semantics for the mock provider: which request fields are required, how credentials are
// checked, and the exact response shape (always HTTP 200; success or failure lives in each message's `status`).
import { createHash, timingSafeEqual } from 'node:crypto';

/** Vonage SMS API status codes the mock provider can answer with. */
export const VonageStatus = {
  success: '0',
  missingParams: '2',
  invalidParams: '3',
  invalidCredentials: '4',
} as const;
export type VonageStatus = (typeof VonageStatus)[keyof typeof VonageStatus];

export interface VonageSuccessMessage {
  to: string;
  'message-id': string;
  status: typeof VonageStatus.success;
  'remaining-balance': string;
  'message-price': string;
  network: string;
}

export interface VonageErrorMessage {
  status: Exclude<VonageStatus, typeof VonageStatus.success>;
  'error-text': string;
}

export interface VonageResponse {
  'message-count': string;
  messages: Array<VonageSuccessMessage | VonageErrorMessage>;
}

/** The fields of a send request, merged from query string, body and Basic authorization. */
export interface VonageSendRequest {
  api_key?: string;
  api_secret?: string;
  from?: string;
  to?: string;
  text?: string;
  /** where Vonage posts the delivery receipt of this message */
  callback?: string;
}

/** A checked request: either an accepted message or the Vonage error to answer with. */
export type VonageCheck =
  | { kind: 'accepted'; to: string; from: string; text: string }
  | { kind: 'rejected'; status: VonageErrorMessage['status']; errorText: string };

/** Mock pricing, so the response carries believable numbers. */
export const MESSAGE_PRICE = '0.03330000';
export const MOCK_NETWORK = '99999';

function sameSecret(a: string, b: string): boolean {
  // Hash first so both sides have the same length and the comparison runs in constant time.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

function present(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

/**
 * Checks a send request in Vonage's order: credentials present, credentials right, then the message fields.
 * The `to` may carry a leading `+` (or a space, when an unencoded `+` was decoded from a query string).
 */
export function checkSendRequest(
  req: VonageSendRequest,
  credentials: { apiKey: string; apiSecret: string },
): VonageCheck {
  if (!present(req.api_key))
    return { kind: 'rejected', status: VonageStatus.missingParams, errorText: 'Missing api_key' };
  if (!present(req.api_secret)) {
    return { kind: 'rejected', status: VonageStatus.missingParams, errorText: 'Missing api_secret' };
  }
  const keyOk = sameSecret(req.api_key, credentials.apiKey);
  const secretOk = sameSecret(req.api_secret, credentials.apiSecret);
  if (!keyOk || !secretOk) {
    return { kind: 'rejected', status: VonageStatus.invalidCredentials, errorText: 'Bad Credentials' };
  }
  if (!present(req.from))
    return { kind: 'rejected', status: VonageStatus.missingParams, errorText: 'Missing from param' };
  if (!present(req.to?.trim())) {
    return { kind: 'rejected', status: VonageStatus.missingParams, errorText: 'Missing to param' };
  }
  if (!present(req.text))
    return { kind: 'rejected', status: VonageStatus.missingParams, errorText: 'Missing text param' };
  const to = req.to.trim().replace(/^\+/, '');
  if (!/^[0-9]{6,15}$/.test(to)) {
    return {
      kind: 'rejected',
      status: VonageStatus.invalidParams,
      errorText: 'Invalid to param: expected a phone number in international format, digits only',
    };
  }
  return { kind: 'accepted', to, from: req.from, text: req.text };
}

export function successResponse(message: { id: string; to: string }, remainingBalance: string): VonageResponse {
  return {
    'message-count': '1',
    messages: [
      {
        to: message.to,
        'message-id': message.id,
        status: VonageStatus.success,
        'remaining-balance': remainingBalance,
        'message-price': MESSAGE_PRICE,
        network: MOCK_NETWORK,
      },
    ],
  };
}

export function errorResponse(status: VonageErrorMessage['status'], errorText: string): VonageResponse {
  return { 'message-count': '1', messages: [{ status, 'error-text': errorText }] };
}

/** Reads `api_key:api_secret` from an `Authorization: Basic` header, which Vonage also accepts. */
export function basicCredentials(header: string | undefined): { api_key: string; api_secret: string } | undefined {
  const match = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { api_key: decoded.slice(0, colon), api_secret: decoded.slice(colon + 1) };
}
