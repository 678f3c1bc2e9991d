// Matching the API's field problems (`redirectUris[0]`, `authenticators[0].config.gateway.url`) to form fields.
import { ApiError } from '../api/client.ts';
import type { FieldProblem } from '../api/types.ts';

/** Problems that belong to a field: its own, and those of its items and sub-fields. */
export function problemsFor(error: unknown, field: string): string[] {
  if (!(error instanceof ApiError)) return [];
  return (error.problem.errors ?? []).filter((e) => belongsTo(e.field, field)).map((e) => e.message);
}

export function belongsTo(problemField: string, field: string): boolean {
  const f = normalise(problemField);
  const n = normalise(field);
  return f === n || f.startsWith(`${n}.`) || f.startsWith(`${n}[`);
}

/** `/a/b` (JSON pointer) and `a.b` and `a[0]` all read the same. */
function normalise(field: string): string {
  return field
    .replace(/^\//, '')
    .replace(/\//g, '.')
    .replace(/^body\./, '');
}

/** Problems that no field of the form claims: shown at the top with their field's name. */
export function unclaimed(error: unknown, fields: string[]): FieldProblem[] {
  if (!(error instanceof ApiError)) return [];
  return (error.problem.errors ?? []).filter((e) => !fields.some((f) => belongsTo(e.field, f)));
}
