// Encoders for each place a placeholder can land: URL, form body, JSON string, XML text, header (raw).

export type BodyKind = 'json' | 'form' | 'xml' | 'raw';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces unpaired UTF-16 surrogates with U+FFFD so that every encoder below sees the same well-formed text. */
export function wellFormed(value: string): string {
  return value.replace(LONE_SURROGATE, '\uFFFD');
}

/** RFC 3986 percent-encoding of everything but unreserved characters: `+` → `%2B`, space → `%20`. */
export function percentEncode(value: string): string {
  return encodeURIComponent(wellFormed(value)).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** application/x-www-form-urlencoded, as browsers and URLSearchParams write it: space → `+`. */
export function formEncode(value: string): string {
  return percentEncode(value).replace(/%20/g, '+');
}

/** The inside of a JSON string literal, without the surrounding quotes. */
export function jsonStringContent(value: string): string {
  return JSON.stringify(wellFormed(value)).slice(1, -1);
}

// XML 1.0 forbids most control characters even as references; they become U+FFFD. CR is kept as a reference
// because parsers turn a literal CR into LF.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point here.
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function xmlEscape(value: string): string {
  return wellFormed(value)
    .replace(XML_INVALID, '\uFFFD')
    .replace(/[&<>"'\r]/g, (c) => {
      switch (c) {
        case '&':
          return '&amp;';
        case '<':
          return '&lt;';
        case '>':
          return '&gt;';
        case '"':
          return '&quot;';
        case "'":
          return '&apos;';
        default:
          return '&#13;';
      }
    });
}

/** Classifies a Content-Type header value; parameters such as `; charset=utf-8` are ignored. */
export function bodyKindOf(contentType: string | undefined): BodyKind {
  if (contentType === undefined) return 'raw';
  const media = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (media === 'application/json' || media === 'text/json' || media.endsWith('+json')) return 'json';
  if (media === 'application/x-www-form-urlencoded') return 'form';
  if (media === 'application/xml' || media === 'text/xml' || media.endsWith('+xml')) return 'xml';
  return 'raw';
}

/** The Content-Type Stepgate adds when a payload is configured without one, guessed from the payload's shape. */
export function guessContentType(payload: string): string {
  const start = payload.trimStart()[0];
  if (start === '{' || start === '[') return 'application/json';
  if (start === '<') return 'application/xml';
  // Java's HttpURLConnection, which WSO2 uses, sends this type when none is set: the seed's Twilio body relies on it.
  return 'application/x-www-form-urlencoded';
}
