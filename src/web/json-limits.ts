/**
 * Limits every JSON body must keep before any code walks it: nesting no deeper than MAX_JSON_DEPTH (a deeply nested
 * body overflowed the stack of a recursive walker) and numbers inside JavaScript's safe integer range (beyond it a
 * number is rounded or Infinity, and databases refuse it). Checked without recursion, so the check cannot overflow.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FieldProblem } from '../identity/errors.js';
import { HttpProblem } from './problem.js';

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

type Done = (err: Error | null, body?: unknown) => void;
type JsonParser = (req: FastifyRequest, body: string, done: Done) => void;

/**
 * Wraps a JSON parser: too deep a body is refused before it is parsed (400 bad-request), a number out of range
 * after (400 validation-failed naming where it is). An empty body is "no body".
 */
export function withJsonLimits(parse: JsonParser): JsonParser {
  return (req, text, done) => {
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    if (jsonDepth(text) > MAX_JSON_DEPTH) {
      done(new HttpProblem('bad-request', `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`));
      return;
    }
    parse(req, text, (err, parsed) => {
      const outOfRange = err ? undefined : numberOutOfRange(parsed);
      if (outOfRange)
        done(new HttpProblem('validation-failed', `${outOfRange.field} ${outOfRange.message}.`, [outOfRange]));
      else done(err, parsed);
    });
  };
}

/** The app-wide JSON parser with the same limits, for JSON routes outside the admin API and SCIM (the dev SMS mock). */
export function limitJsonBodies(app: FastifyInstance): void {
  const parse = withJsonLimits(app.getDefaultJsonParser('error', 'error') as JsonParser);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) =>
    parse(req, body as string, done),
  );
}
