// What a send returns: always a value. Failure codes are WSO2's SMSOTP-xxxxx for HTTP statuses plus our own.
import type { RenderedRequest } from './render.js';

/** WSO2's ServerClientErrorMappings (reference §4.5). */
export const STATUS_CODES: Readonly<Record<number, string>> = {
  400: 'SMSOTP-60001',
  401: 'SMSOTP-60002',
  402: 'SMSOTP-60003',
  403: 'SMSOTP-60004',
  404: 'SMSOTP-60005',
  405: 'SMSOTP-60006',
  406: 'SMSOTP-60007',
  500: 'SMSOTP-65001',
  501: 'SMSOTP-65002',
  502: 'SMSOTP-65003',
  503: 'SMSOTP-65004',
  504: 'SMSOTP-65005',
};

export type WsoStatusCode =
  | 'SMSOTP-60001'
  | 'SMSOTP-60002'
  | 'SMSOTP-60003'
  | 'SMSOTP-60004'
  | 'SMSOTP-60005'
  | 'SMSOTP-60006'
  | 'SMSOTP-60007'
  | 'SMSOTP-65001'
  | 'SMSOTP-65002'
  | 'SMSOTP-65003'
  | 'SMSOTP-65004'
  | 'SMSOTP-65005'
  | 'SMSOTP-10001'
  | 'SMSOTP-10002';

export type SendFailureCode =
  | WsoStatusCode
  | 'tls-untrusted'
  | 'destination-refused'
  | 'timeout'
  | 'connection-refused'
  | 'dns'
  | 'invalid-header'
  | 'provider-rejected'
  | 'unexpected-status'
  | 'invalid-config';

export interface SendSuccess {
  ok: true;
  status: number;
  messageId?: string;
  latencyMs: number;
  /** Masked: safe to log and show. */
  request: RenderedRequest;
  providerAnswer?: string;
}

export interface SendFailure {
  ok: false;
  code: SendFailureCode;
  /** One sentence for the operator: what failed and, where we know, what to do. */
  reason: string;
  status?: number;
  /** The provider's answer, masked; show it to the user only when showDetailedErrors is on. */
  providerAnswer?: string;
  latencyMs: number;
  /** Masked: safe to log and show. Absent when the configuration could not produce a request. */
  request?: RenderedRequest;
}

export type SendResult = SendSuccess | SendFailure;

/**
 * Whether a failure may still have reached the phone: only a timeout, where the provider may have taken the message
 * and not answered in time. Every other failure is definitive: the provider refused it or never got it.
 */
export function mayHaveBeenDelivered(code: SendFailureCode): boolean {
  return code === 'timeout';
}

/** The code for a status that did not count as success. */
export function codeForStatus(status: number): SendFailureCode {
  const mapped = STATUS_CODES[status];
  if (mapped !== undefined) return mapped as WsoStatusCode;
  if (status >= 200 && status < 400) return 'unexpected-status';
  return 'SMSOTP-10002';
}

/** Blank: 200, 201 and 202 succeed. Otherwise the trimmed value must equal the status exactly (WSO2's rule). */
export function isExpectedStatus(status: number, expected: string): boolean {
  const want = expected.trim();
  if (want === '') return status === 200 || status === 201 || status === 202;
  return want === String(status);
}
