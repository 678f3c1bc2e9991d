/**
 * The admin API client: every call carries the console's bearer token; a 401 starts a new login, a plain 403
 * (`forbidden`) becomes a ForbiddenError (the app shows "You need the admin role"), any other error (a 403 such as
 * `second-factor-required` too) becomes an ApiError with the problem.
 */
import { accessToken, forgetTokens, justLoggedIn, startLogin } from '../auth/session.ts';
import type { FieldProblem, Problem } from './types.ts';

export const API_BASE = '/api/admin/v1';

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
    this.name = 'ApiError';
  }
}

export class ForbiddenError extends ApiError {}

export class UnauthorizedError extends ApiError {}

/** A problem made on this side (client-side validation), shown the same way as the server's. */
export function clientProblem(errors: FieldProblem[], detail = 'Some fields need attention.'): ApiError {
  return new ApiError({ title: 'Invalid input', status: 400, detail, code: 'validation-failed', errors });
}

const forbiddenListeners = new Set<() => void>();
export function onForbidden(listener: () => void): () => void {
  forbiddenListeners.add(listener);
  return () => forbiddenListeners.delete(listener);
}

async function problemOf(res: Response): Promise<Problem> {
  const text = await res.text();
  try {
    const json = JSON.parse(text) as Partial<Problem> & { message?: string; error?: string };
    return {
      type: json.type,
      title: json.title ?? json.error ?? res.statusText ?? 'Error',
      status: json.status ?? res.status,
      detail: json.detail ?? json.message,
      code: json.code,
      errors: Array.isArray(json.errors) ? json.errors : undefined,
    };
  } catch {
    return { title: res.statusText || 'Error', status: res.status, detail: text.slice(0, 300) || undefined };
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const token = accessToken();
  if (!token) {
    await startLogin();
  }
  const res = await fetch(API_BASE + path, {
    method,
    headers: {
      accept: 'application/json, application/problem+json',
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  if (res.status === 401) {
    forgetTokens();
    const problem = await problemOf(res);
    // a 401 just after a successful login would loop: stop and say so instead
    if (justLoggedIn())
      throw new UnauthorizedError({
        ...problem,
        detail: problem.detail ?? 'Stepgate did not accept the console token.',
      });
    await startLogin();
  }
  if (res.status === 403) {
    const problem = await problemOf(res);
    // only a plain refusal means "not an administrator"; any other 403 (a write that needs a sign-in with two
    // factors) is an answer about this one action, shown where the action was
    if (problem.code !== undefined && problem.code !== 'forbidden') throw new ApiError(problem);
    for (const l of forbiddenListeners) l();
    throw new ForbiddenError(problem);
  }
  if (!res.ok) throw new ApiError(await problemOf(res));
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const del = <T = void>(path: string) => api<T>('DELETE', path);

/** Query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Lists may come back as a page or as a plain array; the console reads both. */
export function itemsOf<T>(value: T[] | { items: T[] }): T[] {
  return Array.isArray(value) ? value : value.items;
}
