// The "HTTP Headers" field: `Name: value` pairs separated by commas, with `\,` and `\\` escapes.
//
// Differences from WSO2 (reference §4.3), on purpose: names and values are trimmed, a value may hold a comma
// (`\,`), a piece without a colon is a configuration error instead of a silently skipped header, and the
// string is split before placeholders are filled in, so a comma in the message can never split a header.

export type HeaderPair = [name: string, value: string];

export type HeaderParse = { ok: true; headers: HeaderPair[] } | { ok: false; errors: string[] };

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Splits the header field into unescaped pieces at every comma that is not written as `\,`. */
function splitPieces(text: string): string[] {
  const pieces: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && (text[i + 1] === ',' || text[i + 1] === '\\')) {
      current += text[i + 1];
      i++;
    } else if (c === ',') {
      pieces.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  pieces.push(current);
  return pieces;
}

export function parseHeaders(text: string): HeaderParse {
  const headers: HeaderPair[] = [];
  const errors: string[] = [];
  for (const piece of splitPieces(text)) {
    if (piece.trim() === '') continue;
    const colon = piece.indexOf(':');
    if (colon < 0) {
      errors.push(`"${piece.trim()}" has no colon; write each header as Name: value`);
      continue;
    }
    const name = piece.slice(0, colon).trim();
    const value = piece.slice(colon + 1).trim();
    if (!TOKEN.test(name)) {
      errors.push(
        name === '' ? `"${piece.trim()}" has no header name before the colon` : `"${name}" is not a valid header name`,
      );
      continue;
    }
    headers.push([name, value]);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, headers };
}

/** The inverse of parseHeaders for trimmed values: escapes backslashes and commas. */
export function serializeHeaders(headers: readonly HeaderPair[]): string {
  const escapePart = (s: string) => s.split('\\').join('\\\\').split(',').join('\\,');
  return headers.map(([name, value]) => `${escapePart(name)}: ${escapePart(value)}`).join(',');
}

/** Case-insensitive lookup of the first header with this name. */
export function headerValue(headers: readonly HeaderPair[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}
