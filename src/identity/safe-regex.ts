/**
 * Admin-set regular expressions (claim formats, the SMS OTP mobile pattern) compiled and run on RE2 semantics, whose
 * matching time is linear in the input, so no pattern an administrator saves can stall a request by backtracking.
 */
import { RE2JS } from 're2js';

/** Compiled patterns by source; the set of admin-set patterns is small, the bound only stops unbounded growth. */
const compiled = new Map<string, RE2JS | null>();
const CACHE_LIMIT = 256;

function compile(pattern: string): RE2JS | null {
  let re = compiled.get(pattern);
  if (re !== undefined) return re;
  try {
    re = RE2JS.compile(pattern);
  } catch {
    re = null;
  }
  if (compiled.size >= CACHE_LIMIT) compiled.clear();
  compiled.set(pattern, re);
  return re;
}

/**
 * Why a pattern cannot be saved, or undefined when it can. RE2 has no backreferences or lookaround: those are the
 * features that need backtracking, and they are refused rather than run on an engine that could stall.
 */
export function patternProblem(pattern: string): string | undefined {
  return compile(pattern)
    ? undefined
    : 'is not a regular expression Stepgate can run (RE2 syntax: no backreferences or lookaround)';
}

/**
 * Whether `value` contains a match of `pattern` (as RegExp.test does; anchor with ^…$ for a whole-value format).
 * A pattern that cannot be compiled (saved before this check existed) matches nothing, so a format that cannot be
 * checked never lets a value through.
 */
export function patternMatches(pattern: string, value: string): boolean {
  return compile(pattern)?.test(value) ?? false;
}
