/**
 * TypeBox errors as field problems in the domain's notation (`redirectUris[0]`), one per field: shared by the JSON
 * APIs' request validation and by domain code that checks a configuration against its schema.
 */
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { FieldProblem } from '../identity/errors.js';

/** `/redirectUris/0` → `redirectUris[0]`, the field notation the domain uses too. */
export function fieldOf(path: string, part: string): string {
  const segments = path
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = '';
  for (const s of segments) out += /^\d+$/.test(s) ? `[${s}]` : out === '' ? s : `.${s}`;
  if (out !== '') return out;
  return part === 'body' ? 'body' : part;
}

export function schemaProblems(schema: TSchema, value: unknown, part: string): FieldProblem[] {
  const check = TypeCompiler.Compile(schema);
  return firstPerField([...check.Errors(value)].map((e) => ({ field: fieldOf(e.path, part), message: e.message })));
}

export function firstPerField(problems: FieldProblem[]): FieldProblem[] {
  const seen = new Set<string>();
  const first = problems.filter((p) => {
    if (seen.has(p.field)) return false;
    seen.add(p.field);
    return true;
  });
  return first.slice(0, 20);
}
