// What a provider preset is: its fields as data, the request template it produces, and how it reads the answer.
import type { ProviderId, SmsMessage } from '../config.js';
import { formEncode, jsonStringContent, percentEncode } from '../encode.js';
import { type HeaderPair, serializeHeaders } from '../headers.js';
import type { RequestTemplate } from '../render.js';
import type { SuccessRule } from '../success.js';

export interface PresetField {
  name: string;
  label: string;
  help: string;
  secret?: boolean;
  required?: boolean;
  default?: string;
}

export interface ProviderAnswer {
  status: number;
  body: string;
}

/** A provider's reading of its own answer: its message id, and its error text when it reports one. */
export interface AnswerReading {
  messageId?: string;
  error?: string;
}

export type PresetFields = Readonly<Record<string, string>>;

export interface Preset {
  id: ProviderId;
  label: string;
  /** The provider's API reference, for the console and docs. */
  docs: string;
  fields: readonly PresetField[];
  /** How the provider wants `$ctx.num`: E.164 with `+`, or the digits only. */
  numberFormat: 'e164' | 'digits';
  /** Cross-field checks the field list cannot express; returns problems as messages. */
  check?(fields: PresetFields): string[];
  /** The plain request template, with field values already encoded where they land. */
  template(fields: PresetFields, message?: SmsMessage): RequestTemplate;
  /** What a 2xx answer must say for the message to count as sent, in the rules a plain configuration can use too. */
  success: readonly SuccessRule[];
  /** Reads any answer for its message id and the provider's own error text. */
  read(answer: ProviderAnswer): AnswerReading;
}

/** The base URL field every preset has; tests and the dev inbox point it at loopback. */
export function baseUrlField(origin: string): PresetField {
  return {
    name: 'baseUrl',
    label: 'API base URL',
    help: `Where the provider's API lives. Leave ${origin} unless you test against a mock.`,
    default: origin,
  };
}

export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

export const enc = { url: percentEncode, form: formEncode, json: jsonStringContent };

export function headerField(headers: HeaderPair[]): string {
  return serializeHeaders(headers);
}

export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Reads a property path from an unknown JSON value without trusting its shape. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}
