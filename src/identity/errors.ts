/** Domain errors for bad administrative input; the web edge turns each into a problem document with its status. */
export interface FieldProblem {
  field: string;
  message: string;
}

export class ValidationError extends Error {
  readonly code = 'validation-failed';
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends Error {
  readonly code = 'not-found';
  constructor(
    readonly resource: string,
    readonly key: string,
  ) {
    super(`${resource} "${key}" does not exist`);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends Error {
  readonly code = 'conflict';
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

export function invalid(field: string, message: string): ValidationError {
  return new ValidationError([{ field, message }]);
}

/** The value, or a NotFoundError naming what was looked for. */
export function found<T>(value: T | undefined, resource: string, key: string): T {
  if (value === undefined) throw new NotFoundError(resource, key);
  return value;
}
