/**
 * Limits every JSON body must keep before any code walks it: nesting no deeper than MAX_JSON_DEPTH (a deeply nested
 * body overflowed the stack of a recursive walker) and numbers inside JavaScript's safe integer range (beyond it a
 * number is rounded or Infinity, and databases refuse it). Checked without recursion, so the check cannot overflow.
 */
import type { FieldProblem } from '../identity/errors.js';

export const MAX_JSON_DEPTH = 32;
export const MAX_JSON_NUMBER = Number.MAX_SAFE_INTEGER;

/** The deepest nesting of objects and arrays in JSON text, counted before it is parsed (strings skipped). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/** The first number out of range in a parsed value, as a field problem naming where it is. */
export function numberOutOfRange(value: unknown, root = 'body'): FieldProblem | undefined {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v) || Math.abs(v) > MAX_JSON_NUMBER)
        return { field: path, message: `must be a number between -${MAX_JSON_NUMBER} and ${MAX_JSON_NUMBER}` };
    } else if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) stack.push([item, `${path}[${i}]`]);
    } else if (v !== null && typeof v === 'object')
      for (const [k, item] of Object.entries(v)) stack.push([item, `${path}.${k}`]);
  }
  return undefined;
}
