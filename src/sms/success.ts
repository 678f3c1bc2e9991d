// Success rules on the provider's answer body: a JSON Pointer (RFC 6901) with the value that means "sent", or a
// regular expression run on RE2 semantics (linear time, so no admin-set pattern can stall a send). Presets declare
// their checks as the same rules, so a plain configuration can say exactly what a preset says.
import { RE2JS } from 're2js';
import type { GatewayConfig } from './config.js';
import { excerpt } from './excerpt.js';

export type SuccessRule =
  /** the value at `pointer`, as text, equals `equals` */
  | { pointer: string; equals: string }
  /** the value at `pointer` exists and is not empty */
  | { pointer: string; present: true }
  /** the value at `pointer` is missing, null or empty */
  | { pointer: string; empty: true }
  /** the value at `pointer` is none of these (a missing value passes) */
  | { pointer: string; notIn: readonly string[] }
  /** the whole body contains a match of `pattern` (RE2 syntax) */
  | { pattern: string };

export type SuccessVerdict = { ok: true } | { ok: false; why: string };

/** Splits an RFC 6901 pointer into its reference tokens; undefined when it is not one. */
export function pointerTokens(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(json: unknown, tokens: readonly string[]): unknown {
  let current = json;
  for (const token of tokens) {
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
      current = current[Number(token)];
    } else if (current !== null && typeof current === 'object' && Object.hasOwn(current, token)) {
      current = (current as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return current;
}

/** The value as text: strings as they are, numbers and booleans as JSON writes them, nothing as "". */
function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const compiled = new Map<string, RE2JS | null>();

function compile(pattern: string): RE2JS | null {
  let re = compiled.get(pattern);
  if (re === undefined) {
    try {
      re = RE2JS.compile(pattern);
    } catch {
      re = null;
    }
    if (compiled.size >= 256) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

/** Why a rule cannot be used, or undefined. */
export function ruleProblem(rule: SuccessRule): string | undefined {
  if ('pattern' in rule) {
    return compile(rule.pattern)
      ? undefined
      : 'is not a regular expression Stepgate can run (RE2 syntax: no backreferences or lookaround)';
  }
  return pointerTokens(rule.pointer) === undefined
    ? 'a JSON Pointer starts with / (e.g. /messages/0/status)'
    : undefined;
}

function parse(body: string): { ok: true; json: unknown } | { ok: false } {
  try {
    return { ok: true, json: JSON.parse(body) };
  } catch {
    return { ok: false };
  }
}

/** Applies every rule to the body; the first that fails says why (with a short excerpt of a non-JSON body). */
export function checkSuccess(rules: readonly SuccessRule[], body: string): SuccessVerdict {
  let parsed: { ok: true; json: unknown } | { ok: false } | undefined;
  for (const rule of rules) {
    if ('pattern' in rule) {
      const re = compile(rule.pattern);
      if (re === null || !re.matcher(body).find()) {
        return { ok: false, why: `the answer does not match the success pattern ${rule.pattern}` };
      }
      continue;
    }
    parsed ??= parse(body);
    if (!parsed.ok) return { ok: false, why: `the answer is not JSON: "${excerpt(body)}"` };
    const tokens = pointerTokens(rule.pointer);
    if (tokens === undefined) return { ok: false, why: `${rule.pointer} is not a JSON Pointer` };
    const value = valueAt(parsed.json, tokens);
    const text = asText(value);
    if ('equals' in rule && text !== rule.equals) {
      return {
        ok: false,
        why:
          value === undefined
            ? `the answer has no ${rule.pointer}`
            : `${rule.pointer} is "${text}", not "${rule.equals}"`,
      };
    }
    if ('present' in rule && text === '') return { ok: false, why: `the answer has no ${rule.pointer}` };
    if ('empty' in rule && text !== '') return { ok: false, why: `${rule.pointer} is "${excerpt(text, 80)}"` };
    if ('notIn' in rule && rule.notIn.includes(text)) return { ok: false, why: `${rule.pointer} is "${text}"` };
  }
  return { ok: true };
}

/** The success rules of a plain configuration's own fields. */
export function plainSuccessRules(config: Pick<GatewayConfig, 'successPointer' | 'successValue' | 'successPattern'>) {
  const rules: SuccessRule[] = [];
  // configurations stored before these fields existed have none of them: the status alone decides
  const pointer = (config.successPointer ?? '').trim();
  const value = config.successValue ?? '';
  if (pointer !== '') rules.push(value === '' ? { pointer, present: true } : { pointer, equals: value });
  if ((config.successPattern ?? '') !== '') rules.push({ pattern: config.successPattern });
  return rules;
}
