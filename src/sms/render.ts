// Turns a plain gateway configuration and one message into the exact HTTP request to send.
import type { GatewayConfig, Problem, SmsMessage } from './config.js';
import { bodyKindOf, guessContentType, wellFormed } from './encode.js';
import { type HeaderPair, headerValue, parseHeaders } from './headers.js';
import { fillForm, fillJson, fillRaw, fillUrl, fillXml, type PlaceholderValues } from './template.js';

export interface RenderedRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers: HeaderPair[];
  body?: string;
}

/** The request fields of a gateway configuration: what a preset produces and an admin can edit. */
export type RequestTemplate = Pick<GatewayConfig, 'url' | 'method' | 'headers' | 'payload' | 'expectedStatus'>;

export type RenderFailureCode = 'invalid-header' | 'invalid-config' | 'SMSOTP-10001';

export type RenderOutcome =
  | { ok: true; request: RenderedRequest }
  | { ok: false; code: RenderFailureCode; problem: Problem };

const error = (code: RenderFailureCode, field: string, message: string): RenderOutcome => ({
  ok: false,
  code,
  problem: { field, message, severity: 'error' },
});

export function placeholderValues(message: SmsMessage): PlaceholderValues {
  return { num: wellFormed(message.to), msg: wellFormed(message.text), otp: wellFormed(message.otp ?? '') };
}

export function renderTemplate(template: RequestTemplate, message: SmsMessage): RenderOutcome {
  const values = placeholderValues(message);

  const parsed = parseHeaders(template.headers);
  if (!parsed.ok) return error('invalid-config', 'headers', parsed.errors.join('; '));
  const headers: HeaderPair[] = [];
  for (const [name, value] of parsed.headers) {
    const filled = fillRaw(value, values);
    if (/[\r\n]/.test(filled)) {
      return error(
        'invalid-header',
        'headers',
        `header "${name}" would contain a line break after filling in the placeholders; nothing was sent`,
      );
    }
    if (/[\0]/.test(filled)) return error('invalid-header', 'headers', `header "${name}" would contain a NUL`);
    headers.push([name, filled]);
  }

  const rawUrl = fillUrl(template.url.trim(), values);
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return error('SMSOTP-10001', 'url', `"${template.url}" is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return error('SMSOTP-10001', 'url', `the SMS URL must start with https:// or http://, not ${url.protocol}//`);
  }

  // undici drops credentials in a URL silently; send them as curl does, as Basic authentication
  if (url.username !== '' || url.password !== '') {
    if (headerValue(headers, 'authorization') === undefined) {
      const user = decodeOr(url.username);
      const password = decodeOr(url.password);
      headers.push(['Authorization', `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`]);
    }
    url.username = '';
    url.password = '';
  }

  const request: RenderedRequest = { method: template.method, url: url.href, headers };
  if (template.method !== 'GET' && template.payload.trim() !== '') {
    let contentType = headerValue(headers, 'content-type');
    if (contentType === undefined) {
      contentType = guessContentType(template.payload);
      headers.push(['Content-Type', contentType]);
    }
    request.body = fillBody(template.payload, values, contentType);
  }
  return { ok: true, request };
}

function decodeOr(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function fillBody(payload: string, values: PlaceholderValues, contentType: string): string {
  switch (bodyKindOf(contentType)) {
    case 'json':
      return fillJson(payload, values);
    case 'form':
      return fillForm(payload, values);
    case 'xml':
      return fillXml(payload, values);
    default:
      return fillRaw(payload, values);
  }
}
