/**
 * The one error catalogue of Stepgate's JSON APIs and the RFC 9457 problem documents built from it.
 * Every code has a stable status, title and safe default detail; `docs/errors.md` lists the same codes and a test
 * keeps the two in step. Internal details go to the log only.
 */
import { ConflictError, type FieldProblem, NotFoundError, ValidationError } from '../identity/errors.js';
import { isBackendOutage } from './health.js';

export const PROBLEM_BASE = 'https://stepgate.dev/problems/';

export const PROBLEMS = {
  'validation-failed': { status: 400, title: 'Validation failed', detail: 'Some fields are not valid; see errors.' },
  'bad-request': { status: 400, title: 'Bad request', detail: 'The request could not be read.' },
  unauthorized: { status: 401, title: 'Unauthorized', detail: 'A valid bearer token is required.' },
  forbidden: { status: 403, title: 'Forbidden', detail: 'The token does not allow this.' },
  'second-factor-required': {
    status: 403,
    title: 'Second factor required',
    detail: "Changing a user's authenticators needs a sign-in that passed two factors.",
  },
  'not-found': { status: 404, title: 'Not found', detail: 'The resource does not exist.' },
  conflict: { status: 409, title: 'Conflict', detail: 'The request conflicts with the current state.' },
  'misdirected-request': {
    status: 421,
    title: 'Misdirected request',
    detail: 'This server does not answer for that host name; use the address of its public URL.',
  },
  'payload-too-large': { status: 413, title: 'Payload too large', detail: 'The request body is too large.' },
  'unsupported-media-type': {
    status: 415,
    title: 'Unsupported media type',
    detail: 'Send the body as application/json.',
  },
  'rate-limited': { status: 429, title: 'Too many requests', detail: 'Too many requests; try again later.' },
  internal: { status: 500, title: 'Internal error', detail: 'Something went wrong on the server; it has been logged.' },
  'send-failed': { status: 502, title: 'Send failed', detail: 'The upstream provider could not be reached.' },
  unavailable: {
    status: 503,
    title: 'Service unavailable',
    detail:
      'A back end this request needs (the database or the state store) did not answer; nothing was changed. Try again.',
  },
} as const satisfies Record<string, { status: number; title: string; detail: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  errors?: FieldProblem[];
}

/** An error the web edge answers with as it is: a catalogue code, a safe detail, and optional field problems. */
export class HttpProblem extends Error {
  readonly statusCode: number;
  constructor(
    readonly problemCode: ProblemCode,
    detail?: string,
    readonly errors?: FieldProblem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? PROBLEMS[problemCode].detail);
    this.name = 'HttpProblem';
    this.statusCode = PROBLEMS[problemCode].status;
  }
}

export function problemDocument(code: ProblemCode, detail?: string, errors?: FieldProblem[]): ProblemDocument {
  const entry = PROBLEMS[code];
  return {
    type: `${PROBLEM_BASE}${code}`,
    title: entry.title,
    status: entry.status,
    detail: detail ?? entry.detail,
    code,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/** What Fastify and its plugins throw, as far as this mapping needs to know. */
interface FrameworkError {
  code?: string;
  statusCode?: number;
  message?: string;
}

export interface MappedError {
  problem: ProblemDocument;
  headers: Record<string, string>;
  /** true when the cause is ours (a bug or an outage): log it with its stack */
  internal: boolean;
}

/** Turns anything thrown in a JSON API route into a problem document. Nothing of an unknown error leaves the server. */
export function problemFromError(error: unknown): MappedError {
  const safe = (
    code: ProblemCode,
    detail?: string,
    errors?: FieldProblem[],
    headers: Record<string, string> = {},
  ): MappedError => ({
    problem: problemDocument(code, detail, errors),
    headers,
    internal: false,
  });
  if (error instanceof HttpProblem) return safe(error.problemCode, error.message, error.errors, error.headers);
  if (error instanceof ValidationError) return safe('validation-failed', undefined, error.problems);
  if (error instanceof NotFoundError) return safe('not-found', `The ${error.resource} does not exist.`);
  if (error instanceof ConflictError) return safe('conflict', error.message);
  const e = (typeof error === 'object' && error !== null ? error : {}) as FrameworkError;
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return safe('payload-too-large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return safe('unsupported-media-type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return safe('bad-request', 'The request body is empty.');
    default:
      break;
  }
  if (e.statusCode === 429) return safe('rate-limited');
  if (e.statusCode === 413) return safe('payload-too-large');
  if (e.statusCode === 415) return safe('unsupported-media-type');
  // JSON syntax errors from the body parser carry 400; their message may quote the body, so it is not repeated
  if (e.statusCode === 400)
    return safe('bad-request', e instanceof SyntaxError ? 'The request body is not valid JSON.' : undefined);
  if (e.statusCode === 404) return safe('not-found');
  if (isBackendOutage(error)) return safe('unavailable', undefined, undefined, { 'retry-after': '5' });
  return { problem: problemDocument('internal'), headers: {}, internal: true };
}
