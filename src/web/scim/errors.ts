/** SCIM error responses (RFC 7644 §3.12): every failure of the SCIM surface leaves as one of these, status as a string. */
import { ConflictError, NotFoundError, ValidationError } from '../../identity/errors.js';
import { HttpProblem, problemFromError } from '../problem.js';

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: ScimType | undefined,
    detail: string,
  ) {
    super(detail);
    this.name = 'ScimError';
  }
}

export interface ScimErrorBody {
  schemas: [typeof ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail: string;
}

export interface MappedScimError {
  body: ScimErrorBody;
  headers: Record<string, string>;
  internal: boolean;
}

const body = (status: number, detail: string, scimType?: ScimType): ScimErrorBody => ({
  schemas: [ERROR_SCHEMA],
  status: String(status),
  ...(scimType ? { scimType } : {}),
  detail,
});

/** Domain and framework errors in SCIM's words; `rename` turns local claim URIs in messages into SCIM attribute names. */
export function scimErrorFrom(error: unknown, rename: (field: string) => string = (f) => f): MappedScimError {
  const ok = (
    status: number,
    detail: string,
    scimType?: ScimType,
    headers: Record<string, string> = {},
  ): MappedScimError => ({ body: body(status, detail, scimType), headers, internal: false });
  if (error instanceof ScimError) return ok(error.status, error.message, error.scimType);
  if (error instanceof ValidationError)
    return ok(400, error.problems.map((p) => `${rename(p.field)}: ${p.message}`).join('; '), 'invalidValue');
  if (error instanceof ConflictError) return ok(409, error.message, 'uniqueness');
  if (error instanceof NotFoundError) return ok(404, `The ${error.resource} does not exist.`);
  const mapped = problemFromError(error);
  const { status, detail, code } = mapped.problem;
  if (error instanceof HttpProblem || !mapped.internal)
    return ok(status, detail, code === 'bad-request' ? 'invalidSyntax' : undefined, mapped.headers);
  return { body: body(500, mapped.problem.detail), headers: {}, internal: true };
}
