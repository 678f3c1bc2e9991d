/**
 * A provider's delivery-receipt format: how it proves the receipt is its own, and how its fields read as Stepgate's
 * statuses. A format sees the request as received (the exact URL the provider called, headers, the raw body) and
 * the gateway's preset fields (its auth token or signature secret); it never sees HTTP status codes or replies.
 */
import type { MessageStatus } from '../status.js';

export interface ReceiptRequest {
  method: string;
  /** the URL the provider called: the public URL, the path and the query string */
  url: string;
  /** header names in lower case */
  headers: Readonly<Record<string, string | undefined>>;
  rawBody: string;
  contentType: string;
  /** epoch milliseconds: the receipt's time in the timeline, and the clock for signatures that carry a time */
  now: number;
}

export interface Receipt {
  providerMessageId: string;
  /** the provider's own word for the status, kept in the timeline */
  providerStatus: string;
  status: MessageStatus;
  errorCode?: string;
}

/** `unsigned`: the provider does not sign (or this gateway has no signing secret): the URL token is the proof. */
export type Verdict = { ok: true; signed: boolean } | { ok: false; why: string };

export interface ReceiptFormat {
  /** Checks the provider's signature with the gateway's fields. */
  verify(req: ReceiptRequest, fields: Readonly<Record<string, string>>): Verdict;
  /** The receipts in the request (a provider may batch), or why it cannot be read. */
  parse(req: ReceiptRequest): Receipt[] | { error: string };
}

/** The request's parameters: query string, and a form or JSON object body. */
export function paramsOf(req: ReceiptRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URL(req.url).searchParams) out[k] = v;
  if (/^application\/x-www-form-urlencoded/i.test(req.contentType)) {
    for (const [k, v] of new URLSearchParams(req.rawBody)) out[k] = v;
  } else if (/^application\/json/i.test(req.contentType)) {
    const json = parseJson(req.rawBody);
    if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
      for (const [k, v] of Object.entries(json)) if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
    }
  }
  return out;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The form parameters of a POST body, as pairs (signatures sort them). */
export function formPairs(req: ReceiptRequest): [string, string][] {
  if (!/^application\/x-www-form-urlencoded/i.test(req.contentType)) return [];
  return [...new URLSearchParams(req.rawBody)];
}

export function byKey(a: [string, string], b: [string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}
