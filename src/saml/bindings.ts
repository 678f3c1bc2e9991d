/**
 * The two bindings' encodings: HTTP-Redirect (raw DEFLATE, base64, URL query) and HTTP-POST (base64 in a form field).
 * Decoding bounds every size: the encoded text, and the inflated XML (a small deflated message can inflate hugely).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { MAX_XML_BYTES, SamlError } from './xml.js';

/** The largest encoded SAML message a request may carry. */
export const MAX_ENCODED_CHARS = 128 * 1024;

function base64(text: string): Buffer {
  const clean = text.replace(/\s+/g, '');
  if (clean.length === 0 || clean.length > MAX_ENCODED_CHARS)
    throw new SamlError(
      clean.length === 0 ? 'The SAML message is empty.' : 'The SAML message is too large.',
      clean.length === 0 ? 400 : 413,
    );
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(clean)) throw new SamlError('The SAML message is not base64.');
  return Buffer.from(clean, 'base64');
}

export function decodeRedirect(value: string): string {
  return inflated(base64(value));
}

function inflated(compressed: Buffer): string {
  let xml: Buffer;
  try {
    xml = inflateRawSync(compressed, { maxOutputLength: MAX_XML_BYTES });
  } catch (e) {
    const tooLarge = (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new SamlError(
      tooLarge ? 'The SAML message is too large.' : 'The SAML message is not deflated.',
      tooLarge ? 413 : 400,
    );
  }
  return utf8(xml);
}

/**
 * The HTTP-POST binding carries the XML as is; some service providers (node-saml by default) deflate it as for
 * the Redirect binding, so a body that is not XML is read as deflated, with the same bounds.
 */
export function decodePost(value: string): string {
  const bytes = base64(value);
  if (/^\s*</.test(bytes.subarray(0, 64).toString('latin1'))) return utf8(bytes);
  return inflated(bytes);
}

function utf8(bytes: Buffer): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text.includes('\uFFFD')) throw new SamlError('The SAML message is not UTF-8 XML.');
  return text;
}

export function encodeRedirect(xml: string): string {
  return deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64');
}

export function encodePost(xml: string): string {
  return Buffer.from(xml, 'utf8').toString('base64');
}
