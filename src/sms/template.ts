// Fills `$ctx.num`, `$ctx.msg` and `$ctx.otp` into a template, encoding each value for the place it lands in.
//
// Values are inserted literally: `$` and `\` in a value mean nothing (a function replacer, never a replacement
// pattern). WSO2 used Java's replaceAll, where they did (reference §4.1).
import { formEncode, jsonStringContent, percentEncode, xmlEscape } from './encode.js';

export type PlaceholderName = 'num' | 'msg' | 'otp';
export type PlaceholderValues = Record<PlaceholderName, string>;

const PLACEHOLDER = /\$ctx\.(num|msg|otp)/g;
const PLACEHOLDER_LENGTH = '$ctx.num'.length;

function fillWith(template: string, values: PlaceholderValues, encode: (value: string) => string): string {
  return template.replace(PLACEHOLDER, (_match, name: PlaceholderName) => encode(values[name]));
}

export const fillUrl = (t: string, v: PlaceholderValues) => fillWith(t, v, percentEncode);
export const fillForm = (t: string, v: PlaceholderValues) => fillWith(t, v, formEncode);
export const fillXml = (t: string, v: PlaceholderValues) => fillWith(t, v, xmlEscape);
export const fillRaw = (t: string, v: PlaceholderValues) => fillWith(t, v, (s) => s);

function placeholderAt(template: string, i: number): PlaceholderName | undefined {
  if (!template.startsWith('$ctx.', i)) return undefined;
  const name = template.slice(i + 5, i + PLACEHOLDER_LENGTH);
  return name === 'num' || name === 'msg' || name === 'otp' ? name : undefined;
}

const isBlank = (c: string | undefined) => c === ' ' || c === '\t';

/**
 * JSON bodies: a placeholder inside a JSON string gets the escaped content without quotes; one outside a string
 * becomes a quoted JSON string. Blanks directly between a quote and a placeholder are dropped, so the seed's
 * `{"text":" $ctx.msg "}` sends exactly the message (those spaces are an artefact of the WSO2 docs).
 */
export function fillJson(template: string, values: PlaceholderValues): string {
  let out = '';
  let inString = false;
  let escaped = false;
  let stringStart = 0; // index in `out` just after the opening quote
  let blankSinceOpen = true;
  let i = 0;
  while (i < template.length) {
    const name = escaped ? undefined : placeholderAt(template, i);
    if (name !== undefined) {
      i += PLACEHOLDER_LENGTH;
      if (!inString) {
        out += JSON.stringify(values[name]);
        continue;
      }
      if (blankSinceOpen) out = out.slice(0, stringStart);
      out += jsonStringContent(values[name]);
      blankSinceOpen = false;
      let j = i;
      while (isBlank(template[j])) j++;
      if (template[j] === '"') i = j;
      continue;
    }
    const c = template[i] as string;
    out += c;
    i++;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      if (!isBlank(c)) blankSinceOpen = false;
    } else if (c === '"') {
      inString = true;
      blankSinceOpen = true;
      stringStart = out.length;
    }
  }
  return out;
}

/** Finds `ctx.num` written without its `$`, the typo in the WSO2 guide's Plivo example. */
export function findBarePlaceholders(template: string): string[] {
  return [...template.matchAll(/(^|[^$])(ctx\.(?:num|msg|otp))/g)].map((m) => m[2] as string);
}
