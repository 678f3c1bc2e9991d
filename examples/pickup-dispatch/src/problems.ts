// Every way a login or logout can go wrong, as values with a user-facing explanation, an HTTP status and a way back.
import * as client from 'openid-client';

export type LoginProblem =
  /** The identity server did not answer at all (connection refused, DNS, timeout). */
  | { kind: 'idp-unreachable'; issuer: string }
  /** The identity server answered discovery, but not with a usable OpenID Connect configuration. */
  | { kind: 'idp-discovery-failed'; issuer: string }
  /** The identity server sent the user back with `error` (cancelled, refused, misconfigured request). */
  | { kind: 'provider-error'; error: string; description: string | undefined }
  /** The callback has no login in progress for this browser (cookie lost, session expired, or replayed). */
  | { kind: 'no-login-in-progress' }
  /** The callback's `state` is not the one this browser was given: possibly a forged or mixed-up response. */
  | { kind: 'state-mismatch' }
  /** The token endpoint refused the authorization code. */
  | { kind: 'token-exchange-failed'; error: string; description: string | undefined }
  /** The tokens came back but failed validation (signature, nonce, audience, issuer...). */
  | { kind: 'token-rejected' };

export interface ProblemPage {
  status: number;
  title: string;
  explanation: string;
  details: Array<[label: string, value: string]>;
}

const PROVIDER_ERRORS: Record<string, string> = {
  access_denied: 'The login was cancelled, or the identity server refused it.',
  login_required: 'The identity server needs you to log in again.',
  interaction_required: 'The identity server needs you to complete the login interactively.',
  consent_required: 'The identity server needs your consent before it can share your details.',
  invalid_request: 'The identity server rejected the login request as malformed.',
  unauthorized_client: 'This application is not allowed to log users in this way. Check its configuration in Stepgate.',
  invalid_scope: 'The application asked for scopes the identity server does not allow.',
  server_error: 'The identity server ran into an error. Try again in a moment.',
  temporarily_unavailable: 'The identity server is temporarily unavailable. Try again in a moment.',
};

const TOKEN_ERRORS: Record<string, string> = {
  invalid_client: "The identity server did not accept this application's client id or secret.",
  invalid_grant: 'The authorization code was invalid, expired or already used. Start the login again.',
  unauthorized_client: 'This application is not allowed to use the authorization code grant.',
};

export function describeProblem(problem: LoginProblem): ProblemPage {
  switch (problem.kind) {
    case 'idp-unreachable':
      return {
        status: 503,
        title: `The identity server at ${problem.issuer} cannot be reached`,
        explanation:
          'The sample application could not connect to the identity server. It may not be running yet, or the issuer URL may be wrong. Start it and try again.',
        details: [],
      };
    case 'idp-discovery-failed':
      return {
        status: 503,
        title: `The identity server at ${problem.issuer} cannot be reached`,
        explanation:
          'The server answered, but not with an OpenID Connect configuration at /.well-known/openid-configuration. Check the issuer URL the sample was started with.',
        details: [],
      };
    case 'provider-error':
      return {
        status: 400,
        title: problem.error === 'access_denied' ? 'Login cancelled' : 'Login failed',
        explanation: PROVIDER_ERRORS[problem.error] ?? 'The identity server could not complete the login.',
        details: [['Error', problem.error], ...optional('Description', problem.description)],
      };
    case 'no-login-in-progress':
      return {
        status: 400,
        title: 'No login in progress',
        explanation:
          'This browser has no login waiting to finish. The session may have expired, cookies may be blocked, or the page was reloaded after the login completed. Start the login again.',
        details: [],
      };
    case 'state-mismatch':
      return {
        status: 400,
        title: 'Login response rejected',
        explanation:
          'The response from the identity server does not belong to the login this browser started (the state does not match), so it was not accepted. Start the login again.',
        details: [],
      };
    case 'token-exchange-failed':
      return {
        status: 502,
        title: 'Login failed',
        explanation:
          TOKEN_ERRORS[problem.error] ?? 'The identity server refused to exchange the authorization code for tokens.',
        details: [['Error', problem.error], ...optional('Description', problem.description)],
      };
    case 'token-rejected':
      return {
        status: 502,
        title: 'Login failed',
        explanation:
          'The identity server returned tokens that did not pass validation, so the sample did not log you in. The details are in the sample application’s log.',
        details: [],
      };
  }
}

function optional(label: string, value: string | undefined): Array<[string, string]> {
  return value === undefined || value === '' ? [] : [[label, value]];
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
]);

/** True when an error (or one of its causes) means the server was not reached or did not answer in time. */
export function isNetworkError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (e instanceof TypeError && e.message === 'fetch failed') return true;
  }
  return false;
}

/** Classifies a failed discovery. */
export function discoveryProblem(error: unknown, issuer: string): LoginProblem {
  return isNetworkError(error) ? { kind: 'idp-unreachable', issuer } : { kind: 'idp-discovery-failed', issuer };
}

/** Classifies a failed authorization code grant. */
export function tokenProblem(error: unknown, issuer: string): LoginProblem {
  if (isNetworkError(error)) return { kind: 'idp-unreachable', issuer };
  if (error instanceof client.AuthorizationResponseError) {
    return { kind: 'provider-error', error: error.error, description: error.error_description };
  }
  if (error instanceof client.ResponseBodyError) {
    return { kind: 'token-exchange-failed', error: error.error, description: error.error_description };
  }
  return { kind: 'token-rejected' };
}
